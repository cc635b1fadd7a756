/**
 * Calls STS GetCallerIdentity with the JS SDK's default credentials chain
 * (run by the e2e tests inside `exec --server`, where only the container
 * provider can answer) and prints the ARN as JSON.
 *
 * @module
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const client = new STSClient({ region: "us-east-1" });
const identity = await client.send(new GetCallerIdentityCommand({}));
const credentials = await client.config.credentials();
console.log(JSON.stringify({ Arn: identity.Arn, AccessKeyId: credentials.accessKeyId }));

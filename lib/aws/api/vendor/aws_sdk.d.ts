/**
 * The types of `aws_sdk.js`, the pre-bundled AWS SDK (see scripts/vendor_sdk.ts): those of the npm
 * packages it is built from, at the versions deno.json pins. Only the type checker reads this.
 *
 * @module
 */
export { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
export { IAMClient, ListMFADevicesCommand } from "@aws-sdk/client-iam";
export { FetchHttpHandler, streamCollector } from "@smithy/fetch-http-handler";

/**
 * The AWS SDK behind a small interface: GetSessionToken and AssumeRole with
 * explicit keys, region and endpoint (so the SDK searches for nothing), one
 * attempt (a retry could spend the MFA code twice), a bounded timeout, and
 * AWS's errors turned into ours; the client setup shared with `iam.ts` is
 * in `client.ts`.
 *
 * The SDK is loaded lazily: {@link preloadSdk} starts the import while the
 * prompt waits for the user, and nothing else in awsmfa imports it. It is
 * the pre-bundled `vendor/aws_sdk.js` (see scripts/vendor_sdk.ts), which
 * imports in a few milliseconds where the npm packages take about 50.
 *
 * @module
 */
import { callAws, type CallOptions, loadSdk, type LongTermKeys, type SdkModule } from "./client.ts";
import type { SessionCredentials } from "../stored_session.ts";
import { registerSecrets } from "../../core/errors.ts";
import { checkSessionCredentials, type StsCredentials } from "../session_check.ts";
import { describeCallFailure } from "./call_errors.ts";

export { type CallOptions, classifySdkError, type LongTermKeys } from "./client.ts";
export type { SessionCredentials };

/** The GetSessionToken parameters besides the keys. */
export interface SessionTokenRequest {
  serialNumber: string;
  tokenCode: string;
  durationSeconds: number;
}

/** The AssumeRole parameters besides the keys. */
export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  serialNumber: string;
  tokenCode: string;
  durationSeconds: number;
  externalId?: string;
}

/** Starts loading the SDK in the background (idempotent); later calls reuse it. */
export function preloadSdk(): void {
  loadSdk().catch(() => {/* reported by the call that needs it */});
}

/** Calls STS GetSessionToken with the long-term keys and an MFA code. */
export async function getSessionToken(
  keys: LongTermKeys,
  request: SessionTokenRequest,
  options: CallOptions,
): Promise<SessionCredentials> {
  const sts = await loadSdk();
  const command = new sts.GetSessionTokenCommand({
    SerialNumber: request.serialNumber,
    TokenCode: request.tokenCode,
    DurationSeconds: request.durationSeconds,
  });
  return await exchange(keys, command, options, {
    operation: "GetSessionToken",
    serialNumber: request.serialNumber,
  });
}

/** Calls STS AssumeRole with the long-term keys and an MFA code. */
export async function assumeRole(
  keys: LongTermKeys,
  request: AssumeRoleRequest,
  options: CallOptions,
): Promise<SessionCredentials> {
  const sts = await loadSdk();
  const command = new sts.AssumeRoleCommand({
    RoleArn: request.roleArn,
    RoleSessionName: request.roleSessionName,
    SerialNumber: request.serialNumber,
    TokenCode: request.tokenCode,
    DurationSeconds: request.durationSeconds,
    ExternalId: request.externalId,
  });
  return await exchange(keys, command, options, {
    operation: "AssumeRole",
    serialNumber: request.serialNumber,
  });
}

type AnyStsCommand =
  | InstanceType<SdkModule["GetSessionTokenCommand"]>
  | InstanceType<SdkModule["AssumeRoleCommand"]>;

/** Sends `command` (its MFA code used once) and checks the credentials it answers with. */
async function exchange(
  keys: LongTermKeys,
  command: AnyStsCommand,
  options: CallOptions,
  call: { operation: string; serialNumber?: string },
): Promise<SessionCredentials> {
  const sts = await loadSdk();
  const output: { Credentials?: StsCredentials } = await callAws({
    keys,
    operation: call.operation,
    serialNumber: call.serialNumber,
    usedCode: true,
    client: (config) => new sts.STSClient(config),
    send: (client, abortSignal) =>
      client.send(command as InstanceType<SdkModule["GetSessionTokenCommand"]>, { abortSignal }),
  }, options);
  return credentialsFrom(output.Credentials, {
    operation: call.operation,
    endpoint: options.endpoint,
    now: (options.now ?? Date.now)(),
  });
}

function credentialsFrom(
  credentials: StsCredentials | undefined,
  call: { operation: string; endpoint: string; now: number },
): SessionCredentials {
  // Known to every printer from now on, before anything can go wrong with them.
  registerSecrets([credentials?.SecretAccessKey ?? "", credentials?.SessionToken ?? ""]);
  const check = checkSessionCredentials(credentials, { now: call.now });
  if (!check.ok) {
    const failure = check.absent
      ? { kind: "unreadable" as const, detail: check.problem }
      : { kind: "invalid-credentials" as const, detail: check.problem };
    throw describeCallFailure(failure, {
      operation: call.operation,
      endpoint: call.endpoint,
      sourceSection: "",
      accessKeyId: "",
      now: call.now,
      usedCode: true,
    });
  }
  return check.session;
}

/**
 * The AWS SDK behind a small interface: GetSessionToken and AssumeRole with
 * explicit keys, region and endpoint (so the SDK searches for nothing), one
 * attempt (a retry could spend the MFA code twice), a bounded timeout, and
 * AWS's errors turned into ours by {@link describeCallFailure}.
 *
 * The SDK is loaded lazily: {@link preloadSdk} starts the import while the
 * prompt waits for the user, and nothing else in awsmfa imports it.
 *
 * @module
 */
import { AwsmfaError, FileError } from "./errors.ts";
import { type CallContext, type CallFailure, describeCallFailure } from "./sts_errors.ts";

/** Long-term keys of an IAM user. */
export interface LongTermKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Temporary credentials as STS issues them. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Where and how to call. */
export interface CallOptions {
  /** The signing region. */
  region: string;
  /** The endpoint URL (see `serviceEndpoint`). */
  endpoint: string;
  /** Path of a PEM bundle of extra trusted certificate authorities. */
  caBundlePath?: string;
  /** The whole call's time limit; 10 s by default. */
  timeoutMs?: number;
  /** The section the keys came from, for messages. */
  sourceSection: string;
  /** The clock, for measuring skew. */
  now?: () => number;
}

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

const DEFAULT_TIMEOUT_MS = 10_000;

type StsModule = typeof import("@aws-sdk/client-sts");
type FetchModule = typeof import("@smithy/fetch-http-handler");
let sdk: Promise<{ sts: StsModule; fetch: FetchModule }> | undefined;

/** Starts loading the SDK in the background (idempotent); later calls reuse it. */
export function preloadSdk(): void {
  loadSdk().catch(() => {/* reported by the call that needs it */});
}

function loadSdk(): Promise<{ sts: StsModule; fetch: FetchModule }> {
  sdk ??= Promise.all([import("@aws-sdk/client-sts"), import("@smithy/fetch-http-handler")])
    .then(([sts, fetch]) => ({ sts, fetch }));
  return sdk;
}

/** Calls STS GetSessionToken with the long-term keys and an MFA code. */
export async function getSessionToken(
  keys: LongTermKeys,
  request: SessionTokenRequest,
  options: CallOptions,
): Promise<SessionCredentials> {
  const { sts } = await loadSdk();
  const command = new sts.GetSessionTokenCommand({
    SerialNumber: request.serialNumber,
    TokenCode: request.tokenCode,
    DurationSeconds: request.durationSeconds,
  });
  const output = await send(keys, command, options, {
    operation: "GetSessionToken",
    serialNumber: request.serialNumber,
  });
  return credentialsFrom(output.Credentials, options.endpoint);
}

/** Calls STS AssumeRole with the long-term keys and an MFA code. */
export async function assumeRole(
  keys: LongTermKeys,
  request: AssumeRoleRequest,
  options: CallOptions,
): Promise<SessionCredentials> {
  const { sts } = await loadSdk();
  const command = new sts.AssumeRoleCommand({
    RoleArn: request.roleArn,
    RoleSessionName: request.roleSessionName,
    SerialNumber: request.serialNumber,
    TokenCode: request.tokenCode,
    DurationSeconds: request.durationSeconds,
    ExternalId: request.externalId,
  });
  const output = await send(keys, command, options, {
    operation: "AssumeRole",
    serialNumber: request.serialNumber,
  });
  return credentialsFrom(output.Credentials, options.endpoint);
}

/** The credentials part of an STS answer, as the SDK parses it. */
interface StsCredentials {
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SessionToken?: string;
  Expiration?: Date;
}

type AnyStsCommand =
  | InstanceType<StsModule["GetSessionTokenCommand"]>
  | InstanceType<StsModule["AssumeRoleCommand"]>;

async function send(
  keys: LongTermKeys,
  command: AnyStsCommand,
  options: CallOptions,
  call: { operation: string; serialNumber?: string },
): Promise<{ Credentials?: StsCredentials }> {
  const { sts, fetch } = await loadSdk();
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const httpClient = await httpClientFor(options.caBundlePath);
  let serverDate: string | undefined;
  const inner = new fetch.FetchHttpHandler({
    requestTimeout: timeoutMs,
    ...(httpClient ? { requestInit: () => ({ client: httpClient }) as RequestInit } : {}),
  });
  // Wraps the handler to keep the response's Date header, for clock skew.
  const requestHandler = {
    handle: async (...args: Parameters<typeof inner.handle>) => {
      const result = await inner.handle(...args);
      serverDate = result.response.headers["date"];
      return result;
    },
    destroy: () => inner.destroy(),
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  const client = new sts.STSClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    maxAttempts: 1,
    requestHandler,
    streamCollector: fetch.streamCollector,
  });
  const context: CallContext = {
    operation: call.operation,
    endpoint: options.endpoint,
    sourceSection: options.sourceSection,
    accessKeyId: keys.accessKeyId,
    serialNumber: call.serialNumber,
    now: now(),
    usedCode: true,
  };
  try {
    return await client.send(command as InstanceType<StsModule["GetSessionTokenCommand"]>, {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    context.now = now();
    throw describeCallFailure(classifySdkError(error, timeoutMs, serverDate), context);
  } finally {
    client.destroy();
    httpClient?.close();
  }
}

async function httpClientFor(
  caBundlePath: string | undefined,
): Promise<Deno.HttpClient | undefined> {
  if (!caBundlePath) return undefined;
  let pem: string;
  try {
    pem = await Deno.readTextFile(caBundlePath);
  } catch (error) {
    throw new FileError(`Cannot read the CA bundle ${caBundlePath}: ${(error as Error).message}`, {
      fix: "Point AWS_CA_BUNDLE (or ca_bundle in ~/.aws/config) at a readable PEM file.",
      cause: error,
    });
  }
  return Deno.createHttpClient({ caCerts: [pem] });
}

function credentialsFrom(
  credentials: {
    AccessKeyId?: string;
    SecretAccessKey?: string;
    SessionToken?: string;
    Expiration?: Date;
  } | undefined,
  endpoint: string,
): SessionCredentials {
  const expiration = credentials?.Expiration;
  if (
    !credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken ||
    !(expiration instanceof Date) || Number.isNaN(expiration.getTime())
  ) {
    throw describeCallFailure({ kind: "unreadable", detail: "the credentials are incomplete" }, {
      operation: "GetSessionToken",
      endpoint,
      sourceSection: "",
      accessKeyId: "",
      now: Date.now(),
      usedCode: true,
    });
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration,
  };
}

/** Sorts what the SDK threw into a {@link CallFailure}. */
export function classifySdkError(
  error: unknown,
  timeoutMs: number,
  serverDate?: string,
): CallFailure {
  if (error instanceof AwsmfaError) throw error;
  const e = (error ?? {}) as {
    name?: string;
    message?: string;
    Code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: unknown;
  };
  const name = e.name ?? "";
  const message = e.message ?? String(error);
  const httpStatus = e.$metadata?.httpStatusCode;
  if (name === "TimeoutError" || name === "AbortError" || /timed? ?out/i.test(message)) {
    return { kind: "timeout", timeoutMs };
  }
  if (
    e.$fault && httpStatus !== undefined && name && name !== "Error" && !/deseriali/i.test(message)
  ) {
    const code = e.Code ?? name;
    if (code !== "UnknownError" && code !== "SyntaxError") {
      return { kind: "service", code, message, httpStatus, serverDate };
    }
  }
  const detail = flattenMessage(error);
  if (/certificate|UnknownIssuer|tls|handshake|ssl/i.test(detail)) {
    return { kind: "tls", detail };
  }
  if (httpStatus !== undefined || /deseriali|xml|parse|unexpected|body/i.test(detail)) {
    return { kind: "unreadable", detail: firstLine(detail), httpStatus };
  }
  return { kind: "network", detail: firstLine(detail) };
}

function flattenMessage(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error || (typeof current === "object" && "message" in current)) {
      parts.push(String((current as Error).message));
      current = (current as Error).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0];
  return line.length > 300 ? line.slice(0, 300) + "…" : line;
}

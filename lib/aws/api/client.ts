/**
 * What every AWS call of awsmfa shares, whatever the service: explicit keys,
 * region and endpoint (so the SDK searches for nothing), the fetch handler
 * with the CA bundle, one attempt, a bounded timeout, the response's `Date`
 * header kept for clock skew, and the SDK's errors turned into ours by
 * {@link describeCallFailure}. `sts.ts` and `iam.ts` build on it.
 *
 * The SDK's HTTP layer is loaded lazily (only when a call is made), and
 * {@link fetchServerDate} needs no SDK at all.
 *
 * @module
 */
import { AwsmfaError, FileError } from "../../core/errors.ts";
import { type CallContext, type CallFailure, describeCallFailure } from "./call_errors.ts";
import { TIME_LIMIT_VARIABLES } from "../../core/time_limits.ts";

/** Long-term keys of an IAM user. */
export interface LongTermKeys {
  accessKeyId: string;
  secretAccessKey: string;
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

/** The default time limit of one call (`AWSMFA_TIMEOUT` unset). */
export const DEFAULT_TIMEOUT_MS = TIME_LIMIT_VARIABLES.AWSMFA_TIMEOUT.defaultSeconds * 1000;

/** The client configuration every SDK client of awsmfa is built with. */
export interface SharedClientConfig {
  region: string;
  endpoint: string;
  credentials: LongTermKeys;
  maxAttempts: 1;
  // deno-lint-ignore no-explicit-any
  requestHandler: any;
  // deno-lint-ignore no-explicit-any
  streamCollector: any;
}

/** One call: how to build the client, how to send, and what to name in errors. */
export interface AwsCall<Client extends { destroy(): void }, Output> {
  keys: LongTermKeys;
  /** `GetSessionToken`, `AssumeRole`, `ListMFADevices`. */
  operation: string;
  /** The MFA device ARN sent, if any. */
  serialNumber?: string;
  /** Whether the request spends an MFA code. */
  usedCode: boolean;
  /** Builds the service's client from the shared configuration. */
  client(config: SharedClientConfig): Client;
  /** Sends the command with the client. */
  send(client: Client, abortSignal: AbortSignal): Promise<Output>;
}

/** The pre-bundled SDK (clients, commands and the fetch handler: see scripts/vendor_sdk.ts). */
export type SdkModule = typeof import("./vendor/aws_sdk.js");
let sdk: Promise<SdkModule> | undefined;

/** Loads the SDK bundle, once for every service (STS, IAM) and the fetch handler. */
export function loadSdk(): Promise<SdkModule> {
  sdk ??= import("./vendor/aws_sdk.js");
  return sdk;
}

/**
 * Sends one AWS request as described by `call`: one attempt, one time limit
 * for the whole exchange (connect, head and body), the body read with a size
 * cap, and any failure reported as one of our errors (with the server's
 * clock when AWS answered).
 */
export async function callAws<Client extends { destroy(): void }, Output>(
  call: AwsCall<Client, Output>,
  options: CallOptions,
): Promise<Output> {
  const fetch = await loadSdk();
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const httpClient = await httpClientFor(options.caBundlePath);
  const exchange: Exchange = { answering: false };
  const inner = new fetch.FetchHttpHandler({
    ...(httpClient ? { requestInit: () => ({ client: httpClient }) as RequestInit } : {}),
  });
  // Wraps the handler to read the body itself (capped, within the deadline) and keep the
  // response's Date header, for clock skew.
  const requestHandler = {
    handle: async (...args: Parameters<typeof inner.handle>) => {
      const result = await inner.handle(...args);
      exchange.answering = true;
      exchange.serverDate = result.response.headers["date"];
      try {
        result.response.body = await readAnswer(result.response.body, { signal: deadline });
      } catch (error) {
        if (error instanceof AnswerTooLargeError) exchange.tooLarge = error.limitBytes;
        throw error;
      }
      return result;
    },
    destroy: () => inner.destroy(),
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  const client = call.client({
    region: options.region,
    endpoint: options.endpoint,
    credentials: { accessKeyId: call.keys.accessKeyId, secretAccessKey: call.keys.secretAccessKey },
    maxAttempts: 1,
    requestHandler,
    streamCollector: fetch.streamCollector,
  });
  const context: CallContext = {
    operation: call.operation,
    endpoint: options.endpoint,
    sourceSection: options.sourceSection,
    accessKeyId: call.keys.accessKeyId,
    serialNumber: call.serialNumber,
    now: now(),
    usedCode: call.usedCode,
  };
  try {
    return await call.send(client, deadline);
  } catch (error) {
    context.now = now();
    throw describeCallFailure(exchangeFailure(error, timeoutMs, exchange), context);
  } finally {
    client.destroy();
    httpClient?.close();
  }
}

/** What the wrapped handler saw of one exchange. */
interface Exchange {
  /** Whether the answer's head came. */
  answering: boolean;
  serverDate?: string;
  /** The size limit, when the body went past it. */
  tooLarge?: number;
}

/** The failure to report for what the call threw, knowing how far the exchange went. */
function exchangeFailure(error: unknown, timeoutMs: number, exchange: Exchange): CallFailure {
  if (exchange.tooLarge !== undefined) return { kind: "too-large", limitBytes: exchange.tooLarge };
  const failure = classifySdkError(error, timeoutMs, exchange.serverDate);
  return failure.kind === "timeout" ? { ...failure, answering: exchange.answering } : failure;
}

/** The largest answer awsmfa reads: STS and IAM answers are a few KB. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** Thrown by {@link readAnswer} when the body is longer than its limit. */
export class AnswerTooLargeError extends Error {
  override name = "AnswerTooLargeError";
  /** Creates the error for a body longer than `limitBytes`. */
  constructor(readonly limitBytes: number) {
    super(`the answer is longer than ${limitBytes} bytes`);
  }
}

/**
 * Reads a response body whole: at most `maxBytes` ({@link MAX_ANSWER_BYTES};
 * more throws {@link AnswerTooLargeError}) and only until `signal` aborts
 * (which throws its reason). Either way the rest of the body is cancelled,
 * never read.
 */
export async function readAnswer(
  body: ReadableStream<Uint8Array> | Blob | Uint8Array | null | undefined,
  options: { signal: AbortSignal; maxBytes?: number },
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_ANSWER_BYTES;
  const { signal } = options;
  if (!body) return new Uint8Array();
  if (body instanceof Uint8Array) {
    if (body.length > maxBytes) throw new AnswerTooLargeError(maxBytes);
    return body;
  }
  if (body instanceof Blob) {
    if (body.size > maxBytes) throw new AnswerTooLargeError(maxBytes);
    return new Uint8Array(await body.arrayBuffer());
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    while (true) {
      // Checked each time round too: a fast stream must not outrun the timer's event.
      if (signal.aborted) throw signal.reason;
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      length += value.length;
      if (length > maxBytes) throw new AnswerTooLargeError(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** A Deno HTTP client trusting the PEM bundle at `caBundlePath`; undefined without one. */
export async function httpClientFor(
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

/** The server's clock as read from one answer, and the local clock around it. */
export interface ServerClock {
  /** The server's time (ms since the epoch), from its `Date` header (whole seconds). */
  serverTime: number;
  /** Local time (ms) halfway through the exchange. */
  localTime: number;
  /** `localTime - serverTime`: positive when this computer is ahead. */
  offsetMs: number;
}

/**
 * Asks `endpoint` for its clock: one unsigned POST (`GetCallerIdentity`),
 * whose answer (an error, since it is unsigned) carries a `Date` header. No
 * keys are sent and no SDK is loaded. Throws {@link describeCallFailure}'s
 * errors when the endpoint cannot be reached or sends no usable `Date`.
 */
export async function fetchServerDate(
  endpoint: string,
  options: { caBundlePath?: string; timeoutMs?: number; now?: () => number } = {},
): Promise<ServerClock> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = await httpClientFor(options.caBundlePath);
  const context: CallContext = {
    operation: "GetCallerIdentity",
    endpoint,
    sourceSection: "",
    accessKeyId: "",
    now: now(),
  };
  try {
    const before = now();
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      signal: AbortSignal.timeout(timeoutMs),
      ...(client ? { client } : {}),
    });
    await response.body?.cancel();
    const after = now();
    const date = response.headers.get("date");
    const serverTime = date ? Date.parse(date) : NaN;
    if (Number.isNaN(serverTime)) {
      throw describeCallFailure({
        kind: "unreadable",
        detail: `no Date header in the answer (HTTP ${response.status})`,
        httpStatus: response.status,
      }, context);
    }
    // The Date header has whole seconds: compare with the middle of the exchange.
    const localTime = Math.round((before + after) / 2);
    return { serverTime, localTime, offsetMs: localTime - serverTime };
  } catch (error) {
    if (error instanceof AwsmfaError) throw error;
    context.now = now();
    throw describeCallFailure(classifySdkError(error, timeoutMs), context);
  } finally {
    client?.close();
  }
}

/** Sorts what the SDK (or fetch) threw into a {@link CallFailure}. */
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
  const raw = flattenMessage(error);
  const detail = firstLine(shortenFetchMessage(raw));
  const notSent = NOT_SENT.test(raw);
  if (TLS_HANDSHAKE.test(raw) || (notSent && /tls|ssl/i.test(raw))) return { kind: "tls", detail };
  if (notSent || CONNECTION_LOST.test(raw)) return { kind: "network", detail, sent: !notSent };
  if (httpStatus !== undefined || /deseriali|xml|parse|unexpected|body/i.test(raw)) {
    return { kind: "unreadable", detail, httpStatus };
  }
  return { kind: "network", detail, sent: true };
}

/**
 * Deno's fetch errors of a connection that was never made (the request did
 * not leave this machine): its HTTP client reports every failure before the
 * request is written as `client error (Connect)`: DNS, a refused or
 * unreachable host, a proxy that would not open the tunnel, TLS; and fetch
 * itself refuses the ports the Fetch standard blocks (9, 25, …) unsent.
 */
const NOT_SENT =
  /client error \(Connect\)|dns error|failed to lookup address|tcp connect error|connection refused|unsuccessful tunnel|Requests to port \d+ are blocked/i;

/** The connection broke after the request was written, before the whole answer came. */
const CONNECTION_LOST =
  /reset by peer|connection reset|broken pipe|connection closed before message completed|close_notify/i;

/** A TLS handshake failure (a certificate nobody trusts, no common protocol). */
const TLS_HANDSHAKE = /certificate|UnknownIssuer|handshake/i;

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

/**
 * Deno's fetch message without what the user knows already: `fetch failed`,
 * `error sending request for url (…)` (the endpoint is in our message) and
 * the HTTP client's `client error (…)` stage.
 */
function shortenFetchMessage(text: string): string {
  return text.replace(/^fetch failed: /, "")
    .replace(/error sending request (?:from \S+ )?for (?:url \()?\S+?\)?(?: \([^)]*\))?: /, "")
    .replace(/^client error \(\w+\): /, "");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0];
  return line.length > 300 ? line.slice(0, 300) + "…" : line;
}

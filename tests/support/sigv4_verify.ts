/**
 * Server-side AWS Signature Version 4 verification (and a small signer for tests), on WebCrypto.
 *
 * The verifier rebuilds the canonical request from the request as received: method, the
 * normalised and URI-encoded path (encoded twice, as every service except S3), the canonical
 * query, the signed headers, and the SHA-256 of the body; then the string to sign and the
 * derived key, and compares signatures. It supports the `Authorization` header and presigned
 * query strings (`X-Amz-Signature`).
 *
 * @module
 */

/** A request as the server received it. */
export interface ReceivedRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The raw path, still percent-encoded, without the query. */
  path: string;
  /** The raw query string, without `?` (may be empty). */
  query: string;
  /** Header fields in arrival order, names in any case. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** The request body (empty for none). */
  body: Uint8Array;
}

/** An AWS-style failure of authentication. */
export interface SigV4Failure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

/** The authentication fields of a request, parsed and checked for shape. */
export interface SigV4Auth {
  ok: true;
  accessKeyId: string;
  /** `YYYYMMDD` from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  /** The request time as signed, `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** The request time in epoch milliseconds. */
  timeMs: number;
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Security-Token`, for temporary credentials. */
  securityToken?: string;
  /** Whether the signature came in the query string (presigned URL). */
  presigned: boolean;
  /** `X-Amz-Expires` of a presigned URL, in seconds. */
  expiresSeconds?: number;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const encoder = new TextEncoder();

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
}

/** HMAC-SHA256 of a UTF-8 message. */
export async function hmacSha256(key: Uint8Array, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

/** `YYYYMMDDTHHMMSSZ` (ISO 8601 basic format, UTC) of an epoch time in milliseconds. */
export function formatAmzDate(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Parses `YYYYMMDDTHHMMSSZ`; `NaN` when it is not that. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return formatAmzDate(ms) === text ? ms : NaN;
}

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~` (and `/` if kept). */
export function uriEncode(text: string, keepSlash = false): string {
  let out = "";
  for (const byte of encoder.encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The canonical URI of a raw (percent-encoded) path for services other than S3: dot segments
 * and empty segments removed (a trailing slash kept), then URI-encoded again, so `%2F` becomes
 * `%252F`, as botocore and the JS SDK sign it.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "" || rawPath === "/") return "/";
  const out: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  let path = "/" + out.join("/");
  if (rawPath.endsWith("/") && path !== "/") path += "/";
  return uriEncode(path, true);
}

/** The canonical query string: pairs decoded, strictly re-encoded, sorted by key then value. */
export function canonicalQuery(rawQuery: string, exclude: readonly string[] = []): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (exclude.includes(key)) continue;
    const value = eq < 0 ? "" : safeDecode(part.slice(eq + 1));
    pairs.push([uriEncode(key), uriEncode(value)]);
  }
  pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValues(headers: ReceivedRequest["headers"], name: string): string[] {
  return headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

function header(headers: ReceivedRequest["headers"], name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.join(",");
}

function queryParams(rawQuery: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (!map.has(key)) map.set(key, eq < 0 ? "" : safeDecode(part.slice(eq + 1)));
  }
  return map;
}

function fail(status: number, code: string, message: string): SigV4Failure {
  return { ok: false, status, code, message };
}

/**
 * Finds and parses the SigV4 fields of a request (from `Authorization` or a presigned query),
 * checking their shape but neither the time nor the signature.
 * Errors: `MissingAuthenticationToken` when there is no signature at all, `IncompleteSignature`
 * for missing parts, `SignatureDoesNotMatch` for a scope that contradicts the date.
 */
export function parseSigV4(request: ReceivedRequest): SigV4Auth | SigV4Failure {
  const authorization = header(request.headers, "authorization");
  const query = queryParams(request.query);
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let amzDate: string | undefined;
  let securityToken: string | undefined;
  let expiresSeconds: number | undefined;
  let presigned = false;
  if (authorization !== undefined) {
    const trimmed = authorization.trim();
    const space = trimmed.indexOf(" ");
    const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
    if (algorithm !== ALGORITHM) {
      return fail(
        400,
        "IncompleteSignature",
        `Unsupported AWS 'algorithm': '${algorithm}'. Authorization=${authorization}`,
      );
    }
    const fields = new Map<string, string>();
    for (const part of trimmed.slice(space + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    credential = fields.get("Credential");
    signedHeaders = fields.get("SignedHeaders");
    signature = fields.get("Signature");
    const missing = [
      credential === undefined ? "Authorization header requires 'Credential' parameter." : "",
      signature === undefined ? "Authorization header requires 'Signature' parameter." : "",
      signedHeaders === undefined ? "Authorization header requires 'SignedHeaders' parameter." : "",
    ].filter((m) => m !== "");
    const xAmzDate = header(request.headers, "x-amz-date");
    const httpDate = header(request.headers, "date");
    if (xAmzDate !== undefined) amzDate = xAmzDate.trim();
    else if (httpDate !== undefined && Number.isFinite(Date.parse(httpDate))) {
      amzDate = formatAmzDate(Date.parse(httpDate));
    } else {
      missing.push(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    if (missing.length > 0) {
      return fail(
        400,
        "IncompleteSignature",
        `${missing.join(" ")} Authorization=${authorization}`,
      );
    }
    securityToken = header(request.headers, "x-amz-security-token");
  } else if (query.has("X-Amz-Algorithm") || query.has("X-Amz-Signature")) {
    presigned = true;
    const algorithm = query.get("X-Amz-Algorithm");
    if (algorithm !== ALGORITHM) {
      return fail(400, "IncompleteSignature", `Unsupported AWS 'algorithm': '${algorithm ?? ""}'.`);
    }
    credential = query.get("X-Amz-Credential");
    signedHeaders = query.get("X-Amz-SignedHeaders");
    signature = query.get("X-Amz-Signature");
    amzDate = query.get("X-Amz-Date");
    securityToken = query.get("X-Amz-Security-Token");
    const missing = ["X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"]
      .filter((name) => !query.has(name));
    if (missing.length > 0) {
      return fail(
        400,
        "IncompleteSignature",
        missing.map((name) => `AWS query-string parameters must include '${name}'.`).join(" ") +
          " Re-examine the query-string parameters.",
      );
    }
    const expires = query.get("X-Amz-Expires");
    if (expires !== undefined) expiresSeconds = Number(expires);
  } else {
    return fail(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }

  const timeMs = parseAmzDate(amzDate!);
  if (Number.isNaN(timeMs)) {
    return fail(
      400,
      "IncompleteSignature",
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. ` +
        "See http://en.wikipedia.org/wiki/ISO_8601",
    );
  }
  const scope = credential!.split("/");
  if (scope.length !== 5 || scope.some((part) => part === "")) {
    return fail(
      400,
      "IncompleteSignature",
      `Credential must have exactly 5 slash-delimited elements, e.g. ` +
        `keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope;
  if (terminator !== "aws4_request") {
    return fail(
      403,
      "SignatureDoesNotMatch",
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    );
  }
  if (scopeDate !== amzDate!.slice(0, 8)) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from ` +
        `HTTP: '${scopeDate}' != '${amzDate!.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const headerList = signedHeaders!.split(";");
  if (!headerList.includes("host") && !headerList.includes(":authority")) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  return {
    ok: true,
    accessKeyId,
    scopeDate,
    region,
    service,
    amzDate: amzDate!,
    timeMs,
    signedHeaders: headerList,
    signature: signature!,
    securityToken,
    presigned,
    expiresSeconds,
  };
}

/**
 * Checks the signed time against the server's clock: more than `windowMs` away is refused with
 * AWS's `Signature expired: … is now earlier than … (… - N min.)` or
 * `Signature not yet current: … is still later than … (… + N min.)`.
 */
export function checkSigV4Time(
  auth: SigV4Auth,
  nowMs: number,
  windowMs: number,
): SigV4Failure | undefined {
  const minutes = `${Math.round(windowMs / 60_000)} min.`;
  const now = formatAmzDate(nowMs);
  if (auth.presigned && auth.expiresSeconds !== undefined) {
    if (!(auth.expiresSeconds >= 1 && auth.expiresSeconds <= 604800)) {
      return fail(
        400,
        "AuthorizationQueryParametersError",
        "X-Amz-Expires must be a number of seconds between 1 and 604800.",
      );
    }
    if (nowMs > auth.timeMs + auth.expiresSeconds * 1000) {
      return fail(403, "AccessDenied", "Request has expired");
    }
  } else if (auth.timeMs < nowMs - windowMs) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      `Signature expired: ${auth.amzDate} is now earlier than ${
        formatAmzDate(nowMs - windowMs)
      } (${now} - ${minutes})`,
    );
  }
  if (auth.timeMs > nowMs + windowMs) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      `Signature not yet current: ${auth.amzDate} is still later than ${
        formatAmzDate(nowMs + windowMs)
      } (${now} + ${minutes})`,
    );
  }
  return undefined;
}

/** The SigV4 signing key for a secret, date, region and service. */
export async function signingKey(
  secretAccessKey: string,
  scopeDate: string,
  region: string,
  service: string,
): Promise<Uint8Array> {
  const kDate = await hmacSha256(encoder.encode(`AWS4${secretAccessKey}`), scopeDate);
  const kRegion = await hmacSha256(kDate, region);
  const kService = await hmacSha256(kRegion, service);
  return hmacSha256(kService, "aws4_request");
}

/** The canonical request of a received request, for the given signed headers. */
export async function canonicalRequest(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  presigned: boolean,
): Promise<string> {
  const canonicalHeaders = signedHeaders.map((name) => {
    const values = name === ":authority"
      ? headerValues(request.headers, "host")
      : headerValues(request.headers, name);
    return `${name}:${values.map((v) => v.trim().replace(/\s+/g, " ")).join(",")}\n`;
  }).join("");
  const declared = header(request.headers, "x-amz-content-sha256");
  const payloadHash = declared === "UNSIGNED-PAYLOAD" ? declared : await sha256Hex(request.body);
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query, presigned ? ["X-Amz-Signature"] : []),
    canonicalHeaders,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

/** The string to sign for a canonical request. */
export async function stringToSign(auth: SigV4Auth, canonical: string): Promise<string> {
  return [
    ALGORITHM,
    auth.amzDate,
    `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`,
    await sha256Hex(canonical),
  ].join("\n");
}

function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

/** The message AWS's query services send with `SignatureDoesNotMatch` for a wrong signature. */
export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for " +
  "details.";

/**
 * Verifies the signature of a parsed request with the secret key of its access key ID.
 * Returns `undefined` when it matches; a `SignatureDoesNotMatch` (or, for a body that does not
 * match its declared hash, `XAmzContentSHA256Mismatch`) failure otherwise.
 */
export async function verifySigV4Signature(
  request: ReceivedRequest,
  auth: SigV4Auth,
  secretAccessKey: string,
): Promise<SigV4Failure | undefined> {
  const declared = header(request.headers, "x-amz-content-sha256");
  if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD") {
    const actual = await sha256Hex(request.body);
    if (declared.toLowerCase() !== actual) {
      return fail(
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
  }
  const canonical = await canonicalRequest(request, auth.signedHeaders, auth.presigned);
  const key = await signingKey(secretAccessKey, auth.scopeDate, auth.region, auth.service);
  const expected = toHex(await hmacSha256(key, await stringToSign(auth, canonical)));
  if (!constantTimeEqual(expected, auth.signature.toLowerCase())) {
    return fail(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE);
  }
  return undefined;
}

/** Credentials for {@linkcode signRequestV4}. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Signs a request with SigV4 in the `Authorization` header, for tests that craft requests by
 * hand (e.g. with a chosen clock). Returns the headers to send (including `host`,
 * `x-amz-date` and, with a session token, `x-amz-security-token`).
 */
export async function signRequestV4(options: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  credentials: SigningCredentials;
  region: string;
  service: string;
  timeMs?: number;
}): Promise<Record<string, string>> {
  const url = new URL(options.url);
  const amzDate = formatAmzDate(options.timeMs ?? Date.now());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  headers["host"] = url.host;
  headers["x-amz-date"] = amzDate;
  if (options.credentials.sessionToken !== undefined) {
    headers["x-amz-security-token"] = options.credentials.sessionToken;
  }
  const signedHeaders = Object.keys(headers).sort();
  const request: ReceivedRequest = {
    method: options.method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ""),
    headers: Object.entries(headers),
    body: encoder.encode(options.body ?? ""),
  };
  const auth: SigV4Auth = {
    ok: true,
    accessKeyId: options.credentials.accessKeyId,
    scopeDate: amzDate.slice(0, 8),
    region: options.region,
    service: options.service,
    amzDate,
    timeMs: parseAmzDate(amzDate),
    signedHeaders,
    signature: "",
    presigned: false,
  };
  const canonical = await canonicalRequest(request, signedHeaders, false);
  const key = await signingKey(
    options.credentials.secretAccessKey,
    auth.scopeDate,
    auth.region,
    auth.service,
  );
  const signature = toHex(await hmacSha256(key, await stringToSign(auth, canonical)));
  headers["authorization"] = `${ALGORITHM} Credential=${auth.accessKeyId}/${auth.scopeDate}/` +
    `${auth.region}/${auth.service}/aws4_request, SignedHeaders=${signedHeaders.join(";")}, ` +
    `Signature=${signature}`;
  return headers;
}

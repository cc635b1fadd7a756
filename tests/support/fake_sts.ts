/**
 * A fake AWS STS + IAM endpoint for tests, on 127.0.0.1: the Query API over HTTP(S), real SigV4
 * verification, RFC 6238 MFA codes that are single-use, sessions that are remembered and expire,
 * AWS's XML and error texts, and injectable faults (throttling, 5xx, delays, resets, truncated and
 * malformed bodies, captive-portal HTML, endless and huge bodies, credentials of any shape).
 *
 * ```ts
 * await using sts = await startFakeSts();
 * const user = sts.addUser();
 * const code = await sts.freshCode(user.mfaDevices[0].serialNumber);
 * // point the client at sts.url with user.accessKeyId / user.secretAccessKey
 * ```
 *
 * @module
 */

import { startHttpServer } from "./fake_http.ts";
import type { HttpOutcome, HttpRequest, HttpServer } from "./fake_http.ts";
import {
  checkSigV4Time,
  parseSigV4,
  SIGNATURE_MISMATCH_MESSAGE,
  type SigV4Failure,
  verifySigV4Signature,
} from "./sigv4_verify.ts";
import { createTestCa, type TestCa } from "./test_ca.ts";
import { TOTP_STEP_MS, totpCode, totpStep } from "./totp.ts";

/** An MFA device of a fake user. Only `virtual` (TOTP) devices can be used with STS. */
export interface FakeMfaDevice {
  /** `arn:PARTITION:iam::ACCOUNT:mfa/NAME`, or `...:u2f/...` for a security key. */
  serialNumber: string;
  kind: "virtual" | "u2f";
  /** The TOTP key (raw bytes; 40 random bytes, 64 base32 characters, as AWS seeds). */
  secret: Uint8Array;
}

/** An IAM user (or the root user) of the fake, with one long-term access key. */
export interface FakeUser {
  userName: string;
  accountId: string;
  /** `arn:PARTITION:iam::ACCOUNT:user/NAME`, or `arn:PARTITION:iam::ACCOUNT:root`. */
  arn: string;
  /** The unique ID (`AIDA…`; the account ID for root), as GetCallerIdentity's `UserId`. */
  userId: string;
  /** `AKIA` + 16 characters of `[A-Z2-7]`. */
  accessKeyId: string;
  /** 40 characters of `[A-Za-z0-9+/]`, always with at least one `+` and one `/`. */
  secretAccessKey: string;
  /** Set to false to deactivate the access key (InvalidClientTokenId from then on). */
  active: boolean;
  root: boolean;
  mfaDevices: FakeMfaDevice[];
}

/** An IAM role that users of the fake may assume. */
export interface FakeRole {
  /** `arn:PARTITION:iam::ACCOUNT:role/NAME`. */
  arn: string;
  roleName: string;
  /** The role's unique ID (`AROA…`). */
  roleId: string;
  /** Seconds, 3600 to 43200. */
  maxSessionDuration: number;
  /** When set, AssumeRole must pass this `ExternalId`. */
  externalId?: string;
  /** When true, the trust policy demands `aws:MultiFactorAuthPresent`. */
  requireMfa: boolean;
}

/** A fault to answer the next request(s) with, instead of (or, for `delay`, before) the answer. */
export type Fault =
  /** An AWS service error: 500 `InternalFailure` or 503 `ServiceUnavailable`. */
  | { kind: "status"; status: 500 | 503; code: "InternalFailure" | "ServiceUnavailable" }
  /** 400 `Throttling`, `Rate exceeded`. */
  | { kind: "throttle" }
  /**
   * 403 `AccessDenied` whose message echoes the signing key's secret access key as a careless
   * server might: URL-encoded (upper- and lower-case hex), JSON-escaped and as XML character
   * references.
   */
  | { kind: "echo-secret" }
  /** Wait `ms` before answering normally; cut short (connection dropped) by `close()`. */
  | { kind: "delay"; ms: number }
  /** 200 `text/xml` whose body is not well-formed XML. */
  | { kind: "malformed" }
  /** 200 whose `Content-Length` promises more bytes than are sent before the connection closes. */
  | { kind: "truncated" }
  /** The TCP connection is reset (RST) without any HTTP response. */
  | { kind: "reset" }
  /** An HTML page (a captive portal or a proxy's page), 200 unless `status` is given. */
  | { kind: "html"; status?: number }
  /** 200 `text/xml` with an empty body. */
  | { kind: "empty" }
  /** Any AWS error answer, e.g. `{ status: 403, code: "RegionDisabledException", message }`. */
  | { kind: "error"; status: number; code: string; message: string; type?: "Sender" | "Receiver" }
  /**
   * 200 `text/xml` with a chunked body that never ends (until either side closes): as fast as
   * the client reads, or, with `intervalMs`, one byte every `intervalMs` (a trickle).
   */
  | { kind: "endless"; intervalMs?: number }
  /** 200 `text/xml` with a chunked body of `bytes` bytes (no `Content-Length`). */
  | { kind: "huge"; bytes: number }
  /**
   * 200 with a well-formed answer for the action whose credentials are the fake's own, but for
   * the fields given (any text, sent XML-escaped; `expiration` as sent, e.g. `2020-01-01T00:00:00Z`).
   * The MFA code is not checked. The values count among {@linkcode FakeSts.issuedSecrets}.
   */
  | {
    kind: "credentials";
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
    expiration?: string;
    /** The expiration as this long after the answer (ms), when `expiration` is not given. */
    expiresInMs?: number;
  };

/** One request the fake received, as logged in {@linkcode FakeSts.requests}. */
export interface FakeRequestRecord {
  /** The `Action` parameter ("" when missing). */
  action: string;
  /** The access key ID the request was signed with, if it had one. */
  accessKeyId?: string;
  /** `"ok"`, an AWS error code, or `"fault:KIND"` for an injected fault that is not an error. */
  outcome: string;
  /** The HTTP status sent (0 when no response was sent). */
  status: number;
}

/** Options of {@linkcode startFakeSts}. */
export interface FakeStsOptions {
  /** Serve HTTPS with a throw-away CA (see {@linkcode FakeSts.caCertPath}). */
  tls?: boolean;
  /** Address to listen on; default `127.0.0.1`. */
  hostname?: string;
  /** Port; default 0 (a free one). */
  port?: number;
  /** How far the SigV4 request time may be from the server time; default 5 minutes. */
  signatureWindowMinutes?: number;
}

/** Options of {@linkcode FakeSts.addUser}. */
export interface AddUserOptions {
  /** Default `user-N`; `root` for the root user. */
  userName?: string;
  /** ARN partition, default `aws`. */
  partition?: string;
  /** How many virtual devices (default 1), or their kinds in order. */
  devices?: number | Array<"virtual" | "u2f">;
  /** The account's root user: its ARN is `...:root` and sessions last at most an hour. */
  root?: boolean;
}

/** Options of {@linkcode FakeSts.addRole}. */
export interface AddRoleOptions {
  /** Default `role-N`. */
  roleName?: string;
  /** ARN partition, default `aws`. */
  partition?: string;
  /** Seconds, 3600 (default) to 43200. */
  maxSessionDuration?: number;
  externalId?: string;
  /** Default false. */
  requireMfa?: boolean;
}

/** A running fake STS/IAM endpoint. */
export interface FakeSts extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:PORT` or, with TLS, `https://localhost:PORT`. */
  readonly url: string;
  /** With TLS: the PEM file of the CA to trust. */
  readonly caCertPath?: string;
  /** The account ID of every user and role. */
  readonly accountId: string;
  /** Adds a user with a random access key and MFA devices with random secrets. */
  addUser(options?: AddUserOptions): FakeUser;
  /** Adds a role that any user of the fake may assume, subject to its conditions. */
  addRole(options?: AddRoleOptions): FakeRole;
  /** Advances the fake's TOTP clock by 30 s and returns the (unused) code of the new step. */
  freshCode(serialNumber: string): Promise<string>;
  /** The code of the TOTP clock's current step (which may have been used already). */
  currentCode(serialNumber: string): Promise<string>;
  /** The fake's TOTP clock: wall time plus every advance made by `freshCode`. */
  totpTimeMs(): number;
  /** Answers the next `times` (default 1) requests with `f`; faults queue up in order. */
  fault(f: Fault, options?: { times?: number }): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** Server clock offset in ms: SigV4 time checks, `Date` header, expirations. */
  skewMs: number;
  /** Every request received, in order. */
  readonly requests: ReadonlyArray<FakeRequestRecord>;
  /** Every secret access key and session token the fake issued or holds. */
  issuedSecrets(): string[];
  /** Makes every session issued so far expired (ExpiredToken from then on). */
  expireSessions(): void;
  /** Stops the server, drops connections, cuts delays short, removes the TLS files. */
  close(): Promise<void>;
}

const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_VERSION = "2011-06-15";
const IAM_VERSION = "2010-05-08";

/** The service (SigV4 scope and API version) of each action the fake knows. */
const ACTIONS: Record<string, "sts" | "iam"> = {
  GetSessionToken: "sts",
  AssumeRole: "sts",
  GetCallerIdentity: "sts",
  ListMFADevices: "iam",
  GetUser: "iam",
};

/** AWS's MFA error texts (sts-facts.md). */
export const MFA_MESSAGES = {
  invalidCode: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
  unknownSerial: "MultiFactorAuthentication failed, unable to validate MFA code.  " +
    "Please verify your MFA serial number is valid and associated with this user.",
  missingPart:
    "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
  sessionCredentials: "Cannot call GetSessionToken with session credentials",
} as const;

/** AWS's authentication error texts. */
export const AUTH_MESSAGES = {
  invalidToken: "The security token included in the request is invalid.",
  expiredToken: "The security token included in the request is expired",
  signatureMismatch: SIGNATURE_MISMATCH_MESSAGE,
  missingToken: "Request is missing Authentication Token",
} as const;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function randomChars(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function randomSecretKey(): string {
  const chars = randomChars(SECRET_CHARS, 40).split("");
  const positions = crypto.getRandomValues(new Uint8Array(2));
  const plus = positions[0] % 20;
  const slash = 20 + (positions[1] % 20);
  if (!chars.includes("+")) chars[plus] = "+";
  if (!chars.includes("/")) chars[slash] = "/";
  return chars.join("");
}

function randomSessionToken(): string {
  // Real tokens are a long base64 blob; "FwoGZXIvYXdzE" is how many of them begin. Insist on
  // both "+" and "/" (and the "==" padding 301 bytes bring) so quoting bugs cannot hide.
  while (true) {
    const token = "FwoGZXIvYXdzE" + btoa(String.fromCharCode(...randomBytes(301)));
    if (token.includes("+") && token.includes("/")) return token;
  }
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function xmlEscape(text: string): string {
  // As AWS does in text nodes: only what XML requires.
  return text.replace(/[&<>]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;");
}

/** `<Name>value</Name>` with the value escaped. */
function el(name: string, value: string | number | boolean): string {
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAtMs: number;
  user: FakeUser;
  /** Whether MFA was proven when the session was made (aws:MultiFactorAuthPresent). */
  mfa: boolean;
  role?: { role: FakeRole; sessionName: string };
}

type Identity =
  | { kind: "user"; user: FakeUser; accessKeyId: string }
  | { kind: "session"; session: Session; accessKeyId: string };

interface AwsError {
  status: number;
  code: string;
  message: string;
  type?: "Sender" | "Receiver";
}

type ActionResult = { xml: string } | { error: AwsError };

function awsError(status: number, code: string, message: string): { error: AwsError } {
  return { error: { status, code, message } };
}

function accessDenied(message: string): { error: AwsError } {
  return awsError(403, "AccessDenied", message);
}

/** Collects `Value '…' at '…' failed to satisfy constraint: …` violations. */
class Validator {
  readonly violations: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  private violation(member: string, value: string | null, constraint: string): void {
    const shown = value === null ? "null" : `'${value}'`;
    this.violations.push(
      `Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
    );
  }

  string(
    name: string,
    rule: { min: number; max: number; pattern: string; required?: boolean },
  ): string | undefined {
    const member = name[0].toLowerCase() + name.slice(1);
    const value = this.params.get(name);
    if (value === null) {
      if (rule.required) this.violation(member, null, "Member must not be null");
      return undefined;
    }
    const length = [...value].length;
    if (length < rule.min) {
      this.violation(member, value, `Member must have length greater than or equal to ${rule.min}`);
    }
    if (length > rule.max) {
      this.violation(member, value, `Member must have length less than or equal to ${rule.max}`);
    }
    if (!new RegExp(`^(?:${jsPattern(rule.pattern)})$`, "u").test(value)) {
      this.violation(
        member,
        value,
        `Member must satisfy regular expression pattern: ${rule.pattern}`,
      );
    }
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const member = name[0].toLowerCase() + name.slice(1);
    const text = this.params.get(name);
    if (text === null) return undefined;
    if (!/^-?\d+$/.test(text.trim())) {
      this.violation(member, text, "Member must be an integer");
      return undefined;
    }
    const value = Number(text.trim());
    if (value < min) {
      this.violation(member, text, `Member must have value greater than or equal to ${min}`);
    }
    if (value > max) {
      this.violation(member, text, `Member must have value less than or equal to ${max}`);
    }
    return value;
  }

  result(): { error: AwsError } | undefined {
    const n = this.violations.length;
    if (n === 0) return undefined;
    return awsError(
      400,
      "ValidationError",
      `${n} validation error${n === 1 ? "" : "s"} detected: ${this.violations.join("; ")}`,
    );
  }
}

/** The botocore patterns, in the form AWS prints them, made usable as JS regular expressions. */
function jsPattern(pattern: string): string {
  return pattern.replace(/\\u10000-\\u10FFFF/g, "\\u{10000}-\\u{10FFFF}").replace(/\\\//g, "/");
}

const PATTERNS = {
  serialNumber: "[\\w+=/:,.@-]*",
  tokenCode: "[\\d]*",
  roleSessionName: "[\\w+=,.@-]*",
  externalId: "[\\w+=,.@:\\/-]*",
  roleArn:
    "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
  userName: "[\\w+=,.@-]+",
  marker: "[\\u0020-\\u00FF]+",
} as const;

function validateMfaParams(v: Validator): void {
  v.string("SerialNumber", { min: 9, max: 256, pattern: PATTERNS.serialNumber });
  v.string("TokenCode", { min: 6, max: 6, pattern: PATTERNS.tokenCode });
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      resolve(false);
    }
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Starts a fake STS/IAM endpoint. It logs nothing. Close it with `close()` or `await using`.
 */
export async function startFakeSts(options: FakeStsOptions = {}): Promise<FakeSts> {
  const hostname = options.hostname ?? "127.0.0.1";
  const windowMs = (options.signatureWindowMinutes ?? 5) * 60_000;
  const accountId = String(100000000000 + Math.floor(Math.random() * 899999999999));
  const users: FakeUser[] = [];
  const roles: FakeRole[] = [];
  const sessions = new Map<string, Session>();
  const usedSteps = new Map<string, Set<number>>();
  const requests: FakeRequestRecord[] = [];
  const faults: Array<{ fault: Fault; remaining: number }> = [];
  /** Secrets sent by `credentials` faults. */
  const faultSecrets: string[] = [];
  const closed = new AbortController();
  let totpOffsetMs = 0;
  let userCounter = 0;
  let roleCounter = 0;

  const state = { skewMs: 0 };
  const serverNow = () => Date.now() + state.skewMs;
  const totpNow = () => Date.now() + totpOffsetMs;

  function findDevice(serialNumber: string): FakeMfaDevice {
    for (const user of users) {
      const device = user.mfaDevices.find((d) => d.serialNumber === serialNumber);
      if (device) return device;
    }
    throw new Error(`fake STS: no MFA device ${serialNumber}`);
  }

  /** True when `code` is valid for the device at step −1, 0 or +1 and was never used. */
  async function acceptCode(device: FakeMfaDevice, code: string): Promise<boolean> {
    const step = totpStep(totpNow());
    let used = usedSteps.get(device.serialNumber);
    if (!used) usedSteps.set(device.serialNumber, used = new Set());
    for (const candidate of [step, step - 1, step + 1]) {
      if (await totpCode(device.secret, candidate * TOTP_STEP_MS) !== code) continue;
      if (used.has(candidate)) return false;
      used.add(candidate);
      return true;
    }
    return false;
  }

  /** Checks an MFA pair against the caller's own devices; undefined when none was given. */
  async function checkMfa(
    params: URLSearchParams,
    user: FakeUser | undefined,
  ): Promise<{ error: AwsError } | { ok: boolean }> {
    const serial = params.get("SerialNumber");
    const code = params.get("TokenCode");
    if (serial === null && code === null) return { ok: false };
    if (serial === null || code === null) return accessDenied(MFA_MESSAGES.missingPart);
    const device = user?.mfaDevices.find((d) => d.serialNumber === serial && d.kind === "virtual");
    if (!device) return accessDenied(MFA_MESSAGES.unknownSerial);
    if (!await acceptCode(device, code)) return accessDenied(MFA_MESSAGES.invalidCode);
    return { ok: true };
  }

  function issueSession(
    user: FakeUser,
    durationSeconds: number,
    mfa: boolean,
    role?: Session["role"],
  ): Session {
    const session: Session = {
      accessKeyId: "ASIA" + randomChars(BASE32, 16),
      secretAccessKey: randomSecretKey(),
      sessionToken: randomSessionToken(),
      expiresAtMs: Math.floor((serverNow() + durationSeconds * 1000) / 1000) * 1000,
      user,
      mfa,
      role,
    };
    sessions.set(session.accessKeyId, session);
    return session;
  }

  function credentialsXml(session: Session): string {
    return "<Credentials>" + el("AccessKeyId", session.accessKeyId) +
      el("SecretAccessKey", session.secretAccessKey) + el("SessionToken", session.sessionToken) +
      el("Expiration", isoSeconds(session.expiresAtMs)) + "</Credentials>";
  }

  function partitionOf(arn: string): string {
    return arn.split(":")[1] ?? "aws";
  }

  function assumedRoleArn(session: Session): string {
    const role = session.role!;
    return `arn:${partitionOf(role.role.arn)}:sts::${accountId}:assumed-role/` +
      `${role.role.roleName}/${role.sessionName}`;
  }

  function callerArn(identity: Identity): string {
    if (identity.kind === "session" && identity.session.role) {
      return assumedRoleArn(identity.session);
    }
    return identity.kind === "user" ? identity.user.arn : identity.session.user.arn;
  }

  function callerUser(identity: Identity): FakeUser | undefined {
    if (identity.kind === "user") return identity.user;
    return identity.session.role ? undefined : identity.session.user;
  }

  async function authenticate(
    request: HttpRequest,
    service: "sts" | "iam" | undefined,
  ): Promise<{ identity: Identity } | { error: AwsError; accessKeyId?: string }> {
    const parsed = parseSigV4(request);
    if (!parsed.ok) return { error: parsed };
    const accessKeyId = parsed.accessKeyId;
    const withKey = (failure: SigV4Failure | AwsError) => ({ error: failure, accessKeyId });
    const late = checkSigV4Time(parsed, serverNow(), windowMs);
    if (late) return withKey(late);
    if (!/^[a-z0-9-]+$/.test(parsed.region)) {
      return withKey({
        status: 403,
        code: "SignatureDoesNotMatch",
        message: `Credential should be scoped to a valid region, not '${parsed.region}'. `,
      });
    }
    const expected = service ?? (parsed.service === "iam" ? "iam" : "sts");
    if (parsed.service !== expected) {
      return withKey({
        status: 403,
        code: "SignatureDoesNotMatch",
        message: `Credential should be scoped to correct service: '${expected}'. `,
      });
    }
    const invalid = withKey({
      status: 403,
      code: "InvalidClientTokenId",
      message: AUTH_MESSAGES.invalidToken,
    });
    let identity: Identity;
    let secret: string;
    const user = users.find((u) => u.accessKeyId === accessKeyId);
    if (user) {
      if (!user.active || parsed.securityToken !== undefined) return invalid;
      identity = { kind: "user", user, accessKeyId };
      secret = user.secretAccessKey;
    } else {
      const session = sessions.get(accessKeyId);
      if (!session || parsed.securityToken !== session.sessionToken) return invalid;
      identity = { kind: "session", session, accessKeyId };
      secret = session.secretAccessKey;
    }
    const mismatch = await verifySigV4Signature(request, parsed, secret);
    if (mismatch) return withKey(mismatch);
    if (identity.kind === "session" && serverNow() >= identity.session.expiresAtMs) {
      return withKey({ status: 400, code: "ExpiredToken", message: AUTH_MESSAGES.expiredToken });
    }
    return { identity };
  }

  async function getSessionToken(
    identity: Identity,
    params: URLSearchParams,
  ): Promise<ActionResult> {
    const v = new Validator(params);
    const duration = v.integer("DurationSeconds", 900, 129600);
    validateMfaParams(v);
    const invalid = v.result();
    if (invalid) return invalid;
    if (identity.kind === "session") return accessDenied(MFA_MESSAGES.sessionCredentials);
    const user = identity.user;
    const mfa = await checkMfa(params, user);
    if ("error" in mfa) return mfa;
    let seconds = duration ?? 43200;
    if (user.root) seconds = Math.min(seconds, 3600);
    const session = issueSession(user, seconds, mfa.ok);
    return {
      xml: `<GetSessionTokenResult>${credentialsXml(session)}</GetSessionTokenResult>`,
    };
  }

  async function assumeRole(identity: Identity, params: URLSearchParams): Promise<ActionResult> {
    const v = new Validator(params);
    const roleArn = v.string("RoleArn", {
      min: 20,
      max: 2048,
      pattern: PATTERNS.roleArn,
      required: true,
    });
    const sessionName = v.string("RoleSessionName", {
      min: 2,
      max: 64,
      pattern: PATTERNS.roleSessionName,
      required: true,
    });
    const duration = v.integer("DurationSeconds", 900, 43200);
    const externalId = v.string("ExternalId", {
      min: 2,
      max: 1224,
      pattern: PATTERNS.externalId,
    });
    validateMfaParams(v);
    const invalid = v.result();
    if (invalid) return invalid;
    const caller = callerArn(identity);
    const user = callerUser(identity);
    if (user?.root) return accessDenied("Roles may not be assumed by root accounts.");
    const mfa = await checkMfa(params, user);
    if ("error" in mfa) return mfa;
    const mfaPresent = mfa.ok || (identity.kind === "session" && identity.session.mfa);
    const role = roles.find((r) => r.arn === roleArn);
    const denied = accessDenied(
      `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    if (!role || partitionOf(role.arn) !== partitionOf(caller)) return denied;
    if (role.requireMfa && !mfaPresent) return denied;
    if (role.externalId !== undefined && externalId !== role.externalId) return denied;
    const chained = identity.kind === "session" && identity.session.role !== undefined;
    const seconds = duration ?? 3600;
    if (chained && seconds > 3600) {
      return awsError(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by " +
          "role chaining.",
      );
    }
    if (seconds > role.maxSessionDuration) {
      return awsError(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
    const owner = identity.kind === "user" ? identity.user : identity.session.user;
    const session = issueSession(owner, seconds, mfaPresent, { role, sessionName: sessionName! });
    return {
      xml: "<AssumeRoleResult><AssumedRoleUser>" +
        el("AssumedRoleId", `${role.roleId}:${sessionName}`) +
        el("Arn", assumedRoleArn(session)) + "</AssumedRoleUser>" + credentialsXml(session) +
        "</AssumeRoleResult>",
    };
  }

  function getCallerIdentity(identity: Identity): ActionResult {
    let userId: string;
    let account: string;
    if (identity.kind === "session" && identity.session.role) {
      userId = `${identity.session.role.role.roleId}:${identity.session.role.sessionName}`;
      account = accountId;
    } else {
      const user = identity.kind === "user" ? identity.user : identity.session.user;
      userId = user.userId;
      account = user.accountId;
    }
    return {
      xml: "<GetCallerIdentityResult>" + el("Arn", callerArn(identity)) + el("UserId", userId) +
        el("Account", account) + "</GetCallerIdentityResult>",
    };
  }

  /** IAM refuses session credentials obtained without MFA. */
  function iamGate(identity: Identity, action: string): { error: AwsError } | undefined {
    if (identity.kind === "session" && !identity.session.role && !identity.session.mfa) {
      return accessDenied(
        `User: ${callerArn(identity)} is not authorized to perform: iam:${action} because ` +
          "IAM calls with session credentials require MFA authentication in GetSessionToken",
      );
    }
    return undefined;
  }

  /** Resolves the user an IAM action is about; own user only (the fake has no policies). */
  function iamSubject(
    identity: Identity,
    action: string,
    userName: string | undefined,
  ): FakeUser | { error: AwsError } {
    const user = callerUser(identity);
    if (userName === undefined) {
      if (!user) {
        return awsError(
          400,
          "ValidationError",
          "Must specify userName when calling with non-User credentials",
        );
      }
      return user;
    }
    if (user && user.userName === userName) return user;
    const resource = `arn:${partitionOf(callerArn(identity))}:iam::${accountId}:user/${userName}`;
    return accessDenied(
      `User: ${callerArn(identity)} is not authorized to perform: iam:${action} on resource: ` +
        `${resource} because no identity-based policy allows the iam:${action} action`,
    );
  }

  function listMfaDevices(identity: Identity, params: URLSearchParams): ActionResult {
    const v = new Validator(params);
    const userName = v.string("UserName", { min: 1, max: 128, pattern: PATTERNS.userName });
    const marker = v.string("Marker", { min: 1, max: 320, pattern: PATTERNS.marker });
    const maxItems = v.integer("MaxItems", 1, 1000);
    const invalid = v.result();
    if (invalid) return invalid;
    const gate = iamGate(identity, "ListMFADevices");
    if (gate) return gate;
    const subject = iamSubject(identity, "ListMFADevices", userName);
    if ("error" in subject) return subject;
    let start = 0;
    if (marker !== undefined) {
      start = Number(/^m(\d+)$/.exec(marker)?.[1] ?? NaN);
      if (!Number.isInteger(start)) {
        return awsError(400, "ValidationError", "Invalid Marker.");
      }
    }
    const limit = maxItems ?? 100;
    const page = subject.mfaDevices.slice(start, start + limit);
    const truncated = start + limit < subject.mfaDevices.length;
    const members = page.map((d) =>
      "<member>" + el("UserName", subject.userName) + el("SerialNumber", d.serialNumber) +
      el("EnableDate", isoSeconds(Date.UTC(2024, 0, 15, 9, 30))) + "</member>"
    ).join("");
    return {
      xml: `<ListMFADevicesResult><MFADevices>${members}</MFADevices>` +
        el("IsTruncated", truncated) + (truncated ? el("Marker", `m${start + limit}`) : "") +
        "</ListMFADevicesResult>",
    };
  }

  function getUser(identity: Identity, params: URLSearchParams): ActionResult {
    const v = new Validator(params);
    const userName = v.string("UserName", { min: 1, max: 128, pattern: PATTERNS.userName });
    const invalid = v.result();
    if (invalid) return invalid;
    const gate = iamGate(identity, "GetUser");
    if (gate) return gate;
    const subject = iamSubject(identity, "GetUser", userName);
    if ("error" in subject) return subject;
    return {
      xml: "<GetUserResult><User>" + (subject.root ? "" : el("Path", "/")) +
        (subject.root ? "" : el("UserName", subject.userName)) + el("UserId", subject.userId) +
        el("Arn", subject.arn) + el("CreateDate", isoSeconds(Date.UTC(2024, 0, 15, 9, 0))) +
        "</User></GetUserResult>",
    };
  }

  function reply(
    status: number,
    contentType: string,
    body: string,
    requestId: string,
  ): HttpOutcome {
    return {
      kind: "reply",
      status,
      headers: [
        ["x-amzn-RequestId", requestId],
        ["Content-Type", contentType],
        ["Date", new Date(serverNow()).toUTCString()],
      ],
      body: new TextEncoder().encode(body),
    };
  }

  /** See the `echo-secret` {@link Fault}. */
  function echoSecretReply(
    accessKeyId: string | undefined,
    namespace: string,
    requestId: string,
  ): HttpOutcome {
    const secret = users.find((u) => u.accessKeyId === accessKeyId)?.secretAccessKey ?? "";
    const url = encodeURIComponent(secret);
    const lowerUrl = url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    const json = JSON.stringify({ SecretAccessKey: secret }).replaceAll("/", "\\/");
    const xml = secret.replace(/[+/=]/g, (c) => c === "/" ? "&#x2F;" : `&#${c.charCodeAt(0)};`);
    const message = `Request rejected: SecretAccessKey=${url}&Echo=${lowerUrl} body ${json} ` +
      `xml <Key>${xml}</Key>`;
    return errorReply({ status: 403, code: "AccessDenied", message }, namespace, requestId);
  }

  function errorReply(error: AwsError, namespace: string, requestId: string): HttpOutcome {
    const type = error.type ?? (error.status >= 500 ? "Receiver" : "Sender");
    return reply(
      error.status,
      "text/xml",
      `<ErrorResponse xmlns="${namespace}">\n  <Error>\n    ${el("Type", type)}\n    ` +
        `${el("Code", error.code)}\n    ${el("Message", error.message)}\n  </Error>\n  ` +
        `${el("RequestId", requestId)}\n</ErrorResponse>\n`,
      requestId,
    );
  }

  function requestParams(request: HttpRequest): URLSearchParams {
    const params = new URLSearchParams(request.query);
    const contentType = request.headers.find(([n]) => n.toLowerCase() === "content-type")?.[1];
    if (
      request.method === "POST" &&
      (contentType === undefined || /application\/x-www-form-urlencoded/i.test(contentType))
    ) {
      for (const [k, v] of new URLSearchParams(new TextDecoder().decode(request.body))) {
        params.append(k, v);
      }
    }
    return params;
  }

  function takeFault(): Fault | undefined {
    const head = faults[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) faults.shift();
    return head.fault;
  }

  function faultOutcome(
    fault: Fault,
    action: string,
    requestId: string,
    accessKeyId?: string,
  ): [HttpOutcome, string] {
    const namespace = ACTIONS[action] === "iam" ? IAM_NS : STS_NS;
    switch (fault.kind) {
      case "status":
        return [
          errorReply(
            {
              status: fault.status,
              code: fault.code,
              message: fault.code === "ServiceUnavailable"
                ? "Service is unavailable. Please try again later."
                : "An internal error occurred. Please try again.",
            },
            namespace,
            requestId,
          ),
          fault.code,
        ];
      case "throttle":
        return [
          errorReply(
            { status: 400, code: "Throttling", message: "Rate exceeded" },
            namespace,
            requestId,
          ),
          "Throttling",
        ];
      case "error":
        return [errorReply(fault, namespace, requestId), fault.code];
      case "echo-secret":
        return [echoSecretReply(accessKeyId, namespace, requestId), "AccessDenied"];
      case "malformed":
        return [
          reply(
            200,
            "text/xml",
            `<${action || "Unknown"}Response xmlns="${namespace}"><${action || "Unknown"}Result>` +
              "<Credentials><AccessKeyId>ASIA<</Credentials></Result & garbage",
            requestId,
          ),
          "fault:malformed",
        ];
      case "html":
        return [
          reply(
            fault.status ?? 200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>" +
              '<body><h1>Welcome to Guest Wi-Fi</h1><form action="/login"></form></body></html>\n',
            requestId,
          ),
          "fault:html",
        ];
      case "empty":
        return [reply(200, "text/xml", "", requestId), "fault:empty"];
      case "truncated": {
        const full = reply(
          200,
          "text/xml",
          `<${action || "Unknown"}Response xmlns="${namespace}">\n  <${
            action || "Unknown"
          }Result>\n` +
            "    <Credentials>\n      <AccessKeyId>ASIA",
          requestId,
        );
        if (full.kind !== "reply") throw new Error("unreachable");
        return [
          {
            kind: "truncated",
            status: 200,
            headers: full.headers,
            body: full.body,
            declaredLength: full.body.length + 512,
          },
          "fault:truncated",
        ];
      }
      case "reset":
        return [{ kind: "reset" }, "fault:reset"];
      case "endless":
      case "huge": {
        const head = reply(200, "text/xml", "", requestId);
        if (head.kind !== "reply") throw new Error("unreachable");
        const trickle = fault.kind === "endless" ? fault.intervalMs : undefined;
        const outcome: HttpOutcome = {
          kind: "stream",
          status: 200,
          headers: head.headers,
          chunk: new TextEncoder().encode(" ".repeat(trickle ? 1 : 16 * 1024)),
          totalBytes: fault.kind === "huge" ? fault.bytes : undefined,
          intervalMs: trickle,
        };
        return [outcome, `fault:${fault.kind}`];
      }
      case "credentials":
        return [credentialsFault(fault, action, requestId), "fault:credentials"];
      case "delay":
        throw new Error("unreachable: delay is handled before");
    }
  }

  /** A 200 answer whose credentials are as `fault` says (see {@link Fault}). */
  function credentialsFault(
    fault: Extract<Fault, { kind: "credentials" }>,
    action: string,
    requestId: string,
  ): HttpOutcome {
    const name = action === "AssumeRole" ? "AssumeRole" : "GetSessionToken";
    const values = {
      accessKeyId: fault.accessKeyId ?? "ASIA" + randomChars(BASE32, 16),
      secretAccessKey: fault.secretAccessKey ?? randomSecretKey(),
      sessionToken: fault.sessionToken ?? randomSessionToken(),
      expiration: fault.expiration ?? isoSeconds(serverNow() + (fault.expiresInMs ?? 3600_000)),
    };
    faultSecrets.push(values.secretAccessKey, values.sessionToken);
    return reply(
      200,
      "text/xml",
      `<${name}Response xmlns="${STS_NS}">\n  <${name}Result><Credentials>` +
        el("AccessKeyId", values.accessKeyId) + el("SecretAccessKey", values.secretAccessKey) +
        el("SessionToken", values.sessionToken) + el("Expiration", values.expiration) +
        `</Credentials></${name}Result>\n  <ResponseMetadata>${el("RequestId", requestId)}` +
        `</ResponseMetadata>\n</${name}Response>\n`,
      requestId,
    );
  }

  async function handle(request: HttpRequest): Promise<HttpOutcome> {
    const requestId = crypto.randomUUID();
    const params = requestParams(request);
    const action = params.get("Action") ?? "";
    const record: FakeRequestRecord = { action, outcome: "ok", status: 0 };
    const authHeader = request.headers.find(([n]) => n.toLowerCase() === "authorization")?.[1];
    const keyMatch = /Credential=([^/,\s]+)\//.exec(authHeader ?? "") ??
      /(?:^|&)X-Amz-Credential=([^%/&]+)/.exec(request.query);
    if (keyMatch) record.accessKeyId = keyMatch[1];
    requests.push(record);

    let fault = takeFault();
    while (fault?.kind === "delay") {
      if (!await sleep(fault.ms, closed.signal)) {
        record.outcome = "fault:delay-cut";
        return { kind: "reset" };
      }
      fault = takeFault();
    }
    if (fault) {
      const [outcome, label] = faultOutcome(fault, action, requestId, record.accessKeyId);
      record.outcome = label;
      record.status = outcome.kind === "reset" ? 0 : outcome.status;
      return outcome;
    }

    const service = ACTIONS[action];
    const auth = await authenticate(request, service);
    const namespace = (service ?? "sts") === "iam" ? IAM_NS : STS_NS;
    let result: ActionResult;
    if ("error" in auth) {
      result = auth;
    } else if (action === "") {
      result = awsError(400, "MissingAction", "Missing Action");
    } else if (!service) {
      result = awsError(
        400,
        "InvalidAction",
        `Could not find operation ${action} for version ${params.get("Version") ?? ""}`,
      );
    } else if (params.get("Version") !== (service === "iam" ? IAM_VERSION : STS_VERSION)) {
      result = awsError(
        400,
        "InvalidAction",
        `Could not find operation ${action} for version ${params.get("Version") ?? ""}`,
      );
    } else {
      const identity = auth.identity;
      switch (action) {
        case "GetSessionToken":
          result = await getSessionToken(identity, params);
          break;
        case "AssumeRole":
          result = await assumeRole(identity, params);
          break;
        case "GetCallerIdentity":
          result = getCallerIdentity(identity);
          break;
        case "ListMFADevices":
          result = listMfaDevices(identity, params);
          break;
        default:
          result = getUser(identity, params);
      }
    }
    let outcome: HttpOutcome;
    if ("error" in result) {
      record.outcome = result.error.code;
      record.status = result.error.status;
      outcome = errorReply(result.error, namespace, requestId);
    } else {
      record.status = 200;
      outcome = reply(
        200,
        "text/xml",
        `<${action}Response xmlns="${namespace}">\n  ${result.xml}\n  <ResponseMetadata>\n    ` +
          `${el("RequestId", requestId)}\n  </ResponseMetadata>\n</${action}Response>\n`,
        requestId,
      );
    }
    return outcome;
  }

  let ca: TestCa | undefined;
  let server: HttpServer;
  try {
    if (options.tls) ca = await createTestCa();
    server = await startHttpServer(
      {
        hostname,
        port: options.port ?? 0,
        tls: ca ? { cert: ca.certPem, key: ca.keyPem } : undefined,
      },
      handle,
    );
  } catch (err) {
    await ca?.remove();
    throw err;
  }
  const urlHost = options.tls && (hostname === "127.0.0.1" || hostname === "localhost")
    ? "localhost"
    : hostname.includes(":")
    ? `[${hostname}]`
    : hostname;
  const url = `${options.tls ? "https" : "http"}://${urlHost}:${server.port}`;

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      closed.abort();
      await server.close();
      await ca?.remove();
    })();
    return closing;
  }

  return {
    url,
    caCertPath: ca?.caCertPath,
    accountId,
    get skewMs() {
      return state.skewMs;
    },
    set skewMs(value: number) {
      state.skewMs = value;
    },
    get requests() {
      return requests;
    },
    addUser(opts: AddUserOptions = {}): FakeUser {
      const root = opts.root ?? false;
      const partition = opts.partition ?? "aws";
      const userName = opts.userName ?? (root ? "root" : `user-${++userCounter}`);
      if (users.some((u) => u.userName === userName)) {
        throw new Error(`fake STS: user ${userName} exists`);
      }
      const kinds = typeof opts.devices === "number" || opts.devices === undefined
        ? Array<"virtual">(opts.devices ?? 1).fill("virtual")
        : opts.devices;
      let virtualCount = 0;
      const base = `arn:${partition}:iam::${accountId}`;
      const mfaDevices = kinds.map((kind): FakeMfaDevice => {
        if (kind === "u2f") {
          const path = root ? "root" : `user/${userName}`;
          return {
            serialNumber: `${base}:u2f/${path}/security-key-${randomChars(BASE32, 26)}`,
            kind,
            secret: randomBytes(40),
          };
        }
        const name = root ? "root-account-mfa-device" : userName;
        virtualCount++;
        return {
          serialNumber: `${base}:mfa/${name}${virtualCount > 1 ? `-${virtualCount}` : ""}`,
          kind,
          secret: randomBytes(40),
        };
      });
      const user: FakeUser = {
        userName,
        accountId,
        arn: root ? `${base}:root` : `${base}:user/${userName}`,
        userId: root ? accountId : "AIDA" + randomChars(BASE32, 17),
        accessKeyId: "AKIA" + randomChars(BASE32, 16),
        secretAccessKey: randomSecretKey(),
        active: true,
        root,
        mfaDevices,
      };
      users.push(user);
      return user;
    },
    addRole(opts: AddRoleOptions = {}): FakeRole {
      const roleName = opts.roleName ?? `role-${++roleCounter}`;
      const maxSessionDuration = opts.maxSessionDuration ?? 3600;
      if (maxSessionDuration < 3600 || maxSessionDuration > 43200) {
        throw new RangeError("fake STS: maxSessionDuration must be 3600 to 43200");
      }
      const role: FakeRole = {
        arn: `arn:${opts.partition ?? "aws"}:iam::${accountId}:role/${roleName}`,
        roleName,
        roleId: "AROA" + randomChars(BASE32, 17),
        maxSessionDuration,
        externalId: opts.externalId,
        requireMfa: opts.requireMfa ?? false,
      };
      roles.push(role);
      return role;
    },
    freshCode(serialNumber: string): Promise<string> {
      const device = findDevice(serialNumber);
      totpOffsetMs += TOTP_STEP_MS;
      return totpCode(device.secret, totpNow());
    },
    currentCode(serialNumber: string): Promise<string> {
      return totpCode(findDevice(serialNumber).secret, totpNow());
    },
    totpTimeMs: totpNow,
    fault(f: Fault, opts: { times?: number } = {}): void {
      const times = opts.times ?? 1;
      if (times > 0) faults.push({ fault: f, remaining: times });
    },
    clearFaults(): void {
      faults.length = 0;
    },
    issuedSecrets(): string[] {
      return [
        ...users.map((u) => u.secretAccessKey),
        ...[...sessions.values()].flatMap((s) => [s.secretAccessKey, s.sessionToken]),
        ...faultSecrets,
      ];
    },
    expireSessions(): void {
      const now = serverNow();
      for (const session of sessions.values()) {
        session.expiresAtMs = Math.min(session.expiresAtMs, now - 1000);
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * AWS meaning on top of the INI document: where the credentials and config
 * files are, which section holds the long-term keys (the source) and which
 * the session (the target), what a stored session says, and the edit that
 * writes a new one. Pure but for {@link locateFiles}, which reads the context.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import { formatRfc3339, parseTimestamp } from "../core/durations.ts";
import { ConfigError, FileFormatError, registerSecrets, UsageError } from "../core/errors.ts";
// The ini modules this file uses, not ini/mod.ts: that would also load what the skip path does
// not use (config_profiles.ts, shlex.ts: config_settings.ts reads the config file's profiles).
import { decodeIniBytes } from "../ini/decode.ts";
import { IniDocument, parseIni, type ParseIniOptions } from "../ini/document.ts";
import {
  type IniView,
  type QuickIni,
  quickScanIni,
  type QuickScanOptions,
} from "../ini/quick_scan.ts";
import { checkRoleSetting, type RoleSettingKey } from "./role_settings.ts";
import { type Fingerprint, withFileLock } from "../files/safe_file.ts";
import { MFA_SERIAL_PATTERN, SESSION_TOKEN_SECONDS } from "./limits.ts";

/**
 * How awsmfa parses the files: a refused edit is a FileFormatError (exit 3) for
 * the file's content, a UsageError (exit 2) for a name or value it cannot write.
 */
const AWS_INI: ParseIniOptions = {
  errors: {
    format: (message, fix) => new FileFormatError(message, { fix }),
    value: (message, fix) => new UsageError(message, { fix }),
  },
};

/** The two files the AWS CLI reads. */
export interface AwsFiles {
  /** AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
  credentials: string;
  /** AWS_CONFIG_FILE, else ~/.aws/config. */
  config: string;
}

/** The keys a session occupies in the target section, in the order written. */
export const SESSION_KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_credential_expiration",
] as const;

/** Finds both files as every AWS SDK does, with `~` expanded. */
export function locateFiles(context: Context): AwsFiles {
  const home = context.homeDir();
  const expand = (path: string) => {
    if (path !== "~" && !path.startsWith("~/") && !path.startsWith("~\\")) return path;
    if (!home) throw noHome();
    return home + path.slice(1);
  };
  const inHome = (name: string) => {
    if (!home) throw noHome();
    const separator = home.includes("\\") && !home.includes("/") ? "\\" : "/";
    return `${home.replace(/[\\/]+$/, "")}${separator}.aws${separator}${name}`;
  };
  const credentials = context.env("AWS_SHARED_CREDENTIALS_FILE");
  const config = context.env("AWS_CONFIG_FILE");
  return {
    credentials: credentials ? expand(credentials) : inHome("credentials"),
    config: config ? expand(config) : inHome("config"),
  };
}

function noHome(): ConfigError {
  return new ConfigError("Cannot find your home directory: HOME is not set.", {
    fix: "Set HOME, or name the files with AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE.",
  });
}

/**
 * Reads a file's bytes as an INI document, refusing (with the line and the
 * fix) anything the AWS CLI itself would reject. A missing file is an empty
 * document.
 */
export function loadIni(bytes: Uint8Array | null, path: string): IniDocument {
  if (bytes === null) return parseIni("", AWS_INI);
  const doc = parseChecked(decodeChecked(bytes, path), path);
  registerSecrets(() => secretValues(doc));
  return doc;
}

/**
 * {@link loadIni} for a reader of `keys` only (`status`, the skip path): the
 * read-only quick scan when it covers the file, else the document; the same
 * values and the same errors either way.
 */
export function loadIniView(
  bytes: Uint8Array | null,
  path: string,
  keys: readonly string[],
  options: QuickScanOptions = {},
): IniView {
  if (bytes === null) return parseIni("", AWS_INI);
  const text = decodeChecked(bytes, path);
  const quick = quickScanIni(text, keys, options);
  if (quick === undefined) {
    const doc = parseChecked(text, path);
    registerSecrets(() => secretValues(doc));
    return doc;
  }
  // The scan keeps `keys` only: the secrets are read only if something is printed to stderr.
  let secrets: string[] | undefined;
  registerSecrets(() => secrets ??= secretValues(parseIni(text, AWS_INI)));
  return quick;
}

/** The editable document of a file read with {@link loadIniView} (the same text, parsed). */
export function editableIni(view: IniView, path: string): IniDocument {
  if (view instanceof IniDocument) return view;
  const doc = parseChecked((view as QuickIni).text, path);
  registerSecrets(() => secretValues(doc));
  return doc;
}

function decodeChecked(bytes: Uint8Array, path: string): string {
  const decoded = decodeIniBytes(bytes);
  if ("problem" in decoded) throw formatProblem(path, decoded.problem);
  return decoded.text;
}

function parseChecked(text: string, path: string): IniDocument {
  const doc = parseIni(text, AWS_INI);
  if (doc.problems.length > 0) throw formatProblem(path, doc.problems[0], doc.problems.length);
  return doc;
}

/** The keys whose values are secrets (aws_security_token: boto2's name for the token). */
const SECRET_KEYS = ["aws_secret_access_key", "aws_session_token", "aws_security_token"];

/** Every secret `doc` holds now, in any section (for the printers, see `registerSecrets`). */
function secretValues(doc: IniView): string[] {
  return ["DEFAULT", ...doc.sections()].flatMap((section) =>
    SECRET_KEYS.map((key) => doc.get(section, key)).filter((v) => typeof v === "string")
  );
}

function formatProblem(
  path: string,
  problem: { line: number; message: string },
  count = 1,
): FileFormatError {
  const more = count > 1 ? ` (and ${count - 1} more problem${count > 2 ? "s" : ""})` : "";
  return new FileFormatError(`${path} line ${problem.line}: ${problem.message}${more}`, {
    fix:
      "The AWS CLI rejects this file too. awsmfa changed nothing; fix the line and run it again.",
  });
}

/** Rejects profile names that cannot be a section name the AWS CLI reads back. */
export function checkProfileName(name: string, what = "Profile name"): string {
  if (name === "" || name !== name.trim() || /[\]\r\n]/.test(name) || name.startsWith("[")) {
    throw new UsageError(`${what} '${name}' cannot be used as a section name.`, {
      fix: "Use a name without ']', line breaks, a leading '[' or surrounding spaces.",
    });
  }
  return name;
}

/** The long-term keys and MFA settings of a source section. */
export interface SourceProfile {
  /** The section name, e.g. `georgemfa`. */
  section: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The MFA device ARN; undefined when the section has none (setup can find it). */
  mfaSerial?: string;
  durationSeconds?: number;
  region?: string;
  roleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  mfaProcess?: string;
}

/** A sample source section for messages: no secret, the user's names. */
export function sampleSourceSection(section: string, user = "george"): string {
  return `[${section}]\n` +
    "aws_access_key_id = AKIA…\n" +
    "aws_secret_access_key = …\n" +
    `mfa_serial = arn:aws:iam::123456789012:mfa/${user}`;
}

/**
 * Reads the source section, with an error saying exactly what to add when
 * it or its keys are missing, or when it holds temporary credentials.
 */
export function readSourceProfile(
  doc: IniDocument,
  section: string,
  options: {
    path: string;
    target: string;
    requireSerial?: boolean;
    /** The keys when they are kept in a keystore (`awsmfa_keystore`), not in the section. */
    keys?: { accessKeyId: string; secretAccessKey: string };
  },
): SourceProfile {
  const sample = sampleSourceSection(section, options.target);
  if (!doc.sections().includes(section)) {
    throw new ConfigError(`${options.path} has no section [${section}] with your long-term keys.`, {
      fix: `Add it (your access key for ${options.target}, and your MFA device's ARN):\n\n` +
        sample +
        `\n\nOr run 'awsmfa setup ${options.target}' to move the keys from [${options.target}].`,
    });
  }
  const kept = options.keys && {
    aws_access_key_id: options.keys.accessKeyId,
    aws_secret_access_key: options.keys.secretAccessKey,
  };
  const get = (key: string) => {
    const value = kept && Object.hasOwn(kept, key)
      ? kept[key as keyof typeof kept]
      : doc.get(section, key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const missing = ["aws_access_key_id", "aws_secret_access_key"].filter((key) => !get(key));
  if (options.requireSerial !== false && !get("mfa_serial")) missing.push("mfa_serial");
  if (missing.length > 0) {
    throw new ConfigError(`[${section}] in ${options.path} has no ${missing.join(", ")}.`, {
      fix: `The section needs these keys:\n\n${sample}` +
        (missing.includes("mfa_serial")
          ? `\n\n'awsmfa setup ${options.target}' can look the MFA device up for you.`
          : ""),
    });
  }
  const accessKeyId = get("aws_access_key_id")!;
  if (get("aws_session_token") || accessKeyId.startsWith("ASIA")) {
    throw new ConfigError(
      `[${section}] holds temporary credentials (${
        get("aws_session_token") ? "an aws_session_token" : "an ASIA… key"
      }); GetSessionToken needs your long-term keys.`,
      {
        fix: `Put your IAM user's long-term access key (AKIA…) and secret in [${section}], ` +
          "without aws_session_token.",
      },
    );
  }
  const serial = get("mfa_serial");
  if (serial !== undefined) checkSerial(serial, section);
  let durationSeconds: number | undefined;
  const duration = get("duration_seconds");
  if (duration !== undefined) {
    durationSeconds = Number(duration);
    if (!/^\d+$/.test(duration)) {
      throw new ConfigError(`duration_seconds in [${section}] is '${duration}', not a number.`, {
        fix: `Set it to a number of seconds from ${SESSION_TOKEN_SECONDS.min} to ` +
          `${SESSION_TOKEN_SECONDS.max}, e.g. duration_seconds = 14400.`,
      });
    }
  }
  const role = (key: RoleSettingKey) => {
    const value = get(key);
    if (value === undefined) return undefined;
    checkRoleSetting(key, value, {
      section,
      path: options.path,
      inherited: !hasOwnKey(doc, section, key),
    });
    return value;
  };
  return {
    section,
    accessKeyId,
    secretAccessKey: get("aws_secret_access_key")!,
    mfaSerial: serial,
    durationSeconds,
    region: get("region"),
    roleArn: role("role_arn"),
    roleSessionName: role("role_session_name"),
    externalId: role("external_id"),
    mfaProcess: get("mfa_process"),
  };
}

/**
 * Whether `key` is written in `section` itself, not only inherited from
 * `[DEFAULT]` (which botocore lets every section inherit).
 */
export function hasOwnKey(doc: IniDocument, section: string, key: string): boolean {
  if (doc.get(section, key) === undefined) return false;
  if (doc.get("DEFAULT", key) === undefined) return true;
  // delete() removes only a key the section has itself; on a copy, `doc` stays as it is.
  return doc.copy().delete(section, key);
}

/** Checks the shape of an MFA serial ({@link MFA_SERIAL_PATTERN}), naming the likely mistake. */
export function checkSerial(serial: string, section: string): void {
  if (!MFA_SERIAL_PATTERN.test(serial)) {
    throw new ConfigError(
      `mfa_serial in [${section}] is not a valid MFA device ARN: '${serial}'.`,
      {
        fix: "It looks like arn:aws:iam::123456789012:mfa/george (or a hardware token's serial " +
          "number, e.g. GAHT12345678); 'aws iam list-mfa-devices' shows yours.",
      },
    );
  }
}

/** What the target section holds. */
export type StoredSession =
  | { kind: "none" }
  /** Long-term keys (AKIA…, no token): awsmfa must not overwrite them. */
  | { kind: "long-term"; accessKeyId: string }
  /** A session (ours or another tool's); expiration when recorded. */
  | { kind: "session"; accessKeyId: string; expiration?: Date };

/** The keys {@link readStoredSession} reads. */
export const STORED_SESSION_KEYS = [
  "aws_access_key_id",
  "aws_session_token",
  "aws_security_token",
  "aws_credential_expiration",
  "expiration",
] as const;

/** Reads what the target section holds now. */
export function readStoredSession(doc: IniView, section: string): StoredSession {
  const get = (key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const accessKeyId = get("aws_access_key_id");
  if (!accessKeyId) return { kind: "none" };
  const token = get("aws_session_token") ?? get("aws_security_token");
  // ASIA… keys are always temporary: without a token they are a broken session, not long-term keys.
  if (!token && !accessKeyId.startsWith("ASIA")) return { kind: "long-term", accessKeyId };
  const expiry = get("aws_credential_expiration") ?? get("expiration");
  return { kind: "session", accessKeyId, expiration: expiry ? parseTimestamp(expiry) : undefined };
}

/** Temporary credentials: what STS issues and what a target section holds. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * Writes `session` into `section` of `doc` (creating it), changing nothing else: one edit of
 * the four keys (the text copied and indexed once, not once per key).
 */
export function writeSession(doc: IniDocument, section: string, session: SessionCredentials): void {
  doc.setAll(section, [
    ["aws_access_key_id", session.accessKeyId],
    ["aws_secret_access_key", session.secretAccessKey],
    ["aws_session_token", session.sessionToken],
    ["aws_credential_expiration", formatRfc3339(session.expiration)],
  ]);
}

/** The stored session of `section` if it is valid until at least `until` (ms). */
export function validSession(
  doc: IniView,
  section: string,
  until: number,
): SessionCredentials | undefined {
  const stored = readStoredSession(doc, section);
  if (stored.kind !== "session" || !stored.expiration) return undefined;
  if (stored.expiration.getTime() <= until) return undefined;
  const text = (key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" ? value : "";
  };
  return {
    accessKeyId: stored.accessKeyId,
    secretAccessKey: text("aws_secret_access_key"),
    sessionToken: text("aws_session_token"),
    expiration: stored.expiration,
  };
}

/** The error for a target that holds long-term keys. */
export function longTermTargetError(target: string, source: string, path: string): ConfigError {
  return new ConfigError(
    `[${target}] in ${path} holds long-term keys (AKIA…); awsmfa will not overwrite them.`,
    {
      fix: `Move them into [${source}] with 'awsmfa setup ${target}' (or rename the section ` +
        `header [${target}] to [${source}] and add mfa_serial), then run awsmfa ${target} again.`,
    },
  );
}

/** The variables that replace any profile for the AWS CLI and SDKs. */
export const CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/**
 * Says which {@link CREDENTIAL_VARIABLES} are set and that they win over
 * `what` (e.g. `profile george`), with the command that clears them; undefined
 * when none is set.
 */
export function describeCredentialVariables(
  env: (name: string) => string | undefined,
  what: string,
): string | undefined {
  const set = CREDENTIAL_VARIABLES.filter((name) => env(name) !== undefined);
  if (set.length === 0) return undefined;
  const many = set.length > 1;
  return `${set.join(", ")} ${many ? "are" : "is"} set in your environment: the AWS CLI and ` +
    `SDKs use ${many ? "them" : "it"} instead of ${what}. ` +
    `Run 'unset ${CREDENTIAL_VARIABLES.join(" ")}'.`;
}

/**
 * How long a writer of the credentials file waits for another awsmfa run's
 * lock. The longest a run holds it with nobody to wait for is one AWS call
 * (AWSMFA_TIMEOUT, 10 s by default) and the write after it: 30 s covers that
 * with room for a slow answer or disk, where a wait as long as the call could
 * give up behind a refresh that is doing fine.
 */
export const CREDENTIALS_LOCK_TIMEOUT_MS = 30_000;

/**
 * How long a run that takes the lock before asking for its code
 * (`lockBeforeCode`) waits for another: that one may be waiting for its user
 * to type a code, or for its code command (AWSMFA_CODE_TIMEOUT, 30 s by
 * default), before its AWS call.
 */
export const PROMPT_LOCK_TIMEOUT_MS = 120_000;

/** The credentials file while {@link withLockedCredentials} holds its lock. */
export interface LockedCredentials {
  /**
   * Reads and parses the file as it is now ({@link loadIni}: a missing file
   * is an empty document, see {@link LockedCredentials.exists}); the document
   * read before the lock when the file still holds the same bytes.
   */
  load(): Promise<IniDocument>;
  /** Whether the file existed at the last {@link LockedCredentials.load}. */
  readonly exists: boolean;
  /** Replaces the file with `doc`'s text (not at all when that is what it holds). */
  save(doc: IniDocument): Promise<void>;
}

/** Options of {@link withLockedCredentials}. */
export interface LockedCredentialsOptions {
  /** Where the line about waiting for another run and the file's warnings go. */
  context: Pick<Context, "stderr">;
  /** How long to wait for another run (default {@link CREDENTIALS_LOCK_TIMEOUT_MS}). */
  timeoutMs?: number;
  /**
   * The document parsed before the lock, and the fingerprint of the bytes it
   * was parsed from: {@link LockedCredentials.load} returns it while the file
   * holds those bytes, rather than parse the file again. It must not have been
   * changed.
   */
  readBefore?: { doc: IniDocument; fingerprint: Fingerprint };
}

/**
 * The one locked edit of the credentials file at `path`: takes its lock
 * (saying so on stderr when another awsmfa run holds it), runs `fn`, which
 * loads the document, edits it and saves it once, and releases the lock,
 * whatever happens. Everything in files/safe_file.ts holds: symlinks stay,
 * the replace is atomic, identical content is not written.
 */
export async function withLockedCredentials<T>(
  path: string,
  fn: (file: LockedCredentials) => Promise<T>,
  options: LockedCredentialsOptions,
): Promise<T> {
  const { context, readBefore } = options;
  return await withFileLock(path, async (file) => {
    let exists = false;
    return await fn({
      async load() {
        const bytes = await file.read();
        exists = bytes !== null;
        if (readBefore && file.lastReadMatches(readBefore.fingerprint)) return readBefore.doc;
        return loadIni(bytes, path);
      },
      get exists() {
        return exists;
      },
      async save(doc) {
        await file.replace(new TextEncoder().encode(doc.toString()));
      },
    });
  }, {
    timeoutMs: options.timeoutMs ?? CREDENTIALS_LOCK_TIMEOUT_MS,
    onWait: (lockPath) =>
      context.stderr(`awsmfa: waiting for another awsmfa run to finish (lock ${lockPath})\n`),
    warn: (message) => context.stderr(`awsmfa: warning: ${message}\n`),
  });
}

/**
 * AWS meaning on top of the INI document: where the credentials and config
 * files are, how they are read and parsed (with the AWS layer's errors), and
 * the one locked read-edit-write of the credentials file. The source section
 * is read in source_profile.ts, the target's session in stored_session.ts.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
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
import { type Fingerprint, withFileLock } from "../files/safe_file.ts";

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

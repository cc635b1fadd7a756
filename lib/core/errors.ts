/**
 * Error classes by meaning. Every error awsmfa reports to the user is one of
 * these: it carries the exit code of its kind and, where there is one, the
 * fix, so that one printer ({@link formatError}) can report any of them.
 *
 * @module
 */

/** The documented exit codes. */
export const ExitCode = {
  /** Success (for `status PROFILE`: the session is valid). */
  Ok: 0,
  /** A failure with no better code; for `status PROFILE`: no valid session. */
  Failure: 1,
  /** The command line is wrong: unknown flag, bad value, missing code. */
  Usage: 2,
  /** A file is missing, malformed, unreadable or unwritable, or lacks a section or key. */
  File: 3,
  /** AWS refused the credentials, the MFA code or the MFA device. */
  Auth: 4,
  /** AWS could not be reached or answered with a fault, throttling or garbage. */
  Network: 5,
  /** A bug in awsmfa: please report it. */
  Internal: 70,
  /** The user cancelled (Ctrl-C). */
  Cancelled: 130,
} as const;

/** Options shared by every awsmfa error. */
export interface AwsmfaErrorOptions {
  /** What the user should do about it, in one or two sentences. */
  fix?: string;
  /** The underlying error, kept for `--verbose`. */
  cause?: unknown;
}

/** The base of every error awsmfa reports on purpose. */
export class AwsmfaError extends Error {
  /** The process exit code for this kind of error. */
  readonly exitCode: number = ExitCode.Failure;
  /** What the user should do about it. */
  readonly fix?: string;

  /** Creates the error with its message and, optionally, its fix and cause. */
  constructor(message: string, options: AwsmfaErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.fix = options.fix;
  }
}

/** The command line is wrong (exit 2). */
export class UsageError extends AwsmfaError {
  override readonly exitCode: number = ExitCode.Usage;
}

/** A file or its content is the problem (exit 3). */
export class FileError extends AwsmfaError {
  override readonly exitCode: number = ExitCode.File;
}

/** A file's content is something the AWS CLI itself would reject (exit 3). */
export class FileFormatError extends FileError {}

/** A section or key the command needs is missing from the files (exit 3). */
export class ConfigError extends FileError {}

/** AWS refused the keys, the MFA device or the code (exit 4). */
export class AuthError extends AwsmfaError {
  override readonly exitCode: number = ExitCode.Auth;
}

/** The MFA code was wrong or already used (exit 4); the prompt may ask again. */
export class InvalidCodeError extends AuthError {}

/** AWS could not be reached, timed out, or answered with a fault (exit 5). */
export class NetworkError extends AwsmfaError {
  override readonly exitCode: number = ExitCode.Network;
}

/** The user cancelled the command (exit 130). */
export class CancelledError extends AwsmfaError {
  override readonly exitCode: number = ExitCode.Cancelled;
  /** Creates the error with the standard message. */
  constructor(message = "Cancelled; nothing was written.") {
    super(message);
  }
}

/** The exit code for any thrown value: its own for ours, Internal for the rest. */
export function exitCodeOf(error: unknown): number {
  return error instanceof AwsmfaError ? error.exitCode : ExitCode.Internal;
}

/**
 * Formats any thrown value as the lines awsmfa prints on stderr: the message,
 * then the fix; for an unexpected error, a request to report it (with the
 * stack only when `verbose`), with anything that looks like a secret key or
 * a session token redacted ({@link redactSecrets}).
 */
export function formatError(error: unknown, options: { verbose?: boolean } = {}): string {
  if (error instanceof AwsmfaError) {
    let text = `awsmfa: ${error.message}`;
    if (error.fix) text += `\n  ${error.fix.replaceAll("\n", "\n  ")}`;
    if (options.verbose && error.cause !== undefined) {
      text += `\n  cause: ${describeCause(error.cause)}`;
    }
    return redactSecrets(text);
  }
  const detail = options.verbose && error instanceof Error && error.stack
    ? error.stack
    : describeCause(error);
  return redactSecrets(
    `awsmfa: internal error: ${detail}\n  This is a bug in awsmfa; please report it with the output of --verbose.`,
  );
}

/** A run of base64 characters as long as a session token (they are hundreds long). */
const TOKEN_LIKE = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{100,}=*/g;
/** 40 base64 characters with upper and lower case and a digit: a secret access key. */
const SECRET_KEY_LIKE =
  /(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]{0,39}[a-z])(?=[A-Za-z0-9+/]{0,39}[A-Z])(?=[A-Za-z0-9+/]{0,39}[0-9])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/])/g;
/** Shorter values are not taken as secrets (they could be words of the message). */
const MIN_SECRET_LENGTH = 16;
/** Session tokens are hundreds of characters long, secret keys 40. */
const TOKEN_LENGTH = 100;

/** Where the secrets of this run come from: values, or functions giving them when asked. */
/** The secrets known so far (each once), and the sources not read yet. */
const knownSecrets = new Set<string>();
const pendingSources: Array<() => Iterable<string>> = [];

/**
 * Makes the secrets of this run known to every printer ({@link redactSecrets}):
 * the keys read from a file, a session AWS returned. A function is called
 * only when something is printed, and then once, so a large file costs nothing
 * until then and is not read again at every line printed. Values shorter than
 * 16 characters are ignored.
 */
export function registerSecrets(source: Iterable<string> | (() => Iterable<string>)): void {
  if (typeof source === "function") pendingSources.push(source);
  else addSecrets(source);
}

function addSecrets(values: Iterable<string>): void {
  for (const secret of values) if (secret.length >= MIN_SECRET_LENGTH) knownSecrets.add(secret);
}

function registeredSecrets(): string[] {
  for (let source = pendingSources.shift(); source; source = pendingSources.shift()) {
    addSecrets(source());
  }
  return [...knownSecrets];
}

/** Options for {@link redactSecrets}. */
export interface RedactOptions {
  /** The secrets to hide besides anything shaped like one; by default the registered ones. */
  secrets?: Iterable<string>;
}

/**
 * Hides secrets in text for the user: every secret of this run
 * ({@link registerSecrets}) and anything shaped like a secret access key or a
 * session token, raw or escaped (`%2F`, `%2f`, `%252F`, `\/`, `\u002F`,
 * `&#47;`, `&#x2F;`, `&amp;#47;`), and the user and password of URLs
 * (`https://***@host`). AWS or a proxy may echo a secret in an error message,
 * and nothing awsmfa prints about an error should carry one (access key IDs,
 * ARNs, paths and hex digests stay readable).
 */
export function redactSecrets(text: string, options: RedactOptions = {}): string {
  const secrets = [...(options.secrets ?? registeredSecrets())]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  const stripped = stripUrlCredentials(text);
  let result = "";
  let copied = 0;
  for (const run of base64Runs(stripped)) {
    for (const [start, end] of secretRanges(run.decoded, secrets)) {
      result += stripped.slice(copied, run.offsets[start]) +
        (end - start >= TOKEN_LENGTH ? "<redacted token>" : "<redacted secret>");
      copied = run.offsets[end];
    }
  }
  return result + stripped.slice(copied);
}

/** A URL's user (and password), plain, JSON-escaped or URL-encoded: scheme, `://`, user, `@`. */
const URL_CREDENTIALS =
  /\b([A-Za-z][A-Za-z0-9+.-]*(?::\/\/|:\\\/\\\/|%3[Aa]%2[Ff]%2[Ff]))[^\s/?#"'<>\\]+(@|%40)/g;

function stripUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1***$2");
}

/**
 * One base64 character as written: itself, or escaped for a URL (once or
 * twice), JSON or XML (a character reference, maybe escaped again).
 */
const ESCAPED_CHAR =
  /[A-Za-z0-9+/=]|%(?:25)?([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|\\(\/)|&(?:amp;)?#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}));/y;
const BASE64_CHAR = /^[A-Za-z0-9+/=]$/;

/** A run of base64 characters, decoded, with where each starts in the text (and where the last ends). */
interface Base64Run {
  decoded: string;
  offsets: number[];
}

/** The runs of (possibly escaped) base64 characters in `text`, in order. */
function* base64Runs(text: string): Generator<Base64Run> {
  let run: Base64Run = { decoded: "", offsets: [] };
  for (let at = 0; at < text.length;) {
    ESCAPED_CHAR.lastIndex = at;
    const match = ESCAPED_CHAR.exec(text);
    const char = match ? unescapeChar(match) : "";
    if (BASE64_CHAR.test(char)) {
      run.decoded += char;
      run.offsets.push(at);
      at = ESCAPED_CHAR.lastIndex;
      continue;
    }
    if (run.decoded) {
      run.offsets.push(at);
      yield run;
      run = { decoded: "", offsets: [] };
    }
    at++;
  }
  if (run.decoded) {
    run.offsets.push(text.length);
    yield run;
  }
}

function unescapeChar(match: RegExpExecArray): string {
  const [whole, urlHex, jsonHex, slash, decimal, xmlHex] = match;
  const code = urlHex ?? jsonHex ?? xmlHex;
  if (code !== undefined) return String.fromCharCode(Math.min(parseInt(code, 16), 0xffff));
  if (decimal !== undefined) return String.fromCharCode(Math.min(Number(decimal), 0xffff));
  return slash ?? whole;
}

/** The spans of `decoded` that hold a known secret or look like one, merged, in order. */
function secretRanges(decoded: string, secrets: readonly string[]): Array<[number, number]> {
  if (decoded.length < MIN_SECRET_LENGTH) return [];
  const ranges: Array<[number, number]> = [];
  for (const secret of secrets) {
    for (let at = decoded.indexOf(secret); at !== -1; at = decoded.indexOf(secret, at + 1)) {
      ranges.push([at, at + secret.length]);
    }
  }
  for (const pattern of [TOKEN_LIKE, SECRET_KEY_LIKE]) {
    for (const match of decoded.matchAll(pattern)) {
      ranges.push([match.index, match.index + match[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

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

/**
 * Hides what looks like a secret access key or a session token in text for
 * the user: AWS or a proxy may echo one in an error message, and nothing
 * awsmfa prints about an error should carry one (access key IDs, ARNs, paths
 * and hex digests stay readable).
 */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_LIKE, "<redacted token>").replace(SECRET_KEY_LIKE, "<redacted secret>");
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

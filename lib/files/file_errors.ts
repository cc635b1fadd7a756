/**
 * How the safe writer words what went wrong: the file named as the user gave
 * it (and the real file behind a symlink), the OS cause in plain words, and
 * what the user can do about it. Pure.
 *
 * @module
 */
import { CancelledError, FileError } from "../core/errors.ts";

/** A file as the user named it and as it really is (symlinks resolved). */
export interface NamedFile {
  readonly path: string;
  readonly realPath: string;
}

/** The error for a file that cannot be read. */
export function readError(path: string, realPath: string, error: unknown): FileError {
  const fix = error instanceof Deno.errors.IsADirectory
    ? "Point awsmfa at a file, not a directory."
    : `Check that you can read it (ls -l '${realPath}') and run again.`;
  return new FileError(
    `Cannot read ${describeTarget({ path, realPath })}: ${describeCause(error)}.`,
    {
      fix,
      cause: error,
    },
  );
}

/** The real file, and the path given when that was a symlink to it. */
export function describeTarget(file: NamedFile): string {
  return file.path === file.realPath
    ? file.realPath
    : `${file.realPath} (the target of ${file.path})`;
}

/** The cause of an OS error in a few plain words. */
export function describeCause(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case "ENOSPC":
      return "no space left on the device (ENOSPC)";
    case "EDQUOT":
      return "disk quota exceeded (EDQUOT)";
    case "EROFS":
      return "the file system is read-only (EROFS)";
    case "EACCES":
      return "permission denied (EACCES)";
    case "EPERM":
      return "operation not permitted (EPERM)";
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What the user can do about a failed write in `dir`. */
export function fixFor(error: unknown, dir: string, base: string): string {
  const code = (error as { code?: unknown })?.code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return `Free some space on the disk that holds ${dir} and run again.`;
  }
  if (code === "EROFS") {
    return `${dir} is on a read-only file system; remount it read-write, ` +
      "or point AWS_SHARED_CREDENTIALS_FILE at a writable place.";
  }
  if (
    code === "EACCES" || code === "EPERM" || error instanceof Deno.errors.PermissionDenied
  ) {
    return `Make ${dir} writable for your user (awsmfa writes a lock file and a temporary ` +
      `file beside ${base}) and run again.`;
  }
  return "Fix the cause above and run again; the file was not changed.";
}

/** Throws {@link CancelledError} once `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

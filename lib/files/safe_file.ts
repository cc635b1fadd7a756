/**
 * The only writer of the user's files: "read, edit, replace" as one safe
 * transaction.
 *
 * What it guarantees, for a path such as `~/.aws/credentials`:
 *
 * - **Symlinks stay links.** The path is resolved (chains included) and the
 *   real file behind it is the one locked, read and replaced. A dangling
 *   symlink is followed to the file it names, which is created there when its
 *   directory exists (the link then works again); when that directory is
 *   missing too, the transaction fails rather than create directories at the
 *   end of a broken link.
 * - **One writer at a time.** An exclusive lock on a lock file beside the real
 *   file (`.credentials.awsmfa.lock`, empty, never deleted) serializes awsmfa
 *   runs on the same machine; the credentials file itself is never locked, so
 *   the AWS CLI can always read it.
 * - **All or nothing.** New content goes to a temporary file in the same
 *   directory (`.credentials.awsmfa-PID-RANDOM.tmp`, created with O_EXCL and
 *   mode 0600), which gets the original's mode (and owner when running as
 *   root), is fsync'ed, renamed over the real file, and the directory is
 *   fsync'ed. At every moment the file holds the old content or the new one,
 *   complete. Identical content is not written at all.
 * - **Nothing left behind.** A failure (full disk, read-only file, directory
 *   we cannot write) or Ctrl-C/SIGTERM before the rename removes the
 *   temporary file and leaves the original untouched; a temporary file left
 *   by a process killed with SIGKILL is removed by the next transaction.
 *
 * The writer's steps live in modules of their own, loaded by the first write
 * (readers such as `status` and the skip path load only this module): the
 * transaction (transaction.ts), the lock (file_lock.ts), the atomic replace
 * (atomic_replace.ts), the real path behind symlinks (file_paths.ts), what a
 * read returned (fingerprint.ts) and the wording of errors (file_errors.ts).
 *
 * @module
 */

import { readError } from "./file_errors.ts";
import { denoOs, type SafeFileOs } from "./safe_file_os.ts";
import type { LockedFile, LockOptions } from "./transaction.ts";

export type { LockHandle, SafeFileOs, TempFile } from "./safe_file_os.ts";
export { denoOs } from "./safe_file_os.ts";
export type { LockedFile, LockOptions } from "./transaction.ts";
export type { Fingerprint } from "./fingerprint.ts";

/**
 * How long {@link withFileLock} waits for another run's lock by default: for
 * files whose writers hold the lock only to read and replace them (the
 * keystore's). The credentials file's writers wait longer, because a run may
 * hold its lock through an AWS call (aws/shared_files.ts).
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** Options of {@link readFileIfExists} and {@link checkWritable}. */
export interface ReadOptions {
  /** The operating-system edges; tests pass a fake. */
  os?: SafeFileOs;
}

/**
 * Runs `fn` while holding the exclusive lock for the real file behind `path`.
 * Creates the file's directory (mode 0700) when missing. Waits up to
 * `options.timeoutMs` for another process's lock, then throws a
 * {@link FileError} naming the lock file.
 */
export async function withFileLock<T>(
  path: string,
  fn: (file: LockedFile) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const { runLocked } = await import("./transaction.ts");
  return await runLocked(path, (transaction) => fn(transaction), withDefaults(options));
}

/**
 * Locks the file behind `path`, reads it, passes its bytes (`null` when it
 * does not exist) to `edit`, and replaces it atomically when `edit` returns
 * different bytes (`null` means no change).
 */
export async function updateFile(
  path: string,
  edit: (current: Uint8Array | null) => Uint8Array | null | Promise<Uint8Array | null>,
  options: LockOptions = {},
): Promise<{ changed: boolean; realPath: string }> {
  const { runLocked } = await import("./transaction.ts");
  return await runLocked(path, async (transaction) => {
    const next = await edit(await transaction.read());
    const changed = next !== null && await transaction.replaceIfChanged(next);
    return { changed, realPath: transaction.realPath };
  }, withDefaults(options));
}

/**
 * Reads the file behind `path` without locking (for read-only commands: a
 * rename is atomic, so this sees a complete old or new file); `null` when it
 * does not exist, including a dangling symlink.
 */
export async function readFileIfExists(
  path: string,
  options: ReadOptions = {},
): Promise<Uint8Array | null> {
  const os = options.os ?? denoOs;
  try {
    return await os.readFile(path);
  } catch (error) {
    throw readError(path, path, error);
  }
}

/**
 * Finds out whether a transaction on `path` could replace the file, without
 * changing it: the real file behind `path` (symlinks followed as the writer
 * follows them) opens for writing, and its directory takes the lock file and
 * a temporary file (created and removed at once). Throws the
 * {@link FileError} the write would throw, so that a caller can stop before a
 * step it cannot undo (spending an MFA code). A missing directory is not
 * checked: the writer creates it, or says why it cannot.
 */
export async function checkWritable(path: string, options: ReadOptions = {}): Promise<void> {
  const { checkTargetWritable } = await import("./transaction.ts");
  await checkTargetWritable(path, options.os ?? denoOs);
}

function withDefaults(options: LockOptions): LockOptions & { timeoutMs: number } {
  return { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS };
}

/**
 * The lock that lets one awsmfa run at a time replace a file: an exclusive
 * OS lock on an empty lock file beside the real file
 * (`.credentials.awsmfa.lock`, never deleted); the credentials file itself is
 * never locked, so the AWS CLI can always read it.
 *
 * Lock design. Deno's `FsFile.lock()` is an OS advisory lock (flock on Unix,
 * LockFileEx on Windows) that dies with its process, which is what we want
 * after a `kill -9`. But the blocking `lock()` cannot be given a timeout:
 * raced against a timer, the pending call stays in a blocked thread, keeps the
 * process alive until the other holder lets go, then takes the lock behind
 * our back (checked on Deno 2.9). `FsFile.tryLock()` is the non-blocking form
 * (LOCK_NB / LOCKFILE_FAIL_IMMEDIATELY), so we poll it with a short backoff up
 * to the timeout. Compared with an O_EXCL lock file holding a PID, this needs
 * no dead-owner detection (no PID reuse, no clock, no stale-lock deletion
 * race): the kernel releases the lock when the holder dies, however it dies.
 * flock locks belong to the open file description, so two transactions in
 * the same process exclude each other too. The lock file is never deleted:
 * deleting a flock'ed file races with a process that has just opened it.
 *
 * @module
 */
import { FileError } from "../core/errors.ts";
import { describeCause, fixFor, throwIfAborted } from "./file_errors.ts";
import { siblingPath, type Target } from "./file_paths.ts";
import type { LockHandle } from "./safe_file_os.ts";

/** How to wait for the lock. */
export interface LockWait {
  /** How long to wait for another process's lock, in ms. */
  timeoutMs: number;
  /** Called once, with the lock file's path, when the lock is busy and we start waiting. */
  onWait?: (lockPath: string) => void;
  /** Cancels the wait ({@link CancelledError}). */
  signal?: AbortSignal;
}

/** The lock file beside the real file. */
export function lockPathOf(target: Target): string {
  return siblingPath(target, `.${target.base}.awsmfa.lock`);
}

/** Takes the lock, polling the non-blocking OS lock with backoff until the timeout. */
export async function acquireLock(target: Target, wait: LockWait): Promise<LockHandle> {
  const { os } = target;
  const lockPath = lockPathOf(target);
  const lock = await openLockFile(lockPath, target);
  try {
    const start = os.now();
    let delay = 4;
    for (let waiting = false;; waiting = true) {
      if (await tryLock(lock, lockPath)) return lock;
      if (!waiting) wait.onWait?.(lockPath);
      const left = wait.timeoutMs - (os.now() - start);
      if (left <= 0) throw lockTimeout(target, lockPath, wait.timeoutMs);
      // Jitter keeps many waiters from polling in lockstep.
      await os.sleep(Math.min(delay * (0.5 + Math.random()), left), wait.signal);
      throwIfAborted(wait.signal);
      delay = Math.min(delay * 2, 100);
    }
  } catch (error) {
    lock.close();
    throw error;
  }
}

/** Opens (creating) the lock file, with an error naming it and the fix. */
export async function openLockFile(lockPath: string, target: Target): Promise<LockHandle> {
  try {
    return await target.os.openLock(lockPath);
  } catch (error) {
    throw new FileError(
      `Cannot open the lock file ${lockPath} for ${target.path}: ${describeCause(error)}.`,
      { fix: fixFor(error, target.dir, target.base), cause: error },
    );
  }
}

async function tryLock(lock: LockHandle, lockPath: string): Promise<boolean> {
  try {
    return await lock.tryLock();
  } catch (error) {
    throw new FileError(`Cannot lock ${lockPath}: ${describeCause(error)}.`, {
      fix: "awsmfa needs file locks; if this directory is on a network file system, " +
        "point AWS_SHARED_CREDENTIALS_FILE at a local file.",
      cause: error,
    });
  }
}

function lockTimeout(target: Target, lockPath: string, timeoutMs: number): FileError {
  return new FileError(
    `Timed out after ${formatSeconds(timeoutMs)} waiting for another awsmfa run ` +
      `to finish with ${target.path} (lock file: ${lockPath}).`,
    {
      fix: "Run again when the other awsmfa is done. The lock is released when that " +
        "process exits, even if it is killed, so there is nothing to delete.",
    },
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

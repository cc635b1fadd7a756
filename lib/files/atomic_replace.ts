/**
 * All or nothing: new content goes to a temporary file in the real file's
 * directory (`.credentials.awsmfa-PID-RANDOM.tmp`, created with O_EXCL and
 * mode 0600), which gets the original's mode (and owner when running as
 * root), is fsync'ed, renamed over the real file, and the directory is
 * fsync'ed. A failure, or SIGINT/SIGTERM before the rename, removes the
 * temporary file and leaves the original untouched. Called with the lock held.
 *
 * @module
 */
import { CancelledError, FileError } from "../core/errors.ts";
import { pauseAt } from "../core/test_pause.ts";
import { describeCause, describeTarget, fixFor, throwIfAborted } from "./file_errors.ts";
import { siblingPath, statTarget, type Target } from "./file_paths.ts";
import type { SafeFileOs, TempFile } from "./safe_file_os.ts";

/** How long a rename failing with a Windows sharing violation is retried. */
const WINDOWS_RENAME_RETRY_MS = 2_000;

/**
 * Writes `bytes` to a fresh temporary file beside the real file and renames
 * it over the real file. Whatever fails, and whenever SIGINT/SIGTERM comes
 * before the rename, the temporary file is removed and the original stays.
 */
export async function replaceAtomically(target: Target, bytes: Uint8Array): Promise<void> {
  throwIfAborted(target.signal);
  await pauseAt("before-temp");
  const info = await statTarget(target);
  if (info) await checkFileWritable(target);
  const pending = new PendingTemp(target);
  try {
    await createTemp(pending);
    pending.stopIfCancelled();
    await writeTemp(pending, bytes, info);
    await pauseAt("temp-written");
    pending.stopIfCancelled();
    await renameTemp(pending);
    await pauseAt("renamed");
    if (target.os.platform !== "windows") {
      // Makes the rename itself durable. Some file systems refuse to sync a
      // directory; the new content is complete on disk either way.
      await target.os.syncDir(target.dir).catch(() => {});
    }
  } finally {
    await pending.dispose();
  }
}

/**
 * A temporary file while it may exist, and the signal listeners that live as
 * long: a signal removes the file at once (synchronously, so even a process
 * that exits right after leaves nothing) and the steps turn it into a
 * {@link CancelledError}, unless the rename has already committed the content.
 */
class PendingTemp {
  readonly target: Target;
  path: string | undefined;
  file: TempFile | undefined;
  renamed = false;
  #cancelled = false;
  #signals: Deno.Signal[];
  #onSignal = () => {
    this.#cancelled = true;
    if (this.path !== undefined && !this.renamed) this.target.os.removeSyncQuietly(this.path);
  };

  constructor(target: Target) {
    this.target = target;
    this.#signals = target.os.platform === "windows"
      ? ["SIGINT", "SIGBREAK"]
      : ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const signal of this.#signals) target.os.addSignalListener(signal, this.#onSignal);
  }

  /** Throws {@link CancelledError} after a signal or an abort, else `error`. */
  stop(error: unknown): never {
    this.stopIfCancelled();
    throw error;
  }

  stopIfCancelled(): void {
    if (this.#cancelled || this.target.signal?.aborted) throw new CancelledError();
  }

  /** Closes and removes the file unless renamed; removes the listeners. */
  async dispose(): Promise<void> {
    const { os } = this.target;
    this.file?.close();
    if (this.path !== undefined && !this.renamed) await os.remove(this.path).catch(() => {});
    for (const signal of this.#signals) os.removeSignalListener(signal, this.#onSignal);
  }
}

/** Creates the temporary file under a fresh random name (a few tries on a clash). */
async function createTemp(pending: PendingTemp): Promise<void> {
  const { target } = pending;
  for (let attempt = 1; pending.file === undefined; attempt++) {
    try {
      pending.path = tempPathFor(target);
      pending.file = await target.os.createTemp(pending.path);
    } catch (error) {
      pending.path = undefined;
      if (error instanceof Deno.errors.AlreadyExists && attempt < 5) continue;
      pending.stop(tempFileError(target, error));
    }
  }
}

/** Writes and syncs the content, with the original's mode (and owner, as root); closes. */
async function writeTemp(
  pending: PendingTemp,
  bytes: Uint8Array,
  info: Deno.FileInfo | null,
): Promise<void> {
  const { os } = pending.target;
  const file = pending.file!;
  const path = pending.path!;
  try {
    await file.write(bytes);
    if (os.platform !== "windows") {
      await os.chmod(path, info?.mode != null ? info.mode & 0o777 : 0o600);
      if (info && os.uid() === 0 && (info.uid !== null && info.gid !== null)) {
        await os.chown(path, info.uid, info.gid);
      }
    }
    await file.sync();
  } catch (error) {
    pending.stop(
      new FileError(
        `Cannot write the new content of ${describeTarget(pending.target)}: ` +
          `${describeCause(error)}; it was not changed.`,
        { fix: fixFor(error, pending.target.dir, pending.target.base), cause: error },
      ),
    );
  }
  file.close();
  pending.file = undefined;
}

/** Renames the temporary file over the real file: the commit. */
async function renameTemp(pending: PendingTemp): Promise<void> {
  const { target } = pending;
  try {
    await renameWithRetry(pending.path!, target.realPath, target.os);
  } catch (error) {
    pending.stop(
      new FileError(
        `Cannot replace ${describeTarget(target)}: ${describeCause(error)}; it was not changed.`,
        { fix: fixFor(error, target.dir, target.base), cause: error },
      ),
    );
  }
  pending.renamed = true;
}

/** Renames, retrying for about 2 s on Windows while another program has the file open. */
async function renameWithRetry(from: string, to: string, os: SafeFileOs): Promise<void> {
  const deadline = os.now() + WINDOWS_RENAME_RETRY_MS;
  let delay = 10;
  for (;;) {
    try {
      return await os.rename(from, to);
    } catch (error) {
      if (os.platform !== "windows" || !isSharingViolation(error)) throw error;
      if (os.now() + delay > deadline) throw error;
    }
    await os.sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** A rename refused because another program (antivirus, indexer, editor) has the file open. */
function isSharingViolation(error: unknown): boolean {
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.Busy) {
    return true;
  }
  const code = (error as { code?: unknown })?.code;
  return code === "EPERM" || code === "EACCES" || code === "EBUSY";
}

/**
 * A fresh name for a temporary file beside the real file; one left behind by
 * a kill is found by {@link removeStaleTemps}.
 */
export function tempPathFor(target: Target): string {
  return siblingPath(target, `.${target.base}.awsmfa-${target.os.pid()}-${randomHex()}.tmp`);
}

/**
 * Removes temporary files of ours left beside the file. Safe because we hold
 * the lock: every temporary file is created and removed under it, so one that
 * exists now belongs to a run that died (SIGKILL, power loss).
 */
export async function removeStaleTemps(target: Target): Promise<void> {
  const prefix = `.${target.base}.awsmfa-`;
  let names: string[];
  try {
    names = await target.os.readDir(target.dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) {
      await target.os.remove(siblingPath(target, name)).catch(() => {});
    }
  }
}

/** Refuses an existing real file that cannot be opened for writing (mode, chattr +i, read-only mount). */
export async function checkFileWritable(target: Target): Promise<void> {
  try {
    await target.os.checkWritable(target.realPath);
  } catch (error) {
    throw new FileError(
      `${describeTarget(target)} is read-only (${describeCause(error)}); it was not changed.`,
      {
        fix: `Make it writable (chmod u+w '${target.realPath}') and run again, ` +
          "or leave it read-only to keep awsmfa from changing it.",
        cause: error,
      },
    );
  }
}

/** The error for a temporary file that cannot be created beside the real file. */
export function tempFileError(target: Target, error: unknown): FileError {
  return new FileError(
    `Cannot create a temporary file in ${target.dir} to replace ${describeTarget(target)}: ` +
      `${describeCause(error)}; it was not changed.`,
    { fix: fixFor(error, target.dir, target.base), cause: error },
  );
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

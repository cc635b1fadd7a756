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

import { CancelledError, FileError } from "../core/errors.ts";
import { denoOs, type SafeFileOs } from "./safe_file_os.ts";
import { pauseAt } from "../core/test_pause.ts";

export type { LockHandle, SafeFileOs, TempFile } from "./safe_file_os.ts";
export { denoOs } from "./safe_file_os.ts";

/** How long {@link withFileLock} waits for another run's lock by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** How long a rename failing with a Windows sharing violation is retried. */
const WINDOWS_RENAME_RETRY_MS = 2_000;

/** Symlinks followed before giving up (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

/** Real paths already warned about, so each warning is printed once per process. */
const warnedPaths = new Set<string>();

/** Options of {@link withFileLock} and {@link updateFile}. */
export interface LockOptions {
  /** How long to wait for another process's lock, in ms (default 10 000). */
  timeoutMs?: number;
  /** Called once, with the lock file's path, when the lock is busy and we start waiting. */
  onWait?: (lockPath: string) => void;
  /** Cancels the wait for the lock, or the replace before its rename ({@link CancelledError}). */
  signal?: AbortSignal;
  /** The operating-system edges; tests pass a fake. */
  os?: SafeFileOs;
  /**
   * Receives the warning that the file is readable by group or others (at most
   * once per file per process). Default: printed on stderr. Pass `() => {}`
   * for a file that holds no secret.
   */
  warn?: (message: string) => void;
}

/** The file inside {@link withFileLock}: read and replace it while holding its lock. */
export interface LockedFile {
  /** The path given. */
  readonly path: string;
  /** The real file behind `path` (symlinks resolved). */
  readonly realPath: string;
  /** The current bytes, or `null` when the file does not exist. */
  read(): Promise<Uint8Array | null>;
  /**
   * Atomically replaces the file with `bytes` (temp file, fsync, rename);
   * does nothing when they equal what the last {@link LockedFile.read} returned.
   */
  replace(bytes: Uint8Array): Promise<void>;
}

/** Options of {@link readFileIfExists}. */
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
  return await runLocked(path, (transaction) => fn(transaction), options);
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
  return await runLocked(path, async (transaction) => {
    const next = await edit(await transaction.read());
    const changed = next !== null && await transaction.replaceIfChanged(next);
    return { changed, realPath: transaction.realPath };
  }, options);
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
  const os = options.os ?? denoOs;
  const windows = os.platform === "windows";
  const realPath = await resolveRealPath(path, os);
  const [dir, base] = splitPath(realPath, windows);
  const target: Target = { path, realPath, dir, base, os };
  if (!await os.lstat(dir).catch(() => null)) return;
  if (await statTarget(target)) await checkFileWritable(target);
  (await openLockFile(lockPathOf(target), target)).close();
  // Named like the writer's temporary files, so that one left behind by a kill
  // is removed by the next transaction.
  const probe = joinPath(dir, `.${base}.awsmfa-${os.pid()}-${randomHex()}.tmp`, windows);
  let temp;
  try {
    temp = await os.createTemp(probe);
  } catch (error) {
    throw tempFileError(target, error);
  }
  temp.close();
  await os.remove(probe).catch(() => {});
}

/** Everything a transaction knows about its file. */
interface Target {
  readonly path: string;
  readonly realPath: string;
  readonly dir: string;
  readonly base: string;
  readonly os: SafeFileOs;
  readonly signal?: AbortSignal;
}

async function runLocked<T>(
  path: string,
  fn: (transaction: Transaction) => Promise<T>,
  options: LockOptions,
): Promise<T> {
  const os = options.os ?? denoOs;
  throwIfAborted(options.signal);
  const realPath = await resolveRealPath(path, os);
  const [dir, base] = splitPath(realPath, os.platform === "windows");
  const target: Target = { path, realPath, dir, base, os, signal: options.signal };
  await ensureDirectory(target);
  const lockPath = lockPathOf(target);
  const lock = await acquireLock(lockPath, target, options);
  const transaction = new Transaction(target);
  try {
    await pauseAt("lock-held");
    await removeStaleTemps(target);
    const info = await statTarget(target);
    if (info) warnIfShared(target, info, options.warn);
    return await fn(transaction);
  } finally {
    transaction.close();
    lock.close();
  }
}

/** The {@link LockedFile} handed to the caller; valid until its `fn` returns. */
class Transaction implements LockedFile {
  readonly path: string;
  readonly realPath: string;
  #target: Target;
  /** A copy of what was last read or written; `undefined` before the first read. */
  #last: Uint8Array | null | undefined;
  #open = true;

  constructor(target: Target) {
    this.#target = target;
    this.path = target.path;
    this.realPath = target.realPath;
  }

  async read(): Promise<Uint8Array | null> {
    this.#checkOpen();
    const { os, path, realPath } = this.#target;
    let bytes: Uint8Array | null;
    try {
      bytes = await os.readFile(realPath);
    } catch (error) {
      throw readError(path, realPath, error);
    }
    this.#last = bytes && bytes.slice();
    return bytes;
  }

  async replace(bytes: Uint8Array): Promise<void> {
    await this.replaceIfChanged(bytes);
  }

  /** {@link replace}, telling whether it wrote. */
  async replaceIfChanged(bytes: Uint8Array): Promise<boolean> {
    this.#checkOpen();
    if (this.#last === undefined) await this.read();
    if (this.#last && equalBytes(this.#last, bytes)) return false;
    await replaceAtomically(this.#target, bytes);
    this.#last = bytes.slice();
    return true;
  }

  close(): void {
    this.#open = false;
  }

  #checkOpen(): void {
    if (!this.#open) {
      throw new Error(`The LockedFile for ${this.path} was used after its lock was released`);
    }
  }
}

/**
 * Writes `bytes` to a fresh temporary file beside the real file and renames
 * it over the real file. Whatever fails, and whenever SIGINT/SIGTERM comes
 * before the rename, the temporary file is removed and the original stays.
 */
async function replaceAtomically(target: Target, bytes: Uint8Array): Promise<void> {
  const { os, realPath, dir, base } = target;
  const windows = os.platform === "windows";
  throwIfAborted(target.signal);
  await pauseAt("before-temp");
  const info = await statTarget(target);
  if (info) await checkFileWritable(target);

  let cancelled = false;
  let tempPath: string | undefined;
  let temp: Awaited<ReturnType<SafeFileOs["createTemp"]>> | undefined;
  let renamed = false;
  // Signal listeners live only while a temporary file may exist. The handler
  // removes the file at once (synchronously, so even a process that exits
  // right after leaves nothing) and the steps below turn the flag into a
  // CancelledError, unless the rename has already committed the new content.
  const onSignal = () => {
    cancelled = true;
    if (tempPath !== undefined && !renamed) os.removeSyncQuietly(tempPath);
  };
  const signals: Deno.Signal[] = windows ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) os.addSignalListener(signal, onSignal);
  const stop = (error?: unknown): never => {
    if (cancelled || target.signal?.aborted) throw new CancelledError();
    throw error;
  };
  const writeFailed = (error: unknown) =>
    new FileError(
      `Cannot write the new content of ${describeTarget(target)}: ${describeCause(error)}; ` +
        "it was not changed.",
      { fix: fixFor(error, dir, base), cause: error },
    );

  try {
    for (let attempt = 1; temp === undefined; attempt++) {
      const candidate = joinPath(dir, `.${base}.awsmfa-${os.pid()}-${randomHex()}.tmp`, windows);
      try {
        tempPath = candidate;
        temp = await os.createTemp(candidate);
      } catch (error) {
        tempPath = undefined;
        if (error instanceof Deno.errors.AlreadyExists && attempt < 5) continue;
        stop(tempFileError(target, error));
      }
    }
    if (cancelled || target.signal?.aborted) stop();
    try {
      await temp.write(bytes);
      if (!windows) {
        await os.chmod(tempPath!, info?.mode != null ? info.mode & 0o777 : 0o600);
        if (info && os.uid() === 0 && (info.uid !== null && info.gid !== null)) {
          await os.chown(tempPath!, info.uid, info.gid);
        }
      }
      await temp.sync();
    } catch (error) {
      stop(writeFailed(error));
    }
    temp.close();
    temp = undefined;
    await pauseAt("temp-written");
    if (cancelled || target.signal?.aborted) stop();
    try {
      await renameWithRetry(tempPath!, realPath, os);
    } catch (error) {
      stop(
        new FileError(
          `Cannot replace ${describeTarget(target)}: ${describeCause(error)}; it was not changed.`,
          { fix: fixFor(error, dir, base), cause: error },
        ),
      );
    }
    renamed = true;
    await pauseAt("renamed");
    if (!windows) {
      // Makes the rename itself durable. Some file systems refuse to sync a
      // directory; the new content is complete on disk either way.
      await os.syncDir(dir).catch(() => {});
    }
  } finally {
    temp?.close();
    if (tempPath !== undefined && !renamed) {
      await os.remove(tempPath).catch(() => {});
    }
    for (const signal of signals) os.removeSignalListener(signal, onSignal);
  }
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

/** Takes the lock, polling the non-blocking OS lock with backoff until the timeout. */
async function acquireLock(lockPath: string, target: Target, options: LockOptions) {
  const { os } = target;
  const lock = await openLockFile(lockPath, target);
  try {
    const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const start = os.now();
    let delay = 4;
    for (let waiting = false;; waiting = true) {
      let locked: boolean;
      try {
        locked = await lock.tryLock();
      } catch (error) {
        throw new FileError(`Cannot lock ${lockPath}: ${describeCause(error)}.`, {
          fix: "awsmfa needs file locks; if this directory is on a network file system, " +
            "point AWS_SHARED_CREDENTIALS_FILE at a local file.",
          cause: error,
        });
      }
      if (locked) return lock;
      if (!waiting) options.onWait?.(lockPath);
      const left = timeoutMs - (os.now() - start);
      if (left <= 0) {
        throw new FileError(
          `Timed out after ${formatSeconds(timeoutMs)} waiting for another awsmfa run ` +
            `to finish with ${target.path} (lock file: ${lockPath}).`,
          {
            fix: "Run again when the other awsmfa is done. The lock is released when that " +
              "process exits, even if it is killed, so there is nothing to delete.",
          },
        );
      }
      // Jitter keeps many waiters from polling in lockstep.
      await os.sleep(Math.min(delay * (0.5 + Math.random()), left), options.signal);
      throwIfAborted(options.signal);
      delay = Math.min(delay * 2, 100);
    }
  } catch (error) {
    lock.close();
    throw error;
  }
}

/**
 * Removes temporary files of ours left beside the file. Safe because we hold
 * the lock: every temporary file is created and removed under it, so one that
 * exists now belongs to a run that died (SIGKILL, power loss).
 */
async function removeStaleTemps(target: Target): Promise<void> {
  const { os, dir, base } = target;
  const prefix = `.${base}.awsmfa-`;
  let names: string[];
  try {
    names = await os.readDir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) {
      await os.remove(joinPath(dir, name, os.platform === "windows")).catch(() => {});
    }
  }
}

/** The lock file beside the real file. */
function lockPathOf(target: Target): string {
  return joinPath(target.dir, `.${target.base}.awsmfa.lock`, target.os.platform === "windows");
}

/** Opens (creating) the lock file, with an error naming it and the fix. */
async function openLockFile(lockPath: string, target: Target) {
  try {
    return await target.os.openLock(lockPath);
  } catch (error) {
    throw new FileError(
      `Cannot open the lock file ${lockPath} for ${target.path}: ${describeCause(error)}.`,
      { fix: fixFor(error, target.dir, target.base), cause: error },
    );
  }
}

/** Refuses an existing real file that cannot be opened for writing (mode, chattr +i, read-only mount). */
async function checkFileWritable(target: Target): Promise<void> {
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
function tempFileError(target: Target, error: unknown): FileError {
  return new FileError(
    `Cannot create a temporary file in ${target.dir} to replace ${describeTarget(target)}: ` +
      `${describeCause(error)}; it was not changed.`,
    { fix: fixFor(error, target.dir, target.base), cause: error },
  );
}

/** Information about the real file, or `null` when missing; refuses what is not a file. */
async function statTarget(target: Target): Promise<Deno.FileInfo | null> {
  let info: Deno.FileInfo | null;
  try {
    info = await target.os.lstat(target.realPath);
  } catch (error) {
    throw readError(target.path, target.realPath, error);
  }
  if (info && !info.isFile) {
    throw new FileError(`${describeTarget(target)} is not a regular file.`, {
      fix: "Point awsmfa at a regular file (check the path with ls -l).",
    });
  }
  return info;
}

/** Creates the directory of a missing file, with mode 0700 (it will hold secrets). */
async function ensureDirectory(target: Target): Promise<void> {
  const { os, dir } = target;
  if (await os.lstat(dir).catch(() => null)) return;
  try {
    await os.mkdir(dir, 0o700);
  } catch (error) {
    throw new FileError(
      `Cannot create the directory ${dir} for ${target.path}: ${describeCause(error)}.`,
      { fix: `Create it yourself (mkdir -m 700 -p '${dir}') and run again.`, cause: error },
    );
  }
}

function warnIfShared(
  target: Target,
  info: Deno.FileInfo,
  warn: ((message: string) => void) | undefined,
): void {
  if (target.os.platform === "windows" || info.mode === null) return;
  const readers = [info.mode & 0o040 ? "group" : "", info.mode & 0o004 ? "others" : ""]
    .filter(Boolean);
  if (readers.length === 0 || warnedPaths.has(target.realPath)) return;
  warnedPaths.add(target.realPath);
  const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
  (warn ?? printWarning)(
    `${target.realPath} is readable by ${readers.join(" and ")} (mode ${mode}) ` +
      `but holds secret keys; run: chmod 600 '${target.realPath}'`,
  );
}

function printWarning(message: string): void {
  console.error(`awsmfa: warning: ${message}`);
}

/**
 * Resolves symlinks, chains included, even when the last link dangles: the
 * result is the path of the file to read and replace, existing or not.
 */
async function resolveRealPath(path: string, os: SafeFileOs): Promise<string> {
  const windows = os.platform === "windows";
  if (path === "") {
    throw new FileError("The file path is empty.", { fix: "Give the path of a file." });
  }
  let current = isAbsolute(path, windows) ? path : joinPath(os.cwd(), path, windows);
  let followedLink = false;
  try {
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      try {
        return await os.realPath(current);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      const info = await os.lstat(current);
      const [dir, base] = splitPath(current, windows);
      if (info?.isSymlink) {
        const link = await os.readLink(current);
        current = isAbsolute(link, windows) ? link : joinPath(dir, link, windows);
        followedLink = true;
        continue;
      }
      try {
        return joinPath(await os.realPath(dir), base, windows);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      if (!followedLink) return current; // A missing file in a missing directory: both created.
      throw new FileError(
        `${path} is a symbolic link to ${current}, whose directory ${dir} does not exist.`,
        { fix: `Create ${dir}, or point the link at an existing directory, and run again.` },
      );
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`Cannot resolve ${path}: ${describeCause(error)}.`, {
      fix: "Check the path and its symbolic links (ls -l) and run again.",
      cause: error,
    });
  }
  throw new FileError(`${path} is a chain of more than ${MAX_SYMLINK_HOPS} symbolic links.`, {
    fix: "The links probably form a loop; point them at a regular file (check with ls -l).",
  });
}

function readError(path: string, realPath: string, error: unknown): FileError {
  const name = path === realPath ? path : `${realPath} (the target of ${path})`;
  const fix = error instanceof Deno.errors.IsADirectory
    ? "Point awsmfa at a file, not a directory."
    : `Check that you can read it (ls -l '${realPath}') and run again.`;
  return new FileError(`Cannot read ${name}: ${describeCause(error)}.`, { fix, cause: error });
}

function describeTarget(target: Target): string {
  return target.path === target.realPath
    ? target.realPath
    : `${target.realPath} (the target of ${target.path})`;
}

/** The cause of an OS error in a few plain words. */
function describeCause(error: unknown): string {
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
function fixFor(error: unknown, dir: string, base: string): string {
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

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function isAbsolute(path: string, windows: boolean): boolean {
  return path.startsWith("/") || (windows && /^([A-Za-z]:[\\/]|\\)/.test(path));
}

/** Splits a path into its directory and its last component. */
function splitPath(path: string, windows: boolean): [string, string] {
  const at = windows
    ? Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
    : path.lastIndexOf("/");
  if (at < 0) return [".", path];
  let dir = path.slice(0, at);
  if (dir === "" || (windows && /^[A-Za-z]:$/.test(dir))) dir = path.slice(0, at + 1);
  return [dir, path.slice(at + 1)];
}

function joinPath(dir: string, name: string, windows: boolean): string {
  const last = dir.at(-1);
  if (last === "/" || (windows && last === "\\")) return dir + name;
  // On Windows, keep to the separator the directory already uses.
  const backslash = windows && (dir.includes("\\") || !dir.includes("/"));
  return dir + (backslash ? "\\" : "/") + name;
}

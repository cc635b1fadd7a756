/**
 * The locked transaction behind {@link ./safe_file.ts}: resolve the real
 * file, create its directory when missing, take the lock, remove what a
 * killed run left, warn about a file others can read, then let the caller
 * read and replace the file until its function returns. Loaded by the first
 * write, not by readers.
 *
 * @module
 */
import { FileError } from "../core/errors.ts";
import { pauseAt } from "../core/test_pause.ts";
import {
  checkFileWritable,
  removeStaleTemps,
  replaceAtomically,
  tempFileError,
  tempPathFor,
} from "./atomic_replace.ts";
import { describeCause, readError, throwIfAborted } from "./file_errors.ts";
import { acquireLock, lockPathOf, openLockFile } from "./file_lock.ts";
import { resolveTarget, statTarget, type Target } from "./file_paths.ts";
import { type Fingerprint, fingerprintOf, sameFingerprint } from "./fingerprint.ts";
import { denoOs, type SafeFileOs } from "./safe_file_os.ts";

/** Real paths already warned about, so each warning is printed once per process. */
const warnedPaths = new Set<string>();

/** Options of `withFileLock` and `updateFile` (safe_file.ts). */
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

/** The file inside `withFileLock`: read and replace it while holding its lock. */
export interface LockedFile {
  /** The path given. */
  readonly path: string;
  /** The real file behind `path` (symlinks resolved). */
  readonly realPath: string;
  /** The current bytes, or `null` when the file does not exist. */
  read(): Promise<Uint8Array | null>;
  /**
   * Whether the last {@link LockedFile.read} returned the bytes `fingerprint`
   * was taken of (`fingerprintOf`, fingerprint.ts): whether the file still
   * holds what was read before the lock, without keeping those bytes.
   */
  lastReadMatches(fingerprint: Fingerprint): boolean;
  /**
   * Atomically replaces the file with `bytes` (temp file, fsync, rename);
   * does nothing when they equal what the last {@link LockedFile.read} returned.
   */
  replace(bytes: Uint8Array): Promise<void>;
}

/** Runs `fn` with the file behind `path` locked (see `withFileLock`). */
export async function runLocked<T>(
  path: string,
  fn: (transaction: Transaction) => Promise<T>,
  options: LockOptions & { timeoutMs: number },
): Promise<T> {
  const os = options.os ?? denoOs;
  throwIfAborted(options.signal);
  const target = await resolveTarget(path, os, options.signal);
  await ensureDirectory(target);
  const lock = await acquireLock(target, options);
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
export class Transaction implements LockedFile {
  readonly path: string;
  readonly realPath: string;
  #target: Target;
  /**
   * What the file holds as far as we know: what was last read, or written
   * when its fingerprint was taken; `undefined` when unknown.
   */
  #known: Fingerprint | null | undefined;
  #lastRead: Fingerprint | null | undefined;
  #open = true;

  constructor(target: Target) {
    this.#target = target;
    this.path = target.path;
    this.realPath = target.realPath;
  }

  lastReadMatches(fingerprint: Fingerprint): boolean {
    return !!this.#lastRead && sameFingerprint(this.#lastRead, fingerprint);
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
    this.#lastRead = this.#known = bytes && await fingerprintOf(bytes);
    return bytes;
  }

  async replace(bytes: Uint8Array): Promise<void> {
    await this.replaceIfChanged(bytes);
  }

  /** {@link replace}, telling whether it wrote. */
  async replaceIfChanged(bytes: Uint8Array): Promise<boolean> {
    this.#checkOpen();
    if (this.#known === undefined) await this.read();
    // Only bytes of the same length can be the same: the others need no hashing.
    const next = this.#known?.length === bytes.length ? await fingerprintOf(bytes) : undefined;
    if (next && sameFingerprint(next, this.#known!)) return false;
    await replaceAtomically(this.#target, bytes);
    this.#known = next; // Unknown when not taken: a later replace reads the file to compare.
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

/** See `checkWritable` (safe_file.ts). */
export async function checkTargetWritable(path: string, os: SafeFileOs): Promise<void> {
  const target = await resolveTarget(path, os);
  if (!await os.lstat(target.dir).catch(() => null)) return;
  if (await statTarget(target)) await checkFileWritable(target);
  (await openLockFile(lockPathOf(target), target)).close();
  // Named like the writer's temporary files, so that one left behind by a kill
  // is removed by the next transaction.
  const probe = tempPathFor(target);
  let temp;
  try {
    temp = await os.createTemp(probe);
  } catch (error) {
    throw tempFileError(target, error);
  }
  temp.close();
  await os.remove(probe).catch(() => {});
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

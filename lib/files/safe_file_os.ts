/**
 * The operating-system edges of {@link ./safe_file.ts}: every system call the
 * safe replace makes goes through one {@link SafeFileOs} object, so that tests
 * can fake one edge (a Windows sharing violation on rename, a full disk on
 * write, a lock held elsewhere) and keep the rest real.
 *
 * Nothing here decides anything: no retries, no error messages, no policy.
 *
 * @module
 */

/** An open lock file; the lock dies with the handle (and with the process). */
export interface LockHandle {
  /** Takes the exclusive lock without blocking; `false` when someone else holds it. */
  tryLock(): Promise<boolean>;
  /** Closes the handle, which releases the lock. */
  close(): void;
}

/** A temporary file opened for writing. */
export interface TempFile {
  /** Writes all of `bytes` (looping over short writes). */
  write(bytes: Uint8Array): Promise<void>;
  /** Flushes the file's data and metadata to the disk (fsync). */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): void;
}

/** The system calls the safe replace uses. {@link denoOs} is the real one. */
export interface SafeFileOs {
  /** The operating system, as `Deno.build.os`. */
  readonly platform: typeof Deno.build.os;
  /** The effective user id, or `null` where there is none (Windows). */
  uid(): number | null;
  /** The process id (used in temporary file names, for people reading a directory). */
  pid(): number;
  /** Milliseconds from an arbitrary origin; only differences matter. */
  now(): number;
  /** Waits `ms` milliseconds, or less when `signal` aborts meanwhile (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** The current working directory. */
  cwd(): string;
  /** The canonical path of an existing path (symlinks resolved); throws `NotFound` otherwise. */
  realPath(path: string): Promise<string>;
  /** Information about the path itself (not following a symlink), or `null` when missing. */
  lstat(path: string): Promise<Deno.FileInfo | null>;
  /** The target of a symlink, as stored in it. */
  readLink(path: string): Promise<string>;
  /** The bytes of a file, or `null` when it does not exist. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Creates a directory and its missing parents with `mode`. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Opens (creating when missing) the lock file at `path`. */
  openLock(path: string): Promise<LockHandle>;
  /** Throws when the existing file at `path` cannot be opened for writing. */
  checkWritable(path: string): Promise<void>;
  /** Creates `path` exclusively (O_EXCL) with mode 0600 and opens it for writing. */
  createTemp(path: string): Promise<TempFile>;
  /** Sets the permission bits of `path`. */
  chmod(path: string, mode: number): Promise<void>;
  /** Sets the owner and group of `path`. */
  chown(path: string, uid: number, gid: number): Promise<void>;
  /** Renames `from` over `to` (replacing it atomically). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; throws `NotFound` when it is missing. */
  remove(path: string): Promise<void>;
  /** Removes a file synchronously, ignoring every error (for signal handlers). */
  removeSyncQuietly(path: string): void;
  /** The names of the entries in a directory. */
  readDir(path: string): Promise<string[]>;
  /** Flushes a directory's entries to the disk (fsync on the directory). */
  syncDir(path: string): Promise<void>;
  /** Adds a listener for an OS signal. */
  addSignalListener(signal: Deno.Signal, handler: () => void): void;
  /** Removes a listener added with {@link SafeFileOs.addSignalListener}. */
  removeSignalListener(signal: Deno.Signal, handler: () => void): void;
}

/** The real operating system, through Deno's own APIs. */
export const denoOs: SafeFileOs = {
  platform: Deno.build.os,
  uid: () => Deno.uid(),
  pid: () => Deno.pid,
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });
  },
  cwd: () => Deno.cwd(),
  realPath: (path) => Deno.realPath(path),
  async lstat(path) {
    try {
      return await Deno.lstat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  },
  readLink: (path) => Deno.readLink(path),
  // deno-lint-ignore require-await
  async readFile(path) {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    try {
      return readAll(file);
    } finally {
      file.close();
    }
  },
  mkdir: (path, mode) => Deno.mkdir(path, { recursive: true, mode }),
  async openLock(path) {
    let file: Deno.FsFile;
    try {
      // 0644: the lock file is empty and holds no secret; another user (root
      // under sudo, say) may need to open it too.
      file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o644 });
    } catch (error) {
      // A lock file that exists but is not ours to write can still be locked.
      if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
      try {
        file = await Deno.open(path, { read: true });
      } catch {
        throw error;
      }
    }
    return {
      tryLock: () => file.tryLock(true),
      close: () => file.close(),
    };
  },
  async checkWritable(path) {
    (await Deno.open(path, { write: true })).close();
  },
  async createTemp(path) {
    const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    return {
      async write(bytes) {
        let done = 0;
        while (done < bytes.length) done += await file.write(bytes.subarray(done));
      },
      sync: () => file.sync(),
      close: () => file.close(),
    };
  },
  chmod: (path, mode) => Deno.chmod(path, mode),
  chown: (path, uid, gid) => Deno.chown(path, uid, gid),
  rename: (from, to) => Deno.rename(from, to),
  remove: (path) => Deno.remove(path),
  removeSyncQuietly(path) {
    try {
      Deno.removeSync(path);
    } catch {
      // Already gone, or nothing more a signal handler can do about it.
    }
  },
  async readDir(path) {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names;
  },
  async syncDir(path) {
    const dir = await Deno.open(path, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  },
  addSignalListener: (signal, handler) => Deno.addSignalListener(signal, handler),
  removeSignalListener: (signal, handler) => Deno.removeSignalListener(signal, handler),
};

/**
 * Reads an open file to its end into one buffer of its size (Deno.readFile
 * holds a second copy of a large file for a moment; this does not). A file
 * that grows meanwhile is read to its new end.
 */
function readAll(file: Deno.FsFile): Uint8Array {
  // One byte more than the size, so that the end shows without a second buffer.
  let buffer = new Uint8Array(file.statSync().size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const larger = new Uint8Array(Math.max(buffer.length * 2, 65_536));
      larger.set(buffer);
      buffer = larger;
    }
    const read = file.readSync(buffer.subarray(length));
    if (read === null) return buffer.subarray(0, length);
    length += read;
  }
}

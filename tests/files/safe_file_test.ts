/**
 * lib/files/safe_file.ts in one process: the real file system, with one OS edge
 * faked where the case needs it (a Windows sharing violation, a full disk, a
 * failed rename, a signal). Real processes: tests/files/safe_file_process_test.ts.
 */

import assert from "node:assert/strict";
import {
  type LockedFile,
  readFileIfExists,
  type SafeFileOs,
  updateFile,
  withFileLock,
} from "../../lib/files/safe_file.ts";
import { denoOs } from "../../lib/files/safe_file_os.ts";
import { CancelledError, FileError } from "../../lib/core/errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const quiet = { warn: () => {} };

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_safe_file_unit_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The real OS with `overrides`, recording the name of every call. */
function recordingOs(overrides: Partial<SafeFileOs> = {}): { os: SafeFileOs; calls: string[] } {
  const calls: string[] = [];
  const os = new Proxy({ ...denoOs, ...overrides }, {
    get(target, key) {
      const value = target[key as keyof SafeFileOs];
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { os, calls };
}

/** A Windows-like OS on the real file system, with a virtual clock and recorded signals. */
function windowsOs(overrides: Partial<SafeFileOs> = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const listening: string[] = [];
  const os: SafeFileOs = {
    ...denoOs,
    platform: "windows",
    uid: () => null,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    chmod: () => Promise.reject(new Error("chmod is not called on Windows")),
    addSignalListener: (signal) => void listening.push(`+${signal}`),
    removeSignalListener: (signal) => void listening.push(`-${signal}`),
    ...overrides,
  };
  return { os, sleeps, listening, clock: () => clock };
}

function osError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Names of our temporary files in `dir`. */
async function temps(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.includes(".awsmfa-")) names.push(entry.name);
  }
  return names;
}

async function write(path: string, text: string, mode = 0o600): Promise<void> {
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, mode);
}

Deno.test("identical content is not written: no temp file, no rename, mtime kept", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "[default]\nk = v\n");
    const before = (await Deno.stat(file)).mtime;
    const { os, calls } = recordingOs();
    const same = await updateFile(file, (current) => current!.slice(), { os, ...quiet });
    assert.deepEqual(same, { changed: false, realPath: file });
    const none = await updateFile(file, () => null, { os, ...quiet });
    assert.equal(none.changed, false);
    await withFileLock(file, async (locked) => {
      await locked.replace(encoder.encode("[default]\nk = v\n")); // no read first: it reads
      await locked.read();
      await locked.replace(encoder.encode("[default]\nk = v\n"));
    }, { os, ...quiet });
    assert.ok(!calls.includes("createTemp") && !calls.includes("rename"), calls.join());
    assert.deepEqual((await Deno.stat(file)).mtime, before);

    await withFileLock(file, async (locked) => {
      await locked.replace(encoder.encode("new\n"));
      await locked.replace(encoder.encode("new\n")); // same as the last write
    }, { os, ...quiet });
    assert.equal(calls.filter((call) => call === "rename").length, 1);
    assert.equal(await Deno.readTextFile(file), "new\n");
  });
});

Deno.test("bytes read and then changed in place by the caller are still written", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "abc");
    const result = await updateFile(file, (current) => {
      current![0] = "x".charCodeAt(0);
      return current;
    }, quiet);
    assert.equal(result.changed, true);
    assert.equal(await Deno.readTextFile(file), "xbc");
  });
});

Deno.test("a missing file reads as null and is not created when the edit makes no change", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    let seen: Uint8Array | null | undefined;
    const result = await updateFile(file, (current) => {
      seen = current;
      return null;
    }, quiet);
    assert.equal(seen, null);
    assert.equal(result.changed, false);
    assert.equal(await readFileIfExists(file), null);
  });
});

Deno.test("Windows: a rename refused by a sharing violation is retried with backoff", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    let refusals = 0;
    const { os, sleeps, listening } = windowsOs({
      rename(from, to) {
        if (++refusals <= 3) {
          return Promise.reject(new Deno.errors.PermissionDenied("Access is denied. (os error 5)"));
        }
        return denoOs.rename(from, to);
      },
    });
    const result = await updateFile(file, () => encoder.encode("new\n"), { os, ...quiet });
    assert.equal(result.changed, true);
    assert.equal(refusals, 4);
    assert.deepEqual(sleeps, [10, 20, 40]);
    assert.deepEqual(listening, ["+SIGINT", "+SIGBREAK", "-SIGINT", "-SIGBREAK"]);
    assert.equal(await Deno.readTextFile(file), "new\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("Windows: a rename still refused after about 2 s fails cleanly", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    let attempts = 0;
    const { os, clock } = windowsOs({
      rename: () => {
        attempts++;
        return Promise.reject(osError("EBUSY", "The process cannot access the file (os error 32)"));
      },
    });
    const error = await updateFile(file, () => encoder.encode("new\n"), { os, ...quiet })
      .catch((error) => error);
    assert.ok(error instanceof FileError, String(error));
    assert.equal(
      error.message,
      `Cannot replace ${file}: The process cannot access the file (os error 32); it was not changed.`,
    );
    assert.ok(clock() >= 1500 && clock() <= 2000, `gave up after ${clock()} ms`);
    assert.ok(attempts >= 8, `${attempts} attempts`);
    assert.equal(await Deno.readTextFile(file), "old\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("a failed rename outside Windows is not retried, leaves no temp and names the file", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    const { os, calls } = recordingOs({
      rename: () => Promise.reject(new Deno.errors.PermissionDenied("Permission denied")),
    });
    const error = await updateFile(file, () => encoder.encode("new\n"), { os, ...quiet })
      .catch((error) => error);
    assert.ok(error instanceof FileError);
    assert.match(error.message, new RegExp(`^Cannot replace ${file}: Permission denied;`));
    assert.match(error.fix!, new RegExp(`^Make ${dir} writable`));
    assert.equal(calls.filter((call) => call === "rename").length, 1);
    assert.equal(await Deno.readTextFile(file), "old\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("a full disk (injected ENOSPC on write): clear error, original intact, no temp, lock released", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    const os: SafeFileOs = {
      ...denoOs,
      async createTemp(path) {
        const temp = await denoOs.createTemp(path);
        return {
          ...temp,
          async write(bytes) {
            await temp.write(bytes.subarray(0, 2)); // a short write, then the disk is full
            throw osError("ENOSPC", "No space left on device (os error 28)");
          },
        };
      },
    };
    const error = await updateFile(file, () => encoder.encode("new content\n"), { os, ...quiet })
      .catch((error) => error);
    assert.ok(error instanceof FileError);
    assert.equal(error.exitCode, 3);
    assert.equal(
      error.message,
      `Cannot write the new content of ${file}: no space left on the device (ENOSPC); it was not changed.`,
    );
    assert.equal(error.fix, `Free some space on the disk that holds ${dir} and run again.`);
    assert.equal(await Deno.readTextFile(file), "old\n");
    assert.deepEqual(await temps(dir), []);
    // The lock was released with the failure.
    await updateFile(file, () => encoder.encode("new\n"), { timeoutMs: 100, ...quiet });
  });
});

Deno.test("a failed fsync or temp creation: clear error, original intact, no temp", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    const syncFails: SafeFileOs = {
      ...denoOs,
      async createTemp(path) {
        const temp = await denoOs.createTemp(path);
        return { ...temp, sync: () => Promise.reject(osError("EIO", "Input/output error")) };
      },
    };
    let error = await updateFile(file, () => encoder.encode("new\n"), { os: syncFails, ...quiet })
      .catch((error) => error);
    assert.ok(error instanceof FileError);
    assert.match(error.message, /^Cannot write the new content of .*: Input\/output error;/);

    const createFails: SafeFileOs = {
      ...denoOs,
      createTemp: () => Promise.reject(osError("EACCES", "Permission denied (os error 13)")),
    };
    error = await updateFile(file, () => encoder.encode("new\n"), { os: createFails, ...quiet })
      .catch((error) => error);
    assert.ok(error instanceof FileError);
    assert.equal(
      error.message,
      `Cannot create a temporary file in ${dir} to replace ${file}: permission denied (EACCES); it was not changed.`,
    );
    assert.equal(await Deno.readTextFile(file), "old\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("the mode survives a write, and so does the owner when running as root", async () => {
  await withTempDir(async (dir) => {
    for (const mode of [0o600, 0o640, 0o644, 0o660]) {
      const file = `${dir}/credentials_${mode.toString(8)}`;
      await write(file, "old\n", mode);
      await updateFile(file, () => encoder.encode("new\n"), quiet);
      assert.equal((await Deno.stat(file)).mode! & 0o7777, mode);
    }
    if (Deno.uid() !== 0) {
      console.error("!!! SKIPPED: owner preservation needs root");
      return;
    }
    const file = `${dir}/owned`;
    await write(file, "old\n", 0o640);
    await Deno.chown(file, 65534, 65534);
    await updateFile(file, () => encoder.encode("new\n"), quiet);
    const info = await Deno.stat(file);
    assert.deepEqual([info.uid, info.gid, info.mode! & 0o7777], [65534, 65534, 0o640]);
  });
});

Deno.test("a file readable by group or others is warned about once per process, naming it", async () => {
  await withTempDir(async (dir) => {
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    const shared = `${dir}/shared`;
    const group = `${dir}/group`;
    const private_ = `${dir}/private`;
    await write(shared, "a", 0o644);
    await write(group, "a", 0o640);
    await write(private_, "a", 0o600);
    for (let i = 0; i < 3; i++) {
      await updateFile(shared, () => encoder.encode(`b${i}`), { warn });
      await withFileLock(group, async () => {}, { warn });
      await updateFile(private_, () => encoder.encode(`b${i}`), { warn });
    }
    assert.deepEqual(warnings, [
      `${shared} is readable by group and others (mode 0644) but holds secret keys; ` +
      `run: chmod 600 '${shared}'`,
      `${group} is readable by group (mode 0640) but holds secret keys; ` +
      `run: chmod 600 '${group}'`,
    ]);
  });
});

Deno.test("SIGINT while the temp file exists: removed at once, CancelledError, original intact", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    const handlers = new Set<() => void>();
    let tempSeen = false;
    const os: SafeFileOs = {
      ...denoOs,
      addSignalListener: (_signal, handler) => void handlers.add(handler),
      removeSignalListener: (_signal, handler) => void handlers.delete(handler),
      async createTemp(path) {
        const temp = await denoOs.createTemp(path);
        return {
          ...temp,
          async write(bytes) {
            await temp.write(bytes);
            tempSeen = (await temps(dir)).length === 1;
            for (const handler of handlers) handler(); // the signal arrives
            assert.deepEqual(await temps(dir), [], "the handler removes the temp file itself");
          },
        };
      },
    };
    await assert.rejects(
      updateFile(file, () => encoder.encode("new\n"), { os, ...quiet }),
      CancelledError,
    );
    assert.ok(tempSeen);
    assert.equal(handlers.size, 0, "listeners removed");
    assert.equal(await Deno.readTextFile(file), "old\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("an aborted AbortSignal cancels before anything is written", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "old\n");
    const controller = new AbortController();
    await assert.rejects(
      withFileLock(file, async (locked) => {
        controller.abort();
        await locked.replace(encoder.encode("new\n"));
      }, { signal: controller.signal, ...quiet }),
      CancelledError,
    );
    assert.equal(await Deno.readTextFile(file), "old\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("two transactions in one process exclude each other; the waiter is told once", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await write(file, "");
    const events: string[] = [];
    const append = (name: string, holdMs: number, onWait?: (lockPath: string) => void) =>
      withFileLock(file, async (locked) => {
        events.push(`${name} in`);
        const text = decoder.decode((await locked.read())!);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        await locked.replace(encoder.encode(text + name));
        events.push(`${name} out`);
      }, { onWait, ...quiet });
    const waits: string[] = [];
    const first = append("a", 150);
    while (!events.includes("a in")) await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.all([first, append("b", 0, (lockPath) => waits.push(lockPath))]);
    assert.deepEqual(events, ["a in", "a out", "b in", "b out"]);
    assert.deepEqual(waits, [`${dir}/.credentials.awsmfa.lock`]);
    assert.equal(await Deno.readTextFile(file), "ab");

    let release!: () => void;
    const entered = Promise.withResolvers<void>();
    const holding = withFileLock(file, () => {
      entered.resolve();
      return new Promise<void>((resolve) => release = resolve);
    });
    await entered.promise;
    const error = await updateFile(file, () => null, { timeoutMs: 1500 }).catch((error) => error);
    release();
    await holding;
    assert.ok(error instanceof FileError);
    assert.equal(
      error.message,
      `Timed out after 1.5 s waiting for another awsmfa run to finish with ${file} ` +
        `(lock file: ${dir}/.credentials.awsmfa.lock).`,
    );
  });
});

Deno.test("symlinks: the lock and the temp file live beside the real file; a dangling link gets its target created", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/real`);
    await Deno.mkdir(`${dir}/links`);
    await Deno.symlink("../real/credentials", `${dir}/links/dangling`);
    const result = await updateFile(`${dir}/links/dangling`, () => encoder.encode("x"), quiet);
    assert.deepEqual(result, { changed: true, realPath: `${dir}/real/credentials` });
    assert.equal(await Deno.readLink(`${dir}/links/dangling`), "../real/credentials");
    assert.equal((await Deno.stat(`${dir}/real/credentials`)).mode! & 0o777, 0o600);
    const linkDir = [];
    for await (const entry of Deno.readDir(`${dir}/links`)) linkDir.push(entry.name);
    assert.deepEqual(linkDir, ["dangling"], "nothing written beside the link");
    assert.ok(await Deno.lstat(`${dir}/real/.credentials.awsmfa.lock`));
    assert.deepEqual(await readFileIfExists(`${dir}/links/dangling`), encoder.encode("x"));

    await Deno.symlink(`${dir}/nowhere/credentials`, `${dir}/links/broken`);
    const broken = await updateFile(`${dir}/links/broken`, () => encoder.encode("x"), quiet)
      .catch((error) => error);
    assert.ok(broken instanceof FileError);
    assert.equal(
      broken.message,
      `${dir}/links/broken is a symbolic link to ${dir}/nowhere/credentials, ` +
        `whose directory ${dir}/nowhere does not exist.`,
    );
    assert.equal(await Deno.lstat(`${dir}/nowhere`).catch(() => null), null);
    assert.equal(await readFileIfExists(`${dir}/links/broken`), null);

    await Deno.symlink("loop_b", `${dir}/links/loop_a`);
    await Deno.symlink("loop_a", `${dir}/links/loop_b`);
    const loop = await updateFile(`${dir}/links/loop_a`, () => null, quiet).catch((error) => error);
    assert.ok(loop instanceof FileError);
    assert.match(loop.message, /^Cannot resolve .*loop_a: /);
  });
});

Deno.test("a relative path is resolved against the working directory", async () => {
  await withTempDir(async (dir) => {
    const os: SafeFileOs = { ...denoOs, cwd: () => dir };
    const result = await updateFile("sub/credentials", () => encoder.encode("x"), { os, ...quiet });
    assert.equal(result.realPath, `${dir}/sub/credentials`);
    assert.equal(await Deno.readTextFile(`${dir}/sub/credentials`), "x");
  });
});

Deno.test("a directory in place of the file is refused, with its name", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/credentials`);
    const error = await updateFile(`${dir}/credentials`, () => null, quiet).catch((e) => e);
    assert.ok(error instanceof FileError);
    assert.equal(error.message, `${dir}/credentials is not a regular file.`);
    await assert.rejects(readFileIfExists(`${dir}/credentials`), FileError);
  });
});

Deno.test("a LockedFile cannot be used after its lock is released", async () => {
  await withTempDir(async (dir) => {
    let kept: LockedFile | undefined;
    await withFileLock(`${dir}/credentials`, (locked) => {
      kept = locked;
      return Promise.resolve();
    }, quiet);
    await assert.rejects(kept!.read(), /used after its lock was released/);
  });
});

/**
 * safe_file.checkWritable: finds out, before anything is spent, whether the
 * writer could replace a file (the file itself, its lock file and a temporary
 * file beside it), following symlinks as the writer does, and changes nothing.
 */

import assert from "node:assert/strict";
import { checkWritable, type SafeFileOs, updateFile } from "../../lib/files/safe_file.ts";
import { denoOs } from "../../lib/files/safe_file_os.ts";
import { FileError } from "../../lib/core/errors.ts";
import { tryRun } from "../support/system.ts";
import { skip } from "../support/skips.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_check_writable_" });
  try {
    await fn(dir);
  } finally {
    await tryRun("chattr", "-i", dir);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every name in `dir` but the lock file (which the writer keeps forever). */
async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".awsmfa.lock")) names.push(entry.name);
  }
  return names.sort();
}

function permissionDenied(): Error {
  return Object.assign(new Deno.errors.PermissionDenied("Permission denied (os error 13)"), {
    code: "EACCES",
  });
}

async function rejection(promise: Promise<unknown>): Promise<FileError> {
  const error = await promise.then(() => undefined, (error) => error);
  assert.ok(error instanceof FileError, `expected a FileError, got ${error}`);
  return error;
}

Deno.test("checkWritable: a writable file passes and stays as it was, nothing left beside it", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "[default]\nk = v\n", { mode: 0o600 });
    const before = await Deno.stat(file);
    await checkWritable(file);
    const after = await Deno.stat(file);
    assert.equal(await Deno.readTextFile(file), "[default]\nk = v\n");
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
    assert.equal(after.mode, before.mode);
    assert.deepEqual(await listing(dir), ["credentials"]);
  });
});

Deno.test("checkWritable: a read-only file, a lock file or a temporary file that cannot be made: the writer's error, nothing left", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "[default]\n", { mode: 0o600 });
    const cases: Array<[Partial<SafeFileOs>, RegExp, RegExp]> = [
      [
        { checkWritable: () => Promise.reject(permissionDenied()) },
        new RegExp(
          `^${file} is read-only \\(permission denied \\(EACCES\\)\\); it was not changed\\.$`,
        ),
        /chmod u\+w/,
      ],
      [
        { openLock: () => Promise.reject(permissionDenied()) },
        new RegExp(
          `^Cannot open the lock file ${dir}/\\.credentials\\.awsmfa\\.lock for ${file}: `,
        ),
        new RegExp(`Make ${dir} writable for your user`),
      ],
      [
        { createTemp: () => Promise.reject(permissionDenied()) },
        new RegExp(
          `^Cannot create a temporary file in ${dir} to replace ${file}: permission denied`,
        ),
        new RegExp(`Make ${dir} writable for your user`),
      ],
    ];
    for (const [overrides, message, fix] of cases) {
      const error = await rejection(checkWritable(file, { os: { ...denoOs, ...overrides } }));
      assert.match(error.message, message);
      assert.match(error.fix ?? "", fix);
      assert.equal(await Deno.readTextFile(file), "[default]\n");
      assert.deepEqual(await listing(dir), ["credentials"]);
    }
  });
});

Deno.test("checkWritable: follows symlinks to the file the writer would replace", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/real`);
    await Deno.mkdir(`${dir}/links`);
    const real = `${dir}/real/credentials`;
    await Deno.writeTextFile(real, "[default]\n", { mode: 0o600 });
    await Deno.symlink("../real/credentials", `${dir}/links/credentials`);
    const checked: string[] = [];
    const os: SafeFileOs = {
      ...denoOs,
      checkWritable: (path) => {
        checked.push(path);
        return Promise.reject(permissionDenied());
      },
    };
    const error = await rejection(checkWritable(`${dir}/links/credentials`, { os }));
    assert.deepEqual(checked, [real]);
    assert.match(
      error.message,
      new RegExp(`^${real} \\(the target of ${dir}/links/credentials\\) is read-only`),
    );
  });
});

Deno.test("checkWritable: a missing file in a writable directory passes, and is not created", async () => {
  await withTempDir(async (dir) => {
    await checkWritable(`${dir}/credentials`);
    assert.deepEqual(await listing(dir), []);
  });
});

Deno.test("checkWritable: as root, an immutable file or directory (chattr +i) is found out like the writer finds it", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "[default]\n", { mode: 0o600 });
    await checkWritable(file); // leaves the lock file, which the writer keeps too
    if (Deno.uid() !== 0 || !(await tryRun("chattr", "+i", file))) {
      return skip("chattr", "the immutable-file case (chattr +i needs root on ext4/xfs)");
    }
    try {
      const error = await rejection(checkWritable(file));
      assert.match(error.message, new RegExp(`^${file} is read-only \\(operation not permitted`));
    } finally {
      await tryRun("chattr", "-i", file);
    }
    // A directory that takes no new file, with the lock file there: the
    // temporary file fails, as it does for the writer.
    assert.ok(await tryRun("chattr", "+i", dir));
    try {
      const error = await rejection(checkWritable(file));
      assert.match(error.message, new RegExp(`^Cannot create a temporary file in ${dir} `));
      const writer = await rejection(updateFile(file, () => new TextEncoder().encode("x\n")));
      assert.match(writer.message, new RegExp(`^Cannot create a temporary file in ${dir} `));
    } finally {
      await tryRun("chattr", "-i", dir);
    }
    assert.equal(await Deno.readTextFile(file), "[default]\n");
    assert.deepEqual(await listing(dir), ["credentials"]);
  });
});

/**
 * File-system torture for the whole program: a read-only file, a read-only
 * directory (with and without the lock file already there), a full disk, a
 * missing parent directory, symlink chains, a symlink loop, a dangling link,
 * and a 50 MB credentials file (5 MB in the short run).
 *
 * Read-only cases use `chattr +i` when running as root (root ignores mode
 * bits), else mode bits. The full disk needs root to mount a small tmpfs;
 * elsewhere it says loudly that it is skipped (the safe_file suites inject
 * ENOSPC instead).
 */
import { tryRun } from "../support/system.ts";
import assert from "node:assert/strict";
import { type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import {
  assertCleanError,
  figure,
  OutputLog,
  type RunResult,
  scenario,
  size,
  spawnCli,
  tempFiles,
} from "./support.ts";

import { skip } from "../support/skips.ts";

const FILE = "tests/torture/fs_test.ts";
const log = new OutputLog();
const isRoot = Deno.uid() === 0;
const tried: string[] = [];

function loud(tool: string, message: string): void {
  skip(tool, message);
}

async function login(world: E2eWorld, env: Record<string, string> = {}): Promise<RunResult> {
  const result = await spawnCli(["george", "--code", await world.fake.freshCode(world.serial)], {
    env: { ...world.env, ...env },
  }).done;
  log.record(result, world.fake);
  return result;
}

/** Whether `chattr +i` works here (root, a file system that supports it). */
async function canChattr(dir: string): Promise<boolean> {
  const probe = `${dir}/.chattr-probe`;
  await Deno.writeTextFile(probe, "");
  const ok = await tryRun("chattr", "+i", probe);
  if (ok) await tryRun("chattr", "-i", probe);
  await Deno.remove(probe);
  return ok;
}

/** Makes `path` unwritable for this process: chattr +i as root, else mode bits. */
async function freeze(path: string, mode: number): Promise<() => Promise<void>> {
  if (isRoot) {
    assert.ok(await tryRun("chattr", "+i", path), `chattr +i ${path}`);
    return async () => void await tryRun("chattr", "-i", path);
  }
  const before = (await Deno.stat(path)).mode! & 0o777;
  await Deno.chmod(path, mode);
  return () => Deno.chmod(path, before);
}

scenario("a read-only file and a read-only directory: exit 3, named, unchanged, nothing left", {
  file: FILE,
  timeoutMs: 30_000,
}, async () => {
  await using world = await setupE2e();
  if (isRoot && !(await canChattr(world.home))) {
    return loud("chattr", "the read-only cases (as root, only chattr +i can make them)");
  }
  const dir = `${world.home}/.aws`;
  const before = await world.readCredentials();

  // The file itself.
  let thaw = await freeze(world.credentialsPath, 0o400);
  try {
    const result = await login(world);
    assert.equal(result.code, 3, result.stderr);
    assertCleanError(result, "read-only file");
    assert.ok(result.stderr.includes(`${world.credentialsPath} is read-only`), result.stderr);
    assert.match(result.stderr, /it was not changed/);
  } finally {
    await thaw();
  }
  assert.equal(await world.readCredentials(), before);
  assert.deepEqual(await tempFiles(dir), []);
  tried.push("read-only file");

  // The directory, before any lock file exists: refused before the STS call.
  await Deno.remove(`${dir}/.credentials.awsmfa.lock`).catch(() => {});
  const requests = world.fake.requests.length;
  thaw = await freeze(dir, 0o500);
  try {
    const result = await login(world);
    assert.equal(result.code, 3, result.stderr);
    assertCleanError(result, "read-only directory");
    assert.match(result.stderr, /Cannot open the lock file .*\.credentials\.awsmfa\.lock/);
    assert.equal(world.fake.requests.length, requests, "no STS call without the lock");
  } finally {
    await thaw();
  }
  tried.push("read-only directory (no lock file yet)");

  // The directory, with the lock file already there: the temporary file cannot be made.
  assert.equal((await login(world)).code, 0, "works again once writable");
  const refreshed = await world.readCredentials();
  thaw = await freeze(dir, 0o500);
  try {
    const result = await spawnCli(
      ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
      { env: world.env },
    ).done;
    log.record(result, world.fake);
    assert.equal(result.code, 3, result.stderr);
    assertCleanError(result, "read-only directory with lock");
    assert.match(result.stderr, /Cannot create a temporary file in .* it was not changed/);
  } finally {
    await thaw();
  }
  assert.equal(await world.readCredentials(), refreshed);
  assert.deepEqual(await tempFiles(dir), []);
  tried.push("read-only directory (lock file present)");
  log.addSecrets(world.fake);
});

scenario("a full disk: exit 3 with ENOSPC, unchanged, no temporary file left", {
  file: FILE,
  timeoutMs: 30_000,
}, async () => {
  await using world = await setupE2e();
  const dir = `${world.home}/.aws`;
  const content = await world.readCredentials();
  const mounted = isRoot && await tryRun("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir);
  if (!mounted) {
    return loud("tmpfs", "the full-disk case (it needs root to mount a small tmpfs)");
  }
  try {
    await Deno.writeTextFile(world.credentialsPath, content, { mode: 0o600 });
    // The lock file (empty) exists, then the disk is filled to the last byte.
    assert.equal((await login(world)).code, 0);
    const before = await world.readCredentials();
    const filler = await Deno.open(`${dir}/filler`, { write: true, create: true });
    try {
      for (;;) await filler.write(new Uint8Array(1024));
    } catch (error) {
      assert.ok(String(error).includes("No space left"), String(error));
    } finally {
      filler.close();
    }
    const result = await spawnCli(
      ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
      { env: world.env },
    ).done;
    log.record(result, world.fake);
    assert.equal(result.code, 3, result.stderr);
    assertCleanError(result, "full disk");
    assert.match(result.stderr, /no space left on the device \(ENOSPC\)/);
    assert.match(result.stderr, /it was not changed/);
    assert.equal(await world.readCredentials(), before);
    assert.deepEqual(await tempFiles(dir), []);
    await Deno.remove(`${dir}/filler`);
    assert.equal((await login(world)).code, 0, "works again once there is room");
    tried.push("full disk (ENOSPC on a 64 KiB tmpfs)");
  } finally {
    await tryRun("umount", dir);
  }
  log.addSecrets(world.fake);
});

scenario("missing parent, dangling link, symlink loop: exit 3, nothing created", {
  file: FILE,
  timeoutMs: 30_000,
}, async () => {
  await using world = await setupE2e();
  const missing = `${world.home}/no/such/dir/credentials`;
  let result = await login(world, { AWS_SHARED_CREDENTIALS_FILE: missing });
  assert.equal(result.code, 3, result.stderr);
  assertCleanError(result, "missing parent");
  assert.ok(result.stderr.includes(`There is no credentials file at ${missing}`), result.stderr);
  assert.ok(!(await exists(`${world.home}/no`)), "no directory was created");
  tried.push("missing parent directory");

  await Deno.symlink(`${world.home}/nowhere/credentials`, `${world.home}/dangling`);
  result = await login(world, { AWS_SHARED_CREDENTIALS_FILE: `${world.home}/dangling` });
  assert.equal(result.code, 3, result.stderr);
  assertCleanError(result, "dangling link");
  assert.match(result.stderr, /There is no credentials file at /);
  assert.ok(!(await exists(`${world.home}/nowhere`)));
  tried.push("dangling symlink");

  await Deno.symlink("loop-b", `${world.home}/loop-a`);
  await Deno.symlink("loop-a", `${world.home}/loop-b`);
  result = await login(world, { AWS_SHARED_CREDENTIALS_FILE: `${world.home}/loop-a` });
  assert.equal(result.code, 3, result.stderr);
  assertCleanError(result, "symlink loop");
  assert.match(result.stderr, /Too many levels of symbolic links|symlink/i);
  tried.push("symlink loop");
  assert.equal(world.fake.requests.length, 0);
  log.addSecrets(world.fake);
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

scenario(
  "a chain of five symlinks (relative and absolute): the links stay, the real file changes",
  {
    file: FILE,
    timeoutMs: 30_000,
  },
  async () => {
    await using world = await setupE2e();
    const original = await world.readCredentials();
    const h = world.home;
    await Deno.mkdir(`${h}/dotfiles/aws`, { recursive: true });
    await Deno.mkdir(`${h}/l`, { recursive: true });
    const real = `${h}/dotfiles/aws/credentials`;
    await Deno.writeTextFile(real, original, { mode: 0o600 });
    await Deno.remove(world.credentialsPath);
    const links: Array<[string, string]> = [
      [world.credentialsPath, "../l/one"],
      [`${h}/l/one`, `${h}/l/two`],
      [`${h}/l/two`, "three"],
      [`${h}/l/three`, `${h}/l/../l/four`],
      [`${h}/l/four`, "../dotfiles/aws/credentials"],
    ];
    for (const [link, target] of links) await Deno.symlink(target, link);
    for (let i = 0; i < 3; i++) {
      const result = await login(world);
      assert.equal(result.code, 0, result.stderr);
      for (const [link, target] of links) {
        assert.ok((await Deno.lstat(link)).isSymlink, `${link} is still a link`);
        assert.equal(await Deno.readLink(link), target);
      }
      assert.match(await Deno.readTextFile(real), /\[george\]\naws_access_key_id = ASIA/);
      assert.ok((await Deno.readTextFile(real)).startsWith(original));
      // The lock and temporary files live beside the real file only.
      for (const dir of [`${h}/.aws`, `${h}/l`]) {
        for await (const entry of Deno.readDir(dir)) {
          assert.doesNotMatch(entry.name, /awsmfa/, `nothing of ours in ${dir}`);
        }
      }
      assert.deepEqual(await tempFiles(`${h}/dotfiles/aws`), []);
      assert.equal((await Deno.stat(real)).mode! & 0o777, 0o600);
      await Deno.writeTextFile(
        real,
        (await Deno.readTextFile(real)).replace(
          /aws_credential_expiration = .*/,
          "aws_credential_expiration = 2001-01-01T00:00:00Z",
        ),
      );
    }
    tried.push("chain of 5 symlinks");
    log.addSecrets(world.fake);
  },
);

scenario("a large credentials file: refreshed, every other byte kept, in bounded time", {
  file: FILE,
  timeoutMs: size(60_000, 120_000),
}, async () => {
  const megabytes = size(5, 50);
  await using world = await setupE2e({ withSource: false });
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < megabytes * 1024 * 1024; i++) {
    const block = `[profile-${i}]\r\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\n` +
      `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n` +
      `region = eu-west-${1 + i % 3}\r\n; profile ${i} ✓ ünïcode\r\n\r\n`;
    parts.push(block);
    bytes += block.length;
  }
  const middle = Math.floor(parts.length / 2);
  const head = parts.slice(0, middle).join("") + world.sourceSection().replaceAll("\n", "\r\n");
  const oldSession = "[george]\r\naws_access_key_id = ASIAOLDOLDOLDOLDOLD0\r\n" +
    "aws_secret_access_key = old\r\naws_session_token = old\r\n" +
    "aws_credential_expiration = 2001-01-01T00:00:00Z\r\n";
  const tail = parts.slice(middle).join("");
  await world.writeCredentials(head + oldSession + tail);
  const result = await spawnCli(["george", "--code", await world.fake.freshCode(world.serial)], {
    env: world.env,
  }).done;
  log.record(result, world.fake);
  assert.equal(result.code, 0, result.stderr);
  const after = await world.readCredentials();
  assert.ok(after.startsWith(head + "[george]\r\n"), "everything before [george] is kept");
  assert.ok(after.endsWith(tail), "everything after [george] is kept");
  const session = after.slice(head.length, after.length - tail.length);
  assert.match(
    session,
    /^\[george\]\r\naws_access_key_id = ASIA[A-Z2-7]{16}\r\naws_secret_access_key = \S{40}\r\naws_session_token = \S+\r\naws_credential_expiration = \S+Z\r\n$/,
  );
  assert.deepEqual(await tempFiles(`${world.home}/.aws`), []);
  tried.push(`${megabytes} MB file (${parts.length} profiles) in ${Math.round(result.ms)} ms`);
  log.addSecrets(world.fake);
  figure("fs-large-file", { megabytes, profiles: parts.length, runMs: Math.round(result.ms) });
});

Deno.test("torture: no secret in any output of the file-system suite", () => {
  figure("fs", { cases: tried, ...log.assertNoSecrets() });
});

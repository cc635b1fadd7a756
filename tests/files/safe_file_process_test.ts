/**
 * lib/files/safe_file.ts with real processes, real signals and real file systems:
 * tests/support/safe_file_worker.ts edits files through the module while we
 * race, kill and starve it.
 */

import { derivedSeed, rerunCommand } from "../support/seed.ts";
import { required } from "../support/skips.ts";
import { tryRun } from "../support/system.ts";
import assert from "node:assert/strict";
import { crashContent, crashCounter } from "../support/safe_file_worker.ts";
import { updateFile, withFileLock } from "../../lib/files/safe_file.ts";
import { CancelledError, FileError } from "../../lib/core/errors.ts";

const WORKER = new URL("../support/safe_file_worker.ts", import.meta.url).pathname;
const NOBODY = 65534;
const isRoot = Deno.uid() === 0;
const encoder = new TextEncoder();

interface WorkerResult {
  code: number;
  signal: Deno.Signal | null;
  json: Record<string, unknown> | undefined;
  stdout: string;
  stderr: string;
}

/** How a worker runs as `nobody`: see {@link canRunAsNobody}. */
interface AsNobody {
  deno: string;
  worker: string;
  denoDir: string;
}

interface WorkerOptions {
  asUser?: AsNobody;
}

const AS_NOBODY = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"];

/** A worker process with its output collected as it comes. */
class Worker {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  #reading: Promise<unknown>;

  constructor(args: string[], options: WorkerOptions = {}) {
    const deno = [
      options.asUser?.deno ?? Deno.execPath(),
      "run",
      "--no-config",
      "--no-lock",
      "--allow-all",
      options.asUser?.worker ?? WORKER,
    ];
    const command = options.asUser === undefined ? deno : [...AS_NOBODY, ...deno];
    const denoDir = options.asUser?.denoDir;
    const env = denoDir ? { DENO_DIR: denoDir, HOME: denoDir } : undefined;
    this.child = new Deno.Command(command[0], {
      args: [...command.slice(1), ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env,
    }).spawn();
    const collect = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) this[into] += decoder.decode(chunk, { stream: true });
    };
    this.#reading = Promise.all([
      collect(this.child.stdout, "stdout"),
      collect(this.child.stderr, "stderr"),
    ]);
  }

  /** Waits until stdout contains `text`. */
  async waitFor(text: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (Date.now() > deadline) {
        this.kill("SIGKILL");
        await this.result();
        throw new Error(
          `Worker never printed ${text}; stdout: ${this.stdout}; stderr: ${this.stderr}`,
        );
      }
      await delay(2);
    }
  }

  kill(signal: Deno.Signal): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already exited.
    }
  }

  async result(): Promise<WorkerResult> {
    const status = await this.child.status;
    await this.#reading;
    const last = this.stdout.trim().split("\n").at(-1) ?? "";
    let json;
    try {
      json = JSON.parse(last);
    } catch {
      json = undefined;
    }
    return { code: status.code, signal: status.signal, json, ...this };
  }
}

async function run(args: string[], options?: WorkerOptions) {
  return await new Worker(args, options).result();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** mulberry32: a small seeded PRNG, so a failing crash run can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_safe_file_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Our temporary files in `dir`. */
async function temps(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (/\.awsmfa-.*\.tmp$/.test(entry.name)) names.push(entry.name);
  }
  return names;
}

/** Says loudly that a case falls back to an injected error; fails where `tool` is required. */
function loud(tool: string, message: string): void {
  if (required(tool)) throw new Error(`${tool} is required in this run, but ${message}`);
  console.error(`\n!!! FALLBACK: ${message}\n`);
}

Deno.test("20 processes setting different keys of one file at once: every key lands, every line intact", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "[default]\nregion = us-east-1\n\n[other]\nx = 1\n", {
      mode: 0o600,
    });
    const go = `${dir}/go`;
    const workers = Array.from(
      { length: 20 },
      (_, i) =>
        new Worker([
          "set",
          file,
          `key_${i}`,
          `value_${i}`,
          "--go",
          go,
          "--hold-ms",
          "5",
          "--timeout",
          "30000",
        ]),
    );
    await Promise.all(workers.map((worker) => worker.waitFor("READY")));
    await Deno.writeTextFile(go, "");
    const results = await Promise.all(workers.map((worker) => worker.result()));
    for (const result of results) assert.equal(result.code, 0, result.stdout + result.stderr);
    const waited = results.filter((result) => result.json?.waited).length;
    assert.ok(waited > 0, "the processes never contended for the lock");

    const lines = (await Deno.readTextFile(file)).split("\n");
    const keys = Array.from({ length: 20 }, (_, i) => `key_${i} = value_${i}`);
    assert.deepEqual(lines.slice(0, 2), ["[default]", "region = us-east-1"]);
    assert.deepEqual(lines.slice(2, 22).toSorted(), keys.toSorted());
    assert.deepEqual(lines.slice(22), ["", "[other]", "x = 1", ""]);
    assert.deepEqual(await temps(dir), []);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    console.log(`  ${waited} of 20 processes had to wait for the lock`);
  });
});

Deno.test("SIGKILL at random moments, 105 times: the file is always one complete version, nothing blocks the next run", async () => {
  const seed = derivedSeed("safe_file SIGKILL");
  console.log(
    `  seed ${seed} (replay with ${rerunCommand("tests/files/safe_file_process_test.ts")})`,
  );
  const next = random(seed);
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, crashContent(0), { mode: 0o600 });
    let lastSeen = 0;
    let kills = 0;
    let leftovers = 0;
    const check = async () => {
      const text = await Deno.readTextFile(file);
      const n = crashCounter(text);
      assert.equal(text, crashContent(n), `after kill ${kills}: not one complete version`);
      assert.ok(n >= lastSeen, `after kill ${kills}: went back from ${lastSeen} to ${n}`);
      lastSeen = n;
    };
    // Three chains run at once on the same file, so a kill also lands while
    // others wait for the lock or hold it.
    const chain = async (rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        const worker = new Worker(["loop", file, "--timeout", "120000"]);
        await worker.waitFor("RUNNING");
        await delay(5 + Math.floor(next() * 56));
        worker.kill("SIGKILL");
        const result = await worker.result();
        assert.equal(result.signal, "SIGKILL", `worker ended on its own: ${result.stdout}`);
        kills++;
        if ((await temps(dir)).length > 0) leftovers++;
        await check();
      }
    };
    await Promise.all([chain(35), chain(35), chain(35)]);
    assert.equal(kills, 105);

    // The next run is not blocked (a dead process's lock is gone at once: a zero
    // wait suffices), and removes the temporary files the killed ones left.
    await updateFile(file, (current) => {
      const n = crashCounter(new TextDecoder().decode(current!));
      return encoder.encode(crashContent(n + 1));
    }, { timeoutMs: 0, warn: () => {} });
    await check();
    assert.deepEqual(await temps(dir), []);
    console.log(`  ${lastSeen} transactions, ${kills} kills, ${leftovers} times a temp file seen`);
  });
});

Deno.test("a temporary file left by a dead process is removed by the next run; other files are not", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "old\n", { mode: 0o600 });
    // A worker killed while its temporary file exists leaves it behind.
    const worker = new Worker(["slow", file, "new\n"]);
    await worker.waitFor("TEMP ");
    worker.kill("SIGKILL");
    await worker.result();
    assert.equal((await temps(dir)).length, 1);
    await Deno.writeTextFile(`${dir}/.credentials.bak`, "mine");
    const result = await run(["set", file, "k", "v", "--timeout", "2000"]);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(await temps(dir), []);
    assert.equal(await Deno.readTextFile(`${dir}/.credentials.bak`), "mine");
    assert.equal(await Deno.readTextFile(file), "old\n\n[default]\nk = v\n");
  });
});

Deno.test("a lock holder killed with SIGKILL does not block the next run; a live one times out with the lock's name", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "old\n", { mode: 0o600 });
    const holder = new Worker(["hold", file]);
    await holder.waitFor("LOCKED");
    const lockPath = `${dir}/.credentials.awsmfa.lock`;

    const waits: string[] = [];
    const error = await updateFile(file, () => encoder.encode("new\n"), {
      timeoutMs: 300,
      onWait: (path) => waits.push(path),
    }).catch((error) => error);
    assert.ok(error instanceof FileError, String(error));
    assert.match(error.message, /^Timed out after 0\.3 s waiting for another awsmfa run/);
    assert.ok(error.message.includes(lockPath), error.message);
    assert.ok(error.fix);
    assert.deepEqual(waits, [lockPath]);
    assert.equal(await Deno.readTextFile(file), "old\n");

    // A caller willing to wait longer gets the lock as soon as the holder dies.
    const waiting = updateFile(file, () => encoder.encode("new\n"), { timeoutMs: 20_000 });
    await delay(100);
    holder.kill("SIGKILL");
    await holder.result();
    assert.deepEqual(await waiting, { changed: true, realPath: file });
    assert.equal(await Deno.readTextFile(file), "new\n");
    assert.equal(await Deno.readTextFile(lockPath), "", "the lock file holds nothing");
  });
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} while the temporary file exists: no temp left, original intact, cancelled`, async () => {
    await withTempDir(async (dir) => {
      const file = `${dir}/credentials`;
      await Deno.writeTextFile(file, "old\n", { mode: 0o600 });
      const worker = new Worker(["slow", file, "new\n"]);
      await worker.waitFor("TEMP ");
      assert.equal((await temps(dir)).length, 1);
      worker.kill(signal);
      const result = await worker.result();
      assert.equal(result.code, 130, result.stdout + result.stderr);
      assert.equal(result.json?.name, "CancelledError");
      assert.equal(await Deno.readTextFile(file), "old\n");
      assert.deepEqual(await temps(dir), []);
    });
  });
}

Deno.test("a full disk (ENOSPC): clear error naming the file, original intact, no temp left", async () => {
  await withTempDir(async (dir) => {
    const mount = `${dir}/small`;
    await Deno.mkdir(mount);
    const mounted = isRoot &&
      await tryRun("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mount);
    try {
      const file = `${mount}/credentials`;
      const original = "[default]\nregion = eu-west-1\n";
      await Deno.writeTextFile(file, original, { mode: 0o600 });
      const args = ["fill", file, "65536"];
      if (!mounted) {
        loud(
          "tmpfs",
          "cannot mount a 16 KiB tmpfs here; injecting ENOSPC through the OS edge instead",
        );
        args.push("--inject", "ENOSPC");
      }
      const result = await run(args);
      assert.equal(result.code, 3, result.stdout + result.stderr);
      const message = String(result.json?.message);
      assert.match(message, /^Cannot write the new content of /);
      assert.ok(message.includes(file), message);
      assert.match(message, /no space left on the device \(ENOSPC\)/);
      assert.match(String(result.json?.fix), /Free some space/);
      assert.equal(await Deno.readTextFile(file), original);
      assert.deepEqual(await temps(mount), []);
    } finally {
      if (mounted) await tryRun("umount", mount);
    }
  });
});

Deno.test("symlinks stay links: relative, absolute and a chain of two; the target gets the content", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/dotfiles/aws`, { recursive: true });
    await Deno.mkdir(`${dir}/home/.aws`, { recursive: true });
    const target = `${dir}/dotfiles/aws/credentials`;
    const cases = [
      { link: `${dir}/home/.aws/relative`, to: "../../dotfiles/aws/credentials" },
      { link: `${dir}/home/.aws/absolute`, to: target },
      { link: `${dir}/home/.aws/chain`, to: "relative" }, // chain -> relative -> target
    ];
    for (const { link, to } of cases) await Deno.symlink(to, link);
    await Deno.writeTextFile(target, "[default]\n", { mode: 0o600 });
    for (const [i, { link, to }] of cases.entries()) {
      const result = await run(["set", link, `via_${i}`, "yes"]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.json?.realPath, target);
      assert.equal(await Deno.readLink(link), to, "the link is still the same link");
      assert.ok((await Deno.lstat(link)).isSymlink);
    }
    assert.equal(
      await Deno.readTextFile(target),
      "[default]\nvia_0 = yes\nvia_1 = yes\nvia_2 = yes\n",
    );
    assert.deepEqual(await temps(`${dir}/dotfiles/aws`), []);
    assert.deepEqual(await temps(`${dir}/home/.aws`), []);
  });
});

Deno.test("modes 0600, 0640 and 0644 survive a write; a missing file is created 0600 in a new 0700 directory", async () => {
  await withTempDir(async (dir) => {
    for (const mode of [0o600, 0o640, 0o644]) {
      const file = `${dir}/credentials_${mode.toString(8)}`;
      await Deno.writeTextFile(file, "[default]\n");
      await Deno.chmod(file, mode);
      const result = await run(["set", file, "k", "v"]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal((await Deno.stat(file)).mode! & 0o7777, mode);
      assert.equal(await Deno.readTextFile(file), "[default]\nk = v\n");
    }
    const file = `${dir}/new/.aws/credentials`;
    const result = await run(["set", file, "k", "v"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(await Deno.readTextFile(file), "[default]\nk = v\n");
    assert.equal((await Deno.stat(file)).mode! & 0o7777, 0o600);
    assert.equal((await Deno.stat(`${dir}/new`)).mode! & 0o7777, 0o700);
    assert.equal((await Deno.stat(`${dir}/new/.aws`)).mode! & 0o7777, 0o700);
  });
});

/**
 * Runs the unprivileged cases as `nobody` when we are root and setpriv works.
 * The checkout (and Deno, when run through npx) may sit where only root can
 * enter (a clone under /root or in a `mktemp -d` directory), so the worker, the
 * lib/ it imports and, when nobody cannot run it where it is, Deno itself are
 * copied into `dir`, which nobody can enter.
 */
async function canRunAsNobody(dir: string): Promise<AsNobody | undefined> {
  if (!isRoot || !(await tryRun("setpriv", "--version"))) return undefined;
  await Deno.chmod(dir, 0o755);
  if (!(await tryRun(AS_NOBODY[0], ...AS_NOBODY.slice(1), "test", "-x", dir))) {
    loud("setpriv", `nobody cannot enter ${dir} (its parent is closed to other users)`);
    return undefined;
  }
  const denoDir = `${dir}/deno_dir`;
  await Deno.mkdir(denoDir);
  await Deno.chown(denoDir, NOBODY, NOBODY);
  const src = `${dir}/src`;
  await copyTree(new URL("../../lib/", import.meta.url).pathname, `${src}/lib`);
  await Deno.mkdir(`${src}/tests/support`, { recursive: true, mode: 0o755 });
  await Deno.copyFile(WORKER, `${src}/tests/support/safe_file_worker.ts`);
  let deno = Deno.execPath();
  if (!(await tryRun(AS_NOBODY[0], ...AS_NOBODY.slice(1), deno, "--version"))) {
    deno = `${dir}/deno`;
    await Deno.copyFile(Deno.execPath(), deno);
    await Deno.chmod(deno, 0o755);
  }
  return { deno, worker: `${src}/tests/support/safe_file_worker.ts`, denoDir };
}

/** Copies the directory `from` to `to` (world-readable), recursively. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true, mode: 0o755 });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

Deno.test("a read-only file: clear error naming it, original intact, no temp left", async () => {
  await withTempDir(async (dir) => {
    const nobody = await canRunAsNobody(dir);
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    const file = `${home}/credentials`;
    await Deno.writeTextFile(file, "[default]\n");
    await Deno.chmod(file, 0o400);
    let result: WorkerResult;
    if (nobody) {
      // An unprivileged user owning the file and its directory, file mode 0400.
      await Deno.chown(home, NOBODY, NOBODY);
      await Deno.chown(file, NOBODY, NOBODY);
      result = await run(["set", file, "k", "v"], { asUser: nobody });
    } else {
      loud("setpriv", "not root or no setpriv: injecting EACCES on the read-only check instead");
      result = await run(["set", file, "k", "v", "--inject", "EACCES"]);
    }
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(String(result.json?.message), new RegExp(`^${file} is read-only \\(`));
    assert.match(String(result.json?.fix), /chmod u\+w/);
    assert.equal(await Deno.readTextFile(file), "[default]\n");
    assert.deepEqual(await temps(home), []);
  });
});

Deno.test("a directory we cannot write: clear error naming it, original intact, no temp left", async () => {
  await withTempDir(async (dir) => {
    const nobody = await canRunAsNobody(dir);
    const home = `${dir}/home`;
    await Deno.mkdir(home, { mode: 0o755 });
    const file = `${home}/credentials`;
    await Deno.writeTextFile(file, "[default]\n", { mode: 0o600 });
    if (!nobody) {
      loud("setpriv", "not root or no setpriv: injecting EACCES on the temporary file instead");
      const result = await run(["set", file, "k", "v", "--inject", "EACCES"]);
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.ok(String(result.json?.message).includes(home));
      return;
    }
    // The file is nobody's, the directory root's: nobody can write the file
    // in place but cannot create anything beside it.
    await Deno.chown(file, NOBODY, NOBODY);
    let result = await run(["set", file, "k", "v"], { asUser: nobody });
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(
      String(result.json?.message),
      new RegExp(`^Cannot open the lock file ${home}/\\.credentials\\.awsmfa\\.lock for ${file}: `),
    );
    assert.match(String(result.json?.fix), new RegExp(`Make ${home} writable`));

    // With the lock file already there (made by root), the temporary file is what fails.
    await withFileLock(file, async () => {}, { warn: () => {} });
    result = await run(["set", file, "k", "v"], { asUser: nobody });
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(
      String(result.json?.message),
      new RegExp(
        `^Cannot create a temporary file in ${home} to replace ${file}: permission denied`,
      ),
    );
    assert.equal(await Deno.readTextFile(file), "[default]\n");
    assert.deepEqual(await temps(home), []);
  });
});

Deno.test("as root, an immutable file or directory (chattr +i): clear error, original intact", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(file, "[default]\n", { mode: 0o600 });
    if (!isRoot || !(await tryRun("chattr", "+i", file))) {
      loud("chattr", "chattr +i is not available here; the two tests above cover these cases");
      return;
    }
    try {
      const error = await updateFile(file, () => encoder.encode("new\n"), { warn: () => {} })
        .catch((error) => error);
      assert.ok(error instanceof FileError, String(error));
      assert.match(error.message, new RegExp(`^${file} is read-only \\(operation not permitted`));
    } finally {
      await tryRun("chattr", "-i", file);
    }
    // An immutable directory, with the lock file already there from the run above.
    assert.ok(await tryRun("chattr", "+i", dir));
    try {
      const error = await updateFile(file, () => encoder.encode("new\n"), { warn: () => {} })
        .catch((error) => error);
      assert.ok(error instanceof FileError, String(error));
      assert.match(error.message, new RegExp(`^Cannot create a temporary file in ${dir} `));
    } finally {
      await tryRun("chattr", "-i", dir);
    }
    assert.equal(await Deno.readTextFile(file), "[default]\n");
    assert.deepEqual(await temps(dir), []);
  });
});

Deno.test("an AbortSignal cancels the wait for the lock", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    const holder = new Worker(["hold", file]);
    try {
      await holder.waitFor("LOCKED");
      const controller = new AbortController();
      const pending = updateFile(file, () => encoder.encode("x"), {
        signal: controller.signal,
        onWait: () => setTimeout(() => controller.abort(), 50),
      });
      await assert.rejects(pending, CancelledError);
    } finally {
      holder.kill("SIGKILL");
      await holder.result();
    }
    assert.equal(await Deno.lstat(file).catch(() => null), null);
  });
});

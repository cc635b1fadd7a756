/**
 * lib/safe_file.ts with real processes, real signals and real file systems:
 * tests/support/safe_file_worker.ts edits files through the module while we
 * race, kill and starve it.
 */

import { tryRun } from "./support/system.ts";
import assert from "node:assert/strict";
import { crashContent, crashCounter } from "./support/safe_file_worker.ts";
import { updateFile, withFileLock } from "../lib/safe_file.ts";
import { CancelledError, FileError } from "../lib/errors.ts";

const WORKER = new URL("./support/safe_file_worker.ts", import.meta.url).pathname;
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

/** A worker process with its output collected as it comes. */
class Worker {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  #reading: Promise<unknown>;

  constructor(args: string[], options: { asUser?: number; denoDir?: string } = {}) {
    const deno = [Deno.execPath(), "run", "--no-config", "--no-lock", "--allow-all", WORKER];
    const command = options.asUser === undefined ? deno : [
      "setpriv",
      `--reuid=${options.asUser}`,
      `--regid=${options.asUser}`,
      "--clear-groups",
      ...deno,
    ];
    const env = options.denoDir ? { DENO_DIR: options.denoDir, HOME: options.denoDir } : undefined;
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

async function run(args: string[], options?: { asUser?: number; denoDir?: string }) {
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

function loud(message: string): void {
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
  const seed = Number(Deno.env.get("SAFE_FILE_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`  seed ${seed} (replay with SAFE_FILE_SEED=${seed})`);
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
        const worker = new Worker(["loop", file, "--timeout", "5000"]);
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

    // The next run is not blocked, and removes the temporary files the killed ones left.
    const started = Date.now();
    await updateFile(file, (current) => {
      const n = crashCounter(new TextDecoder().decode(current!));
      return encoder.encode(crashContent(n + 1));
    }, { timeoutMs: 1000, warn: () => {} });
    assert.ok(Date.now() - started < 1000);
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
    const started = Date.now();
    assert.deepEqual(await waiting, { changed: true, realPath: file });
    assert.ok(Date.now() - started < 1000);
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
        loud("cannot mount a 16 KiB tmpfs here; injecting ENOSPC through the OS edge instead");
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

/** Runs the unprivileged cases as `nobody` when we are root and setpriv works. */
async function canRunAsNobody(dir: string): Promise<string | undefined> {
  if (!isRoot || !(await tryRun("setpriv", "--version"))) return undefined;
  const denoDir = `${dir}/deno_dir`;
  await Deno.mkdir(denoDir);
  await Deno.chown(denoDir, NOBODY, NOBODY);
  await Deno.chmod(dir, 0o755);
  return denoDir;
}

Deno.test("a read-only file: clear error naming it, original intact, no temp left", async () => {
  await withTempDir(async (dir) => {
    const denoDir = await canRunAsNobody(dir);
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    const file = `${home}/credentials`;
    await Deno.writeTextFile(file, "[default]\n");
    await Deno.chmod(file, 0o400);
    let result: WorkerResult;
    if (denoDir) {
      // An unprivileged user owning the file and its directory, file mode 0400.
      await Deno.chown(home, NOBODY, NOBODY);
      await Deno.chown(file, NOBODY, NOBODY);
      result = await run(["set", file, "k", "v"], { asUser: NOBODY, denoDir });
    } else {
      loud("not root or no setpriv: injecting EACCES on the read-only check instead");
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
    const denoDir = await canRunAsNobody(dir);
    const home = `${dir}/home`;
    await Deno.mkdir(home, { mode: 0o755 });
    const file = `${home}/credentials`;
    await Deno.writeTextFile(file, "[default]\n", { mode: 0o600 });
    if (!denoDir) {
      loud("not root or no setpriv: injecting EACCES on the temporary file instead");
      const result = await run(["set", file, "k", "v", "--inject", "EACCES"]);
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.ok(String(result.json?.message).includes(home));
      return;
    }
    // The file is nobody's, the directory root's: nobody can write the file
    // in place but cannot create anything beside it.
    await Deno.chown(file, NOBODY, NOBODY);
    let result = await run(["set", file, "k", "v"], { asUser: NOBODY, denoDir });
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(
      String(result.json?.message),
      new RegExp(`^Cannot open the lock file ${home}/\\.credentials\\.awsmfa\\.lock for ${file}: `),
    );
    assert.match(String(result.json?.fix), new RegExp(`Make ${home} writable`));

    // With the lock file already there (made by root), the temporary file is what fails.
    await withFileLock(file, async () => {}, { warn: () => {} });
    result = await run(["set", file, "k", "v"], { asUser: NOBODY, denoDir });
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
      loud("chattr +i is not available here; the two tests above cover these cases");
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

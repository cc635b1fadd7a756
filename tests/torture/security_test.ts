/**
 * Security checks of the whole program:
 *
 * - `--verbose` (and plain) output of success and failure paths holds no
 *   secret, even when AWS (or a proxy) echoes one in an error message.
 * - The credentials file stays 0600 whatever the umask; every temporary file
 *   is 0600 from its creation (observed on the files SIGKILL leaves behind,
 *   under umask 000, and right after creation through the OS edge); the lock
 *   file is empty.
 * - No secret on a child process's command line: `exec` hands the session
 *   over in the environment, `credential-process` on stdout, and a code
 *   command sees no secret either (every process's argv is read from /proc
 *   while awsmfa runs).
 * - Dependencies are pinned: `deno install --frozen` (which .ci/run runs)
 *   fails when deno.lock does not match deno.json.
 *
 * Every byte printed by every run is scanned for every secret at the end.
 */
import assert from "node:assert/strict";
import { denoOs, type SafeFileOs, updateFile } from "../../lib/files/safe_file.ts";
import { cliCommand, ROOT } from "../support/cli_runner.ts";
import { setupE2e } from "../support/e2e_env.ts";
import { startFakeNpm } from "../support/fake_npm.ts";
import type { Fault } from "../support/fake_sts.ts";
import {
  figure,
  OutputLog,
  type RunResult,
  scenario,
  size,
  spawnCli,
  type SpawnOptions,
  tempFiles,
} from "./support.ts";

const FILE = "tests/torture/security_test.ts";
const log = new OutputLog();
const figures: Record<string, unknown> = {};

scenario("--verbose and plain output never carry a secret, on success or failure", {
  file: FILE,
  timeoutMs: 60_000,
}, async () => {
  await using world = await setupE2e();
  const run = async (args: string[], options: SpawnOptions = {}): Promise<RunResult> => {
    const result = await spawnCli(args, { ...options, env: { ...world.env, ...options.env } })
      .done;
    log.record(result, world.fake);
    return result;
  };
  const code = () => world.fake.freshCode(world.serial);
  let runs = 0;
  for (const verbose of [[], ["--verbose"], ["-v"]]) {
    // Success, then the stored session is reused, then renewed.
    assert.equal((await run(["george", "--force", "--code", await code(), ...verbose])).code, 0);
    assert.equal((await run(["george", ...verbose])).code, 0);
    // A wrong code, a wrong secret key, faults.
    assert.equal((await run(["george", "--force", "--code", "000000", ...verbose])).code, 4);
    const faults: Fault[] = [
      { kind: "status", status: 500, code: "InternalFailure" },
      { kind: "malformed" },
      { kind: "truncated" },
      { kind: "reset" },
      { kind: "html" },
    ];
    for (const fault of faults) {
      world.fake.fault(fault);
      const result = await run(["george", "--force", "--code", await code(), ...verbose]);
      assert.equal(result.code, 5, result.stderr);
      world.fake.clearFaults();
    }
    // AWS echoing the caller's secret key and a live session token in its message.
    const echoed = world.fake.issuedSecrets();
    world.fake.fault({
      kind: "error",
      status: 400,
      code: "ValidationError",
      message: `Value '${echoed.join("' and '")}' failed to satisfy constraint`,
    });
    const echo = await run(["george", "--force", "--code", await code(), ...verbose]);
    assert.equal(echo.code, 2, echo.stderr);
    assert.match(echo.stderr, /<redacted secret>/);
    assert.match(echo.stderr, /<redacted token>/);
    world.fake.clearFaults();
    if (verbose.length > 0) assert.match(echo.stderr, /^awsmfa: source \[georgemfa\]/);
    runs += 9;
  }
  log.addSecrets(world.fake);
  figures.verboseRuns = runs;
});

scenario("0600 from creation: the file under any umask, every temporary file, an empty lock", {
  file: FILE,
  timeoutMs: size(60_000, 180_000),
}, async ({ checkTime }) => {
  await using world = await setupE2e();
  const dir = `${world.home}/.aws`;
  for (const umask of ["000", "022", "077"]) {
    const result = await spawnCli(
      ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
      { env: world.env, umask },
    ).done;
    log.record(result, world.fake);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await Deno.stat(world.credentialsPath)).mode! & 0o777, 0o600, `umask ${umask}`);
  }
  const lock = `${dir}/.credentials.awsmfa.lock`;
  assert.equal((await Deno.stat(lock)).size, 0, "the lock file is empty");
  assert.equal(await Deno.readTextFile(lock), "");

  // Temporary files left by SIGKILL during the write, under umask 000: each run
  // stops where its temporary file holds the new content (AWSMFA_TEST_PAUSE),
  // so every kill leaves exactly one.
  const wanted = size(3, 20);
  const modes: number[] = [];
  for (let kill = 1; kill <= wanted; kill++) {
    checkTime();
    const cli = spawnCli(
      ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
      { env: { ...world.env, AWSMFA_TEST_PAUSE: "temp-written" }, umask: "000" },
    );
    await cli.paused("temp-written");
    cli.kill();
    const killed = await cli.done;
    log.record(killed, world.fake);
    assert.equal(killed.signal, "SIGKILL", `kill ${kill}: ${killed.stderr}`);
    const temps = await tempFiles(dir);
    assert.equal(temps.length, 1, `kill ${kill} leaves its temporary file: ${temps}`);
    const mode = (await Deno.stat(`${dir}/${temps[0]}`)).mode! & 0o777;
    modes.push(mode);
    assert.equal(mode, 0o600, `${temps[0]} under umask 000`);
    // The next run removes what the killed one left.
    const next = await spawnCli(
      ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
      { env: world.env },
    ).done;
    log.record(next, world.fake);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await tempFiles(dir), []);
  }
  assert.equal((await Deno.stat(lock)).size, 0, "the lock file is still empty");

  // Right after creation, before a single byte: through the OS edge of safe_file.
  const file = `${dir}/modes-probe`;
  await Deno.writeTextFile(file, "old\n", { mode: 0o600 });
  const seen: number[] = [];
  const os: SafeFileOs = {
    ...denoOs,
    async createTemp(path) {
      const temp = await denoOs.createTemp(path);
      const info = await Deno.stat(path);
      assert.equal(info.size, 0);
      seen.push(info.mode! & 0o777);
      return temp;
    },
  };
  for (let i = 0; i < 5; i++) {
    await updateFile(file, () => new TextEncoder().encode(`new ${i}\n`), { os });
  }
  assert.deepEqual(seen, [0o600, 0o600, 0o600, 0o600, 0o600]);
  log.addSecrets(world.fake);
  figures.tempFilesObserved = modes.length + seen.length;
});

/** Whether `name` is a command of this build (others are still being written). */
async function hasCommand(name: string): Promise<boolean> {
  const help = await spawnCli(["--help"]).done;
  return new RegExp(`^ {2}${name} `, "m").test(help.stdout);
}

/** Every process's command line, one per line, as a shell inside the run reads them. */
const DUMP_ARGV = `for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < "$f" 2>/dev/null; echo; done`;

scenario("no secret on any command line: exec uses the environment, credential-process stdout", {
  file: FILE,
  timeoutMs: 60_000,
}, async () => {
  await using world = await setupE2e();
  const argvDump = `${world.home}/argv.txt`;
  const envDump = `${world.home}/env.txt`;
  let checked = 0;

  // A code command sees no secret either (the long-term key is loaded by then).
  const viaCommand = await spawnCli([
    "george",
    "--code-command",
    `${DUMP_ARGV} > '${argvDump}'; echo ${await world.fake.freshCode(world.serial)}`,
  ], { env: world.env }).done;
  log.record(viaCommand, world.fake);
  assert.equal(viaCommand.code, 0, viaCommand.stderr);
  let argv = await Deno.readTextFile(argvDump);
  assert.match(argv, /main\.ts george --code-command|awsmfa george --code-command/);
  log.outputs.push(argv);
  checked++;

  if (await hasCommand("exec")) {
    // The session from the run above is valid for 12 h: --min-remaining 13h renews it.
    const result = await spawnCli([
      "exec",
      "george",
      "--min-remaining",
      "13h",
      "--code",
      await world.fake.freshCode(world.serial),
      "--",
      "/bin/sh",
      "-c",
      `${DUMP_ARGV} > '${argvDump}'; env > '${envDump}'`,
    ], { env: world.env }).done;
    log.record(result, world.fake);
    assert.equal(result.code, 0, result.stderr);
    argv = await Deno.readTextFile(argvDump);
    assert.match(argv, / exec george /, "the dump saw awsmfa itself");
    log.outputs.push(argv);
    const env = await Deno.readTextFile(envDump);
    const token = /^AWS_SESSION_TOKEN=(.+)$/m.exec(env)?.[1];
    assert.ok(
      token && world.fake.issuedSecrets().includes(token),
      "the session is in the environment",
    );
    checked++;
  } else {
    assert.fail("'awsmfa exec' is missing from this build");
  }

  if (await hasCommand("credential-process")) {
    const result = await spawnCli([
      "credential-process",
      "george",
      "--code-command",
      `${DUMP_ARGV} > '${argvDump}'; echo ${await world.fake.freshCode(world.serial)}`,
      "--min-remaining",
      "13h",
    ], { env: world.env }).done;
    log.outputs.push(result.stderr);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.Version, 1);
    assert.ok(world.fake.issuedSecrets().includes(json.SessionToken), "the session is on stdout");
    log.addSecrets(world.fake);
    for (const secret of log.secrets) assert.ok(!result.stderr.includes(secret));
    argv = await Deno.readTextFile(argvDump);
    assert.match(argv, / credential-process george /);
    log.outputs.push(argv);
    checked++;
  } else {
    assert.fail("'awsmfa credential-process' is missing from this build");
  }
  log.addSecrets(world.fake);
  figures.argvChecks = checked;
});

scenario("deno.lock pins the dependencies: deno install --frozen fails on a mismatch", {
  file: FILE,
  timeoutMs: 60_000,
}, async () => {
  // .ci/run checks the lock file before the tests ...
  const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
  const frozen = ci.indexOf("deno install --frozen");
  assert.ok(frozen !== -1 && frozen < ci.indexOf("deno task test"), ".ci/run: --frozen first");
  // ... every npm import of deno.json is an exact version, and the lock holds exactly those.
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const lock = JSON.parse(await Deno.readTextFile(`${ROOT}deno.lock`));
  const npmImports = Object.values(config.imports as Record<string, string>)
    .filter((target) => target.startsWith("npm:"));
  assert.ok(npmImports.length > 0);
  for (const target of npmImports) {
    assert.match(target, /^npm:(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+$/, `${target}: exact version`);
    assert.ok(target in lock.specifiers, `deno.lock resolves ${target}`);
  }
  assert.deepEqual(
    [...lock.workspace.dependencies].sort(),
    [...npmImports].sort(),
    "deno.lock's workspace dependencies are deno.json's imports",
  );

  // And `deno install --frozen` refuses a lock that does not match: shown on a project of one
  // package from a registry on loopback, with a cache of its own (no network, no warm cache).
  await using npm = await startFakeNpm("awsmfa-lock-probe", ["1.0.0", "1.0.1"]);
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-lock-" });
  const install = async (version: string, args: string[]) => {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({ imports: { probe: `npm:${npm.name}@${version}` } }),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["install", ...args],
      cwd: dir,
      env: { ...npm.env, DENO_DIR: `${dir}/deno_dir`, NO_COLOR: "1" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  try {
    const first = await install("1.0.0", []);
    assert.equal(first.code, 0, `the probe installs and writes its lock: ${first.stderr}`);
    const locked = await Deno.readTextFile(`${dir}/deno.lock`);
    const same = await install("1.0.0", ["--frozen"]);
    assert.equal(same.code, 0, `the matching pair installs frozen: ${same.stderr}`);

    const changedConfig = await install("1.0.1", ["--frozen"]);
    assert.notEqual(changedConfig.code, 0, "a changed version in deno.json fails");
    assert.match(changedConfig.stderr, /lockfile is out of date/);
    assert.equal(await Deno.readTextFile(`${dir}/deno.lock`), locked, "--frozen wrote nothing");

    const parsed = JSON.parse(locked);
    parsed.specifiers = {};
    parsed.workspace.dependencies = [];
    await Deno.writeTextFile(`${dir}/deno.lock`, JSON.stringify(parsed, null, 2));
    const changedLock = await install("1.0.0", ["--frozen"]);
    assert.notEqual(changedLock.code, 0, "a lock file missing a dependency fails");
    assert.match(changedLock.stderr, /lockfile is out of date/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  figures.lockChecks = 3;
});

Deno.test("torture: no secret in any output of the security suite", () => {
  const scanned = log.assertNoSecrets();
  figure("security", {
    ...figures,
    ...scanned,
    cli: cliCommand().length > 1 ? "deno run" : "binary",
  });
});

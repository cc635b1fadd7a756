/**
 * A credentials file awsmfa could not replace is found out before the code
 * is asked for and before STS is called: otherwise the code is spent and the
 * new session thrown away. Root passes every permission check, so these runs
 * are made as `nobody` (setpriv), from a world-readable copy of the program
 * (the clone may sit where `nobody` cannot enter), and as root with
 * `chattr +i`; each is skipped loudly where its tool is missing.
 */
import assert from "node:assert/strict";
import { type CliResult, ROOT } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { tryRun } from "../support/system.ts";
import { skip } from "../support/skips.ts";

const NOBODY = 65534;

/** Runs the CLI as `nobody`; disposing of it removes its copy of the program. */
interface NobodyRunner extends AsyncDisposable {
  run(args: string[]): Promise<CliResult>;
}

/**
 * Runs the CLI as `nobody` in `world` (whose HOME it hands to nobody), or
 * undefined when this machine cannot (not root, no setpriv).
 */
async function nobodyRunner(world: E2eWorld): Promise<NobodyRunner | undefined> {
  if (Deno.uid() !== 0 || !(await tryRun("setpriv", "--version"))) return undefined;
  const stage = await Deno.makeTempDir({ prefix: "awsmfa-nobody-" });
  await Deno.chmod(stage, 0o755);
  const bin = Deno.env.get("AWSMFA_BIN");
  let command: string[];
  if (bin) {
    command = [bin];
  } else {
    for (const name of ["main.ts", "deno.json", "lib"]) {
      assert.ok(await tryRun("cp", "-R", `${ROOT}${name}`, `${stage}/`), `copy ${name}`);
    }
    assert.ok(await tryRun("chmod", "-R", "a+rX", stage));
    command = [Deno.execPath(), "run", "--quiet", "--no-lock", "--allow-all", `${stage}/main.ts`];
  }
  await Deno.mkdir(`${stage}/deno_dir`);
  assert.ok(await tryRun("chown", "-R", `${NOBODY}:${NOBODY}`, world.home, `${stage}/deno_dir`));
  const env = {
    ...world.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: `${stage}/deno_dir`,
    NO_COLOR: "1",
  };
  const run = async (args: string[]): Promise<CliResult> => {
    const start = performance.now();
    const output = await new Deno.Command("setpriv", {
      args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...command, ...args],
      env,
      clearEnv: true,
      cwd: world.home,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const decoder = new TextDecoder();
    const result = {
      code: output.code,
      signal: output.signal,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      ms: performance.now() - start,
    };
    // Standard output is the session itself for credential-process.
    assertNoSecrets(world.fake, result.stderr);
    return result;
  };
  const dispose = () => Deno.remove(stage, { recursive: true });
  const probe = await run(["--version"]);
  if (probe.code !== 0) {
    await dispose();
    skip(
      "setpriv",
      `the unprivileged cases: nobody cannot run awsmfa here (${probe.stderr.trim()})`,
    );
    return undefined;
  }
  return { run, [Symbol.asyncDispose]: dispose };
}

Deno.test("unwritable: a file or directory the user cannot write is refused before the code is asked for or STS is called", async () => {
  await using world = await setupE2e();
  await using nobody = await nobodyRunner(world);
  if (!nobody) return skip("setpriv", "the unprivileged cases (they need root and setpriv)");
  const marker = `${world.home}/code-command-ran`;
  const codeCommand = `touch '${marker}'; echo ${await world.fake.freshCode(world.serial)}`;
  const file = world.credentialsPath;
  const dir = `${world.home}/.aws`;
  const source = await world.readCredentials();

  await Deno.chmod(file, 0o400);
  for (const command of ["login", "credential-process"]) {
    const result = await nobody.run([command, "george", "--code-command", codeCommand]);
    assert.equal(result.code, 3, `${command}: ${result.stderr}`);
    assert.equal(
      result.stderr,
      `awsmfa: ${file} is read-only (permission denied (EACCES)); it was not changed.\n` +
        `  Make it writable (chmod u+w '${file}') and run again, or leave it read-only to keep ` +
        "awsmfa from changing it.\n",
    );
    assert.equal(result.stdout, "");
  }

  // The file is the user's, its directory root's: nothing can be created beside the file.
  await Deno.chmod(file, 0o600);
  await Deno.chown(dir, 0, 0);
  await Deno.chmod(dir, 0o755);
  const noLock = await nobody.run(["george", "--code-command", codeCommand]);
  assert.equal(noLock.code, 3, noLock.stderr);
  assert.match(
    noLock.stderr,
    new RegExp(`^awsmfa: Cannot open the lock file ${dir}/\\.credentials\\.awsmfa\\.lock for `),
  );
  assert.match(noLock.stderr, new RegExp(`\n  Make ${dir} writable for your user`));
  await Deno.writeTextFile(`${dir}/.credentials.awsmfa.lock`, "", { mode: 0o644 });
  const noTemp = await nobody.run(["george", "--code-command", codeCommand]);
  assert.equal(noTemp.code, 3, noTemp.stderr);
  assert.match(
    noTemp.stderr,
    new RegExp(`^awsmfa: Cannot create a temporary file in ${dir} to replace ${file}: permission`),
  );

  assert.equal(await world.readCredentials(), source, "the file is byte-identical");
  assert.equal(world.fake.requests.length, 0, "STS saw no request");
  assert.equal(await Deno.stat(marker).catch(() => null), null, "no code was asked for");
});

Deno.test("unwritable: a valid session is still handed out from a read-only file (nothing to write)", async () => {
  await using world = await setupE2e();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  await using nobody = await nobodyRunner(world);
  if (!nobody) return skip("setpriv", "the unprivileged cases (they need root and setpriv)");
  await Deno.chmod(world.credentialsPath, 0o400);
  const result = await nobody.run(["credential-process", "george"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).Version, 1);
  assert.equal(world.fake.requests.length, 1);
});

Deno.test("unwritable: as root, an immutable file (chattr +i) is refused before the code is asked for or STS is called", async () => {
  await using world = await setupE2e();
  const file = world.credentialsPath;
  if (Deno.uid() !== 0 || !(await tryRun("chattr", "+i", file))) {
    return skip("chattr", "the immutable-file case (chattr +i needs root on ext4/xfs)");
  }
  try {
    const marker = `${world.home}/code-command-ran`;
    const result = await world.run([
      "george",
      "--code-command",
      `touch '${marker}'; echo ${await world.fake.freshCode(world.serial)}`,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^awsmfa: ${file} is read-only \\(operation not permitted \\(EPERM\\)\\); `),
    );
    assert.equal(world.fake.requests.length, 0, "STS saw no request");
    assert.equal(await Deno.stat(marker).catch(() => null), null, "no code was asked for");
  } finally {
    await tryRun("chattr", "-i", file);
  }
  assert.equal(await world.readCredentials(), world.sourceSection());
});

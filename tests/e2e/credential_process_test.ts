/**
 * `awsmfa credential-process PROFILE` end to end: the JSON on stdout and
 * nothing else, the stored session reused, one code for runs started
 * together (through mfa_process and through a real terminal), and the AWS
 * CLI using it as its credential_process.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir, ROOT, runCli } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { quoteSh } from "../../lib/cli/output/env_format.ts";
import { ptyAvailable, startPty } from "../support/pty.ts";
import { skip } from "../support/skips.ts";
import { awsProgram, childEnv } from "../support/os_env.ts";

interface ProcessJson {
  Version: number;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/** Runs credential-process; its stderr must hold no secret, its stdout only the JSON. */
async function credentialProcess(
  world: E2eWorld,
  args: string[],
  env: Record<string, string> = {},
) {
  const result = await runCli(["credential-process", ...args], {
    env: { ...world.env, ...env },
  });
  assertNoSecrets(world.fake, result.stderr);
  return result;
}

function parseOutput(stdout: string): ProcessJson {
  assert.match(stdout, /^\{.*\}\n$/, "stdout is one line of JSON");
  const json = JSON.parse(stdout) as ProcessJson;
  assert.deepEqual(Object.keys(json), [
    "Version",
    "AccessKeyId",
    "SecretAccessKey",
    "SessionToken",
    "Expiration",
  ]);
  assert.equal(json.Version, 1);
  assert.match(json.AccessKeyId, /^ASIA/);
  assert.match(json.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return json;
}

async function storedToken(world: E2eWorld): Promise<string | undefined> {
  return /^\[george\][^[]*?aws_session_token = (\S+)/m.exec(await world.readCredentials())?.[1];
}

Deno.test("credential-process: refreshes with --code, stores the session, prints only the JSON", async () => {
  await using world = await setupE2e();
  const result = await credentialProcess(world, [
    "george",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const json = parseOutput(result.stdout);
  assert.equal(json.SessionToken, await storedToken(world), "the session is stored as by login");
  assert.ok(world.fake.issuedSecrets().includes(json.SecretAccessKey));
  const hours = (Date.parse(json.Expiration) - Date.now()) / 3600_000;
  assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["GetSessionToken"]);
});

Deno.test("credential-process: a valid stored session is printed without a code or a call", async () => {
  await using world = await setupE2e();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  const before = await world.readCredentials();
  const result = await credentialProcess(world, ["george"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.equal(parseOutput(result.stdout).SessionToken, await storedToken(world));
  assert.equal(await world.readCredentials(), before);
  assert.equal(world.fake.requests.length, 1);

  const soon = await credentialProcess(world, ["george", "--min-remaining", "13h"]);
  assert.equal(soon.code, 2, "a refresh is due but there is no code and no terminal");
  assert.equal(soon.stdout, "", "nothing on stdout when it fails");
  assert.match(soon.stderr, /No MFA code given, and there is no terminal/);
});

Deno.test("credential-process: failures leave stdout empty and exit non-zero with the reason on stderr", async () => {
  await using world = await setupE2e();
  const missing = await credentialProcess(world, []);
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /No profile given to credential-process/);

  const code = await world.fake.freshCode(world.serial);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
  const refused = await credentialProcess(world, ["george", "--code", wrong]);
  assert.equal(refused.code, 4);
  assert.equal(refused.stdout, "");
  assert.match(refused.stderr, /rejected the MFA code/);

  const noFile = await credentialProcess(world, ["george", "--code", code], {
    AWS_SHARED_CREDENTIALS_FILE: `${world.home}/nowhere`,
  });
  assert.equal(noFile.code, 3);
  assert.equal(noFile.stdout, "");
});

Deno.test("credential-process: six runs at once run mfa_process once and share its session", async () => {
  await using world = await setupE2e({ withSource: false });
  const code = await world.fake.freshCode(world.serial);
  const counter = `${world.home}/code-command-runs`;
  await world.writeCredentials(
    world.sourceSection() + `mfa_process = echo run >> ${counter}; sleep 0.5; echo ${code}\n`,
  );
  const runs = await Promise.all(
    Array.from({ length: 6 }, () => credentialProcess(world, ["george"])),
  );
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const tokens = new Set(runs.map((run) => parseOutput(run.stdout).SessionToken));
  assert.equal(tokens.size, 1, "every run printed the same session");
  assert.equal((await Deno.readTextFile(counter)).trim().split("\n").length, 1, "one code asked");
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["GetSessionToken"]);
});

/** A Python helper that runs a shell command on a new pseudo-terminal and types `code` once. */
const PTY_HARNESS = `
import os, pty, select, signal, sys, time
code, command = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", command])
seen, answered, deadline = b"", 0, time.time() + 20
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    if not answered and b"MFA code for george" in seen:
        time.sleep(0.5)
        os.write(fd, code.encode() + b"\\r")
        answered += 1
if time.time() >= deadline:
    # Someone is still waiting for a code: end them all, so the test fails instead of hanging.
    os.killpg(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
sys.stdout.write(repr(seen) + "\\n")
sys.stdout.write("answered=%d exit=%d\\n" % (answered, os.waitstatus_to_exitcode(status)))
`;

Deno.test("credential-process: four runs at once at a terminal prompt once, on the terminal", async () => {
  await using world = await setupE2e();
  const code = await world.fake.freshCode(world.serial);
  const awsmfa = cliCommand().map(quoteSh).join(" ");
  const dir = world.home;
  const script =
    [1, 2, 3, 4].map((i) =>
      `${awsmfa} credential-process george > ${dir}/out${i} 2> ${dir}/err${i} &`
    ).join("\n") + "\nwait";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args: ["-c", PTY_HARNESS, code, script],
      env: { ...world.env, PATH: Deno.env.get("PATH")!, DENO_DIR: denoDir(), NO_COLOR: "1" },
      clearEnv: true,
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch {
    skip("python3", "the terminal prompt test of concurrent credential-process runs");
    return;
  }
  const report = new TextDecoder().decode(output.stdout);
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  assert.match(report, /answered=1 exit=0/);
  assertNoSecrets(world.fake, report);
  const tokens = new Set<string>();
  for (const i of [1, 2, 3, 4]) {
    const stderr = await Deno.readTextFile(`${dir}/err${i}`);
    assertNoSecrets(world.fake, stderr);
    tokens.add(parseOutput(await Deno.readTextFile(`${dir}/out${i}`)).SessionToken);
  }
  assert.equal(tokens.size, 1);
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["GetSessionToken"]);
});

Deno.test("credential-process: the prompt goes to the terminal when stdout and stderr are pipes (as under the AWS CLI)", async () => {
  if (!ptyAvailable()) return;
  await using world = await setupE2e();
  const awsmfa = cliCommand().map(quoteSh).join(" ");
  const dir = world.home;
  // stdin is the terminal; stdout and stderr are files, as botocore's pipes.
  const pty = startPty(
    ["sh", "-c", `${awsmfa} credential-process george > ${dir}/out 2> ${dir}/err`],
    { ...world.env, DENO_DIR: denoDir(), NO_COLOR: "1" },
  );
  await pty.waitFor("MFA code for george: ");
  await pty.send(`${await world.fake.freshCode(world.serial)}\r`);
  assert.equal(await pty.exit(), 0, await Deno.readTextFile(`${dir}/err`));
  assertNoSecrets(world.fake, pty.output(), await Deno.readTextFile(`${dir}/err`));
  assert.equal(
    parseOutput(await Deno.readTextFile(`${dir}/out`)).SessionToken,
    await storedToken(world),
  );
});

Deno.test("credential-process: the AWS CLI gets MFA credentials from it twice with one code", async () => {
  await using world = await setupE2e();
  const code = await world.fake.freshCode(world.serial);
  const command = [...cliCommand(), "credential-process", "george", "--code", code]
    .map(quoteSh).join(" ");
  await Deno.writeTextFile(
    world.configPath,
    `[profile george-auto]\ncredential_process = ${command}\nregion = us-east-1\n`,
  );
  const env = {
    ...world.env,
    PATH: Deno.env.get("PATH")!,
    DENO_DIR: denoDir(),
  };
  for (const round of [1, 2]) {
    let aws: Deno.CommandOutput;
    try {
      aws = await new Deno.Command(awsProgram(), {
        args: ["sts", "get-caller-identity", "--profile", "george-auto"],
        env: childEnv(env),
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch {
      skip("aws", "the credential_process interop with the AWS CLI");
      return;
    }
    const stdout = new TextDecoder().decode(aws.stdout);
    const stderr = new TextDecoder().decode(aws.stderr);
    assert.ok(aws.success, `round ${round}: ${stderr}`);
    assertNoSecrets(world.fake, stdout, stderr);
    assert.equal(JSON.parse(stdout).Arn, world.user.arn, `round ${round}`);
  }
  assert.deepEqual(
    world.fake.requests.map((r) => [r.action, r.outcome]),
    [["GetSessionToken", "ok"], ["GetCallerIdentity", "ok"], ["GetCallerIdentity", "ok"]],
    "one code, one GetSessionToken; both calls signed with the session",
  );
});

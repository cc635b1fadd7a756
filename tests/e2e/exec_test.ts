/**
 * `awsmfa exec PROFILE -- COMMAND` end to end: the command's environment,
 * its exit code and signals, the secrets kept off every command line, and
 * the AWS CLI run through it.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir, runCli } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { ptyAvailable, startPty } from "../support/pty.ts";
import { skip } from "../support/skips.ts";

async function exec(world: E2eWorld, args: string[], extra: Record<string, string> = {}) {
  const result = await runCli(["exec", ...args], { env: { ...world.env, ...extra } });
  assertNoSecrets(world.fake, result.stderr);
  return result;
}

async function loggedIn(): Promise<E2eWorld> {
  const world = await setupE2e();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  return world;
}

async function storedToken(world: E2eWorld): Promise<string> {
  return /^\[george\][^[]*?aws_session_token = (\S+)/m.exec(await world.readCredentials())![1];
}

const PRINT_ENV = "for n in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN " +
  "AWS_CREDENTIAL_EXPIRATION AWS_PROFILE AWS_DEFAULT_PROFILE KEPT; do " +
  'eval "printf \'%s=%s\\n\' $n \\"\\${$n-unset}\\""; done';

Deno.test("exec: the command gets the session, without AWS_PROFILE, and the rest of the environment", async () => {
  await using world = await loggedIn();
  const result = await exec(world, ["george", "--", "sh", "-c", PRINT_ENV], {
    AWS_PROFILE: "george",
    AWS_DEFAULT_PROFILE: "george",
    KEPT: "yes",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const printed = Object.fromEntries(
    result.stdout.trimEnd().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  assert.match(printed.AWS_ACCESS_KEY_ID, /^ASIA/);
  assert.equal(printed.AWS_SESSION_TOKEN, await storedToken(world));
  assert.ok(world.fake.issuedSecrets().includes(printed.AWS_SECRET_ACCESS_KEY));
  assert.match(printed.AWS_CREDENTIAL_EXPIRATION, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(printed.AWS_PROFILE, "unset");
  assert.equal(printed.AWS_DEFAULT_PROFILE, "unset");
  assert.equal(printed.KEPT, "yes");
  assert.equal(world.fake.requests.length, 1, "the valid session was reused");
});

Deno.test("exec: exits with the command's code, 128 + signal when killed, 127 when not found", async () => {
  await using world = await loggedIn();
  assert.equal((await exec(world, ["george", "--", "sh", "-c", "exit 7"])).code, 7);
  assert.equal((await exec(world, ["george", "--", "true"])).code, 0);
  assert.equal((await exec(world, ["george", "--", "sh", "-c", "kill -KILL $$"])).code, 137);
  const missing = await exec(world, ["george", "--", "no-such-command-awsmfa"]);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /Cannot run 'no-such-command-awsmfa': no such command/);
});

Deno.test("exec: usage errors: no '--', nothing after it", async () => {
  await using world = await loggedIn();
  const noDash = await exec(world, ["george", "aws", "s3", "ls"]);
  assert.equal(noDash.code, 2);
  assert.match(noDash.stderr, /No command to run.*\n.*awsmfa exec george -- aws s3 ls/);
  const empty = await exec(world, ["george", "--"]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /No command to run after '--'/);
});

Deno.test("exec: refreshes first when needed, then runs the command", async () => {
  await using world = await setupE2e();
  const result = await exec(world, [
    "george",
    "--code",
    await world.fake.freshCode(world.serial),
    "--",
    "sh",
    "-c",
    'printf %s "$AWS_SESSION_TOKEN"',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, await storedToken(world));
  const failed = await exec(world, ["george", "--force", "--", "true"]);
  assert.equal(failed.code, 2, "--force is login's; exec refuses unknown flags");
});

Deno.test("exec: SIGTERM, SIGHUP and (not from a terminal) SIGINT reach the command", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using world = await loggedIn();
  const [command, ...prefix] = cliCommand();
  for (const [signal, code] of [["SIGTERM", 3], ["SIGHUP", 4], ["SIGINT", 5]] as const) {
    const child = new Deno.Command(command, {
      args: [
        ...prefix,
        "exec",
        "george",
        "--",
        "sh",
        "-c",
        `trap 'echo got-${signal}; exit ${code}' ${signal.slice(3)}; echo ready; ` +
        "while :; do sleep 0.05; done",
      ],
      env: { ...world.env, PATH: Deno.env.get("PATH")!, DENO_DIR: denoDir() },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    let seen = "";
    while (!seen.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    child.kill(signal);
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    const status = await child.status;
    await child.stdin.close().catch(() => {});
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(seen, `ready\ngot-${signal}\n`, signal);
    assert.equal(status.code, code, `${signal}: ${stderr}`);
  }
});

Deno.test(
  "exec: Ctrl-C at the terminal goes to the command once; awsmfa waits for it and takes its code",
  {
    ignore: Deno.build.os === "windows",
  },
  async () => {
    if (!ptyAvailable()) return;
    await using world = await loggedIn();
    // `exec`: script(1) runs the words with sh -c, and sh itself would die of the Ctrl-C.
    const pty = startPty([
      "exec",
      ...cliCommand(),
      "exec",
      "george",
      "--",
      "sh",
      "-c",
      "n=0; trap 'n=$((n+1))' INT; echo ready; " +
      "while [ $n -eq 0 ]; do sleep 0.05; done; sleep 0.3; echo ints=$n; exit 6",
    ], { ...world.env, DENO_DIR: denoDir() });
    await pty.waitFor("ready");
    await pty.send("\x03");
    assert.equal(await pty.exit(), 6, pty.output());
    assert.match(pty.output(), /ints=1/);
    assertNoSecrets(world.fake, pty.output());
  },
);

Deno.test("exec: no secret on the command line of awsmfa or the command", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  await using world = await loggedIn();
  const result = await exec(world, [
    "george",
    "--",
    "sh",
    "-c",
    "tr '\\0' ' ' < /proc/$PPID/cmdline; echo; tr '\\0' ' ' < /proc/$$/cmdline",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /main\.ts exec george -- sh -c/);
  assertNoSecrets(world.fake, result.stdout);
});

Deno.test("exec: the AWS CLI signs with the session even when AWS_PROFILE names another profile", async () => {
  await using world = await loggedIn();
  const result = await exec(world, ["george", "--", "aws", "sts", "get-caller-identity"], {
    AWS_PROFILE: "no-such-profile",
    AWS_DEFAULT_REGION: "us-east-1",
  });
  if (result.code === 127) {
    skip("aws", "the interop check with the AWS CLI");
    return;
  }
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).Arn, world.user.arn);
  assert.equal(world.fake.requests.at(-1)?.action, "GetCallerIdentity");
  assert.match(world.fake.requests.at(-1)?.accessKeyId ?? "", /^ASIA/);
});

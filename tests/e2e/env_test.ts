/**
 * `awsmfa env PROFILE` end to end: the output of each format evaluated by
 * the real shell (bash, zsh, dash, fish, pwsh where installed), Deno's
 * dotenv reader and JSON.parse, the refresh when needed, and the AWS CLI
 * using the variables.
 */
import assert from "node:assert/strict";
import { denoDir, runCli } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { haveShell, runShell, type ShellName } from "../support/shells.ts";
import { skip } from "../support/skips.ts";

const NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
] as const;

async function env(world: E2eWorld, args: string[], extra: Record<string, string> = {}) {
  const result = await runCli(["env", ...args], { env: { ...world.env, ...extra } });
  assertNoSecrets(world.fake, result.stderr);
  return result;
}

/** The session stored in [george], as the four variables. */
async function storedVariables(world: E2eWorld): Promise<string[]> {
  const text = await world.readCredentials();
  const block = text.slice(text.indexOf("[george]")).split(/\n(?=\[)/)[0];
  const get = (key: string) => new RegExp(`^${key} = (.*)$`, "m").exec(block)![1];
  return [
    get("aws_access_key_id"),
    get("aws_secret_access_key"),
    get("aws_session_token"),
    get("aws_credential_expiration"),
  ];
}

async function loggedIn(): Promise<E2eWorld> {
  const world = await setupE2e();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  return world;
}

/** Evaluates `output` in `shell` and prints the four variables, one per line. */
async function evaluate(shell: ShellName, output: string, dir: string): Promise<string[]> {
  await Deno.writeTextFile(`${dir}/env.out`, output);
  const script = shell === "pwsh"
    ? `Get-Content -Raw ${dir}/env.out | Invoke-Expression\n` +
      NAMES.map((name) => `Write-Output $env:${name}`).join("\n")
    : shell === "fish"
    ? `source ${dir}/env.out\n` + NAMES.map((name) => `printf '%s\\n' $${name}`).join("\n")
    : `eval "$(cat ${dir}/env.out)"\n` +
      NAMES.map((name) => `printf '%s\\n' "$${name}"`).join("\n");
  // A clean environment: the values can only come from the evaluated output.
  const printed = await runShell(shell, script, {
    env: { PATH: Deno.env.get("PATH")!, HOME: dir },
  });
  return printed.trimEnd().split("\n").map((line) => line.replace(/\r$/, ""));
}

Deno.test("env: sh output evaluated by bash, zsh and dash sets the stored session", async () => {
  await using world = await loggedIn();
  const result = await env(world, ["george"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.match(result.stdout, /^(export AWS_[A-Z_]+='[^'\n]*'\n){4}$/);
  const expected = await storedVariables(world);
  for (const shell of ["bash", "zsh", "sh"] as const) {
    if (!(await haveShell(shell))) continue;
    assert.deepEqual(await evaluate(shell, result.stdout, world.home), expected, shell);
  }
  assert.equal(world.fake.requests.length, 1, "the valid session was reused without a call");
});

Deno.test("env: fish and PowerShell output evaluated by fish and pwsh", async () => {
  await using world = await loggedIn();
  const expected = await storedVariables(world);
  for (const [shell, format] of [["fish", "fish"], ["pwsh", "powershell"]] as const) {
    const result = await env(world, ["george", "--format", format]);
    assert.equal(result.code, 0, result.stderr);
    if (!(await haveShell(shell))) continue;
    assert.deepEqual(await evaluate(shell, result.stdout, world.home), expected, shell);
  }
});

Deno.test("env: json, dotenv and cmd output", async () => {
  await using world = await loggedIn();
  const expected = await storedVariables(world);

  const json = await env(world, ["george", "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(
    JSON.parse(json.stdout),
    Object.fromEntries(NAMES.map((n, i) => [n, expected[i]])),
  );

  const dotenv = await env(world, ["george", "--format", "dotenv"]);
  assert.equal(dotenv.code, 0, dotenv.stderr);
  await Deno.writeTextFile(`${world.home}/.env`, dotenv.stdout);
  const read = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `--env-file=${world.home}/.env`,
      `console.log(JSON.stringify(${JSON.stringify(NAMES)}.map((n) => Deno.env.get(n))))`,
    ],
    stdout: "piped",
  }).output();
  assert.deepEqual(JSON.parse(new TextDecoder().decode(read.stdout)), expected);

  const cmd = await env(world, ["george", "--format", "cmd"]);
  assert.equal(cmd.code, 0, cmd.stderr);
  assert.equal(cmd.stdout, NAMES.map((n, i) => `set "${n}=${expected[i]}"\n`).join(""));
});

Deno.test("env: refreshes first when needed; a bad --format is refused before anything", async () => {
  await using world = await setupE2e();
  const bad = await env(world, ["george", "--format", "tcsh"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format 'tcsh' is not a format.*\n.*sh, fish, powershell, cmd/);

  const noCode = await env(world, ["george"]);
  assert.equal(noCode.code, 2);
  assert.equal(noCode.stdout, "");
  assert.match(noCode.stderr, /No MFA code given/);

  const result = await env(world, ["george", "--code", await world.fake.freshCode(world.serial)], {
    AWS_PROFILE: "george",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /AWS_PROFILE is set; some SDKs .* ignore these variables/);
  if (await haveShell("bash")) {
    assert.deepEqual(
      await evaluate("bash", result.stdout, world.home),
      await storedVariables(world),
    );
  }
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["GetSessionToken"]);
});

Deno.test("env: the AWS CLI signs with the evaluated variables", async () => {
  await using world = await loggedIn();
  const result = await env(world, ["george"]);
  assert.equal(result.code, 0, result.stderr);
  if (!(await haveShell("bash"))) return;
  await Deno.writeTextFile(`${world.home}/env.out`, result.stdout);
  let identity: string;
  try {
    identity = await runShell(
      "bash",
      `command -v aws >/dev/null || exit 42\neval "$(cat env.out)"\naws sts get-caller-identity`,
      {
        cwd: world.home,
        env: {
          PATH: Deno.env.get("PATH")!,
          HOME: `${world.home}/empty`,
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_ENDPOINT_URL_STS: world.fake.url,
          DENO_DIR: denoDir(),
        },
      },
    );
  } catch (error) {
    if (/failed \(42\)/.test(String(error))) {
      skip("aws", "the interop check with the AWS CLI");
      return;
    }
    throw error;
  }
  assertNoSecrets(world.fake, identity);
  assert.equal(JSON.parse(identity).Arn, world.user.arn);
  const [accessKeyId] = await storedVariables(world);
  assert.deepEqual(world.fake.requests.at(-1), {
    action: "GetCallerIdentity",
    accessKeyId,
    outcome: "ok",
    status: 200,
  });
});

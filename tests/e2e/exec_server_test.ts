/**
 * `awsmfa exec PROFILE --server -- COMMAND` end to end: the AWS CLI and the
 * JS SDK take the session from the server, COMMAND's environment holds no
 * key, requests the server must refuse are refused without a credential,
 * the session is renewed through mfa_process once for concurrent callers,
 * role sessions are served, and the port is closed when COMMAND exits.
 */
import assert from "node:assert/strict";
import { ROOT, runCli, spawnCli } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { skip } from "../support/skips.ts";
import { awsProgram } from "../support/os_env.ts";

/** `deno run` of a test script, with the project's imports. */
function denoScript(script: string, ...args: string[]): string[] {
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-all",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}tests/support/${script}`,
    ...args,
  ];
}

async function serve(world: E2eWorld, args: string[], extra: Record<string, string> = {}) {
  const result = await runCli(["exec", ...args], {
    env: { ...world.env, AWS_DEFAULT_REGION: "us-east-1", ...extra },
    timeoutMs: 120_000,
  });
  assertNoSecrets(world.fake, result.stdout, result.stderr);
  return result;
}

async function loggedIn(flags: string[] = []): Promise<E2eWorld> {
  const world = await setupE2e();
  const code = await world.fake.freshCode(world.serial);
  const login = await world.run(["george", "--code", code, ...flags]);
  assert.equal(login.code, 0, login.stderr);
  return world;
}

async function storedKeyId(world: E2eWorld): Promise<string> {
  return /^\[george\][^[]*?aws_access_key_id = (\S+)/m.exec(await world.readCredentials())![1];
}

async function sha256(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

function awsCliPresent(): boolean {
  try {
    return new Deno.Command(awsProgram(), { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const ENV_NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "KEPT",
];

Deno.test("exec --server: COMMAND gets only the server's URL and token, no key, and the rest of the environment", async () => {
  await using world = await loggedIn();
  const result = await serve(world, ["george", "--server", "--", "env"], {
    AWS_PROFILE: "george",
    AWS_DEFAULT_PROFILE: "george",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "x",
    AWS_SECURITY_TOKEN: "x",
    AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z",
    KEPT: "yes",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const env = Object.fromEntries(
    result.stdout.trimEnd().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  const shown = Object.fromEntries(ENV_NAMES.map((name) => [name, env[name] ?? "unset"]));
  assert.match(shown.AWS_CONTAINER_CREDENTIALS_FULL_URI, /^http:\/\/127\.0\.0\.1:\d+\/[\w-]{24}$/);
  assert.match(shown.AWS_CONTAINER_AUTHORIZATION_TOKEN, /^[\w-]{43}$/);
  assert.deepEqual(
    { ...shown, AWS_CONTAINER_CREDENTIALS_FULL_URI: "", AWS_CONTAINER_AUTHORIZATION_TOKEN: "" },
    {
      ...Object.fromEntries(ENV_NAMES.map((name) => [name, "unset"])),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "",
      KEPT: "yes",
    },
  );
  assert.equal(world.fake.requests.length, 1, "the valid session was reused");
});

Deno.test("exec --server: the AWS CLI and the JS SDK call STS with the served session", async () => {
  await using world = await loggedIn();
  const keyId = await storedKeyId(world);
  if (!awsCliPresent()) {
    skip("aws", "the AWS CLI's half of the interop check");
  } else {
    const cli = await serve(world, [
      "george",
      "--server",
      "--",
      "aws",
      "sts",
      "get-caller-identity",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).Arn, world.user.arn);
    assert.equal(world.fake.requests.at(-1)?.action, "GetCallerIdentity");
    assert.equal(world.fake.requests.at(-1)?.accessKeyId, keyId);
  }
  const sdk = await serve(world, [
    "george",
    "--server",
    "--",
    ...denoScript("sdk_caller_identity.ts"),
  ]);
  assert.equal(sdk.code, 0, sdk.stderr);
  assert.deepEqual(JSON.parse(sdk.stdout), { Arn: world.user.arn, AccessKeyId: keyId });
  assert.equal(world.fake.requests.at(-1)?.action, "GetCallerIdentity");
  assert.equal(world.fake.requests.at(-1)?.accessKeyId, keyId);
  assert.equal(
    world.fake.requests.filter((r) => r.action === "GetSessionToken").length,
    1,
    "no refresh",
  );
});

Deno.test("exec --server: missing, wrong and replayed tokens, another Host, other methods and paths are refused without a credential", async () => {
  await using world = await loggedIn();
  const first = await serve(world, [
    "george",
    "--server",
    "--",
    "printenv",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  ]);
  assert.equal(first.code, 0, first.stderr);
  const otherToken = first.stdout.trim();
  const result = await serve(world, [
    "george",
    "--server",
    "--",
    ...denoScript("credential_client.ts", "probe", otherToken),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const replies: Record<string, { status: number; body: string }> = JSON.parse(result.stdout);
  const statuses = Object.fromEntries(Object.entries(replies).map(([k, v]) => [k, v.status]));
  assert.deepEqual(statuses, {
    good: 200,
    missing: 401,
    wrong: 403,
    replayed: 403,
    rebound: 403,
    post: 405,
    put: 405,
    delete: 405,
    path: 404,
  });
  const good = JSON.parse(replies.good.body);
  const stored = await world.readCredentials();
  const value = (key: string) =>
    new RegExp(`^\\[george\\][^[]*?${key} = (\\S+)`, "m").exec(stored)![1];
  assert.deepEqual(Object.keys(good), ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"]);
  assert.equal(good.AccessKeyId, value("aws_access_key_id"));
  assert.equal(good.SecretAccessKey, await sha256(value("aws_secret_access_key")));
  assert.equal(good.Token, await sha256(value("aws_session_token")));
  assert.match(good.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  for (const [kind, reply] of Object.entries(replies)) {
    if (kind === "good") continue;
    assert.deepEqual(Object.keys(JSON.parse(reply.body)), ["Code", "Message"], kind);
    assertNoSecrets(world.fake, reply.body);
    assert.doesNotMatch(reply.body, /ASIA|SecretAccessKey|Token"/, kind);
  }
});

Deno.test("exec --server: exits with COMMAND's code, and the port is closed after it exits", async () => {
  await using world = await loggedIn();
  const result = await serve(world, [
    "george",
    "--server",
    "--",
    "sh",
    "-c",
    'printf %s "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; exit 7',
  ]);
  assert.equal(result.code, 7, result.stderr);
  const port = Number(new URL(result.stdout).port);
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("exec --server: a session entering the margin is renewed through mfa_process, once for concurrent callers", async () => {
  // A 15-minute session is inside the server's 15-minute margin at once;
  // --min-remaining 5m lets exec start with it. The renewal then waits in
  // mfa_process until the command has asked four times.
  await using world = await loggedIn(["--duration", "15m"]);
  const dir = await Deno.makeTempDir({ dir: world.home });
  await Deno.writeTextFile(`${dir}/code`, await world.fake.freshCode(world.serial) + "\n");
  await Deno.writeTextFile(
    `${dir}/code.sh`,
    `touch '${dir}/asked'; i=0\n` +
      `while [ ! -e '${dir}/go' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n` +
      `cat '${dir}/code'\n`,
  );
  const text = await world.readCredentials();
  await world.writeCredentials(
    text.replace(/^(\[georgemfa\]\n)/m, `$1mfa_process = sh '${dir}/code.sh'\n`),
  );
  const oldKey = await storedKeyId(world);
  const result = await serve(world, [
    "george",
    "--server",
    "--min-remaining",
    "5m",
    "--",
    ...denoScript("credential_client.ts", "renewal", dir),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const { first, second } = JSON.parse(result.stdout);
  const newKey = await storedKeyId(world);
  assert.notEqual(newKey, oldKey);
  assert.deepEqual(first, [oldKey, oldKey, oldKey, oldKey], "the current session meanwhile");
  assert.deepEqual(second, [newKey, newKey, newKey, newKey]);
  assert.equal(
    world.fake.requests.filter((r) => r.action === "GetSessionToken").length,
    2,
    "the login and one renewal",
  );
});

Deno.test("exec --server: a role profile's session is served", async () => {
  if (!awsCliPresent()) {
    skip("aws", "the role check with the AWS CLI");
    return;
  }
  await using world = await setupE2e();
  const role = world.fake.addRole({ roleName: "admin", requireMfa: true });
  await world.writeCredentials(world.sourceSection() + `role_arn = ${role.arn}\n`);
  const result = await serve(world, [
    "george",
    "--server",
    "--code",
    await world.fake.freshCode(world.serial),
    "--",
    "aws",
    "sts",
    "get-caller-identity",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(JSON.parse(result.stdout).Arn, /:assumed-role\/admin\/awsmfa-george$/);
  assert.equal(world.fake.requests.at(-1)?.accessKeyId, await storedKeyId(world));
});

Deno.test("exec --server: no code to be had: said once, and the current session is served", async () => {
  await using world = await loggedIn(["--duration", "15m"]);
  const oldKey = await storedKeyId(world);
  const dir = await Deno.makeTempDir({ dir: world.home });
  const run = spawnCli([
    "exec",
    "george",
    "--server",
    "--min-remaining",
    "5m",
    "--",
    "sh",
    "-c",
    // Ask, wait (bounded) for the test's signal that awsmfa has reported, ask again.
    `fetch() { ${Deno.execPath()} eval "const r = await fetch(Deno.env.get('AWS_CONTAINER_CREDENTIALS_FULL_URI'), { headers: { authorization: Deno.env.get('AWS_CONTAINER_AUTHORIZATION_TOKEN') } }); console.log((await r.json()).AccessKeyId)"; }\n` +
    `fetch; i=0; while [ ! -e '${dir}/go' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; fetch`,
  ], { env: { ...world.env }, timeoutMs: 120_000 });
  for (let i = 0; i < 600 && !run.stderrSoFar().includes("will not try again"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Deno.writeTextFile(`${dir}/go`, "");
  const result = await run.done;
  assertNoSecrets(world.fake, result.stdout, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${oldKey}\n${oldKey}\n`);
  assert.match(
    result.stderr,
    /^awsmfa: No MFA code given, and there is no terminal to ask for one[^]*\nawsmfa: the session of \[george\] was not renewed; the credentials server serves it until it expires \(\S+Z\), and awsmfa will not try again\.\n$/,
  );
  assert.equal(result.stderr.match(/No MFA code given/g)?.length, 1);
});

Deno.test("exec --server: warns that keys in [default] come before the server", async () => {
  await using world = await loggedIn();
  const text = await world.readCredentials();
  await world.writeCredentials(
    `[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n` +
      `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n${text}`,
  );
  const result = await serve(world, ["george", "--server", "--", "true"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stderr,
    `awsmfa: warning: [default] in ${world.credentialsPath} has keys, and the AWS CLI and SDKs ` +
      "read them before they ask the credentials server: COMMAND would use them, not the server. " +
      "Move them to a named profile.\n",
  );
});

Deno.test("exec --server: SIGTERM reaches COMMAND, and awsmfa exits with its code", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using world = await loggedIn();
  const run = spawnCli([
    "exec",
    "george",
    "--server",
    "--",
    "sh",
    "-c",
    "trap 'echo got-TERM; exit 3' TERM; echo ready >&2; while :; do sleep 0.05; done",
  ], { env: world.env, timeoutMs: 60_000 });
  for (let i = 0; i < 600 && !run.stderrSoFar().includes("ready\n"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  run.child.kill("SIGTERM");
  const result = await run.done;
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stdout, "got-TERM\n");
});

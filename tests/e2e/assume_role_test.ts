/**
 * Assuming a role with MFA end to end: AssumeRole called with the long-term
 * keys, SerialNumber and TokenCode (never chained behind GetSessionToken),
 * from `--role-arn` or `role_arn` in the source section, with
 * `role_session_name` and `external_id`; the duration checked before the
 * call and explained when the role's maximum is lower.
 */
import assert from "node:assert/strict";
import { runCli } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { skip } from "../support/skips.ts";

/** The target's expiration, in hours from now. */
async function hoursLeft(world: E2eWorld): Promise<number> {
  const text = await world.readCredentials();
  const expiry = /^\[george\][^[]*?aws_credential_expiration = (\S+)/m.exec(text)![1];
  return (Date.parse(expiry) - Date.now()) / 3600_000;
}

/** Who the session in [george] is, as GetCallerIdentity says (through `awsmfa exec`). */
async function callerArn(world: E2eWorld): Promise<string | undefined> {
  const result = await runCli(["exec", "george", "--", "aws", "sts", "get-caller-identity"], {
    env: { ...world.env, AWS_DEFAULT_REGION: "us-east-1" },
  });
  if (result.code === 127) {
    skip("aws", "the caller identity check with the AWS CLI");
    return undefined;
  }
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout).Arn;
}

Deno.test("assume role: role_arn in the source section assumes the role with MFA for 1 h by default", async () => {
  await using world = await setupE2e({ withSource: false });
  const role = world.fake.addRole({ roleName: "admin", requireMfa: true });
  await world.writeCredentials(world.sourceSection() + `role_arn = ${role.arn}\n`);
  const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Profile george is ready: MFA session valid until .*\(in 1 h\)/);
  assert.deepEqual(
    world.fake.requests.map((r) => [r.action, r.accessKeyId, r.outcome]),
    [["AssumeRole", world.user.accessKeyId, "ok"]],
    "one AssumeRole with the long-term keys, no GetSessionToken before it",
  );
  const hours = await hoursLeft(world);
  assert.ok(hours > 0.95 && hours <= 1, `expires in ${hours} h`);
  const arn = await callerArn(world);
  if (arn !== undefined) {
    assert.equal(arn, `arn:aws:sts::${world.fake.accountId}:assumed-role/admin/awsmfa-george`);
  }
});

Deno.test("assume role: --role-arn with role_session_name and a longer --duration the role allows", async () => {
  await using world = await setupE2e({ withSource: false });
  const role = world.fake.addRole({ roleName: "deploy", maxSessionDuration: 4 * 3600 });
  await world.writeCredentials(world.sourceSection() + "role_session_name = george-laptop\n");
  const result = await world.run([
    "george",
    "--role-arn",
    role.arn,
    "--duration",
    "4h",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\(in 4 h\)/);
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["AssumeRole"]);
  const arn = await callerArn(world);
  if (arn !== undefined) assert.match(arn, /:assumed-role\/deploy\/george-laptop$/);
});

Deno.test("assume role: a duration over the role's maximum is explained (exit 2), the file untouched", async () => {
  await using world = await setupE2e({ withSource: false });
  const role = world.fake.addRole({ roleName: "admin" });
  const source = world.sourceSection() + `role_arn = ${role.arn}\n`;
  await world.writeCredentials(source);
  const result = await world.run([
    "george",
    "--duration",
    "2h",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /longer than the role's maximum session duration\.\n.*--duration \(or duration_seconds in \[georgemfa\]\)/,
  );
  assert.equal(await world.readCredentials(), source);
  assert.deepEqual(world.fake.requests.map((r) => [r.action, r.outcome]), [
    ["AssumeRole", "ValidationError"],
  ]);
});

Deno.test("assume role: durations outside 900..43200 s are refused before any call", async () => {
  await using world = await setupE2e({ withSource: false });
  const role = world.fake.addRole();
  await world.writeCredentials(world.sourceSection() + `role_arn = ${role.arn}\n`);
  for (const duration of ["13h", "10m"]) {
    const result = await world.run(["george", "--duration", duration, "--code", "123456"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--duration is \d+ s; AssumeRole accepts 900 to 43200 s/);
  }
  await world.writeCredentials(
    world.sourceSection() + `role_arn = ${role.arn}\nduration_seconds = 86400\n`,
  );
  const fromFile = await world.run(["george", "--code", "123456"]);
  assert.equal(fromFile.code, 3, fromFile.stderr);
  assert.match(fromFile.stderr, /duration_seconds in \[georgemfa\] is 86400 s; AssumeRole/);
  assert.equal(world.fake.requests.length, 0);
});

Deno.test("assume role: external_id is passed; without it the role refuses (exit 4)", async () => {
  await using world = await setupE2e({ withSource: false });
  const role = world.fake.addRole({ roleName: "partner", externalId: "ext-4711" });
  const source = world.sourceSection() + `role_arn = ${role.arn}\n`;
  await world.writeCredentials(source);
  const denied = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(denied.code, 4, denied.stderr);
  assert.match(denied.stderr, /AWS denied AssumeRole: .*not authorized to perform: sts:AssumeRole/);
  assert.equal(await world.readCredentials(), source);

  await world.writeCredentials(source + "external_id = ext-4711\n");
  const ok = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(world.fake.requests.map((r) => [r.action, r.outcome]), [
    ["AssumeRole", "AccessDenied"],
    ["AssumeRole", "ok"],
  ]);
});

Deno.test("assume role: credential-process and env hand out the role session", async () => {
  await using world = await setupE2e({ withSource: false });
  const role = world.fake.addRole({ roleName: "admin", requireMfa: true });
  await world.writeCredentials(world.sourceSection() + `role_arn = ${role.arn}\n`);
  const result = await runCli([
    "credential-process",
    "george",
    "--code",
    await world.fake.freshCode(world.serial),
  ], { env: world.env });
  assert.equal(result.code, 0, result.stderr);
  assertNoSecrets(world.fake, result.stderr);
  const json = JSON.parse(result.stdout);
  const hours = (Date.parse(json.Expiration) - Date.now()) / 3600_000;
  assert.ok(hours > 0.95 && hours <= 1, `expires in ${hours} h`);
  const env = await runCli(["env", "george", "--format", "json"], { env: world.env });
  assert.equal(env.code, 0, env.stderr);
  assert.equal(JSON.parse(env.stdout).AWS_SESSION_TOKEN, json.SessionToken);
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["AssumeRole"]);
});

Deno.test("assume role: a malformed role_arn, role_session_name or external_id is refused before the code is asked for or anything is sent", async () => {
  await using world = await setupE2e({ withSource: false });
  const marker = `${world.home}/code-command-ran`;
  const codeCommand = `touch '${marker}'; echo 123456`;
  const role = world.fake.addRole({ roleName: "admin" });
  const cases: Array<[string, RegExp, RegExp]> = [
    [
      world.sourceSection() + "role_arn = arn:aws:iam::123456789012:role/ad\tmin\n",
      /^awsmfa: role_arn in \[georgemfa\] of \S+credentials is not a role ARN: it contains a tab \('arn:aws:iam::123456789012:role\/ad\\tmin'\)\.\n/,
      /Set role_arn in \[georgemfa\] to the role's ARN/,
    ],
    [
      world.sourceSection() + "role_arn = not-an-arn\n",
      /^awsmfa: role_arn in \[georgemfa\] of \S+ is not a role ARN: it does not start with 'arn:' \('not-an-arn'\)\.\n/,
      /arn:aws:iam::123456789012:role\/NAME/,
    ],
    [
      world.sourceSection() + `role_arn = ${role.arn.replace(":role/", ":user/")}\n`,
      /is not a role ARN: it is an IAM user's ARN, not a role's/,
      /Set role_arn/,
    ],
    [
      "[DEFAULT]\nrole_arn = not-an-arn\n\n" + world.sourceSection(),
      /^awsmfa: role_arn in \[georgemfa\] of \S+, inherited from \[DEFAULT\], is not a role ARN: /,
      /Fix role_arn in \[DEFAULT\] \(every section inherits it\), or set role_arn in \[georgemfa\]/,
    ],
    [
      world.sourceSection() + `role_arn = ${role.arn}\nrole_session_name = george laptop\n`,
      /^awsmfa: role_session_name in \[georgemfa\] of \S+ is not a valid session name: it contains a space/,
      /2 to 64 letters, digits or/,
    ],
    [
      world.sourceSection() + `role_arn = ${role.arn}\nexternal_id = ext 4711\n`,
      /^awsmfa: external_id in \[georgemfa\] of \S+ is not a valid external ID: it contains a space\.\n/,
      /exactly as the role's owner gave it/,
    ],
  ];
  for (const [text, message, fix] of cases) {
    await world.writeCredentials(text);
    const result = await world.run(["george", "--code-command", codeCommand]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, message);
    assert.match(result.stderr, fix);
    assert.equal(await world.readCredentials(), text);
  }
  const flag = await world.run(["george", "--role-arn", "arn:aws:iam::123456789012:role/a b"]);
  assert.equal(flag.code, 2, flag.stderr);
  assert.equal(
    flag.stderr,
    "awsmfa: --role-arn 'arn:aws:iam::123456789012:role/a b' is not a role ARN: it contains a " +
      "space.\n  Give the role's ARN, as the role's page in the IAM console shows it: " +
      "--role-arn arn:aws:iam::123456789012:role/NAME.\n",
  );
  assert.equal(world.fake.requests.length, 0, "nothing was sent to AWS");
  assert.equal(await Deno.stat(marker).catch(() => null), null, "the code command never ran");
});

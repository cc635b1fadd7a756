/**
 * `awsmfa status` end to end: the real CLI against a throw-away HOME. It
 * reads the file only, so these runs also check that it never calls AWS.
 */
import assert from "node:assert/strict";
import { formatRfc3339 } from "../../lib/core/durations.ts";
import { setupE2e } from "../support/e2e_env.ts";

function session(section: string, expiresInMs: number): string {
  return `[${section}]\naws_access_key_id = ASIAEXAMPLE${section.toUpperCase()}\n` +
    `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n` +
    `aws_session_token = FwoGZXIvYXdzEEXAMPLETOKEN\n` +
    `aws_credential_expiration = ${formatRfc3339(new Date(Date.now() + expiresInMs))}\n`;
}

function source(section: string, serial = "arn:aws:iam::123456789012:mfa/george"): string {
  return `[${section}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n` +
    `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nmfa_serial = ${serial}\n`;
}

const HOUR = 3600_000;

async function worldWithProfiles() {
  const world = await setupE2e({ withSource: false });
  await world.writeCredentials(
    source("georgemfa") + session("george", 11 * HOUR + 58 * 60_000) + "\n" +
      source("soonmfa", "arn:aws:iam::123456789012:mfa/soon") + session("soon", 9 * 60_000) +
      source("oldmfa") + session("old", -2 * HOUR) +
      source("newmfa") +
      "[work]\nregion = eu-west-1\n",
  );
  return world;
}

Deno.test("status: a table of every MFA profile, within 80 columns, no colour in a pipe", async () => {
  await using world = await worldWithProfiles();
  const result = await world.run(["status"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines = result.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^PROFILE\s+MFA DEVICE\s+SESSION\s+EXPIRES$/);
  assert.match(lines[1], /^george\s+123456789012:mfa\/george\s+valid\s+in 11 h 5[78] min \(/);
  assert.match(lines[2], /^soon\s+123456789012:mfa\/soon\s+expiring soon\s+in [89] min \(/);
  assert.match(lines[3], /^old\s+123456789012:mfa\/george\s+expired\s+2 h ago \(/);
  assert.match(lines[4], /^new\s+123456789012:mfa\/george\s+none$/);
  assert.equal(lines.length, 5, "[work] is not an MFA profile");
  for (const line of lines) {
    assert.ok(line.length <= 80, `too wide: ${line}`);
    assert.equal(line, line.trimEnd());
  }
  assert.ok(!result.stdout.includes("\x1b"), "no escape sequences");
  assert.equal(world.fake.requests.length, 0);
});

Deno.test("status PROFILE: one line; exit 0 for a valid session, 1 otherwise", async () => {
  await using world = await worldWithProfiles();
  const valid = await world.run(["status", "george"]);
  assert.equal(valid.code, 0, valid.stderr);
  assert.match(
    valid.stdout,
    /^george: valid, expires in 11 h 5[78] min \(\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d\)\n$/,
  );
  const soon = await world.run(["status", "soon"]);
  assert.equal(soon.code, 0);
  assert.match(soon.stdout, /^soon: expiring soon, expires in [89] min/);
  const old = await world.run(["status", "old"]);
  assert.equal(old.code, 1);
  assert.match(old.stdout, /^old: expired 2 h ago \(/);
  const none = await world.run(["status", "new"]);
  assert.equal(none.code, 1);
  assert.equal(none.stdout, "new: no session\n");
  const unknown = await world.run(["status", "nobody"]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, "nobody: no session (no [nobody] or [nobodymfa])\n");
  const viaEnv = await world.run(["status", "george"], { env: { AWS_PROFILE: "old" } });
  assert.equal(viaEnv.code, 0);
});

Deno.test("status --json: the same as data", async () => {
  await using world = await worldWithProfiles();
  const all = await world.run(["status", "--json"]);
  assert.equal(all.code, 0, all.stderr);
  const data = JSON.parse(all.stdout);
  assert.deepEqual(
    data.profiles.map((p: { profile: string; state: string }) => [p.profile, p.state]),
    [["george", "valid"], ["soon", "expiring-soon"], ["old", "expired"], ["new", "none"]],
  );
  const george = data.profiles[0];
  assert.equal(george.sourceSection, "georgemfa");
  assert.equal(george.mfaSerial, "arn:aws:iam::123456789012:mfa/george");
  assert.match(george.expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(george.expiresInSeconds > 11 * 3600 && george.expiresInSeconds <= 12 * 3600);
  assert.match(george.localExpiration, /^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d$/);
  assert.equal(data.profiles[3].expiration, null);

  const one = await world.run(["status", "old", "--json"]);
  assert.equal(one.code, 1);
  const old = JSON.parse(one.stdout);
  assert.equal(old.state, "expired");
  assert.ok(old.expiresInSeconds < -7000);
});

Deno.test("status: no file, no profiles, a file the AWS CLI rejects", async () => {
  await using world = await setupE2e({ withSource: false });
  const missing = await world.run(["status"]);
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(missing.stdout, /No MFA profiles in .*credentials \(there is no such file\)/);
  assert.match(missing.stdout, /awsmfa setup NAME/);
  assert.deepEqual(JSON.parse((await world.run(["status", "--json"])).stdout), { profiles: [] });
  assert.equal((await world.run(["status", "george"])).code, 1);

  await world.writeCredentials("[a]\nx = 1\n[a]\ny = 2\n");
  const broken = await world.run(["status"]);
  assert.equal(broken.code, 3);
  assert.match(broken.stderr, /credentials line 3: .*\[a\]/);
});

Deno.test("status --help and usage errors", async () => {
  await using world = await setupE2e({ withSource: false });
  const help = await world.run(["status", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /awsmfa status \[PROFILE\] \[--json\]/);
  assert.match(help.stdout, /Examples:\n\s+awsmfa status /);
  const tooMany = await world.run(["status", "a", "b"]);
  assert.equal(tooMany.code, 2);
  assert.match(tooMany.stderr, /Too many arguments: b/);
});

const ROLES = "[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/Admin\n" +
  "source_profile = george\n\n" +
  "[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deploy\nsource_profile = admin\n" +
  "duration_seconds = 3600\n\n" +
  "[profile audit]\nrole_arn = arn:aws:iam::345678901234:role/Audit\nsource_profile = old\n\n" +
  "[profile stray]\nrole_arn = arn:aws:iam::345678901234:role/Stray\nsource_profile = work\n";

Deno.test("status: the role profiles drawing on each session, under it, within 80 columns", async () => {
  await using world = await worldWithProfiles();
  await Deno.writeTextFile(world.configPath, ROLES);
  const result = await world.run(["status"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines = result.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^PROFILE\s+MFA DEVICE \/ ROLE\s+SESSION\s+EXPIRES$/);
  assert.match(lines[1], /^george\s+123456789012:mfa\/george\s+valid\s+in 11 h 5[78] min \(/);
  assert.match(lines[2], /^ {2}admin\s+210987654321:role\/Admin\s+from george$/);
  assert.match(lines[3], /^ {4}deploy\s+210987654321:role\/Deploy\s+from admin$/);
  assert.match(lines[4], /^soon\s/);
  assert.match(lines[5], /^old\s+123456789012:mfa\/george\s+expired/);
  assert.match(lines[6], /^ {2}audit\s+345678901234:role\/Audit\s+from old$/);
  assert.match(lines[7], /^new\s/);
  assert.equal(lines.length, 8, "[profile stray] draws on [work], no MFA session");
  for (const line of lines) assert.ok(line.length <= 80, `too wide: ${line}`);
  assert.equal(world.fake.requests.length, 0);

  const json = JSON.parse((await world.run(["status", "--json"])).stdout);
  assert.deepEqual(json.profiles[0].roleProfiles, [
    {
      profile: "admin",
      roleArn: "arn:aws:iam::210987654321:role/Admin",
      sourceProfile: "george",
      via: [],
      durationSeconds: null,
    },
    {
      profile: "deploy",
      roleArn: "arn:aws:iam::210987654321:role/Deploy",
      sourceProfile: "admin",
      via: ["admin"],
      durationSeconds: "3600",
    },
  ]);
  assert.deepEqual(json.profiles[1].roleProfiles, []);
  const one = await world.run(["status", "old", "--json"]);
  assert.equal(one.code, 1, "the exit code still says whether the session is valid");
  assert.deepEqual(JSON.parse(one.stdout).roleProfiles.map((r: { profile: string }) => r.profile), [
    "audit",
  ]);
  const line = await world.run(["status", "george"]);
  assert.equal(line.code, 0);
  assert.match(line.stdout, /^george: valid, expires in 11 h 5[78] min \([^)]*\)\n$/);
});

Deno.test("status: a config file the AWS CLI rejects: the sessions still, a warning on stderr", async () => {
  await using world = await worldWithProfiles();
  await Deno.writeTextFile(world.configPath, ROLES + "[profile admin]\nregion = x\n");
  const result = await world.run(["status"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /^awsmfa: warning: .*config line 17: .*The role profiles drawing on the sessions are not shown; 'awsmfa doctor' says more\.\n$/,
  );
  assert.match(result.stdout, /^PROFILE\s+MFA DEVICE\s+SESSION\s+EXPIRES\n/);
  assert.equal((await world.run(["status", "george"])).stderr, "", "the one line reads no config");
});

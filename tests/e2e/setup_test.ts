/**
 * `awsmfa setup PROFILE` end to end, and `awsmfa login`'s device discovery
 * for a source section without `mfa_serial`: the real CLI against the fake
 * STS/IAM (ListMFADevices with zero, one and several devices, U2F keys), at
 * a pseudo-terminal for the menu.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir } from "../support/cli_runner.ts";
import { assertNoSecrets, botocoreSection, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import type { FakeUser } from "../support/fake_sts.ts";
import { ptyAvailable, startPty } from "../support/pty.ts";
import { skip } from "../support/skips.ts";

const ptyOk = ptyAvailable();

function longTermSection(user: FakeUser, section = "george"): string {
  return `[${section}]\naws_access_key_id = ${user.accessKeyId}\n` +
    `aws_secret_access_key = ${user.secretAccessKey}\n`;
}

async function withUser(world: E2eWorld, devices: number | Array<"virtual" | "u2f">) {
  const user = world.fake.addUser({ userName: "multi", devices });
  await world.writeCredentials(longTermSection(user));
  return user;
}

Deno.test("setup: moves the keys (comments and other keys stay), finds the one device, logs in", async () => {
  await using world = await setupE2e({ withSource: false });
  const original = "# work laptop\n[george]\n# my keys\n" +
    `aws_access_key_id = ${world.user.accessKeyId}\n` +
    `aws_secret_access_key = ${world.user.secretAccessKey}\nregion = eu-west-1\n\n` +
    "[other]\noutput = json\n";
  await world.writeCredentials(original);
  const code = await world.fake.freshCode(world.serial);
  const result = await world.run(["setup", "george", "--code", code]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^Moved the long-term keys \(AKIA…\w{4}\) from \[george\] into \[georgemfa\] in .*credentials\.\n/,
  );
  assert.match(result.stdout, /MFA device arn:aws:iam::\d+:mfa\/george: saved as mfa_serial/);
  assert.match(result.stdout, /Profile george is ready: MFA session valid until .*\(in 12 h\)/);
  assert.deepEqual(
    world.fake.requests.map((r) => [r.action, r.outcome, r.accessKeyId]),
    [
      ["ListMFADevices", "ok", world.user.accessKeyId],
      ["GetSessionToken", "ok", world.user.accessKeyId],
    ],
  );
  const text = await world.readCredentials();
  assert.ok(
    text.startsWith("# work laptop\n[george]\n# my keys\nregion = eu-west-1\n"),
    `comment and region stay in [george]:\n${text}`,
  );
  assert.match(text, /\[other\]\noutput = json\n/);
  const source = await botocoreSection(world.credentialsPath, "georgemfa");
  const target = await botocoreSection(world.credentialsPath, "george");
  if (source && target) {
    assert.equal(source.aws_access_key_id, world.user.accessKeyId);
    assert.equal(source.aws_secret_access_key, world.user.secretAccessKey);
    assert.equal(source.mfa_serial, world.serial);
    assert.match(target.aws_access_key_id, /^ASIA/);
    assert.equal(target.region, "eu-west-1");
  } else {
    skip("botocore", "the reference-parser check of setup's file");
  }
  assert.equal((await Deno.stat(world.credentialsPath)).mode! & 0o777, 0o600);

  // Again: every step is already done.
  const again = await world.run(["setup", "george"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^\[georgemfa\] holds the long-term keys \(AKIA…\w{4}\)\.\n/);
  assert.match(again.stdout, /MFA device arn:\S+ \(mfa_serial in \[georgemfa\]\)\./);
  assert.match(again.stdout, /already has an MFA session/);
  assert.equal(world.fake.requests.length, 2, "no call when nothing is left to do");
});

Deno.test("setup: --duration is saved as duration_seconds and used", async () => {
  await using world = await setupE2e({ withSource: false });
  await world.writeCredentials(longTermSection(world.user));
  const result = await world.run([
    "setup",
    "george",
    "--duration",
    "4h",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\(and duration_seconds = 14400\)/);
  assert.match(result.stdout, /\(in 4 h\)/);
  assert.match(await world.readCredentials(), /duration_seconds = 14400\n/);
  const bad = await world.run(["setup", "george", "--duration", "40h"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--duration is 144000 s/);
});

const UNCHANGED_KEYS_IN_GEORGE =
  /Nothing was changed: \[george\] in \S+credentials still holds the long-term keys\./;
const UNCHANGED = /Nothing was changed in \S+credentials\./;

Deno.test("setup: no MFA device: the file stays byte-identical, [george] keeps its keys; says how to add one", async () => {
  await using world = await setupE2e({ withSource: false });
  const user = world.fake.addUser({ userName: "fay", devices: 0 });
  const original = "# laptop\n" + longTermSection(user) + "region = eu-west-1\n";
  await world.writeCredentials(original);
  const config = "[profile george]\nregion = eu-west-1\n";
  await Deno.writeTextFile(world.configPath, config);
  const result = await world.run(["setup", "george", "--code", "123456"]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /The IAM user of access key AKIA…\w{4} \(in \[george\]\) has no MFA device/,
  );
  assert.match(result.stderr, /Assign one in the IAM console/);
  assert.match(result.stderr, UNCHANGED_KEYS_IN_GEORGE);
  assert.equal(result.stdout, "", "no step reported as done");
  assert.equal(await world.readCredentials(), original);
  assert.equal(await Deno.readTextFile(world.configPath), config, "setup never writes the config");
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["ListMFADevices"]);

  // The keys already in [georgemfa] (a run of an older awsmfa): looked up from there, same outcome.
  const moved = longTermSection(user, "georgemfa") + "\n[george]\nregion = eu-west-1\n";
  await world.writeCredentials(moved);
  const again = await world.run(["setup", "george"]);
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /\(in \[georgemfa\]\) has no MFA device/);
  assert.match(again.stderr, UNCHANGED);
  assert.equal(await world.readCredentials(), moved);
});

Deno.test("setup: keys already in [georgemfa] without mfa_serial: the device is found and saved", async () => {
  await using world = await setupE2e({ withSource: false });
  const original = longTermSection(world.user, "georgemfa") + "region = eu-west-1\n";
  await world.writeCredentials(original);
  const code = await world.fake.freshCode(world.serial);
  const result = await world.run(["setup", "george", "--code", code]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^\[georgemfa\] holds the long-term keys \(AKIA…\w{4}\)\.\n/);
  assert.match(result.stdout, /MFA device arn:\S+: saved as mfa_serial in \[georgemfa\]/);
  assert.ok(
    (await world.readCredentials()).startsWith(original + `mfa_serial = ${world.serial}\n`),
  );
});

Deno.test("setup: IAM refuses or cannot be reached: the file stays byte-identical", async () => {
  await using world = await setupE2e({ withSource: false });
  const original = longTermSection(world.user) + "output = json\n";
  await world.writeCredentials(original);
  const cases: Array<[string, () => void, number, RegExp]> = [
    [
      "AccessDenied",
      () =>
        world.fake.fault({
          kind: "error",
          status: 403,
          code: "AccessDenied",
          message: "User is not authorized to perform: iam:ListMFADevices",
        }),
      4,
      /AWS denied ListMFADevices/,
    ],
    [
      "503",
      () => world.fake.fault({ kind: "status", status: 503, code: "ServiceUnavailable" }),
      5,
      /AWS IAM failed to answer \(HTTP 503/,
    ],
    ["reset", () => world.fake.fault({ kind: "reset" }), 5, /./],
  ];
  for (const [name, inject, exitCode, message] of cases) {
    inject();
    const result = await world.run(["setup", "george"]);
    assert.equal(result.code, exitCode, `${name}: ${result.stderr}`);
    assert.match(result.stderr, message, name);
    assert.match(result.stderr, UNCHANGED_KEYS_IN_GEORGE, name);
    assert.equal(await world.readCredentials(), original, name);
  }
});

Deno.test("setup: the file cannot be locked after the device was found: byte-identical, says so", async () => {
  await using world = await setupE2e({ withSource: false });
  const original = longTermSection(world.user);
  await world.writeCredentials(original);
  // A directory where the lock file belongs: the one write fails (even for root).
  await Deno.mkdir(`${world.home}/.aws/.credentials.awsmfa.lock`);
  const result = await world.run(["setup", "george", "--code", "123456"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /Cannot \S+ the lock file \S+\.credentials\.awsmfa\.lock/);
  assert.match(result.stderr, /the file was not changed|Nothing was changed/);
  assert.equal(await world.readCredentials(), original);
  assert.deepEqual(world.fake.requests.map((r) => r.action), ["ListMFADevices"]);
});

Deno.test("setup: several devices without a terminal: a usage error listing them; --serial picks one", async () => {
  await using world = await setupE2e({ withSource: false });
  const user = await withUser(world, ["virtual", "u2f", "virtual"]);
  const [first, key, second] = user.mfaDevices.map((d) => d.serialNumber);
  const original = await world.readCredentials();
  const result = await world.run(["setup", "george"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /has 3 MFA devices, and there is no terminal to choose one:/);
  assert.ok(result.stderr.includes(`  ${first}\n`));
  assert.ok(result.stderr.includes(`  ${key}  (security key: AWS accepts it in the console only`));
  assert.match(result.stderr, /Pick one with --serial, e\.g\. awsmfa setup george --serial arn:/);
  assert.match(result.stderr, UNCHANGED_KEYS_IN_GEORGE);
  assert.equal(await world.readCredentials(), original);

  // Checked locally first: no call, nothing changed.
  const calls = world.fake.requests.length;
  const u2f = await world.run(["setup", "george", "--serial", key]);
  assert.equal(u2f.code, 2);
  assert.match(u2f.stderr, /is a U2F\/FIDO security key; the CLI cannot use it/);
  const malformed = await world.run(["setup", "george", "--serial", "george phone"]);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--serial 'george phone' is not an MFA device ARN/);
  const badCode = await world.run(["setup", "george", "--serial", second, "--code", "12345"]);
  assert.equal(badCode.code, 2, badCode.stderr);
  assert.match(badCode.stderr, /\(from --code\)/);
  assert.equal(world.fake.requests.length, calls, "no call for a flag that is wrong on its face");
  assert.equal(await world.readCredentials(), original);

  const unknown = await world.run(["setup", "george", "--serial", first.replace("multi", "nope")]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /is not one of your MFA devices/);
  assert.ok(unknown.stderr.includes(second));
  assert.match(unknown.stderr, UNCHANGED_KEYS_IN_GEORGE);
  assert.equal(await world.readCredentials(), original);

  const chosen = await world.run([
    "setup",
    "george",
    "--serial",
    second,
    "--code",
    await world.fake.freshCode(second),
  ]);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.ok((await world.readCredentials()).includes(`mfa_serial = ${second}\n`));
});

Deno.test("setup: U2F keys only: explained, nothing chosen; U2F plus one TOTP device: the TOTP one", async () => {
  await using world = await setupE2e({ withSource: false });
  const user = await withUser(world, ["u2f", "u2f"]);
  const original = await world.readCredentials();
  const only = await world.run(["setup", "george"]);
  assert.equal(only.code, 1, only.stderr);
  assert.match(
    only.stderr,
    /has only U2F\/FIDO security keys, which AWS accepts in the console but not from the CLI or API/,
  );
  assert.ok(only.stderr.includes(user.mfaDevices[1].serialNumber));
  assert.match(only.stderr, /authenticator app \(virtual MFA device\)/);
  assert.match(only.stderr, UNCHANGED_KEYS_IN_GEORGE);
  assert.equal(await world.readCredentials(), original);

  const mixed = world.fake.addUser({ userName: "mixed", devices: ["u2f", "virtual"] });
  await world.writeCredentials(longTermSection(mixed));
  const totp = mixed.mfaDevices[1].serialNumber;
  const result = await world.run(["setup", "george", "--code", await world.fake.freshCode(totp)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /skipping arn:\S+:u2f\/\S+: a U2F\/FIDO security key cannot be used/);
  assert.ok((await world.readCredentials()).includes(`mfa_serial = ${totp}\n`));
});

Deno.test("setup: refuses other keys already in [georgemfa], and files the AWS CLI rejects; nothing changes", async () => {
  await using world = await setupE2e({ withSource: false });
  const other = world.fake.addUser({ userName: "other" });
  const conflicting = world.sourceSection() + "\n" + longTermSection(other);
  await world.writeCredentials(conflicting);
  const result = await world.run(["setup", "george"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /\[georgemfa\] already holds other long-term keys \(AKIA…\w{4}\) than \[george\]/,
  );
  assert.equal(await world.readCredentials(), conflicting);

  const broken = longTermSection(world.user) + "[x]\na = 1\n[x]\n";
  await world.writeCredentials(broken);
  const rejected = await world.run(["setup", "george"]);
  assert.equal(rejected.code, 3);
  assert.match(rejected.stderr, /credentials line 6: /);
  assert.equal(await world.readCredentials(), broken);

  await world.writeCredentials("[work]\nregion = x\n");
  const none = await world.run(["setup", "george"]);
  assert.equal(none.code, 3);
  assert.match(none.stderr, /neither \[george\] nor \[georgemfa\] .* has an access key/);
  assert.equal(world.fake.requests.length, 0);
});

Deno.test("setup: invalid long-term keys are reported by ListMFADevices (exit 4); nothing changes", async () => {
  await using world = await setupE2e({ withSource: false });
  world.user.active = false;
  const original = longTermSection(world.user);
  await world.writeCredentials(original);
  const result = await world.run(["setup", "george"]);
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /does not recognise access key AKIA…\w{4} from \[george\]/);
  assert.match(result.stderr, /Check aws_access_key_id in \[george\]/);
  assert.match(result.stderr, UNCHANGED_KEYS_IN_GEORGE);
  assert.equal(await world.readCredentials(), original);
});

Deno.test("setup: usage and help", async () => {
  await using world = await setupE2e({ withSource: false });
  const none = await world.run(["setup"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Which profile\?/);
  const help = await world.run(["setup", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /awsmfa setup PROFILE/);
  assert.match(help.stdout, /--serial ARN/);
  assert.match(help.stdout, /Examples:\n\s+awsmfa setup george/);
});

Deno.test("login: a source without mfa_serial and no terminal: says to run setup, calls nothing", async () => {
  await using world = await setupE2e({ withSource: false });
  const before = world.sourceSection().replace(/mfa_serial = .*\n/, "");
  await world.writeCredentials(before);
  const result = await world.run(["george", "--code", "123456"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /\[georgemfa\] in .* has no mfa_serial, and there is no terminal/);
  assert.match(result.stderr, /Run 'awsmfa setup george' once at a terminal/);
  assert.equal(await world.readCredentials(), before);
  assert.equal(world.fake.requests.length, 0);
});

function ptyEnv(world: E2eWorld): Record<string, string> {
  return { ...world.env, HOME: world.home, DENO_DIR: denoDir(), NO_COLOR: "1" };
}

Deno.test({
  name:
    "setup at a terminal: several devices in a menu (U2F shown, not choosable), then the code prompt",
  ignore: !ptyOk,
  async fn() {
    await using world = await setupE2e({ withSource: false });
    const user = await withUser(world, ["virtual", "u2f", "virtual"]);
    const [first, , third] = user.mfaDevices.map((d) => d.serialNumber);
    const pty = startPty([...cliCommand(), "setup", "george"], ptyEnv(world));
    await pty.waitFor("Which MFA device should george use?");
    await pty.waitFor(`> 1) ${first}`);
    await pty.send("2");
    await pty.waitFor("Ctrl-C to cancel  (security key: AWS accepts it in the console only");
    await pty.send("\x1b[B"); // down: skips the U2F key
    await pty.waitFor(`> 3) ${third}`);
    await pty.send("\r");
    await pty.waitFor("MFA code for george:");
    await pty.send(await world.fake.freshCode(third) + "\r");
    assert.equal(await pty.exit(), 0, pty.output());
    assert.match(pty.output(), /Profile george is ready/);
    assert.ok((await world.readCredentials()).includes(`mfa_serial = ${third}\n`));
    assertNoSecrets(world.fake, pty.output());
  },
});

Deno.test({
  name: "setup at a terminal: Ctrl-C in the menu cancels (exit 130); the file stays byte-identical",
  ignore: !ptyOk,
  async fn() {
    await using world = await setupE2e({ withSource: false });
    await withUser(world, 2);
    const original = await world.readCredentials();
    const pty = startPty([...cliCommand(), "setup", "george"], ptyEnv(world));
    await pty.waitFor("Which MFA device");
    await pty.send("\x03");
    assert.equal(await pty.exit(), 130, pty.output());
    assert.match(pty.output(), /Cancelled; nothing was written\./);
    assert.equal(await world.readCredentials(), original);
  },
});

Deno.test({
  name: "setup at a terminal: the file changed while the menu was open: refused, the change kept",
  ignore: !ptyOk,
  async fn() {
    await using world = await setupE2e({ withSource: false });
    await withUser(world, 2);
    const pty = startPty([...cliCommand(), "setup", "george"], ptyEnv(world));
    await pty.waitFor("Which MFA device");
    const other = world.fake.addUser({ userName: "other" });
    const changed = longTermSection(other);
    await world.writeCredentials(changed);
    await pty.send("\r");
    assert.equal(await pty.exit(), 3, pty.output());
    assert.match(pty.output(), /changed while awsmfa was looking up your MFA device/);
    assert.match(pty.output(), /Run 'awsmfa setup george' again/);
    assert.equal(await world.readCredentials(), changed);
  },
});

Deno.test({
  name:
    "login at a terminal without mfa_serial: finds the device, confirms, saves it, asks for the code",
  ignore: !ptyOk,
  async fn() {
    await using world = await setupE2e({ withSource: false });
    await world.writeCredentials(world.sourceSection().replace(/mfa_serial = .*\n/, ""));
    const pty = startPty([...cliCommand(), "george"], ptyEnv(world));
    await pty.waitFor("has no mfa_serial; looking up your MFA devices");
    await pty.waitFor("Use this MFA device for george?");
    await pty.send("\r");
    await pty.waitFor("MFA code for george:");
    await pty.send(await world.fake.freshCode(world.serial) + "\r");
    assert.equal(await pty.exit(), 0, pty.output());
    assert.match(pty.output(), /saved mfa_serial = arn:aws:iam::\d+:mfa\/george in \[georgemfa\]/);
    assert.ok((await world.readCredentials()).includes(`mfa_serial = ${world.serial}\n`));
    assert.deepEqual(world.fake.requests.map((r) => r.action), [
      "ListMFADevices",
      "GetSessionToken",
    ]);
  },
});

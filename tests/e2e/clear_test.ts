/** `awsmfa clear PROFILE` and `clear --all` end to end, after real logins against the fake STS. */
import assert from "node:assert/strict";
import { setupE2e } from "../support/e2e_env.ts";

Deno.test("clear: removes the session awsmfa wrote (and the emptied section); status then says none", async () => {
  await using world = await setupE2e();
  const original = world.sourceSection();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  assert.match(await world.readCredentials(), /\[george\]\naws_access_key_id = ASIA/);

  const result = await world.run(["clear", "george"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "Cleared the session of george (and the then empty [george]).\n");
  assert.equal(await world.readCredentials(), original, "back to the file before the login");
  assert.equal((await world.run(["status", "george"])).stdout, "george: no session\n");

  const again = await world.run(["clear", "george"]);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, "Profile george has no session; nothing to clear.\n");
});

Deno.test("clear: other keys and comments in the section stay", async () => {
  await using world = await setupE2e();
  await world.writeCredentials(world.sourceSection() + "\n[george]\n# eu\nregion = eu-west-1\n");
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  const result = await world.run(["clear", "george"]);
  assert.equal(result.stdout, "Cleared the session of george.\n");
  assert.equal(
    await world.readCredentials(),
    world.sourceSection() + "\n[george]\n# eu\nregion = eu-west-1\n",
  );
});

Deno.test("clear: never removes long-term keys (exit 3, file unchanged)", async () => {
  await using world = await setupE2e();
  const text = world.sourceSection() +
    "\n[george]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n";
  await world.writeCredentials(text);
  const result = await world.run(["clear", "george"]);
  assert.equal(result.code, 3);
  assert.match(result.stderr, /\[george\] in .* holds long-term keys .* does not\s+remove those/);
  const source = await world.run(["clear", "georgemfa"]);
  assert.equal(source.code, 3, "a source section is long-term keys too");
  assert.equal(await world.readCredentials(), text);
});

Deno.test("clear --all: every MFA profile's session, in one write; others untouched", async () => {
  await using world = await setupE2e();
  const second = world.fake.addUser({ userName: "anna" });
  const secondSerial = second.mfaDevices[0].serialNumber;
  await world.writeCredentials(
    world.sourceSection() + "\n" +
      `[annamfa]\naws_access_key_id = ${second.accessKeyId}\n` +
      `aws_secret_access_key = ${second.secretAccessKey}\nmfa_serial = ${secondSerial}\n` +
      "\n[unrelated]\naws_access_key_id = ASIAOTHER\naws_secret_access_key = s\n" +
      "aws_session_token = t\n",
  );
  const before = await world.readCredentials();
  for (const [profile, serial] of [["george", world.serial], ["anna", secondSerial]]) {
    const login = await world.run([profile, "--code", await world.fake.freshCode(serial)]);
    assert.equal(login.code, 0, login.stderr);
  }
  const result = await world.run(["clear", "--all"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "Cleared the session of george (and the then empty [george]).\n" +
      "Cleared the session of anna (and the then empty [anna]).\n",
  );
  assert.equal(await world.readCredentials(), before, "[unrelated] is not an MFA profile");

  const nothing = await world.run(["clear", "--all"]);
  assert.equal(nothing.stdout, "No MFA session to clear.\n");
});

Deno.test("clear: usage errors, a missing file, --help", async () => {
  await using world = await setupE2e({ withSource: false });
  const none = await world.run(["clear"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Which profile\? .*--all/);
  const both = await world.run(["clear", "george", "--all"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /a profile or --all, not both/);
  const missing = await world.run(["clear", "george"]);
  assert.equal(missing.code, 0);
  assert.match(missing.stdout, /nothing to clear/);
  const help = await world.run(["clear", "--help"]);
  assert.match(help.stdout, /awsmfa clear PROFILE\n\s+awsmfa clear --all/);
  assert.match(help.stdout, /Examples:\n\s+awsmfa clear george/);
});

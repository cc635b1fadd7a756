/**
 * `awsmfa keys` end to end with the `file` keystore (it runs everywhere):
 * store → login against the fake STS (signed with the key from the
 * keystore) → restore, byte for byte; every reader (login, env,
 * credential-process, exec, doctor, status) with the keys in the keystore;
 * and each failure: exit 3, the message naming the keystore, the profile and
 * the fix, no AWS call, the file unchanged.
 */
import assert from "node:assert/strict";
import { setupE2e } from "../support/e2e_env.ts";
import { assertRefused, roundTrip, runSessionPrinter, startingFile } from "./keys_support.ts";

const PASSPHRASE = "correct horse battery staple";

function fileEnv(home: string, passphrase = PASSPHRASE): Record<string, string> {
  return { AWSMFA_FILE_PASSPHRASE: passphrase, AWSMFA_FILE_DIR: `${home}/keys` };
}

Deno.test("keys, file keystore: store, login with the stored key, env, credential-process, restore: byte-identical", async () => {
  await using world = await setupE2e();
  const env = fileEnv(world.home);
  await roundTrip(world, "file", env);
  const entries = [...Deno.readDirSync(`${world.home}/keys`)].map((entry) => entry.name);
  assert.ok(!entries.includes("george"), "restore removed the entry");
});

Deno.test("keys, file keystore: the entry is encrypted, 0600; exec, doctor and status read the keystore", async () => {
  await using world = await setupE2e();
  const env = fileEnv(world.home);
  await world.writeCredentials(startingFile(world));
  assert.equal(
    (await world.run(["keys", "store", "george", "--backend", "file"], { env })).code,
    0,
  );
  const entry = await Deno.readTextFile(`${world.home}/keys/george`);
  assert.match(entry, /^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/, "a compact JWE");
  assert.ok(!entry.includes(world.user.accessKeyId) && !entry.includes(world.user.secretAccessKey));
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(`${world.home}/keys/george`)).mode! & 0o777, 0o600);
  }

  const code = await world.fake.freshCode(world.serial);
  const script = "console.log(JSON.stringify(Deno.env.toObject()))";
  const argv = ["exec", "george", "--code", code, "--", Deno.execPath(), "eval", script];
  const exec = await runSessionPrinter(world, argv, env);
  assert.equal(exec.code, 0, exec.stderr);
  const childEnv = JSON.parse(exec.stdout) as Record<string, string>;
  assert.match(childEnv.AWS_ACCESS_KEY_ID, /^ASIA/);
  assert.ok(
    !Object.values(childEnv).some((value) =>
      value.includes(world.user.secretAccessKey) || value.includes(world.user.accessKeyId)
    ),
    "the long-term keys are not in the child's environment",
  );

  const doctor = await world.run(["doctor", "--offline"], { env });
  assert.match(
    doctor.stdout,
    /^ok {4}\[georgemfa\]: long-term keys AKIA…\w{4} in the file keystore \(reachable, unlocked, the item is there\)\.$/m,
  );
  const table = await world.run(["status"], { env });
  assert.match(table.stdout, /^PROFILE +MFA DEVICE +SESSION +EXPIRES +KEYS\ngeorge .* file\n/);

  const wrong = await world.run(["doctor", "--offline"], { env: fileEnv(world.home, "wrong") });
  assert.equal(wrong.code, 1);
  assert.match(
    wrong.stdout,
    /^FIX {3}\[georgemfa\] keeps its keys in the file keystore: The passphrase does not open/m,
  );
});

Deno.test("keys, file keystore: every failure is exit 3 with its fix, no AWS call, the file unchanged", async () => {
  await using world = await setupE2e();
  const env = fileEnv(world.home);
  await world.writeCredentials(startingFile(world));
  assert.equal(
    (await world.run(["keys", "store", "george", "--backend", "file"], { env })).code,
    0,
  );
  const entry = `${world.home}/keys/george`;
  const sealed = await Deno.readTextFile(entry);
  const code = "123456";

  await assertRefused(world, ["george", "--code", code], {
    env: fileEnv(world.home, "not the passphrase"),
    message:
      `The passphrase does not open the file keystore entry for profile 'george' (${entry}).`,
    fix: /Check AWSMFA_FILE_PASSPHRASE/,
  });
  await assertRefused(world, ["credential-process", "george", "--code", code], {
    env: { AWSMFA_FILE_DIR: `${world.home}/keys` },
    message: "The file keystore is locked for profile 'george'.",
    fix: /Set AWSMFA_FILE_PASSPHRASE, or run awsmfa in a terminal/,
  });
  await Deno.writeTextFile(entry, sealed.replace(/\.[\w-]{4}/, ".AAAA"));
  await assertRefused(world, ["env", "george", "--code", code], {
    env,
    message: new RegExp(
      `^awsmfa: The (file keystore entry for profile 'george' \\(${entry}\\) cannot be read: |passphrase does not open)`,
    ),
  });
  await Deno.writeTextFile(entry, "not a JWE");
  await assertRefused(world, ["george", "--code", code], {
    env,
    message: new RegExp(
      `^awsmfa: The file keystore entry for profile 'george' \\(${entry}\\) cannot be read: `,
    ),
    fix: /store the keys again with 'awsmfa keys store george --backend file'/,
  });
  await Deno.remove(entry);
  await assertRefused(world, ["george", "--code", code], {
    env,
    message: "The file keystore has no keys for profile 'george'.",
    fix: /Store them again with 'awsmfa keys store george --backend file'/,
  });
  await assertRefused(world, ["keys", "restore", "george"], {
    env,
    message: "The file keystore has no keys for profile 'george'.",
  });
});

Deno.test("keys: a keystore tool that is missing, an unknown keystore, keys in both places: refused, unchanged", async () => {
  await using world = await setupE2e();
  const original = startingFile(world);
  await world.writeCredentials(original);
  const empty = await Deno.makeTempDir({ dir: world.home });
  const noTools = { PATH: empty };
  await assertRefused(world, ["keys", "store", "george", "--backend", "pass"], {
    env: noTools,
    message: "Cannot use the pass keystore: pass is not installed.",
    fix: /Install it \(Debian\/Ubuntu: apt install pass/,
  });
  assert.equal(await world.readCredentials(), original);

  const named = (backend: string) =>
    original.replace(
      /aws_access_key_id = .*\naws_secret_access_key = .*\n/,
      `awsmfa_keystore = ${backend}\n`,
    );
  await world.writeCredentials(named("secret-service"));
  await assertRefused(world, ["george", "--code", "123456"], {
    env: noTools,
    message: "Cannot use the secret-service keystore for profile 'george': secret-tool is not " +
      "installed.",
    fix: /apt install libsecret-tools/,
  });
  await world.writeCredentials(named("vault"));
  await assertRefused(world, ["george", "--code", "123456"], {
    env: {},
    message: `awsmfa_keystore in [georgemfa] in ${world.credentialsPath} is 'vault', which is ` +
      "no keystore awsmfa knows.",
    fix: /one of keychain, secret-service, pass, wincred, file/,
  });
  await world.writeCredentials(
    original.replace("mfa_serial", "awsmfa_keystore = file\nmfa_serial"),
  );
  await assertRefused(world, ["george", "--code", "123456"], {
    env: {},
    message: new RegExp(
      "^awsmfa: \\[georgemfa\\] in .* has aws_access_key_id or aws_secret_access_key and also " +
        "awsmfa_keystore = file; awsmfa will not guess which keys to use\\.$",
    ),
  });
});

Deno.test("keys: usage errors and help", async () => {
  await using world = await setupE2e();
  const none = await world.run(["keys"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /What should keys do\? Give store, restore or list\./);
  const which = await world.run(["keys", "store"]);
  assert.equal(which.code, 2);
  assert.match(which.stderr, /Which profile\? Give its name: awsmfa keys store PROFILE\./);
  const unknown = await world.run(["keys", "store", "george", "--backend", "vault"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /There is no keystore called 'vault'/);
  assert.equal(
    await world.readCredentials(),
    world.sourceSection(),
    "a usage error changes nothing",
  );
  const help = await world.run(["keys", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /awsmfa keys store\|restore\|list \[PROFILE\]/);
  assert.match(help.stdout, /--backend NAME/);
});

Deno.test("setup --keystore=file: moves the keys, then into the keystore, and logs in; run again, it finds them there", async () => {
  await using world = await setupE2e({ withSource: false });
  const env = fileEnv(world.home);
  const { accessKeyId, secretAccessKey } = world.user;
  await world.writeCredentials(
    `[george]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
  );
  const code = await world.fake.freshCode(world.serial);
  const setup = await world.run(["setup", "george", "--keystore=file", "--code", code], { env });
  assert.equal(setup.code, 0, setup.stderr);
  const lines = setup.stdout.split("\n");
  assert.match(
    lines[0],
    /^Moved the long-term keys \(AKIA…\w{4}\) from \[george\] into \[georgemfa\]/,
  );
  assert.equal(
    lines[1],
    "Moved them into the file keystore; [georgemfa] now has awsmfa_keystore = file.",
  );
  assert.match(setup.stdout, /Profile george is ready/);
  const text = await world.readCredentials();
  assert.ok(!text.includes(secretAccessKey) && !text.includes(accessKeyId), text);
  assert.match(text, /^\[georgemfa\]\n.*awsmfa_keystore = file\n/ms);

  const again = await world.run(["setup", "george"], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stdout,
    /^\[georgemfa\] keeps the long-term keys \(AKIA…\w{4}\) in the file keystore\.\n/,
  );
  assert.deepEqual(world.fake.requests.map((r) => [r.action, r.accessKeyId]), [
    ["ListMFADevices", accessKeyId],
    ["GetSessionToken", accessKeyId],
  ]);
});

Deno.test("setup --keystore with a keystore that cannot be used: refused before anything is written", async () => {
  await using world = await setupE2e({ withSource: false });
  const { accessKeyId, secretAccessKey } = world.user;
  await world.writeCredentials(
    `[george]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
  );
  const empty = await Deno.makeTempDir({ dir: world.home });
  await assertRefused(world, ["setup", "george", "--keystore=pass", "--code", "123456"], {
    env: { PATH: empty },
    message: "Cannot use the pass keystore: pass is not installed.",
  });
});

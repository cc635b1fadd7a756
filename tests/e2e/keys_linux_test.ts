/**
 * `awsmfa keys` end to end with the Linux keystores: secret-service against
 * a GNOME Keyring in a private D-Bus session, and pass with a throwaway GPG
 * key (tests/keystore/harness.ts). store → login (signed with the key from
 * the keystore) → restore, byte for byte; a locked keystore refused with
 * its fix. Each keystore tool runs through a spy that logs its argv and
 * environment: neither ever holds a secret. Skipped loudly where the tools
 * are missing (.ci/run installs them).
 */
import assert from "node:assert/strict";
import { setupE2e } from "../support/e2e_env.ts";
import { withKeyring, withPassStore } from "../keystore/harness.ts";
import { missingTools, runOrThrow } from "../keystore/support.ts";
import { assertRefused, roundTrip, startingFile } from "./keys_support.ts";

const noSecretService = await missingTools("secret-service (e2e)", [
  "secret-tool",
  "gnome-keyring-daemon",
  "dbus-run-session",
  "dbus-send",
]);
const noPass = await missingTools("pass (e2e)", ["pass", "gpg", "gpgconf"]);

/**
 * A directory with a spy named `tool` that appends its argv and environment
 * to the log, then runs the real one; and the PATH that puts it first.
 */
async function spyOn(home: string, tool: string) {
  const real = new TextDecoder().decode(
    (await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`], stdout: "piped" })
      .output()).stdout,
  ).trim();
  const dir = `${home}/spy`;
  await Deno.mkdir(dir, { recursive: true });
  const log = `${dir}/${tool}.log`;
  await Deno.writeTextFile(
    `${dir}/${tool}`,
    `#!/bin/sh\n{ printf 'argv:'; for a in "$@"; do printf ' [%s]' "$a"; done; echo; env; ` +
      `echo ---; } >> '${log}'\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  return {
    path: `${dir}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    read: () => Deno.readTextFile(log),
  };
}

/** The spy's log holds the tool's runs and none of `secrets`. */
function assertNothingSecret(log: string, secrets: string[], runs: RegExp) {
  assert.match(log, runs, "the spy saw the tool run");
  for (const secret of secrets) {
    assert.ok(!log.includes(secret), `a child's argv or environment holds …${secret.slice(-4)}`);
  }
}

Deno.test({
  name:
    "keys, secret-service: store, login, restore in a real GNOME Keyring; nothing secret in argv or env",
  ignore: noSecretService.length > 0,
  async fn() {
    await withKeyring(async (keyring) => {
      await using world = await setupE2e();
      const spy = await spyOn(world.home, "secret-tool");
      const env = {
        DBUS_SESSION_BUS_ADDRESS: keyring.env.DBUS_SESSION_BUS_ADDRESS,
        PATH: spy.path,
      };
      await roundTrip(world, "secret-service", env);
      assertNothingSecret(
        await spy.read(),
        [world.user.secretAccessKey, ...world.fake.issuedSecrets()],
        /argv: \[store\] \[--label=awsmfa \(george\)\] \[--\] \[application\] \[awsmfa\] \[profile\] \[george\]/,
      );
    });
  },
});

Deno.test({
  name:
    "keys, secret-service: a locked keyring is refused with its fix; store then changes nothing",
  ignore: noSecretService.length > 0,
  async fn() {
    await withKeyring(async (keyring) => {
      await using world = await setupE2e();
      const env = { DBUS_SESSION_BUS_ADDRESS: keyring.env.DBUS_SESSION_BUS_ADDRESS };
      await world.writeCredentials(startingFile(world));
      const store = await world.run(["keys", "store", "george", "--backend", "secret-service"], {
        env,
      });
      assert.equal(store.code, 0, store.stderr);
      await keyring.lock();
      await assertRefused(world, ["george", "--code", "123456"], {
        env,
        message: "The secret-service keystore is locked for profile 'george'.",
        fix: /Unlock your login keyring/,
      });
      await assertRefused(world, ["keys", "restore", "george"], {
        env,
        message: "The secret-service keystore is locked for profile 'george'.",
      });
    });
  },
});

Deno.test({
  name: "keys, pass: store, login, restore with real pass and GPG; nothing secret in argv or env",
  ignore: noPass.length > 0,
  async fn() {
    await withPassStore("", async (store) => {
      await using world = await setupE2e();
      const spy = await spyOn(world.home, "pass");
      const env = {
        GNUPGHOME: store.GNUPGHOME,
        PASSWORD_STORE_DIR: store.PASSWORD_STORE_DIR,
        PATH: spy.path,
      };
      await roundTrip(world, "pass", env);
      assertNothingSecret(
        await spy.read(),
        [world.user.secretAccessKey, ...world.fake.issuedSecrets()],
        /argv: \[insert\] \[-m\] \[-f\] \[awsmfa\/george\]/,
      );
    });
  },
});

Deno.test({
  name: "keys, pass: a GPG key it cannot unlock: store is refused and changes nothing",
  ignore: noPass.length > 0,
  async fn() {
    await withPassStore("throwaway passphrase", async (store) => {
      await using world = await setupE2e();
      const env = { GNUPGHOME: store.GNUPGHOME, PASSWORD_STORE_DIR: store.PASSWORD_STORE_DIR };
      await runOrThrow(store, "gpgconf", ["--kill", "gpg-agent"]); // forget a cached passphrase
      await world.writeCredentials(startingFile(world));
      await assertRefused(world, ["keys", "store", "george", "--backend", "pass"], {
        env,
        message: "The pass keystore is locked for profile 'george'.",
        fix: /GPG could not decrypt the entry/,
      });
      const entry = `${store.PASSWORD_STORE_DIR}/awsmfa/george.gpg`;
      assert.equal(
        await Deno.stat(entry).then(() => true, () => false),
        false,
        "the item written is removed again",
      );
    });
  },
});

/**
 * The `file` keystore's passphrase at a terminal (a pseudo-terminal): asked
 * twice with nothing echoed when storing, once per run when reading, and
 * AWSMFA_KEYSTORE=file makes setup ask whether to move the keys.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import { ptyAvailable, startPty } from "../support/pty.ts";
import { startingFile, withoutSession } from "./keys_support.ts";

const ptyOk = Deno.build.os !== "windows" && ptyAvailable();
const PASSPHRASE = "zebra-quartz-hidden-77";

function ptyEnv(world: E2eWorld, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...world.env,
    HOME: world.home,
    DENO_DIR: denoDir(),
    NO_COLOR: "1",
    AWSMFA_FILE_DIR: `${world.home}/keys`,
    ...extra,
  };
}

Deno.test({
  name:
    "keys at a terminal: the file keystore's passphrase is asked (twice to store), never echoed",
  ignore: !ptyOk,
  async fn() {
    await using world = await setupE2e();
    const original = startingFile(world);
    await world.writeCredentials(original);
    const store = startPty(
      [...cliCommand(), "keys", "store", "george", "--backend", "file"],
      ptyEnv(world),
    );
    await store.waitFor("Passphrase of the file keystore for george: ");
    await store.send(PASSPHRASE + "\r");
    await store.waitFor("The same passphrase again: ");
    await store.send(PASSPHRASE + "\r");
    assert.equal(await store.exit(), 0, store.output());
    assert.match(
      store.output(),
      /into the file keystore; \[georgemfa\] now has awsmfa_keystore = file/,
    );

    const login = startPty([...cliCommand(), "george"], ptyEnv(world));
    await login.waitFor("Passphrase of the file keystore for george: ");
    await login.send(PASSPHRASE + "\r");
    await login.waitFor("MFA code for george:");
    await login.send(await world.fake.freshCode(world.serial) + "\r");
    assert.equal(await login.exit(), 0, login.output());
    assert.deepEqual(world.fake.requests.map((r) => r.accessKeyId), [world.user.accessKeyId]);

    const restore = startPty([...cliCommand(), "keys", "restore", "george"], ptyEnv(world));
    await restore.waitFor("Passphrase of the file keystore for george: ");
    await restore.send("not it\r");
    assert.equal(await restore.exit(), 3, restore.output());
    assert.match(restore.output(), /The passphrase does not open the file keystore entry/);
    for (const output of [store.output(), login.output(), restore.output()]) {
      assert.ok(!output.includes(PASSPHRASE) && !output.includes("not it"), output);
      assertNoSecrets(world.fake, output);
    }
    const restoreAgain = startPty([...cliCommand(), "keys", "restore", "george"], ptyEnv(world));
    await restoreAgain.waitFor("Passphrase of the file keystore for george: ");
    await restoreAgain.send(PASSPHRASE + "\r");
    assert.equal(await restoreAgain.exit(), 0, restoreAgain.output());
    assert.equal(withoutSession(await world.readCredentials()), original);
  },
});

Deno.test({
  name: "setup at a terminal with AWSMFA_KEYSTORE=file: asks to move the keys; yes stores them",
  ignore: !ptyOk,
  async fn() {
    await using world = await setupE2e({ withSource: false });
    const { accessKeyId, secretAccessKey } = world.user;
    await world.writeCredentials(
      `[george]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
    );
    const env = ptyEnv(world, { AWSMFA_KEYSTORE: "file", AWSMFA_FILE_PASSPHRASE: PASSPHRASE });
    const setup = startPty([...cliCommand(), "setup", "george"], env);
    await setup.waitFor("Keep the long-term keys of george in the file keystore");
    await setup.send("\r");
    await setup.waitFor("MFA code for george:");
    await setup.send(await world.fake.freshCode(world.serial) + "\r");
    assert.equal(await setup.exit(), 0, setup.output());
    assert.match(setup.output(), /Moved them into the file keystore/);
    const text = await world.readCredentials();
    assert.ok(!text.includes(secretAccessKey), text);
    assert.match(text, /awsmfa_keystore = file/);
  },
});

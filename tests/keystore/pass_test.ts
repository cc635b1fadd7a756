/**
 * The `pass` keystore against the real `pass` and GPG: a throwaway key
 * without passphrase in a temporary GNUPGHOME, a temporary store; every
 * GnuPG daemon killed at the end (`gpgconf --kill all`).
 */
import assert from "node:assert/strict";
import { BACKENDS } from "../../lib/keystore/backends.ts";
import { KeystoreLockedError, KeystoreUnreachableError } from "../../lib/keystore/mod.ts";
import { fixedContext, KEYS, missingTools, runOrThrow } from "./support.ts";
import { withPassStore } from "./harness.ts";

const missing = await missingTools("pass", ["pass", "gpg", "gpgconf"]);

Deno.test({
  name: "pass: set, get, replace and delete with real pass and GPG, any profile name",
  ignore: missing.length > 0,
  async fn() {
    await withPassStore("", async (env) => {
      const store = BACKENDS.pass({ context: fixedContext(env), timeoutMs: 30_000 });
      assert.deepEqual(await store.available(), { ok: true });
      assert.equal(await store.get("george"), undefined);
      await store.set("george", KEYS);
      assert.deepEqual(await store.get("george"), KEYS);
      const other = { ...KEYS, accessKeyId: "AKIAOTHEREXAMPLE" };
      await store.set("george", other);
      assert.deepEqual(await store.get("george"), other);
      for (const odd of ["team/prod", "..", "-x"]) {
        await store.set(odd, KEYS);
        assert.deepEqual(await store.get(odd), KEYS);
      }
      const files = [...Deno.readDirSync(`${env.PASSWORD_STORE_DIR}/awsmfa`)].map((e) => e.name);
      assert.deepEqual(
        files.sort(),
        ["%2Dx.gpg", "%2E..gpg", "george.gpg", "team%2Fprod.gpg"].sort(),
      );
      const raw = Deno.readFileSync(`${env.PASSWORD_STORE_DIR}/awsmfa/george.gpg`);
      assert.ok(!new TextDecoder("latin1").decode(raw).includes(KEYS.secretAccessKey));
      await store.delete("george");
      await store.delete("george");
      assert.equal(await store.get("george"), undefined);
      assert.deepEqual(await store.get("team/prod"), KEYS);
    });
  },
});

Deno.test({
  name: "pass: an entry GPG cannot decrypt (a key with a passphrase, no prompt) is 'locked'",
  ignore: missing.length > 0,
  async fn() {
    await withPassStore("throwaway passphrase", async (env) => {
      const store = BACKENDS.pass({ context: fixedContext(env), timeoutMs: 30_000 });
      await store.set("george", KEYS); // encrypting needs only the public key
      await runOrThrow(env, "gpgconf", ["--kill", "gpg-agent"]); // forget any cached passphrase
      await assert.rejects(store.get("george"), (error: unknown) => {
        assert.ok(error instanceof KeystoreLockedError, String(error));
        assert.equal(error.message, "The pass keystore is locked for profile 'george'.");
        assert.match(error.fix!, /GPG could not decrypt the entry/);
        return true;
      });
    });
  },
});

Deno.test({
  name: "pass: a store that is not initialised is unreachable, with the fix",
  ignore: missing.length > 0,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "awsmfa-pass-" });
    try {
      const env = {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: root,
        PASSWORD_STORE_DIR: `${root}/none`,
      };
      const availability = await BACKENDS.pass({ context: fixedContext(env) }).available();
      assert.ok(!availability.ok);
      assert.ok(availability.error instanceof KeystoreUnreachableError);
      assert.equal(
        availability.error.message,
        "The pass keystore cannot be reached: the password store is not initialised.",
      );
      assert.match(availability.error.fix!, /pass init/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

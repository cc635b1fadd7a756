/**
 * The `secret-service` keystore against a real GNOME Keyring: a private D-Bus
 * session (`dbus-run-session`) whose shell starts `gnome-keyring-daemon
 * --foreground --unlock` with a throwaway password, in a fresh HOME and XDG
 * directories, waits until the daemon owns org.freedesktop.secrets, prints
 * the bus address, and stays up until the test closes its stdin. The backend
 * runs in the test process with that address in its child environment.
 * Everything is bounded in time and killed at the end.
 */
import assert from "node:assert/strict";
import { BACKENDS } from "../../lib/keystore/backends.ts";
import { KeystoreLockedError, KeystoreUnreachableError } from "../../lib/keystore/mod.ts";
import { fixedContext, KEYS, missingTools, runOrThrow } from "./support.ts";
import { withKeyring } from "./harness.ts";

const missing = await missingTools("secret-service", [
  "secret-tool",
  "gnome-keyring-daemon",
  "dbus-run-session",
  "dbus-send",
]);

Deno.test({
  name: "secret-service: set, get, replace and delete in a real, unlocked GNOME Keyring",
  ignore: missing.length > 0,
  async fn() {
    await withKeyring(async ({ env }) => {
      const store = BACKENDS["secret-service"]({ context: fixedContext(env), timeoutMs: 30_000 });
      assert.deepEqual(await store.available(), { ok: true });
      assert.equal(await store.get("george"), undefined);
      await store.set("george", KEYS);
      assert.deepEqual(await store.get("george"), KEYS);
      const other = { ...KEYS, accessKeyId: "AKIAOTHEREXAMPLE" };
      await store.set("george", other);
      assert.deepEqual(await store.get("george"), other);
      await store.set("-dash", KEYS);
      assert.deepEqual(await store.get("-dash"), KEYS);
      const listed = await runOrThrow(env, "secret-tool", [
        "search",
        "--all",
        "application",
        "awsmfa",
      ]);
      assert.match(listed, /label = awsmfa \(george\)/);
      assert.equal(listed.match(/^\[/gm)?.length, 2, "replacing does not add an item");
      await store.delete("george");
      await store.delete("george");
      assert.equal(await store.get("george"), undefined);
      assert.deepEqual(await store.get("-dash"), KEYS);
    });
  },
});

Deno.test({
  name: "secret-service: a locked keyring is 'locked' for get, set, delete and available",
  ignore: missing.length > 0,
  async fn() {
    await withKeyring(async (session) => {
      const store = BACKENDS["secret-service"]({
        context: fixedContext(session.env),
        timeoutMs: 30_000,
      });
      await store.set("george", KEYS);
      await session.lock();
      const isLocked = (error: unknown) => {
        assert.ok(error instanceof KeystoreLockedError, String(error));
        assert.match(
          error.message,
          /^The secret-service keystore is locked( for profile '\w+')?\.$/,
        );
        assert.match(error.fix!, /Unlock your login keyring/);
        return true;
      };
      await assert.rejects(store.get("george"), isLocked);
      await assert.rejects(store.set("jane", KEYS), isLocked);
      await assert.rejects(store.delete("george"), isLocked);
      const availability = await store.available();
      assert.ok(!availability.ok && isLocked(availability.error));
    });
  },
});

Deno.test({
  name: "secret-service: without a D-Bus session it is unreachable, with the fix",
  ignore: missing.length > 0,
  async fn() {
    const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/nonexistent" };
    const store = BACKENDS["secret-service"]({ context: fixedContext(env), timeoutMs: 30_000 });
    const availability = await store.available();
    assert.ok(!availability.ok && availability.error instanceof KeystoreUnreachableError);
    await assert.rejects(store.get("george"), (error: unknown) => {
      assert.ok(error instanceof KeystoreUnreachableError, String(error));
      assert.match(
        error.message,
        /^The secret-service keystore cannot be reached for profile 'george': no Secret Service answers on D-Bus/,
      );
      assert.match(error.fix!, /desktop session/);
      return true;
    });
  },
});

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

const missing = await missingTools("secret-service", [
  "secret-tool",
  "gnome-keyring-daemon",
  "dbus-run-session",
  "dbus-send",
]);

const SESSION_SCRIPT = `
set -u
printf '%s' "$KEYRING_PASSWORD" |
  gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring=$!
trap 'kill "$keyring" 2>/dev/null' EXIT
for _ in $(seq 1 200); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus / \\
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'; then
    printf 'ready %s\\n' "$DBUS_SESSION_BUS_ADDRESS"
    read -r _ || true
    exit 0
  fi
  sleep 0.1
done
echo 'gnome-keyring-daemon did not start' >&2
exit 1
`;

/** How long the session may take to start (it is fast; the machine may be busy). */
const START_LIMIT_MS = 60_000;

interface KeyringSession {
  /** The environment for secret-tool: fresh HOME and XDG dirs, the session's bus. */
  env: Record<string, string>;
  /** Locks the login collection through D-Bus (`secret-tool lock` may crash). */
  lock(): Promise<void>;
}

async function withKeyring(fn: (session: KeyringSession) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "awsmfa-keyring-" });
  const base = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: `${root}/home`,
    XDG_DATA_HOME: `${root}/home/.local/share`,
    XDG_CONFIG_HOME: `${root}/home/.config`,
    XDG_CACHE_HOME: `${root}/home/.cache`,
    XDG_RUNTIME_DIR: `${root}/run`,
  };
  await Deno.mkdir(base.HOME);
  await Deno.mkdir(base.XDG_RUNTIME_DIR, { mode: 0o700 });
  const child = new Deno.Command("dbus-run-session", {
    args: ["--", "bash", "-c", SESSION_SCRIPT],
    clearEnv: true,
    env: { ...base, KEYRING_PASSWORD: "throwaway keyring password" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), START_LIMIT_MS + 120_000);
  try {
    const address = await readReadyLine(child.stdout);
    const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
    await fn({
      env,
      lock: async () => {
        await runOrThrow(env, "dbus-send", [
          "--session",
          "--print-reply",
          "--dest=org.freedesktop.secrets",
          "/org/freedesktop/secrets",
          "org.freedesktop.Secret.Service.Lock",
          "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
      },
    });
  } finally {
    await child.stdin.close().catch(() => {});
    const ended = await Promise.race([
      child.status.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    if (!ended) child.kill("SIGKILL");
    await child.status;
    clearTimeout(killer);
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
}

/** The bus address from the session's "ready ADDRESS" line, waiting at most {@link START_LIMIT_MS}. */
async function readReadyLine(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => reader.cancel(), START_LIMIT_MS);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
  const match = text.match(/^ready (\S+)\n/);
  if (!match) throw new Error(`The keyring session did not start: '${text}'`);
  return match[1];
}

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

/**
 * The real keystores the tests run against, each thrown away afterwards: a
 * GNOME Keyring in a private D-Bus session ({@link withKeyring}) and a
 * `pass` store with a throwaway GPG key ({@link withPassStore}). The
 * keystore tests and the end-to-end tests of `awsmfa keys` share them.
 *
 * @module
 */
import { runOrThrow } from "./support.ts";

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

/** A running GNOME Keyring in its own D-Bus session. */
export interface KeyringSession {
  /** The environment for secret-tool: fresh HOME and XDG dirs, the session's bus. */
  env: Record<string, string>;
  /** Locks the login collection through D-Bus (`secret-tool lock` may crash). */
  lock(): Promise<void>;
}

/**
 * Runs `fn` with a GNOME Keyring, unlocked with a throwaway password, in a
 * private D-Bus session (`dbus-run-session`) and fresh HOME and XDG
 * directories; everything is stopped and removed afterwards.
 */
export async function withKeyring(fn: (session: KeyringSession) => Promise<void>): Promise<void> {
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

/** A temporary home with GNUPGHOME and a store initialised for a new key made with `passphrase`. */
export async function withPassStore(
  passphrase: string,
  fn: (env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "awsmfa-pass-" });
  const env = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: root,
    GNUPGHOME: `${root}/gnupg`,
    PASSWORD_STORE_DIR: `${root}/store`,
  };
  await Deno.mkdir(env.GNUPGHOME, { mode: 0o700 });
  try {
    await runOrThrow(env, "gpg", [
      "--batch",
      "--pinentry-mode",
      "loopback",
      "--passphrase",
      passphrase,
      "--quick-gen-key",
      "awsmfa-test@example.invalid",
      "default",
      "default",
      "never",
    ]);
    const listing = await runOrThrow(env, "gpg", ["--list-keys", "--with-colons"]);
    const fingerprint = listing.split("\n").find((line) => line.startsWith("fpr:"))!.split(":")[9];
    await runOrThrow(env, "pass", ["init", fingerprint]);
    await fn(env);
  } finally {
    await runOrThrow(env, "gpgconf", ["--kill", "all"]).catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
}

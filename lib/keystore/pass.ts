/**
 * The `pass` keystore (the standard Unix password manager): an entry
 * `awsmfa/PROFILE` per profile (the name escaped by {@link entryName}),
 * written with `pass insert -m -f` reading the secret on stdin, read with
 * `pass show`. The store is `PASSWORD_STORE_DIR`, else ~/.password-store.
 *
 * Protects the keys at rest (GPG-encrypted); any process of the user can ask
 * for them while the GPG agent holds the key's passphrase.
 *
 * @module
 */

import { encodeKeys, entryName, keysOfEntry } from "./codec.ts";
import {
  type KeystoreError,
  KeystoreLockedError,
  KeystoreToolMissingError,
  KeystoreUnreachableError,
} from "./errors.ts";
import type { Keystore, KeystoreOptions } from "./types.ts";
import { runTool, toolFailure, type ToolOutcome } from "./run.ts";

const BACKEND = "pass";
const TOOL = "pass";

/** The entry of a profile in the password store. */
export function passEntry(profile: string): string {
  return `awsmfa/${entryName(profile)}`;
}

/** The `pass` keystore. */
export function passKeystore(options: KeystoreOptions): Keystore {
  const run = (args: string[], stdin?: string) =>
    (options.runner ?? runTool)(TOOL, args, {
      stdin,
      timeoutMs: options.timeoutMs,
      environment: options.context.environment(),
    });
  return {
    name: BACKEND,
    async available() {
      const outcome = await run(["version"]);
      if (outcome.kind !== "exited" || outcome.code !== 0) {
        return { ok: false, error: failure(outcome, undefined) };
      }
      const store = storeDirectory(options);
      if (store && await exists(`${store}/.gpg-id`)) return { ok: true };
      return { ok: false, error: notInitialised(undefined) };
    },
    async get(profile) {
      const outcome = await run(["show", passEntry(profile)]);
      if (outcome.kind === "exited" && outcome.code === 0) {
        return keysOfEntry(outcome.stdout, {
          backend: BACKEND,
          profile,
          where: passEntry(profile),
        });
      }
      if (isNotInStore(outcome)) return undefined;
      throw failure(outcome, profile);
    },
    async set(profile, keys) {
      const outcome = await run(["insert", "-m", "-f", passEntry(profile)], encodeKeys(keys));
      if (outcome.kind !== "exited" || outcome.code !== 0) throw failure(outcome, profile);
    },
    async delete(profile) {
      const outcome = await run(["rm", "-f", passEntry(profile)]);
      if (outcome.kind === "exited" && outcome.code === 0) return;
      if (isNotInStore(outcome)) return;
      throw failure(outcome, profile);
    },
  };
}

/** PASSWORD_STORE_DIR, else ~/.password-store; `undefined` without a home. */
function storeDirectory(options: KeystoreOptions): string | undefined {
  const chosen = options.context.env("PASSWORD_STORE_DIR");
  if (chosen) return chosen;
  const home = options.context.homeDir();
  return home ? `${home}/.password-store` : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function isNotInStore(outcome: ToolOutcome): boolean {
  return outcome.kind === "exited" && /is not in the password store/.test(outcome.stderr);
}

function notInitialised(profile: string | undefined): KeystoreUnreachableError {
  return new KeystoreUnreachableError(BACKEND, "the password store is not initialised.", {
    profile,
    fix: "Create it with 'pass init YOUR-GPG-KEY-ID' (or set PASSWORD_STORE_DIR to yours), " +
      "or choose another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
  });
}

/** The error for an outcome that is not success, by what the tool said. */
function failure(outcome: ToolOutcome, profile: string | undefined): KeystoreError {
  return toolFailure(outcome, {
    backend: BACKEND,
    tool: TOOL,
    profile,
    missing: () =>
      new KeystoreToolMissingError(BACKEND, TOOL, {
        profile,
        install: "Debian/Ubuntu: apt install pass; macOS: brew install pass",
      }),
    timeoutFix:
      "GPG may be waiting for your key's passphrase in a prompt: answer it, then try again.",
    stores: "entry",
    classify(said) {
      if (/pass init|password store is empty/i.test(said)) return notInitialised(profile);
      if (
        /decryption failed|no secret key|pinentry|operation cancelled|bad passphrase/i.test(said)
      ) {
        return new KeystoreLockedError(BACKEND, {
          profile,
          fix: `GPG could not decrypt the entry (${said}). Check that your GPG key is here and ` +
            "that gpg-agent can ask for its passphrase (set GPG_TTY=$(tty)), then try again.",
        });
      }
    },
  });
}

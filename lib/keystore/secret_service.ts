/**
 * The `secret-service` keystore (Linux desktops: GNOME Keyring, KWallet's
 * and KeePassXC's Secret Service) through `secret-tool`. An item per profile
 * with the attributes `application awsmfa profile PROFILE` and the label
 * `awsmfa (PROFILE)`; the secret goes to `secret-tool store` on stdin.
 *
 * Protects the keys at rest (the keyring is encrypted with the login
 * password); any process of the user can ask for them while it is unlocked.
 *
 * @module
 */

import { encodeKeys, itemLabel, keysOfEntry } from "./codec.ts";
import {
  type KeystoreError,
  KeystoreLockedError,
  KeystoreToolMissingError,
  KeystoreUnreachableError,
} from "./errors.ts";
import type { Keystore, KeystoreOptions } from "./types.ts";
import { runTool, toolFailure, type ToolOutcome } from "./run.ts";

const BACKEND = "secret-service";
const TOOL = "secret-tool";

/** The attributes of a profile's item, after `--` (a profile may start with a dash). */
export function itemAttributes(profile: string): string[] {
  return ["--", "application", "awsmfa", "profile", profile];
}

/** The `secret-service` keystore. */
export function secretServiceKeystore(options: KeystoreOptions): Keystore {
  const run = (args: string[], stdin?: string) =>
    (options.runner ?? runTool)(TOOL, args, {
      stdin,
      timeoutMs: options.timeoutMs,
      environment: options.context.environment(),
    });
  /** Whether the profile's item exists but is locked (`search` lists it without its secret). */
  const lockedItem = async (profile: string): Promise<boolean> => {
    const outcome = await run(["search", ...itemAttributes(profile)]);
    return outcome.kind === "exited" && /locked/i.test(outcome.stderr) &&
      outcome.stdout.trim() !== "";
  };
  return {
    name: BACKEND,
    async available() {
      const outcome = await run(["search", "--all", "--", "application", "awsmfa"]);
      if (outcome.kind === "exited" && outcome.code === 0) {
        if (!/locked/i.test(outcome.stderr)) return { ok: true };
        return { ok: false, error: lockedError(undefined) };
      }
      return { ok: false, error: failure(outcome, undefined) };
    },
    async get(profile) {
      const outcome = await run(["lookup", ...itemAttributes(profile)]);
      if (outcome.kind === "exited" && outcome.code === 0 && outcome.stdout !== "") {
        return keysOfEntry(outcome.stdout, {
          backend: BACKEND,
          profile,
          where: itemLabel(profile),
        });
      }
      // A missing item and a locked one both end with code 1 and nothing said.
      if (outcome.kind === "exited" && outcome.code === 1 && outcome.stderr.trim() === "") {
        if (await lockedItem(profile)) throw lockedError(profile);
        return undefined;
      }
      throw failure(outcome, profile);
    },
    async set(profile, keys) {
      const args = ["store", `--label=${itemLabel(profile)}`, ...itemAttributes(profile)];
      const outcome = await run(args, encodeKeys(keys));
      if (outcome.kind !== "exited" || outcome.code !== 0) throw failure(outcome, profile);
    },
    async delete(profile) {
      const outcome = await run(["clear", ...itemAttributes(profile)]);
      if (outcome.kind === "exited" && outcome.code === 0) return;
      // `clear` says nothing either way; the item is gone unless `search` still finds it.
      if (outcome.kind === "exited" && outcome.code === 1 && outcome.stderr.trim() === "") {
        if (await lockedItem(profile)) throw lockedError(profile);
        const check = await run(["search", ...itemAttributes(profile)]);
        if (check.kind === "exited" && check.code === 0 && check.stdout.trim() === "") return;
      }
      throw failure(outcome, profile);
    },
  };
}

function lockedError(profile: string | undefined): KeystoreLockedError {
  return new KeystoreLockedError(BACKEND, {
    profile,
    fix: "Unlock your login keyring (log in to the desktop, or open Passwords and Keys / " +
      "seahorse and unlock it), then try again.",
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
        install: "Debian/Ubuntu: apt install libsecret-tools; Fedora: dnf install libsecret",
      }),
    timeoutFix: "A prompt to unlock the keyring may be waiting on the desktop: answer it, then " +
      "try again.",
    stores: "item",
    classify(said) {
      if (/locked/i.test(said)) return lockedError(profile);
      if (
        /autolaunch|connect|not provided by any|no such (name|interface)|DBus\.Error/i.test(said)
      ) {
        return new KeystoreUnreachableError(
          BACKEND,
          `no Secret Service answers on D-Bus (${said}).`,
          {
            profile,
            fix:
              "Run awsmfa in a desktop session with a Secret Service (GNOME Keyring, KeePassXC), " +
              "or choose another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
          },
        );
      }
      if (/does not exist at path/i.test(said)) {
        return new KeystoreUnreachableError(BACKEND, `there is no default keyring (${said}).`, {
          profile,
          fix: "Create a default (login) keyring in Passwords and Keys / seahorse, or choose " +
            "another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
        });
      }
    },
  });
}

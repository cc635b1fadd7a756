/**
 * The `keychain` keystore (macOS) through `/usr/bin/security`: a generic
 * password per profile (service `awsmfa`, account PROFILE, label
 * `awsmfa (PROFILE)`) in the default keychain. The secret is written by
 * feeding `add-generic-password … -w SECRET` to `security -i` on stdin, so it
 * never appears in a process list; reads and deletes carry no secret.
 *
 * `security` exits with the low byte of the Security framework's status:
 * 44 is errSecItemNotFound (-25300), 36 errSecInteractionNotAllowed (-25308,
 * a locked keychain with no way to prompt), 51 errSecAuthFailed (-25293),
 * 128 errSecUserCanceled (-128).
 *
 * Protects the keys at rest; items created through `security` trust
 * /usr/bin/security, so any process of the user can read them without a
 * prompt while the keychain is unlocked (the documented limit).
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

const BACKEND = "keychain";
const TOOL = "/usr/bin/security";
/** The service every item of awsmfa carries. */
export const KEYCHAIN_SERVICE = "awsmfa";

/** Exit codes of `security` (the status's low byte). */
const ITEM_NOT_FOUND = 44;
const INTERACTION_NOT_ALLOWED = 36;
const AUTH_FAILED = 51;
const USER_CANCELED = 128;

/** The longest line `security -i` reads (its buffer is 4,096 bytes). */
const MAX_INTERACTIVE_LINE = 4000;

/**
 * One argument quoted for `security -i`'s line parser: in single quotes, with
 * `\` and `'` escaped by a backslash. A line break would end the command, so
 * it is refused.
 */
export function quoteForSecurity(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError("A keychain value cannot hold a line break.");
  return `'${value.replace(/[\\']/g, "\\$&")}'`;
}

/** The line that stores `secret` for `profile`, for `security -i`'s stdin. */
export function addPasswordLine(profile: string, secret: string): string {
  const line = [
    "add-generic-password",
    "-U",
    "-s",
    quoteForSecurity(KEYCHAIN_SERVICE),
    "-a",
    quoteForSecurity(profile),
    "-l",
    quoteForSecurity(itemLabel(profile)),
    "-w",
    quoteForSecurity(secret),
  ].join(" ") + "\n";
  if (line.length > MAX_INTERACTIVE_LINE) {
    throw new TypeError("The profile name is too long for the keychain's command line.");
  }
  return line;
}

/** The `keychain` keystore. */
export function keychainKeystore(options: KeystoreOptions): Keystore {
  const run = (args: string[], stdin?: string) =>
    (options.runner ?? runTool)(TOOL, args, {
      stdin,
      timeoutMs: options.timeoutMs,
      environment: options.context.environment(),
    });
  const item = (profile: string) => ["-s", KEYCHAIN_SERVICE, "-a", profile];
  return {
    name: BACKEND,
    async available() {
      if (Deno.build.os !== "darwin" && !options.runner) {
        return { ok: false, error: notHere() };
      }
      const outcome = await run(["default-keychain"]);
      if (outcome.kind === "exited" && outcome.code === 0) return { ok: true };
      return { ok: false, error: failure(outcome, undefined) };
    },
    async get(profile) {
      const outcome = await run(["find-generic-password", ...item(profile), "-w"]);
      if (outcome.kind === "exited" && outcome.code === 0) {
        return keysOfEntry(outcome.stdout, {
          backend: BACKEND,
          profile,
          where: itemLabel(profile),
        });
      }
      if (outcome.kind === "exited" && outcome.code === ITEM_NOT_FOUND) return undefined;
      throw failure(outcome, profile);
    },
    async set(profile, keys) {
      const outcome = await run(["-i"], addPasswordLine(profile, encodeKeys(keys)));
      if (outcome.kind !== "exited" || outcome.code !== 0) throw failure(outcome, profile);
    },
    async delete(profile) {
      const outcome = await run(["delete-generic-password", ...item(profile)]);
      if (outcome.kind === "exited" && [0, ITEM_NOT_FOUND].includes(outcome.code)) return;
      throw failure(outcome, profile);
    },
  };
}

function notHere(): KeystoreUnreachableError {
  return new KeystoreUnreachableError(BACKEND, "the macOS keychain exists only on macOS.", {
    fix: "Choose another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
  });
}

/** The error for an outcome that is not success, by exit code and what the tool said. */
function failure(outcome: ToolOutcome, profile: string | undefined): KeystoreError {
  return toolFailure(outcome, {
    backend: BACKEND,
    tool: "security",
    profile,
    missing: () =>
      Deno.build.os === "darwin"
        ? new KeystoreToolMissingError(BACKEND, TOOL, { profile, install: "it ships with macOS" })
        : notHere(),
    timeoutFix: "A keychain prompt may be waiting on the desktop: answer it, then try again.",
    stores: "item",
    classify(said, code) {
      if (
        [INTERACTION_NOT_ALLOWED, AUTH_FAILED, USER_CANCELED].includes(code) ||
        /interaction is not allowed|user canceled|authorization\/authentication failed/i.test(said)
      ) {
        return new KeystoreLockedError(BACKEND, {
          profile,
          fix: "Unlock the keychain ('security unlock-keychain', or log in to the desktop) and " +
            "allow awsmfa's access when macOS asks, then try again.",
        });
      }
      if (/no default keychain|default keychain could not be found/i.test(said)) {
        return new KeystoreUnreachableError(BACKEND, `there is no default keychain (${said}).`, {
          profile,
          fix: "Set one with 'security default-keychain -s login.keychain', or choose another " +
            "keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
        });
      }
    },
  });
}

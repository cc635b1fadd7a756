/**
 * The errors of the keystores, by meaning. Each is a {@link FileError} (exit
 * 3: the long-term keys are part of the user's configuration, like the
 * credentials file) and names the backend, the profile and the fix.
 *
 * @module
 */

import { FileError } from "../core/errors.ts";

/** What every keystore error says about where it happened. */
export interface KeystoreErrorOptions {
  /** The profile whose keys were wanted; absent for a check of the keystore itself. */
  profile?: string;
  /** What the user should do about it (each class has a default). */
  fix?: string;
  /** The underlying error, kept for `--verbose`. */
  cause?: unknown;
}

/** The base of every keystore error (exit 3). */
export class KeystoreError extends FileError {
  /** The backend's name (`file`, `pass`, …). */
  readonly backend: string;
  /** The profile whose keys were wanted, if any. */
  readonly profile?: string;

  /** Creates the error; `message` is complete, `options.fix` required in practice. */
  constructor(backend: string, message: string, options: KeystoreErrorOptions = {}) {
    super(message, { fix: options.fix, cause: options.cause });
    this.backend = backend;
    this.profile = options.profile;
  }
}

/** " for profile 'P'", or nothing when the error is about the keystore itself. */
function forProfile(profile: string | undefined): string {
  return profile === undefined ? "" : ` for profile '${profile}'`;
}

/** The same fix for every backend that cannot be used here: choose another one. */
const OTHER_BACKEND =
  "or choose another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere)";

/** The keystore's command-line tool (or library) is not installed. */
export class KeystoreToolMissingError extends KeystoreError {
  /** `tool` is what is missing; `install` says how to get it. */
  constructor(
    backend: string,
    tool: string,
    options: KeystoreErrorOptions & { install: string },
  ) {
    super(
      backend,
      `Cannot use the ${backend} keystore${forProfile(options.profile)}: ${tool} is not installed.`,
      { ...options, fix: options.fix ?? `Install it (${options.install}), ${OTHER_BACKEND}.` },
    );
  }
}

/** The keystore is not there to answer (no D-Bus session, no store, wrong OS). */
export class KeystoreUnreachableError extends KeystoreError {
  /** `reason` completes "cannot be reached: …". */
  constructor(backend: string, reason: string, options: KeystoreErrorOptions = {}) {
    super(
      backend,
      `The ${backend} keystore cannot be reached${forProfile(options.profile)}: ${reason}`,
      { ...options, fix: options.fix ?? `Start or set it up, ${OTHER_BACKEND}.` },
    );
  }
}

/** The keystore is locked and could not be unlocked (no prompt, or it was refused). */
export class KeystoreLockedError extends KeystoreError {
  /** `options.fix` says how to unlock this backend. */
  constructor(backend: string, options: KeystoreErrorOptions & { fix: string }) {
    super(backend, `The ${backend} keystore is locked${forProfile(options.profile)}.`, options);
  }
}

/** The profile says its keys are in the keystore, and they are not. */
export class KeystoreItemMissingError extends KeystoreError {
  /** The message names the backend and the profile; the fix says how to put them back. */
  constructor(backend: string, profile: string, options: KeystoreErrorOptions = {}) {
    super(backend, `The ${backend} keystore has no keys for profile '${profile}'.`, {
      ...options,
      profile,
      fix: options.fix ??
        `Store them again with 'awsmfa keys store ${profile} --backend ${backend}', or put ` +
          "aws_access_key_id and aws_secret_access_key back in the credentials file and remove " +
          "the awsmfa_keystore line.",
    });
  }
}

/** The passphrase does not open an entry of the `file` keystore. */
export class KeystoreWrongPassphraseError extends KeystoreError {
  /** `path` is the entry's file. */
  constructor(profile: string, path: string, options: KeystoreErrorOptions = {}) {
    super(
      "file",
      `The passphrase does not open the file keystore entry for profile '${profile}' (${path}).`,
      {
        ...options,
        profile,
        fix: options.fix ??
          "Check AWSMFA_FILE_PASSPHRASE, or type the passphrase used when the keys were stored. " +
            "If it is right, the file was altered: restore it from a backup or store the keys again.",
      },
    );
  }
}

/** An entry is there but is not a readable pair of keys (altered, truncated, foreign). */
export class KeystoreEntryError extends KeystoreError {
  /** `where` names the entry (a path, an item name); `reason` says what is wrong with it. */
  constructor(
    backend: string,
    profile: string,
    options: KeystoreErrorOptions & { where: string; reason: string },
  ) {
    super(
      backend,
      `The ${backend} keystore entry for profile '${profile}' (${options.where}) cannot be ` +
        `read: ${options.reason}`,
      {
        ...options,
        profile,
        fix: options.fix ??
          `Restore it from a backup, or store the keys again with 'awsmfa keys store ${profile} ` +
            `--backend ${backend}'.`,
      },
    );
  }
}

/** The keystore's tool failed for another reason, timed out, or said too much. */
export class KeystoreFailedError extends KeystoreError {
  /** `detail` completes "failed: …" (the tool's exit code and the end of its stderr). */
  constructor(backend: string, detail: string, options: KeystoreErrorOptions = {}) {
    super(backend, `The ${backend} keystore failed${forProfile(options.profile)}: ${detail}`, {
      ...options,
      fix: options.fix ?? "Check that the keystore works on its own, then try again.",
    });
  }
}

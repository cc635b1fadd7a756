/**
 * `awsmfa keys`' use cases: move a profile's long-term keys from
 * `[PROFILEmfa]` into a keystore (store), back into the file (restore), and
 * say where each profile's are (list).
 *
 * Store writes the keys to the keystore, reads them back and compares, and
 * only then removes them from the file, adding `awsmfa_keystore = NAME`, in
 * one locked write; when that write fails, the keystore item is removed
 * again. Restore writes the keys back into the file first (one locked write,
 * the `awsmfa_keystore` line removed), then removes the keystore item. A
 * failure before the write changes nothing.
 *
 * @module
 */
import {
  hasOwnLongTermKeys,
  keysInBothError,
  keystoreItemOf,
  keystoreOf,
  type LongTermKeyPair,
  putKeysInFile,
  removeKeysFromFile,
} from "../aws/keystore_setting.ts";
import { mfaProfiles } from "../aws/mfa_profiles.ts";
import { sourceSectionOf } from "../aws/profile_names.ts";
import {
  type AwsFiles,
  checkProfileName,
  loadIni,
  locateFiles,
  withLockedCredentials,
} from "../aws/shared_files.ts";
import { hasOwnKey, readSourceProfile } from "../aws/source_profile.ts";
import type { Context } from "../core/context.ts";
import { AwsmfaError, ConfigError, UsageError } from "../core/errors.ts";
import { readFileIfExists } from "../files/safe_file.ts";
import type { IniDocument } from "../ini/mod.ts";
import type { Keystore } from "../keystore/types.ts";
import { keysFromKeystore, openKeystore } from "./source_keys.ts";

/** Where a profile's sections are. */
interface KeysTarget {
  profile: string;
  section: string;
  files: AwsFiles;
}

/** What `keys store` and `keys restore` did. */
export type KeysOutcome =
  /** The keys moved; `backend` is the keystore they went to or came from. */
  | { kind: "moved"; profile: string; section: string; backend: string; accessKeyId: string }
  /** Nothing to do: the keys were already where they were asked to go. */
  | { kind: "already"; profile: string; section: string; backend?: string; accessKeyId?: string }
  /** Restored, but the keystore item could not be removed (the file is right; `error` says why). */
  | {
    kind: "moved-item-kept";
    profile: string;
    section: string;
    backend: string;
    accessKeyId: string;
    error: AwsmfaError;
  };

/** The credentials file's path and `[PROFILEmfa]`, checked. */
function keysTarget(profile: string, context: Context): KeysTarget {
  const name = checkProfileName(profile);
  return {
    profile: name,
    section: checkProfileName(sourceSectionOf(name), "Source section"),
    files: locateFiles(context),
  };
}

async function readDocument(path: string): Promise<IniDocument> {
  const bytes = await readFileIfExists(path);
  if (bytes === null) {
    throw new ConfigError(`There is no credentials file at ${path}.`, {
      fix: "Set the profile up first: 'awsmfa setup PROFILE'.",
    });
  }
  return loadIni(bytes, path);
}

/** The keys `[PROFILEmfa]` holds itself, checked as a login would read them. */
function keysInFile(doc: IniDocument, target: KeysTarget): LongTermKeyPair {
  const path = target.files.credentials;
  const source = readSourceProfile(doc, target.section, {
    path,
    target: target.profile,
    requireSerial: false,
  });
  for (const key of ["aws_access_key_id", "aws_secret_access_key"]) {
    if (!hasOwnKey(doc, target.section, key)) {
      throw new ConfigError(`[${target.section}] in ${path} inherits ${key} from [DEFAULT].`, {
        fix: `Write the keys in [${target.section}] itself, then run 'awsmfa keys store ` +
          `${target.profile}' again.`,
      });
    }
  }
  return { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey };
}

/**
 * `awsmfa keys store PROFILE [--backend NAME]`: the keys of `[PROFILEmfa]`
 * into the keystore, verified, then out of the file.
 */
export async function storeKeys(
  request: { profile: string; backend?: string },
  context: Context,
): Promise<KeysOutcome> {
  const target = keysTarget(request.profile, context);
  const path = target.files.credentials;
  const doc = await readDocument(path);
  const current = keystoreOf(doc, target.section);
  if (current !== undefined) return alreadyStored(doc, target, { current, asked: request.backend });
  const keys = keysInFile(doc, target);
  const keystore = await usableKeystore(request.backend, context);
  const item = keystoreItemOf(target.section);
  await keystore.set(item, keys);
  try {
    await checkReadBack(keystore, item, keys);
    await withLockedCredentials(path, async (file) => {
      const now = await file.load();
      if (
        keystoreOf(now, target.section) !== undefined || !sameKeys(keysInFile(now, target), keys)
      ) {
        throw changedMeanwhile(target, "store");
      }
      await file.save(removeKeysFromFile(now, target.section, { backend: keystore.name, path }));
    }, { context });
  } catch (error) {
    await keystore.delete(item).catch(() => {});
    throw error;
  }
  return { kind: "moved", ...names(target), backend: keystore.name, accessKeyId: keys.accessKeyId };
}

/** A keystore that answers: the one named, else the default (AWSMFA_KEYSTORE, the OS's, file). */
export async function usableKeystore(
  name: string | undefined,
  context: Context,
): Promise<Keystore> {
  const keystore = await openKeystore(name, context);
  const availability = await keystore.available();
  if (!availability.ok) throw availability.error;
  return keystore;
}

function alreadyStored(
  doc: IniDocument,
  target: KeysTarget,
  backends: { current: string; asked?: string },
): KeysOutcome {
  const { current, asked } = backends;
  if (hasOwnLongTermKeys(doc, target.section)) {
    throw keysInBothError(target.section, current, target.files.credentials);
  }
  if (asked !== undefined && asked !== current) {
    throw new UsageError(
      `The keys of ${target.profile} are in the ${current} keystore, not in the file.`,
      {
        fix: `To move them to ${asked}: 'awsmfa keys restore ${target.profile}', then ` +
          `'awsmfa keys store ${target.profile} --backend ${asked}'.`,
      },
    );
  }
  return { kind: "already", ...names(target), backend: current };
}

async function checkReadBack(keystore: Keystore, item: string, keys: LongTermKeyPair) {
  const back = await keystore.get(item);
  if (back === undefined || !sameKeys(back, keys)) {
    const { KeystoreFailedError } = await import("../keystore/errors.ts");
    throw new KeystoreFailedError(
      keystore.name,
      "the keys read back are not the keys written; the credentials file was not changed.",
      { profile: item, fix: "Check that the keystore works on its own, then try again." },
    );
  }
}

function sameKeys(a: LongTermKeyPair, b: LongTermKeyPair): boolean {
  return a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey;
}

function names(target: KeysTarget): { profile: string; section: string } {
  return { profile: target.profile, section: target.section };
}

function changedMeanwhile(target: KeysTarget, verb: "store" | "restore"): ConfigError {
  return new ConfigError(
    `${target.files.credentials} changed while awsmfa was moving the keys of [${target.section}].`,
    { fix: `Nothing was changed; run 'awsmfa keys ${verb} ${target.profile}' again.` },
  );
}

/**
 * `awsmfa keys restore PROFILE`: the keys back into `[PROFILEmfa]` (one
 * locked write), then the keystore item removed.
 */
export async function restoreKeys(
  request: { profile: string },
  context: Context,
): Promise<KeysOutcome> {
  const target = keysTarget(request.profile, context);
  const path = target.files.credentials;
  const doc = await readDocument(path);
  const backend = keystoreOf(doc, target.section);
  if (backend === undefined) {
    const keys = keysInFile(doc, target);
    return { kind: "already", ...names(target), accessKeyId: keys.accessKeyId };
  }
  if (hasOwnLongTermKeys(doc, target.section)) throw keysInBothError(target.section, backend, path);
  const keys = await keysFromKeystore(backend, { section: target.section, path, context });
  await withLockedCredentials(path, async (file) => {
    const now = await file.load();
    if (keystoreOf(now, target.section) !== backend || hasOwnLongTermKeys(now, target.section)) {
      throw changedMeanwhile(target, "restore");
    }
    await file.save(putKeysInFile(now, target.section, { keys, path }));
  }, { context });
  const moved = { ...names(target), backend, accessKeyId: keys.accessKeyId };
  try {
    await (await openKeystore(backend, context)).delete(keystoreItemOf(target.section));
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    return { kind: "moved-item-kept", ...moved, error };
  }
  return { kind: "moved", ...moved };
}

/** One MFA profile and where its long-term keys are. */
export interface KeysLocation {
  profile: string;
  sourceSection: string;
  /** The keystore `awsmfa_keystore` names; null when the keys are in the file. */
  keystore: string | null;
}

/** `awsmfa keys list`: every MFA profile of the credentials file and its keystore (no secret). */
export async function listKeys(
  context: Context,
): Promise<{ path: string; profiles: KeysLocation[] }> {
  const path = locateFiles(context).credentials;
  const doc = loadIni(await readFileIfExists(path), path);
  const profiles = mfaProfiles(doc).map((ref) => ({
    ...ref,
    keystore: keystoreOf(doc, ref.sourceSection) ?? null,
  }));
  return { path, profiles };
}

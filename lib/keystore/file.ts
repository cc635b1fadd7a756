/**
 * The `file` keystore, for hosts without an OS keystore: one file per
 * profile in `AWSMFA_FILE_DIR`, else `~/.awsmfa/keys` (directory 0700, files
 * 0600), each a compact JWE (`PBES2-HS256+A128KW`, `A256GCM`, 600,000
 * PBKDF2 iterations) of aws-vault's item JSON `{Key, Data, Label,
 * Description}`, Data being the base64 of the keys' JSON: aws-vault's file
 * format, so its entries can be read. The passphrase comes from
 * `AWSMFA_FILE_PASSPHRASE`, else from the prompt the caller gives, asked once
 * per keystore object.
 *
 * It protects the keys at rest (backups, synced dotfiles, a stolen disk); it
 * does not protect them from a process that runs as the user while the
 * passphrase is in the environment or typed.
 *
 * @module
 */

import { updateFile } from "../files/safe_file.ts";
import { decodeKeys, encodeKeys, entryName, itemLabel, type LongTermKeys } from "./codec.ts";
import {
  KeystoreEntryError,
  KeystoreFailedError,
  KeystoreLockedError,
  KeystoreUnreachableError,
  KeystoreWrongPassphraseError,
} from "./errors.ts";
import { decryptJwe, encryptJwe, JweError, MAX_JWE_LENGTH } from "./jwe.ts";
import type { Keystore, KeystoreAvailability, KeystoreOptions } from "./types.ts";

const BACKEND = "file";

/** The `file` keystore. */
export function fileKeystore(options: KeystoreOptions): Keystore {
  let passphrase: string | undefined;
  const directory = () => keysDirectory(options);
  const pathOf = (profile: string) => joinPath(directory(), entryName(profile));
  const unlock = async (profile: string, confirm: boolean): Promise<string> => {
    passphrase ??= options.context.env("AWSMFA_FILE_PASSPHRASE") ??
      await options.prompt?.({ profile, path: pathOf(profile), confirm });
    if (!passphrase) throw noPassphrase(profile);
    return passphrase;
  };
  return {
    name: BACKEND,
    available(): Promise<KeystoreAvailability> {
      try {
        directory();
      } catch (error) {
        return Promise.resolve({ ok: false, error: error as KeystoreUnreachableError });
      }
      if (options.context.env("AWSMFA_FILE_PASSPHRASE") || options.prompt || passphrase) {
        return Promise.resolve({ ok: true });
      }
      return Promise.resolve({ ok: false, error: noPassphrase(undefined) });
    },
    async get(profile) {
      const path = pathOf(profile);
      const token = await readEntry(path, profile);
      if (token === undefined) return undefined;
      return await openEntry(token, await unlock(profile, false), { profile, path });
    },
    async set(profile, keys) {
      const path = pathOf(profile);
      const token = await sealEntry(profile, keys, await unlock(profile, true), options);
      await updateFile(path, () => new TextEncoder().encode(token), { warn: () => {} });
      if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
    },
    async delete(profile) {
      try {
        await Deno.remove(pathOf(profile));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return;
        throw new KeystoreFailedError(BACKEND, `cannot remove ${pathOf(profile)}: ${error}`, {
          profile,
          fix: "Check the directory's permissions, then try again.",
          cause: error,
        });
      }
    },
  };
}

/** The directory of the entries: the option, else AWSMFA_FILE_DIR, else ~/.awsmfa/keys. */
export function keysDirectory(options: KeystoreOptions): string {
  const chosen = options.fileDir ?? options.context.env("AWSMFA_FILE_DIR");
  if (chosen) return chosen;
  const home = options.context.homeDir();
  if (!home) {
    throw new KeystoreUnreachableError(BACKEND, "HOME is not set, so ~/.awsmfa/keys is nowhere.", {
      fix: "Set HOME, or name the directory with AWSMFA_FILE_DIR.",
    });
  }
  return joinPath(joinPath(home, ".awsmfa"), "keys");
}

function joinPath(dir: string, name: string): string {
  const separator = dir.includes("\\") && !dir.includes("/") ? "\\" : "/";
  return `${dir.replace(/[\\/]+$/, "")}${separator}${name}`;
}

function noPassphrase(profile: string | undefined): KeystoreLockedError {
  return new KeystoreLockedError(BACKEND, {
    profile,
    fix: "Set AWSMFA_FILE_PASSPHRASE, or run awsmfa in a terminal so that it can ask for the " +
      "passphrase.",
  });
}

/** The entry's text, `undefined` when there is none; bounded in size. */
async function readEntry(path: string, profile: string): Promise<string | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new KeystoreFailedError(BACKEND, `cannot read ${path}: ${error}`, {
      profile,
      fix: "Check the file's permissions, then try again.",
      cause: error,
    });
  }
  try {
    const buffer = new Uint8Array(MAX_JWE_LENGTH + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = await file.read(buffer.subarray(length));
      if (read === null) break;
      length += read;
    }
    return new TextDecoder().decode(buffer.subarray(0, length));
  } finally {
    file.close();
  }
}

/** The encrypted entry for `keys`: aws-vault's item JSON inside a compact JWE. */
export async function sealEntry(
  profile: string,
  keys: LongTermKeys,
  passphrase: string,
  options: { fileIterations?: number } = {},
): Promise<string> {
  const data = btoa(encodeKeys(keys));
  const item = { Key: profile, Data: data, Label: itemLabel(profile), Description: "" };
  return await encryptJwe(new TextEncoder().encode(JSON.stringify(item)), passphrase, {
    iterations: options.fileIterations,
  });
}

/** The keys in an encrypted entry, or the error that says why not. */
export async function openEntry(
  token: string,
  passphrase: string,
  where: { profile: string; path: string },
): Promise<LongTermKeys> {
  const { profile, path } = where;
  const broken = (reason: string) =>
    new KeystoreEntryError(BACKEND, profile, { where: path, reason });
  let plaintext: Uint8Array;
  try {
    plaintext = await decryptJwe(token, passphrase);
  } catch (error) {
    if (!(error instanceof JweError)) throw error;
    if (error.problem === "key") throw new KeystoreWrongPassphraseError(profile, path);
    throw broken(error.message);
  }
  const item = parseItem(plaintext);
  if (typeof item === "string") throw broken(item);
  if (item.Key !== profile) throw broken(`it holds the keys of '${item.Key}', not '${profile}'.`);
  const keys = decodeKeys(item.data);
  if ("problem" in keys) throw broken(`its Data ${keys.problem.replace(/^it /, "")}`);
  return keys;
}

/** aws-vault's item (Key, and Data decoded from base64), or what is wrong with it. */
function parseItem(plaintext: Uint8Array): { Key: string; data: string } | string {
  let item: Record<string, unknown>;
  try {
    item = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    return "its content is not JSON.";
  }
  if (typeof item !== "object" || item === null || typeof item.Key !== "string") {
    return "its content lacks the Key of the item.";
  }
  if (typeof item.Data !== "string") return "its content lacks the Data of the item.";
  try {
    return { Key: item.Key, data: atob(item.Data) };
  } catch {
    return "its Data is not base64.";
  }
}

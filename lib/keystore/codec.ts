/**
 * What every keystore stores for a profile, and the names it is stored under.
 * Pure.
 *
 * The secret is one line of JSON, `{"AccessKeyID":"…","SecretAccessKey":"…"}`:
 * the fields aws-vault writes (so its entries read, and ours read in it),
 * the same text in every backend.
 *
 * @module
 */
import { KeystoreEntryError } from "./errors.ts";

/** A profile's long-term access keys. */
export interface LongTermKeys {
  /** `aws_access_key_id`. */
  accessKeyId: string;
  /** `aws_secret_access_key`. */
  secretAccessKey: string;
}

/** The longest key accepted (AWS's are 20 and 40 characters). */
const MAX_KEY_LENGTH = 1024;

/** Printable ASCII without spaces: what a key may contain. */
const KEY_TEXT = /^[\x21-\x7e]+$/;

/** Whether `keys` can be stored: both non-empty printable ASCII without spaces. */
export function validKeys(keys: LongTermKeys): boolean {
  return [keys.accessKeyId, keys.secretAccessKey].every((key) =>
    typeof key === "string" && key.length <= MAX_KEY_LENGTH && KEY_TEXT.test(key)
  );
}

/** The secret text stored for `keys` (one line; throws on keys {@link validKeys} refuses). */
export function encodeKeys(keys: LongTermKeys): string {
  if (!validKeys(keys)) throw new TypeError("The keys are not printable ASCII without spaces.");
  return JSON.stringify({ AccessKeyID: keys.accessKeyId, SecretAccessKey: keys.secretAccessKey });
}

/**
 * The keys in a stored secret, or a problem (for the message; it never
 * quotes the secret). Extra fields (aws-vault's SessionToken, Source…) are
 * ignored.
 */
export function decodeKeys(text: string): LongTermKeys | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: "it is not the JSON awsmfa writes." };
  }
  if (typeof value !== "object" || value === null) {
    return { problem: "it is not the JSON awsmfa writes." };
  }
  const record = value as Record<string, unknown>;
  const keys = { accessKeyId: record.AccessKeyID, secretAccessKey: record.SecretAccessKey };
  if (!validKeys(keys as LongTermKeys)) {
    return { problem: "it lacks a valid AccessKeyID or SecretAccessKey." };
  }
  return keys as LongTermKeys;
}

/** The characters a profile name keeps as they are in a file or item name. */
const NAME_SAFE = /[A-Za-z0-9_.@+=-]/;

/**
 * A profile name as a file or item name: unchanged when it is made of letters,
 * digits and `_.@+=-` and does not start with a dot (so aws-vault's names are
 * ours), else every other byte of its UTF-8 as `%XX` (no `/`, `\`, `..`, `:`,
 * leading dot or dash, nothing a file system or `pass` would read as a path).
 */
export function entryName(profile: string): string {
  if (profile === "") throw new TypeError("A profile name cannot be empty.");
  let name = "";
  for (const byte of new TextEncoder().encode(profile)) {
    const char = String.fromCharCode(byte);
    const keep = byte < 0x80 && NAME_SAFE.test(char) &&
      !(name === "" && (char === "." || char === "-"));
    name += keep ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return name;
}

/** The label an item carries where the keystore shows one: `awsmfa (PROFILE)`. */
export function itemLabel(profile: string): string {
  return `awsmfa (${profile})`;
}

/**
 * The keys in the secret a keystore tool returned for `profile`, or the
 * {@link KeystoreEntryError} that names the entry (`where`) and says why not.
 */
export function keysOfEntry(
  text: string,
  entry: { backend: string; profile: string; where: string },
): LongTermKeys {
  const keys = decodeKeys(text);
  if (!("problem" in keys)) return keys;
  throw new KeystoreEntryError(entry.backend, entry.profile, {
    where: entry.where,
    reason: keys.problem,
  });
}

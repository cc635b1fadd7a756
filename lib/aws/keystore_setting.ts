/**
 * Where a source section's long-term keys are (pure): in the section itself,
 * or in a keystore the section names with `awsmfa_keystore = NAME`, and the
 * two edits that move them out of the file and back in.
 *
 * The edits keep the file's layout: `awsmfa_keystore` takes the line of
 * `aws_access_key_id` (the secret's line goes), and the keys come back on
 * that line, so that a store followed by a restore gives back the bytes the
 * file had. Each such edit of the text is checked against the document's own
 * edit (every value botocore reads must be the same); when it is not, or the
 * lines are not plain `key = value` lines, the document's edit is used (the
 * keys at the end of the section).
 *
 * @module
 */
import { ConfigError } from "../core/errors.ts";
import type { IniDocument, IniView } from "../ini/mod.ts";
import { targetOf } from "./profile_names.ts";
import { loadIni } from "./shared_files.ts";
import { hasOwnKey } from "./source_profile.ts";

/** The key of a source section that names the keystore holding its keys. */
export const KEYSTORE_KEY = "awsmfa_keystore";

/** The two keys a keystore holds instead of the file. */
export const LONG_TERM_KEYS = ["aws_access_key_id", "aws_secret_access_key"] as const;

/** The long-term keys of a source section, wherever they are kept. */
export interface LongTermKeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The keystore `section` names (`awsmfa_keystore`), or undefined when its keys are in the file. */
export function keystoreOf(doc: IniView, section: string): string | undefined {
  const value = doc.get(section, KEYSTORE_KEY);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The name a source section's keys are stored under in a keystore: the
 * profile it serves (`georgemfa` → `george`), as `awsmfa keys store george`
 * names it; a section not named `Xmfa` under its own name.
 */
export function keystoreItemOf(section: string): string {
  return targetOf(section) ?? section;
}

/**
 * The error for a section that names a keystore and still holds keys of its
 * own: which of them to use is not awsmfa's guess.
 */
export function keysInBothError(section: string, backend: string, path: string): ConfigError {
  return new ConfigError(
    `[${section}] in ${path} has aws_access_key_id or aws_secret_access_key and also ` +
      `${KEYSTORE_KEY} = ${backend}; awsmfa will not guess which keys to use.`,
    {
      fix: `Keep one: delete the keys from [${section}] (they are in the ${backend} keystore), ` +
        `or delete the ${KEYSTORE_KEY} line to use the keys in the file.`,
    },
  );
}

/** Whether `section` writes either long-term key itself (not inherited from [DEFAULT]). */
export function hasOwnLongTermKeys(doc: IniDocument, section: string): boolean {
  return LONG_TERM_KEYS.some((key) => hasOwnKey(doc, section, key));
}

/**
 * `doc` with the long-term keys of `section` removed and
 * `awsmfa_keystore = backend` in their place; `doc` itself is not changed.
 */
export function removeKeysFromFile(
  doc: IniDocument,
  section: string,
  options: { backend: string; path: string },
): IniDocument {
  const edited = doc.copy();
  for (const key of LONG_TERM_KEYS) edited.delete(section, key);
  edited.set(section, KEYSTORE_KEY, options.backend);
  return inPlace(doc, edited, {
    section,
    path: options.path,
    lines: {
      aws_access_key_id: [`${KEYSTORE_KEY} = ${options.backend}`],
      aws_secret_access_key: [],
    },
  });
}

/**
 * `doc` with `keys` written into `section` where its `awsmfa_keystore` line
 * is, and that line removed; `doc` itself is not changed.
 */
export function putKeysInFile(
  doc: IniDocument,
  section: string,
  options: { keys: LongTermKeyPair; path: string },
): IniDocument {
  const { keys } = options;
  const edited = doc.copy();
  edited.set(section, "aws_access_key_id", keys.accessKeyId);
  edited.set(section, "aws_secret_access_key", keys.secretAccessKey);
  edited.delete(section, KEYSTORE_KEY);
  return inPlace(doc, edited, {
    section,
    path: options.path,
    lines: {
      [KEYSTORE_KEY]: [
        `aws_access_key_id = ${keys.accessKeyId}`,
        `aws_secret_access_key = ${keys.secretAccessKey}`,
      ],
    },
  });
}

/**
 * The same edit as `edited`, made on `doc`'s text line by line (each key
 * named by `lines` replaced by its text), when that reads exactly as
 * `edited` does; else `edited`.
 */
function inPlace(
  doc: IniDocument,
  edited: IniDocument,
  options: { section: string; path: string; lines: Record<string, string[]> },
): IniDocument {
  const text = replaceKeyLines(doc.toString(), options.section, options.lines);
  if (text === undefined) return edited;
  let candidate: IniDocument;
  try {
    candidate = loadIni(new TextEncoder().encode(text), options.path);
  } catch {
    return edited;
  }
  const same = canonical(candidate.toRecord()) === canonical(edited.toRecord()) &&
    canonical(candidate.getSection("DEFAULT")) === canonical(edited.getSection("DEFAULT"));
  return same ? candidate : edited;
}

/** JSON of `value` with every object's keys sorted: equal for the same values in any order. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value ?? null,
    (_key, inner) =>
      inner !== null && typeof inner === "object" && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : inner,
  );
}

/**
 * `text` with the plain one-line `key = value` lines of `section` (a header
 * at column 0, written once) that `wanted` names replaced by its lines (with
 * the replaced line's line break); undefined when any of them is missing,
 * written twice, or followed by a continuation line.
 */
function replaceKeyLines(
  text: string,
  section: string,
  wanted: Record<string, string[]>,
): string | undefined {
  const parts = text.split(/(?<=\n)/);
  const found = new Map<string, number>();
  let inSection = false;
  let headers = 0;
  for (let index = 0; index < parts.length; index++) {
    const line = parts[index].replace(/\r?\n$/, "");
    const header = /^\[([^\]]*)\]\s*$/.exec(line);
    if (header) {
      inSection = header[1].trim() === section;
      if (inSection) headers++;
      continue;
    }
    if (!inSection) continue;
    const key = /^([A-Za-z_][\w-]*)\s*[=:]/.exec(line)?.[1]?.toLowerCase();
    if (key === undefined || !Object.hasOwn(wanted, key)) continue;
    if (found.has(key) || /^[ \t]+\S/.test(parts[index + 1] ?? "")) return undefined;
    found.set(key, index);
  }
  if (headers !== 1 || found.size !== Object.keys(wanted).length) return undefined;
  for (const [key, index] of found) {
    const ending = /\r?\n$/.exec(parts[index])?.[0] ?? "";
    const eol = ending || (text.includes("\r\n") ? "\r\n" : "\n");
    parts[index] = wanted[key].length === 0 ? "" : wanted[key].join(eol) + ending;
  }
  return parts.join("");
}

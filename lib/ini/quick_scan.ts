/**
 * A read-only scan for commands that only read a few keys (`status`, the
 * skip path of a login): botocore's view of those keys in every section,
 * without the editable document's line index. It covers the files people
 * write (headers and keys at the start of the line, comments, blank lines,
 * continuation lines, sub-sections, `[DEFAULT]`, LF, CRLF and CR) and gives
 * up, returning `undefined`, on anything else: the caller then parses the
 * file with {@link parseIni}, which gives the same answer or the problem.
 * Given up on: Python whitespace other than space and tab (and a BOM),
 * unpaired surrogates, indented headers and key lines, and every line the
 * reference parser would reject (so a scan never vouches for a bad file).
 *
 * The work per line is a few built-in calls (`split`, `charCodeAt`,
 * `indexOf`, `slice`, `trim`); values are kept for the requested keys only.
 *
 * @module
 */

import { define, type IniValue } from "./scan.ts";

/** What a read-only command needs of a file: botocore's sections and values. */
export interface IniView {
  /** The sections botocore lists, in file order (not `DEFAULT`). */
  sections(): string[];
  /** The value botocore gives `key` in `section` (`[DEFAULT]`'s when inherited), or undefined. */
  get(section: string, key: string): IniValue | undefined;
}

/**
 * Whitespace or line breaks where Python and JavaScript disagree (or that
 * Python splits values at), and the BOM: a text with any of them is left to
 * the full parser.
 */
// deno-lint-ignore no-control-regex -- these are the characters the fast path does not model
const ODD = /[\v\f\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** A line break other than CRLF, in a text with a CR. */
const NOT_CRLF = /\r(?!\n)|(?<!\r)\n/;
const ANY_EOL = /\r\n|\r|\n/;
/** A line with indented content: a continuation line (or an indented header or key). */
const INDENTED = /^[ \t]+[^ \t\r\n#;]/m;
/** Lines that are neither blank, nor comments, nor indented. */
const CONTENT_LINES = /^[^ \t\r\n#;][^\r\n]*/gm;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const SEMICOLON = 0x3b;
const BRACKET = 0x5b;

/** The result of {@link quickScanIni}: botocore's view of the requested keys. */
export class QuickIni implements IniView {
  #names: string[];
  #ids: Map<string, number>;
  #wanted: Map<string, number>;
  #values: (IniValue | undefined)[][];
  #defaults: (IniValue | undefined)[] | undefined;

  /** Made by {@link quickScanIni}. */
  constructor(
    parts: {
      names: string[];
      ids: Map<string, number>;
      wanted: Map<string, number>;
      values: (IniValue | undefined)[][];
      defaults: (IniValue | undefined)[] | undefined;
    },
  ) {
    this.#names = parts.names;
    this.#ids = parts.ids;
    this.#wanted = parts.wanted;
    this.#values = parts.values;
    this.#defaults = parts.defaults;
  }

  /** The sections botocore lists, in file order. */
  sections(): string[] {
    return this.#names.slice();
  }

  /**
   * The value of `key` (any case) in `section`, inheriting `[DEFAULT]`'s.
   *
   * @throws {Error} for a key the scan was not asked to keep.
   */
  get(section: string, key: string): IniValue | undefined {
    const k = this.#wanted.get(key.toLowerCase());
    if (k === undefined) throw new Error(`quickScanIni did not keep the key '${key}'`);
    if (section === "DEFAULT") return this.#defaults?.[k];
    const id = this.#ids.get(section);
    if (id === undefined) return undefined;
    return this.#values[id][k] ?? this.#defaults?.[k];
  }
}

/**
 * Scans `text` for `keys` (case-insensitive) in every section, or returns
 * `undefined` when the text is one the scan leaves to {@link parseIni}
 * (see the module's description). When it returns a result, the file has no
 * problem and the result agrees with `parseIni(text).toRecord()` on every
 * section name and on each of `keys` in every section.
 */
export function quickScanIni(text: string, keys: readonly string[]): QuickIni | undefined {
  if (ODD.test(text) || !text.isWellFormed()) return undefined;
  // Without continuation lines, only header and key lines (and lines the parser rejects) matter:
  // one built-in call finds them, leaving out blank lines and comments.
  const lines = !INDENTED.test(text)
    ? text.match(CONTENT_LINES) ?? []
    : !text.includes("\r")
    ? text.split("\n")
    : NOT_CRLF.test(text)
    ? text.split(ANY_EOL)
    : text.split("\r\n");
  const wanted = new Map<string, number>();
  for (const key of keys) {
    const name = key.toLowerCase();
    if (!wanted.has(name)) wanted.set(name, wanted.size);
  }
  const names: string[] = [];
  const ids = new Map<string, number>();
  const values: (IniValue | undefined)[][] = [];
  let defaults: (IniValue | undefined)[] | undefined;
  let defaultKeys: string[] | undefined;

  let current: (IniValue | undefined)[] | undefined; // the section's values (DEFAULT's too)
  let sectionKeys: string[] = []; // its key names so far, to find duplicates
  let inKey = false; // a key line came since the header: indented lines continue it
  let keyEmpty = false; // the key line's value is empty (a sub-section if continued)
  let wantedAt = -1; // the index of the key being continued if it is a wanted one
  let parts: string[] | undefined; // its value's lines, once it has a continuation line
  let blanks = 0; // blank lines since the key block's last line

  const n = lines.length;
  for (let l = 0; l < n; l++) {
    const line = lines[l];
    const c = line.charCodeAt(0);
    if (c === HASH || c === SEMICOLON) continue;
    if (c === SPACE || c === TAB) {
      const t = line.trim();
      if (t === "") {
        blanks++;
        continue;
      }
      const d = t.charCodeAt(0);
      if (d === HASH || d === SEMICOLON) continue;
      // An indented line continues the key above; anywhere else it is left to the parser.
      if (!inKey || (keyEmpty && t.indexOf("=") === -1)) return undefined;
      if (wantedAt !== -1) {
        parts ??= [current![wantedAt] as string];
        for (; blanks > 0; blanks--) parts.push("");
        parts.push(t);
      }
      blanks = 0;
      continue;
    }
    if (line === "") {
      blanks++;
      continue;
    }
    if (parts !== undefined) current![wantedAt] = joinValue(parts);
    parts = undefined;
    wantedAt = -1;
    blanks = 0;
    if (c === BRACKET) {
      const close = line.lastIndexOf("]");
      if (close < 2) return undefined;
      const name = line.slice(1, close);
      inKey = false;
      if (name === "DEFAULT") {
        current = defaults ??= [];
        sectionKeys = defaultKeys ??= [];
        continue;
      }
      if (ids.has(name)) return undefined;
      ids.set(name, names.length);
      names.push(name);
      current = [];
      values.push(current);
      sectionKeys = [];
      continue;
    }
    // A key line: split at the first '=' or ':'.
    let sep = line.indexOf("=");
    const colon = line.indexOf(":");
    if (colon !== -1 && (sep === -1 || colon < sep)) sep = colon;
    if (sep <= 0 || current === undefined) return undefined;
    const name = line.slice(0, sep).trimEnd().toLowerCase();
    if (sectionKeys.includes(name)) return undefined;
    sectionKeys.push(name);
    inKey = true;
    const value = sep + 1 === line.length ? "" : line.slice(sep + 1).trim();
    keyEmpty = value === "";
    const k = wanted.get(name);
    if (k === undefined) continue;
    current[k] = value;
    wantedAt = k;
  }
  if (parts !== undefined) current![wantedAt] = joinValue(parts);
  return new QuickIni({ names, ids, wanted, values, defaults });
}

/**
 * A key's value from its key line's value and its continuation lines (with
 * an empty part per blank line between them), as botocore returns it: the
 * lines joined, or a sub-section when the key line's value is empty.
 */
function joinValue(parts: string[]): IniValue {
  if (parts.length === 1) return parts[0];
  if (parts[0] !== "") return parts.join("\n");
  const sub: Record<string, string> = {};
  for (let p = 1; p < parts.length; p++) {
    const part = parts[p];
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    define(sub, part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return sub;
}

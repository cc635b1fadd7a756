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
 * It keeps no line index and makes no string per line: `indexOf` finds the
 * line ends and separators (one scan of the text each), and only section
 * names, key names and the requested keys' values are sliced out.
 *
 * @module
 */

import { define, type IniValue } from "./scan_model.ts";

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
  #values: (IniValue | undefined)[];
  #defaults: (IniValue | undefined)[] | undefined;
  #kept: Set<string> | undefined;
  /** The scanned text. */
  readonly text: string;

  /** Made by {@link quickScanIni}. */
  constructor(
    parts: {
      text: string;
      names: string[];
      ids: Map<string, number>;
      wanted: Map<string, number>;
      values: (IniValue | undefined)[];
      defaults: (IniValue | undefined)[] | undefined;
      kept: Set<string> | undefined;
    },
  ) {
    this.text = parts.text;
    this.#names = parts.names;
    this.#ids = parts.ids;
    this.#wanted = parts.wanted;
    this.#values = parts.values;
    this.#defaults = parts.defaults;
    this.#kept = parts.kept;
  }

  /** The sections botocore lists, in file order. */
  sections(): string[] {
    return this.#names.slice();
  }

  /**
   * The value of `key` (any case) in `section`, inheriting `[DEFAULT]`'s.
   *
   * @throws {Error} for a key or a section the scan was not asked to keep.
   */
  get(section: string, key: string): IniValue | undefined {
    const k = this.#wanted.get(key.toLowerCase());
    if (k === undefined) throw new Error(`quickScanIni did not keep the key '${key}'`);
    if (section === "DEFAULT") return this.#defaults?.[k];
    if (this.#kept !== undefined && !this.#kept.has(section)) {
      throw new Error(`quickScanIni did not keep the section '${section}'`);
    }
    const id = this.#ids.get(section);
    if (id === undefined) return undefined;
    return this.#values[id * this.#wanted.size + k] ?? this.#defaults?.[k];
  }
}

/** Options of {@link quickScanIni}. */
export interface QuickScanOptions {
  /** Keep the values of these sections only (and `[DEFAULT]`'s); by default, of every section. */
  sections?: readonly string[];
}

/**
 * Scans `text` for `keys` (case-insensitive) in every section, or returns
 * `undefined` when the text is one the scan leaves to {@link parseIni}
 * (see the module's description). When it returns a result, the file has no
 * problem and the result agrees with `parseIni(text).toRecord()` on every
 * section name and on each of `keys` in every section.
 */
export function quickScanIni(
  text: string,
  keys: readonly string[],
  options: QuickScanOptions = {},
): QuickIni | undefined {
  if (ODD.test(text) || !text.isWellFormed()) return undefined;
  const scanner = new Scanner(text, keys, options.sections);
  return scanner.run() ? scanner.result() : undefined;
}

/** The state of one scan; each method returns false to give up. */
class Scanner {
  readonly text: string;
  wanted = new Map<string, number>();
  names: string[] = [];
  ids = new Map<string, number>();
  /** Every kept section's values, by section and wanted key (`id * wanted.size + k`). */
  values: (IniValue | undefined)[] = [];
  defaults: (IniValue | undefined)[] | undefined;
  kept: Set<string> | undefined;
  /** Where the section's values go ([DEFAULT]'s too), from `base`; undefined: not kept. */
  store: (IniValue | undefined)[] | undefined;
  base = 0;
  /** A header came. */
  inSection = false;
  /** The section's key names so far (all [DEFAULT]s' for DEFAULT), to find duplicates. */
  keyList: string[] = [];
  sectionKeys = this.keyList;
  defaultKeys: string[] | undefined;
  /** A key line came since the header: indented lines continue it. */
  inKey = false;
  /** The key line's value is empty (a sub-section if continued). */
  keyEmpty = false;
  /** The index of the key being continued if it is a wanted one, else -1. */
  wantedAt = -1;
  /** Its value's lines, once it has a continuation line. */
  parts: string[] | undefined;
  /** Blank lines since the key block's last line. */
  blanks = 0;
  /** The next '=' and ':' at or after the line (-1: none): one scan of the text each. */
  nextEq: number;
  nextColon: number;

  constructor(text: string, keys: readonly string[], sections?: readonly string[]) {
    this.text = text;
    if (sections !== undefined) this.kept = new Set(sections);
    for (const key of keys) {
      const name = key.toLowerCase();
      if (!this.wanted.has(name)) this.wanted.set(name, this.wanted.size);
    }
    this.nextEq = text.indexOf("=");
    this.nextColon = text.indexOf(":");
  }

  /** Reads every line: up to LF, CRLF or a bare CR. */
  run(): boolean {
    const text = this.text;
    const len = text.length;
    let nextLF = text.indexOf("\n");
    let nextCR = text.indexOf("\r");
    for (let pos = 0, next = 0; pos < len; pos = next) {
      if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf("\n", pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf("\r", pos);
      let end = len;
      next = len;
      if (nextCR !== -1 && (nextLF === -1 || nextCR < nextLF)) {
        end = nextCR;
        next = nextLF === end + 1 ? end + 2 : end + 1;
      } else if (nextLF !== -1) {
        end = nextLF;
        next = end + 1;
      }
      const c = pos < end ? text.charCodeAt(pos) : -1;
      if (c === HASH || c === SEMICOLON) continue;
      if (c === SPACE || c === TAB || c === -1) {
        if (!this.indented(pos, end)) return false;
        continue;
      }
      if (this.parts !== undefined) this.store![this.base + this.wantedAt] = joinValue(this.parts);
      this.parts = undefined;
      this.wantedAt = -1;
      this.blanks = 0;
      if (!(c === BRACKET ? this.header(pos, end) : this.key(pos, end))) return false;
    }
    if (this.parts !== undefined) this.store![this.base + this.wantedAt] = joinValue(this.parts);
    return true;
  }

  /** A blank line, a comment, or a continuation line. */
  indented(pos: number, end: number): boolean {
    const text = this.text;
    let i = pos;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i === end) {
      this.blanks++;
      return true;
    }
    const d = text.charCodeAt(i);
    if (d === HASH || d === SEMICOLON) return true;
    // An indented line continues the key above; anywhere else it is left to the parser.
    if (!this.inKey) return false;
    if (this.keyEmpty) {
      const eq = text.indexOf("=", i);
      if (eq === -1 || eq >= end) return false;
    }
    if (this.wantedAt !== -1) {
      let j = end;
      while (isBlank(text.charCodeAt(j - 1))) j--;
      const parts = this.parts ??= [this.store![this.base + this.wantedAt] as string];
      for (; this.blanks > 0; this.blanks--) parts.push("");
      parts.push(text.slice(i, j));
    }
    this.blanks = 0;
    return true;
  }

  /** A line starting with '[': a header if a ']' ends a name. */
  header(pos: number, end: number): boolean {
    const text = this.text;
    // The name ends at the last ']' (lastIndexOf is slow in V8: a loop over the line).
    let close = end - 1;
    while (close >= pos + 2 && text.charCodeAt(close) !== 0x5d) close--;
    if (close < pos + 2) return false;
    const name = text.slice(pos + 1, close);
    this.inKey = false;
    this.inSection = true;
    if (name === "DEFAULT") {
      this.store = this.defaults ??= [];
      this.base = 0;
      this.keyList = this.defaultKeys ??= [];
      return true;
    }
    if (this.ids.has(name)) return false;
    const id = this.names.length;
    this.ids.set(name, id);
    this.names.push(name);
    if (this.kept === undefined || this.kept.has(name)) {
      this.store = this.values;
      this.base = id * this.wanted.size;
      // Grown one section at a time, the array stays dense (no gap, which could make it slow).
      this.values.length = this.base + this.wanted.size;
    } else this.store = undefined;
    this.keyList = this.sectionKeys;
    this.keyList.length = 0;
    return true;
  }

  /** A key line: the key up to the first '=' or ':', the value after it. */
  key(pos: number, end: number): boolean {
    const text = this.text;
    if (this.nextEq !== -1 && this.nextEq < pos) this.nextEq = text.indexOf("=", pos);
    if (this.nextColon !== -1 && this.nextColon < pos) this.nextColon = text.indexOf(":", pos);
    const eq = this.nextEq;
    const colon = this.nextColon;
    const sep = colon !== -1 && (eq === -1 || colon < eq) ? colon : eq;
    if (sep === -1 || sep >= end || sep === pos || !this.inSection) return false;
    let keyEnd = sep;
    while (isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    const name = text.slice(pos, keyEnd).toLowerCase();
    if (this.keyList.includes(name)) return false;
    this.keyList.push(name);
    this.inKey = true;
    let v = sep + 1;
    while (v < end && isBlank(text.charCodeAt(v))) v++;
    this.keyEmpty = v === end;
    const k = this.store === undefined ? undefined : this.wanted.get(name);
    if (k === undefined) return true;
    let e = end;
    while (e > v && isBlank(text.charCodeAt(e - 1))) e--;
    this.store![this.base + k] = text.slice(v, e);
    this.wantedAt = k;
    return true;
  }

  result(): QuickIni {
    return new QuickIni(this);
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
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

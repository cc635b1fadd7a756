/**
 * What a scan of an INI text records (flat arrays: no object per line, key
 * or section) and how to read it: find a section or a key, split a key line,
 * give a value as botocore returns it. {@link scanIni} (scan.ts) builds it.
 *
 * @module
 */

import { isSpace, pyLower, pyStrip, splitInnerLines } from "./chars.ts";

/** A problem the reference parser would reject the file for. */
export interface IniProblem {
  /** The 1-based line number. */
  line: number;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Line kinds. */
export const BLANK = 0;
/** A whole-line comment (`#` or `;` after optional whitespace). */
export const COMMENT = 1;
/** A `[section]` header. */
export const HEADER = 2;
/** A `key = value` line. */
export const KEY = 3;
/** A line indented more than its key line: part of that key's value. */
export const CONTINUATION = 4;
/** Anything else: the reference parser rejects the file. */
export const INVALID = 5;

/** What `scanIni` (scan.ts) records: flat arrays, no object per line, key or section. */
export interface IniScan {
  /** The scanned text. */
  text: string;
  /** Number of lines (a final line terminator does not start another line). */
  lineCount: number;
  /** Start offset of each line; `starts[lineCount]` is the text length. */
  starts: Int32Array;
  /** End offset of each line's content (where its terminator starts). */
  ends: Int32Array;
  /** Kind of each line. */
  kinds: Uint8Array;
  /** Number of header occurrences. */
  sectionCount: number;
  /** Per header occurrence: its line. */
  secLine: Int32Array;
  /** Per header occurrence: where its name starts in the text. */
  secNameStart: Int32Array;
  /** Per header occurrence: where its name ends. */
  secNameEnd: Int32Array;
  /** Per header occurrence: its keys are `secKeyStart[s]` up to `secKeyEnd[s]`. */
  secKeyStart: Int32Array;
  /** Per header occurrence: one past its last key. */
  secKeyEnd: Int32Array;
  /** Per header occurrence: {@link SEC_DEFAULT} and {@link SEC_FIRST} flags. */
  secFlags: Uint8Array;
  /** Per header occurrence: hash of its name. */
  secHash: Int32Array;
  /** Open-addressing table of first occurrences (index + 1; 0 is empty). */
  table: Int32Array;
  /** Number of keys. */
  keyCount: number;
  /** Per key: its key line. */
  keyLine: Int32Array;
  /** Per key: the last line of its block (its last continuation line, or its key line). */
  keyEnd: Int32Array;
  /** Per key: hash of its lower-cased name. */
  keyHash: Int32Array;
  /** `[DEFAULT]`'s keys (of every occurrence) by lower-cased name. */
  defaultKeys: Map<string, number>;
  /** Occurrences of `[DEFAULT]`. */
  defaults: number[];
  /** What the reference parser would reject. */
  problems: IniProblem[];
  /** The line terminator to use for new lines. */
  eol: string;
  /**
   * `[DEFAULT]` keys whose sub-section botocore would reject, and does not
   * yet only because every section has its own key of that name.
   */
  latentDefaults: number[];
}

/** Section flag: the occurrence is a `[DEFAULT]` header. */
export const SEC_DEFAULT = 1;
/** Section flag: the first occurrence of its name (not `DEFAULT`): a section botocore lists. */
export const SEC_FIRST = 2;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

/** The hash of names in the scan (FNV-1a, 32 bits) of `text`'s code units `from` to `to`. */
export function hashRange(text: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let k = from; k < to; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

/** The hash of `s` (see {@link hashRange}). */
export function hashString(s: string): number {
  return hashRange(s, 0, s.length);
}

/** The hash of the lower-cased key name (see {@link pyLower}) from `from` to `to` in `text`. */
export function hashKeyName(text: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let k = from; k < to; k++) {
    let e = text.charCodeAt(k);
    if (e >= 0x80) return hashString(pyLower(text.slice(from, to)));
    if (e <= 0x5a && e >= 0x41) e |= 0x20;
    h = Math.imul(h ^ e, FNV_PRIME);
  }
  return h;
}

/** Where `char` next occurs in `text` from `from` on, or the text's length if it does not. */
export function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}

/** The lower-cased name of the key on line `line`. */
export function keyNameAt(text: string, starts: Int32Array, line: number): string {
  let i = line === 0 && text.charCodeAt(0) === 0xfeff ? 1 : starts[line];
  while (isSpace(text.charCodeAt(i))) i++;
  let d = i;
  for (;;) {
    const e = text.charCodeAt(d);
    if (e === 0x3d || e === 0x3a) break;
    d++;
  }
  while (d > i && isSpace(text.charCodeAt(d - 1))) d--;
  return pyLower(text.slice(i, d));
}

/** Whether lines `a` and `b` are key lines of the same name (case-insensitive). */
export function sameKey(text: string, starts: Int32Array, a: number, b: number): boolean {
  return keyNameAt(text, starts, a) === keyNameAt(text, starts, b);
}

/** The lower-cased name of key `key`. */
export function keyName(scan: IniScan, key: number): string {
  return keyNameAt(scan.text, scan.starts, scan.keyLine[key]);
}

/** The name of header occurrence `section`. */
export function sectionName(scan: IniScan, section: number): string {
  return scan.text.slice(scan.secNameStart[section], scan.secNameEnd[section]);
}

/** The first occurrence of section `name` (not `DEFAULT`), or -1. */
export function findSection(scan: IniScan, name: string): number {
  const table = scan.table;
  const mask = table.length - 1;
  const h = hashString(name);
  for (let slot = h & mask, e = table[slot]; e !== 0; e = table[slot = (slot + 1) & mask]) {
    const s = e - 1;
    if (
      scan.secHash[s] === h && scan.secNameEnd[s] - scan.secNameStart[s] === name.length &&
      scan.text.startsWith(name, scan.secNameStart[s])
    ) return s;
  }
  return -1;
}

/** Key `name` (lower-cased) in header occurrence `section` (for DEFAULT: in any), or -1. */
export function findKey(scan: IniScan, section: number, name: string): number {
  if ((scan.secFlags[section] & SEC_DEFAULT) !== 0) return scan.defaultKeys.get(name) ?? -1;
  const h = hashString(name);
  for (let k = scan.secKeyStart[section]; k < scan.secKeyEnd[section]; k++) {
    if (scan.keyHash[k] === h && keyName(scan, k) === name) return k;
  }
  return -1;
}

/** The first occurrences of the sections botocore lists, in file order. */
export function listedSections(scan: IniScan): number[] {
  const out: number[] = [];
  for (let s = 0; s < scan.sectionCount; s++) if ((scan.secFlags[s] & SEC_FIRST) !== 0) out.push(s);
  return out;
}

/** Offsets of a key line's parts: indentation end, key end, separator, value start and end. */
export interface KeyLineParts {
  /** Offset of the first character of the key. */
  keyStart: number;
  /** Offset just after the key (before any whitespace and the separator). */
  keyEnd: number;
  /** Offset of the separator (`=` or `:`). */
  sep: number;
  /** Offset of the first character of the value (or `valueEnd` if empty). */
  valueStart: number;
  /** Offset just after the value's last non-space character. */
  valueEnd: number;
}

/** Splits the key line `line` into its parts. */
export function keyLineParts(scan: IniScan, line: number): KeyLineParts {
  const text = scan.text;
  const lineStart = line === 0 && text.charCodeAt(0) === 0xfeff ? 1 : scan.starts[line];
  let i = lineStart;
  const end = scan.ends[line];
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  let j = end;
  while (j > i && isSpace(text.charCodeAt(j - 1))) j--;
  let d = i;
  while (d < j) {
    const e = text.charCodeAt(d);
    if (e === 0x3d || e === 0x3a) break;
    d++;
  }
  let ke = d;
  while (ke > i && isSpace(text.charCodeAt(ke - 1))) ke--;
  let v = d + 1;
  while (v < j && isSpace(text.charCodeAt(v))) v++;
  return { keyStart: i, keyEnd: ke, sep: d, valueStart: v, valueEnd: j };
}

/** The stripped content of line `line`. */
export function strippedLine(scan: IniScan, line: number): string {
  return pyStrip(scan.text.slice(scan.starts[line], scan.ends[line]));
}

/**
 * The value of a key as the reference parser stores it: the key line's value,
 * then one entry per blank or continuation line up to the end of the block.
 */
export function keyValueParts(scan: IniScan, key: number): string[] {
  const line = scan.keyLine[key];
  const p = keyLineParts(scan, line);
  const parts = [scan.text.slice(p.valueStart, p.valueEnd)];
  for (let l = line + 1; l <= scan.keyEnd[key]; l++) {
    const kind = scan.kinds[l];
    if (kind === BLANK) parts.push("");
    else if (kind === CONTINUATION) parts.push(strippedLine(scan, l));
  }
  return parts;
}

/** A value as botocore returns it: a string, or a sub-section's `name = value` pairs. */
export type IniValue = string | Record<string, string>;

/** The value of a key as botocore returns it (a sub-section becomes an object). */
export function keyValue(scan: IniScan, key: number): IniValue {
  if (scan.keyEnd[key] === scan.keyLine[key]) {
    const p = keyLineParts(scan, scan.keyLine[key]);
    return scan.text.slice(p.valueStart, p.valueEnd);
  }
  const parts = keyValueParts(scan, key);
  if (parts[0] !== "") return parts.join("\n");
  const sub: Record<string, string> = {};
  for (let k = 1; k < parts.length; k++) {
    for (const piece of splitInnerLines(parts[k])) {
      const line = pyStrip(piece);
      const eq = line.indexOf("=");
      if (line === "" || eq === -1) continue;
      define(sub, pyStrip(line.slice(0, eq)), pyStrip(line.slice(eq + 1)));
    }
  }
  return sub;
}

/** Sets an own enumerable property, even one named `__proto__`. */
export function define<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

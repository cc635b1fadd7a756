/**
 * One pass over the text that classifies every line as Python's
 * configparser (under botocore's `raw_config_parse`) would, records where
 * each section and key block is, and lists what the reference parser would
 * reject. Values are not extracted here; {@link keyValue} does that on demand.
 *
 * @module
 */

import { isSpace, loneSurrogateIndex, pyLower, pyStrip, splitInnerLines } from "./chars.ts";

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

/** The result of {@link scanIni}: flat arrays, no object per line, key or section. */
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

const MANY_KEYS = 16;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function grow<T extends Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** Scans `text` in one pass. Never throws. */
export function scanIni(text: string): IniScan {
  const len = text.length;
  let cap = (len >> 5) + 16;
  let starts = new Int32Array(cap + 1);
  let ends = new Int32Array(cap);
  let kinds = new Uint8Array(cap);
  let secCap = (len >> 7) + 8;
  let secLine = new Int32Array(secCap);
  let secNameStart = new Int32Array(secCap);
  let secNameEnd = new Int32Array(secCap);
  let secKeyStart = new Int32Array(secCap);
  let secKeyEnd = new Int32Array(secCap);
  let secFlags = new Uint8Array(secCap);
  let secHash = new Int32Array(secCap);
  let table = new Int32Array(64);
  let firsts = 0;
  let keyCap = (len >> 6) + 8;
  let keyLine = new Int32Array(keyCap);
  let keyEnd = new Int32Array(keyCap);
  let keyHash = new Int32Array(keyCap);
  let sectionCount = 0;
  let keyCount = 0;
  const defaultKeys = new Map<string, number>();
  const defaults: number[] = [];
  const problems: IniProblem[] = [];
  const badDefaultSubs: number[] = [];
  let bigSections: Map<number, Map<number, number>> | undefined;

  let cur = -1;
  let curIsDefault = false;
  let curKey = -1;
  let curKeyIsSub = false;
  let indentLevel = 0;

  let lf = 0, crlf = 0, cr = 0;
  let lfAt = -1, crlfAt = -1, crAt = -1;
  let nextLF = text.indexOf("\n");
  let nextCR = text.indexOf("\r");
  let pos = 0;
  let n = 0;
  let from = 0;
  if (len > 0 && text.charCodeAt(0) === 0xfeff) {
    from = 1;
    problems.push({
      line: 1,
      message: "The file starts with a UTF-8 byte order mark (BOM), which the AWS CLI rejects; " +
        "save the file as UTF-8 without a BOM.",
    });
  }

  while (pos < len) {
    // Find the end of this line: LF, CRLF or a bare CR.
    if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf("\n", pos);
    if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf("\r", pos);
    let end: number;
    let next: number;
    if (nextCR !== -1 && (nextLF === -1 || nextCR < nextLF)) {
      end = nextCR;
      if (nextLF === nextCR + 1) {
        next = end + 2;
        if (crlf++ === 0) crlfAt = n;
      } else {
        next = end + 1;
        if (cr++ === 0) crAt = n;
      }
    } else if (nextLF !== -1) {
      end = nextLF;
      next = end + 1;
      if (lf++ === 0) lfAt = n;
    } else {
      end = len;
      next = len;
    }
    if (n === cap) {
      cap *= 2;
      starts = grow(starts, cap + 1);
      ends = grow(ends, cap);
      kinds = grow(kinds, cap);
    }
    starts[n] = pos;
    ends[n] = end;

    // Classify it.
    const lineStart = n === 0 ? from : pos;
    let i = lineStart;
    let c = 0;
    while (i < end) {
      c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || (c > 0x0a && isSpace(c))) i++;
      else break;
    }
    let kind: number;
    if (i === end) {
      kind = BLANK;
    } else if (c === 0x23 || c === 0x3b) { // # ;
      kind = COMMENT;
    } else {
      const indent = i - lineStart;
      let j = end;
      while (j > i && isSpace(text.charCodeAt(j - 1))) j--;
      if (cur !== -1 && curKey !== -1 && indent > indentLevel) {
        kind = CONTINUATION;
        keyEnd[curKey] = n;
        if (curKeyIsSub && isBadSubLine(text.slice(i, j))) {
          if (curIsDefault) badDefaultSubs.push(curKey, n);
          else problems.push(subProblem(n, keyNameAt(text, starts, keyLine[curKey]), false));
        }
      } else {
        indentLevel = indent;
        let close = -1;
        if (c === 0x5b) { // [
          for (let k = j - 1; k >= i + 2; k--) {
            if (text.charCodeAt(k) === 0x5d) {
              close = k;
              break;
            }
          }
        }
        if (close !== -1) {
          kind = HEADER;
          if (sectionCount === secCap) {
            secCap *= 2;
            secLine = grow(secLine, secCap);
            secNameStart = grow(secNameStart, secCap);
            secNameEnd = grow(secNameEnd, secCap);
            secKeyStart = grow(secKeyStart, secCap);
            secKeyEnd = grow(secKeyEnd, secCap);
            secFlags = grow(secFlags, secCap);
            secHash = grow(secHash, secCap);
          }
          const s = sectionCount++;
          let h = FNV_OFFSET;
          for (let k = i + 1; k < close; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
          secLine[s] = n;
          secNameStart[s] = i + 1;
          secNameEnd[s] = close;
          secKeyStart[s] = keyCount;
          secKeyEnd[s] = keyCount;
          secHash[s] = h;
          cur = s;
          curKey = -1;
          const nameLength = close - i - 1;
          if (nameLength === 7 && text.startsWith("DEFAULT", i + 1)) {
            secFlags[s] = SEC_DEFAULT;
            curIsDefault = true;
            defaults.push(s);
          } else {
            curIsDefault = false;
            // Find the first occurrence of this name, or make this one it.
            let mask = table.length - 1;
            let slot = h & mask;
            let found = -1;
            for (let e = table[slot]; e !== 0; e = table[slot = (slot + 1) & mask]) {
              const o = e - 1;
              if (
                secHash[o] === h && secNameEnd[o] - secNameStart[o] === nameLength &&
                sameChars(text, secNameStart[o], i + 1, nameLength)
              ) {
                found = o;
                break;
              }
            }
            if (found === -1) {
              secFlags[s] = SEC_FIRST;
              table[slot] = s + 1;
              if (++firsts * 2 > table.length) {
                table = new Int32Array(table.length * 4);
                mask = table.length - 1;
                for (let t = 0; t <= s; t++) {
                  if ((secFlags[t] & SEC_FIRST) === 0) continue;
                  let q = secHash[t] & mask;
                  while (table[q] !== 0) q = (q + 1) & mask;
                  table[q] = t + 1;
                }
              }
            } else {
              secFlags[s] = 0;
              problems.push({
                line: n + 1,
                message: `Section [${text.slice(i + 1, close)}] is already defined on line ` +
                  `${secLine[found] + 1}; merge the two sections into one or delete one of them.`,
              });
            }
          }
        } else {
          // A key line? Split at the first '=' or ':', hashing the lower-cased
          // key as we go (making no string while it is ASCII).
          let d = i;
          let h = FNV_OFFSET;
          let hKey = h;
          let ke = i;
          let ascii = true;
          for (; d < j; d++) {
            let e = text.charCodeAt(d);
            if (e === 0x3d || e === 0x3a) break;
            if (e > 0x20 && e < 0x7f) {
              if (e <= 0x5a && e >= 0x41) e |= 0x20;
              hKey = h = Math.imul(h ^ e, FNV_PRIME);
              ke = d + 1;
            } else {
              if (e >= 0x80) ascii = false;
              h = Math.imul(h ^ e, FNV_PRIME);
              if (!isSpace(e)) {
                hKey = h;
                ke = d + 1;
              }
            }
          }
          if (cur === -1) {
            kind = INVALID;
            problems.push({
              line: n + 1,
              message: d < j
                ? `The key '${pyStrip(text.slice(i, d))}' comes before the first [section] ` +
                  "header; move it under a section header or delete it."
                : "This line comes before the first [section] header and is not a comment; " +
                  "delete it or comment it out with '#'.",
            });
          } else if (d === j) {
            kind = INVALID;
            problems.push({
              line: n + 1,
              message: "This line is not a [section] header, a 'key = value' line, a comment " +
                "or a continuation of the value above (indented more than its key); " +
                "fix it or comment it out with '#'.",
            });
          } else {
            if (ke === i) {
              kind = INVALID;
              curKey = -1;
              problems.push({
                line: n + 1,
                message: `This line has no key name before '${text[d]}'; ` +
                  "write it as 'key = value' or delete it.",
              });
            } else {
              kind = KEY;
              if (!ascii) h = hashString(pyLower(text.slice(i, ke)));
              else h = hKey;
              if (keyCount === keyCap) {
                keyCap *= 2;
                keyLine = grow(keyLine, keyCap);
                keyEnd = grow(keyEnd, keyCap);
                keyHash = grow(keyHash, keyCap);
              }
              const key = keyCount++;
              keyLine[key] = n;
              keyEnd[key] = n;
              keyHash[key] = h;
              // The value is empty when the separator ends the stripped line.
              curKeyIsSub = j === d + 1;
              let dup = -1;
              if (curIsDefault) {
                const name = keyNameAt(text, starts, n);
                const first = defaultKeys.get(name);
                if (first === undefined) defaultKeys.set(name, key);
                else dup = first;
              } else {
                const first = secKeyStart[cur];
                if (key - first < MANY_KEYS) {
                  for (let o = first; o < key; o++) {
                    if (keyHash[o] === h && sameKey(text, starts, keyLine[o], n)) {
                      dup = o;
                      break;
                    }
                  }
                } else {
                  // Many keys in one section: look the hash up instead.
                  bigSections ??= new Map();
                  let byHash = bigSections.get(cur);
                  if (byHash === undefined) {
                    byHash = new Map();
                    for (let o = first; o < key; o++) {
                      if (!byHash.has(keyHash[o])) byHash.set(keyHash[o], o);
                    }
                    bigSections.set(cur, byHash);
                  }
                  const o = byHash.get(h);
                  if (o === undefined) byHash.set(h, key);
                  else {
                    for (let q = o; q < key; q++) {
                      if (keyHash[q] === h && sameKey(text, starts, keyLine[q], n)) {
                        dup = q;
                        break;
                      }
                    }
                  }
                }
              }
              secKeyEnd[cur] = keyCount;
              if (dup !== -1) {
                problems.push({
                  line: n + 1,
                  message: `The key '${keyNameAt(text, starts, n)}' is already set on line ` +
                    `${keyLine[dup] + 1} in section ` +
                    `[${text.slice(secNameStart[cur], secNameEnd[cur])}] ` +
                    "(keys are case-insensitive); delete one of the two.",
                });
              }
              curKey = key;
            }
          }
        }
      }
    }
    kinds[n] = kind;
    n++;
    pos = next;
  }
  starts[n] = len;

  const scan: IniScan = {
    text,
    lineCount: n,
    starts,
    ends,
    kinds,
    sectionCount,
    secLine,
    secNameStart,
    secNameEnd,
    secKeyStart,
    secKeyEnd,
    secFlags,
    secHash,
    table,
    keyCount,
    keyLine,
    keyEnd,
    keyHash,
    defaultKeys,
    defaults,
    problems,
    eol: "\n",
    latentDefaults: [],
  };

  // A DEFAULT sub-section is parsed only where some section inherits it.
  for (let b = 0; b < badDefaultSubs.length; b += 2) {
    const key = badDefaultSubs[b];
    const name = keyName(scan, key);
    let inherited = false;
    for (let s = 0; s < sectionCount; s++) {
      if ((secFlags[s] & SEC_FIRST) !== 0 && findKey(scan, s, name) === -1) {
        inherited = true;
        break;
      }
    }
    if (inherited) problems.push(subProblem(badDefaultSubs[b + 1], name, true));
    else if (!scan.latentDefaults.includes(key)) scan.latentDefaults.push(key);
  }

  if (!text.isWellFormed()) reportSurrogates(text, starts, n, problems);
  if (problems.length > 1) problems.sort((a, b) => a.line - b.line);

  // The most frequent line ending; on a tie, the one that comes first.
  const most = Math.max(lf, crlf, cr);
  let at = Infinity;
  if (lf === most && lf > 0) at = lfAt;
  if (crlf === most && crlf > 0 && crlfAt < at) [scan.eol, at] = ["\r\n", crlfAt];
  if (cr === most && cr > 0 && crAt < at) scan.eol = "\r";
  return scan;
}

function sameChars(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  }
  return true;
}

function keyNameAt(text: string, starts: Int32Array, line: number): string {
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

function sameKey(text: string, starts: Int32Array, a: number, b: number): boolean {
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

function isBadSubLine(content: string): boolean {
  for (const piece of splitInnerLines(content)) {
    const p = pyStrip(piece);
    if (p !== "" && p.indexOf("=") === -1) return true;
  }
  return false;
}

function subProblem(line: number, name: string, inherited: boolean): IniProblem {
  return {
    line: line + 1,
    message: `This line is in the sub-section of '${name}'` +
      (inherited ? " (in [DEFAULT], so every section inherits it)" : "") +
      " but has no '='; write it as 'name = value', or give the key line a value.",
  };
}

function reportSurrogates(text: string, starts: Int32Array, n: number, problems: IniProblem[]) {
  let line = 0;
  let at = loneSurrogateIndex(text);
  while (at !== -1) {
    while (line + 1 < n && starts[line + 1] <= at) line++;
    problems.push({
      line: line + 1,
      message: "This line contains an unpaired UTF-16 surrogate, which is not Unicode text " +
        "and cannot be written as UTF-8; remove it.",
    });
    at = loneSurrogateIndex(text, starts[line + 1] > at ? starts[line + 1] : at + 1);
  }
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

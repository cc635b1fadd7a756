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

/** A key line and its continuation lines. */
export interface KeyEntry {
  /** The key as the reference parser sees it (lower-cased). */
  name: string;
  /** Index of the key line. */
  line: number;
  /** Index of the last line of the block (the last continuation line, or `line`). */
  end: number;
}

/** One `[name]` header and the keys under it. */
export interface SectionEntry {
  /** The name between the brackets (up to the last `]`). */
  name: string;
  /** Index of the header line. */
  line: number;
  /** The keys in file order. */
  keys: KeyEntry[];
  /** Lower-cased key names, kept once the section has many keys. */
  keySet?: Set<string>;
}

/** The result of {@link scanIni}. */
export interface IniScan {
  /** Number of lines (a final line terminator does not start another line). */
  lineCount: number;
  /** Start offset of each line; `starts[lineCount]` is the text length. */
  starts: Int32Array;
  /** End offset of each line's content (where its terminator starts). */
  ends: Int32Array;
  /** Kind of each line. */
  kinds: Uint8Array;
  /** Every header occurrence, in file order. */
  sections: SectionEntry[];
  /** The first occurrence of each section other than `DEFAULT`. */
  byName: Map<string, SectionEntry>;
  /** The occurrences of `[DEFAULT]` (the reference parser merges them). */
  defaults: SectionEntry[];
  /** Keys of `[DEFAULT]` by name. */
  defaultKeys: Map<string, KeyEntry>;
  /** What the reference parser would reject. */
  problems: IniProblem[];
  /** The line terminator to use for new lines. */
  eol: string;
  /**
   * `[DEFAULT]` keys whose sub-section botocore would reject, and does not
   * yet only because every section has its own key of that name.
   */
  latentDefaults: KeyEntry[];
}

const DEFAULT_SECTION = "DEFAULT";
const MANY_KEYS = 8;

/** Scans `text` in one pass. Never throws. */
export function scanIni(text: string): IniScan {
  const len = text.length;
  let cap = (len >> 5) + 16;
  let starts = new Int32Array(cap + 1);
  let ends = new Int32Array(cap);
  let kinds = new Uint8Array(cap);
  const sections: SectionEntry[] = [];
  const byName = new Map<string, SectionEntry>();
  const defaults: SectionEntry[] = [];
  const defaultKeys = new Map<string, KeyEntry>();
  const problems: IniProblem[] = [];
  const badDefaultSubs: { key: KeyEntry; line: number }[] = [];
  const latentDefaults: KeyEntry[] = [];

  let cur: SectionEntry | null = null;
  let curIsDefault = false;
  let curKey: KeyEntry | null = null;
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
      const s2 = new Int32Array(cap + 1);
      s2.set(starts);
      starts = s2;
      const e2 = new Int32Array(cap);
      e2.set(ends);
      ends = e2;
      const k2 = new Uint8Array(cap);
      k2.set(kinds);
      kinds = k2;
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
      if (cur !== null && curKey !== null && indent > indentLevel) {
        kind = CONTINUATION;
        curKey.end = n;
        if (curKeyIsSub && isBadSubLine(text.slice(i, j))) {
          if (curIsDefault) badDefaultSubs.push({ key: curKey, line: n });
          else problems.push(subProblem(n, curKey, false));
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
          const name = text.slice(i + 1, close);
          const section: SectionEntry = { name, line: n, keys: [] };
          sections.push(section);
          curKey = null;
          cur = section;
          if (name === DEFAULT_SECTION) {
            curIsDefault = true;
            defaults.push(section);
          } else {
            curIsDefault = false;
            const first = byName.get(name);
            if (first === undefined) {
              byName.set(name, section);
            } else {
              problems.push({
                line: n + 1,
                message: `Section [${name}] is already defined on line ${first.line + 1}; ` +
                  "merge the two sections into one or delete one of them.",
              });
            }
          }
        } else {
          // A key line? Split at the first '=' or ':'.
          let d = i;
          while (d < j) {
            const e = text.charCodeAt(d);
            if (e === 0x3d || e === 0x3a) break;
            d++;
          }
          if (cur === null) {
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
            let ke = d;
            while (ke > i && isSpace(text.charCodeAt(ke - 1))) ke--;
            if (ke === i) {
              kind = INVALID;
              curKey = null;
              problems.push({
                line: n + 1,
                message: `This line has no key name before '${text[d]}'; ` +
                  "write it as 'key = value' or delete it.",
              });
            } else {
              kind = KEY;
              const name = pyLower(text.slice(i, ke));
              const key: KeyEntry = { name, line: n, end: n };
              let v = d + 1;
              while (v < j && isSpace(text.charCodeAt(v))) v++;
              curKeyIsSub = v === j;
              const section: SectionEntry = cur;
              let dup: KeyEntry | undefined;
              if (curIsDefault) {
                dup = defaultKeys.get(name);
                if (dup === undefined) defaultKeys.set(name, key);
              } else if (section.keySet !== undefined) {
                if (section.keySet.has(name)) dup = findKey(section, name);
                else section.keySet.add(name);
              } else {
                dup = findKey(section, name);
                if (section.keys.length >= MANY_KEYS) {
                  section.keySet = new Set(section.keys.map((k) => k.name));
                  section.keySet.add(name);
                }
              }
              if (dup !== undefined) {
                problems.push({
                  line: n + 1,
                  message: `The key '${name}' is already set on line ${dup.line + 1} in ` +
                    `section [${section.name}] (keys are case-insensitive); ` +
                    "delete one of the two.",
                });
              }
              section.keys.push(key);
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

  // A DEFAULT sub-section is parsed only where some section inherits it.
  for (const { key, line } of badDefaultSubs) {
    let inherited = false;
    for (const s of byName.values()) {
      if (findKey(s, key.name) === undefined) {
        inherited = true;
        break;
      }
    }
    if (inherited) problems.push(subProblem(line, key, true));
    else latentDefaults.push(key);
  }

  if (!text.isWellFormed()) reportSurrogates(text, starts, n, problems);
  if (problems.length > 1) problems.sort((a, b) => a.line - b.line);

  // The most frequent line ending; on a tie, the one that comes first.
  const most = Math.max(lf, crlf, cr);
  let eol = "\n";
  let at = Infinity;
  if (lf === most && lf > 0) [eol, at] = ["\n", lfAt];
  if (crlf === most && crlf > 0 && crlfAt < at) [eol, at] = ["\r\n", crlfAt];
  if (cr === most && cr > 0 && crAt < at) eol = "\r";

  return {
    lineCount: n,
    starts,
    ends,
    kinds,
    sections,
    byName,
    defaults,
    defaultKeys,
    problems,
    eol,
    latentDefaults,
  };
}

function isBadSubLine(content: string): boolean {
  for (const piece of splitInnerLines(content)) {
    const p = pyStrip(piece);
    if (p !== "" && p.indexOf("=") === -1) return true;
  }
  return false;
}

function subProblem(line: number, key: KeyEntry, inherited: boolean): IniProblem {
  return {
    line: line + 1,
    message: `This line is in the sub-section of '${key.name}'` +
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

/** The key named `name` (lower-cased) in this occurrence of a section. */
export function findKey(section: SectionEntry, name: string): KeyEntry | undefined {
  const keys = section.keys;
  if (section.keySet !== undefined && !section.keySet.has(name)) return undefined;
  for (let k = 0; k < keys.length; k++) if (keys[k].name === name) return keys[k];
  return undefined;
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
export function keyLineParts(text: string, scan: IniScan, line: number): KeyLineParts {
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
export function strippedLine(text: string, scan: IniScan, line: number): string {
  return pyStrip(text.slice(scan.starts[line], scan.ends[line]));
}

/**
 * The value of a key as the reference parser stores it: the key line's value,
 * then one entry per blank or continuation line up to the end of the block.
 */
export function keyValueParts(text: string, scan: IniScan, key: KeyEntry): string[] {
  const p = keyLineParts(text, scan, key.line);
  const parts = [text.slice(p.valueStart, p.valueEnd)];
  for (let l = key.line + 1; l <= key.end; l++) {
    const kind = scan.kinds[l];
    if (kind === BLANK) parts.push("");
    else if (kind === CONTINUATION) parts.push(strippedLine(text, scan, l));
  }
  return parts;
}

/** A value as botocore returns it: a string, or a sub-section's `name = value` pairs. */
export type IniValue = string | Record<string, string>;

/** The value of a key as botocore returns it (a sub-section becomes an object). */
export function keyValue(text: string, scan: IniScan, key: KeyEntry): IniValue {
  if (key.end === key.line) {
    const p = keyLineParts(text, scan, key.line);
    return text.slice(p.valueStart, p.valueEnd);
  }
  const parts = keyValueParts(text, scan, key);
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

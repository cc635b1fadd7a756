/**
 * The state of one {@link scanIni} pass and one method per kind of line:
 * {@link LineScanner.line} classifies a line (blank, comment, or by its
 * indentation and first character) and hands it to {@link LineScanner.header},
 * {@link LineScanner.splitKeyLine} or {@link LineScanner.continuation}, which
 * record it in flat arrays and note what the reference parser would reject.
 *
 * @module
 */

import { isSpace, pyStrip } from "./chars.ts";
import {
  BLANK,
  COMMENT,
  CONTINUATION,
  hashKeyName,
  hashRange,
  HEADER,
  indexOrEnd,
  type IniProblem,
  INVALID,
  KEY,
  keyNameAt,
  sameKey,
  SEC_DEFAULT,
  SEC_FIRST,
} from "./scan_model.ts";
import {
  beforeFirstHeader,
  duplicateKey,
  duplicateSection,
  isBadSubLine,
  noKeyName,
  subProblem,
  unknownLine,
} from "./scan_problems.ts";

/** Keys in a section beyond which duplicates are found by hash, not by a walk. */
const MANY_KEYS = 16;

function grow<T extends Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

function sameChars(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  }
  return true;
}

/** What {@link scanIni} has found so far; the arrays grow as lines come. */
export class LineScanner {
  readonly text: string;
  /** Where line 0's content starts: 1 past a byte order mark. */
  from = 0;
  lineCap: number;
  starts: Int32Array;
  ends: Int32Array;
  kinds: Uint8Array;
  secCap: number;
  sectionCount = 0;
  secLine: Int32Array;
  secNameStart: Int32Array;
  secNameEnd: Int32Array;
  secKeyStart: Int32Array;
  secKeyEnd: Int32Array;
  secFlags: Uint8Array;
  secHash: Int32Array;
  /** Open-addressing table of first occurrences (index + 1; 0 is empty). */
  table = new Int32Array(64);
  firsts = 0;
  keyCap: number;
  keyCount = 0;
  keyLine: Int32Array;
  keyEnd: Int32Array;
  keyHash: Int32Array;
  defaultKeys = new Map<string, number>();
  defaults: number[] = [];
  problems: IniProblem[] = [];
  /** `[DEFAULT]` sub-section lines without '=': key, line, key, line … */
  badDefaultSubs: number[] = [];
  /** Per section with many keys: first key by hash. */
  bigSections: Map<number, Map<number, number>> | undefined;
  /** The current header occurrence (-1: none yet). */
  cur = -1;
  curIsDefault = false;
  /** The key that an indented line continues (-1: none). */
  curKey = -1;
  /** The current key's value is empty: its continuation lines are a sub-section. */
  curKeyIsSub = false;
  /** The indentation of the last line that was not a continuation. */
  indentLevel = 0;
  /** The next '=' and ':' in the text from the current line on (the text's length: none left). */
  nextEq: number;
  nextColon: number;

  /** Sizes the arrays for `text` (they grow if it has more lines). */
  constructor(text: string) {
    this.text = text;
    this.nextEq = indexOrEnd(text, "=", 0);
    this.nextColon = indexOrEnd(text, ":", 0);
    const len = text.length;
    this.lineCap = (len >> 5) + 16;
    this.starts = new Int32Array(this.lineCap + 1);
    this.ends = new Int32Array(this.lineCap);
    this.kinds = new Uint8Array(this.lineCap);
    this.secCap = (len >> 7) + 8;
    this.secLine = new Int32Array(this.secCap);
    this.secNameStart = new Int32Array(this.secCap);
    this.secNameEnd = new Int32Array(this.secCap);
    this.secKeyStart = new Int32Array(this.secCap);
    this.secKeyEnd = new Int32Array(this.secCap);
    this.secFlags = new Uint8Array(this.secCap);
    this.secHash = new Int32Array(this.secCap);
    this.keyCap = (len >> 6) + 8;
    this.keyLine = new Int32Array(this.keyCap);
    this.keyEnd = new Int32Array(this.keyCap);
    this.keyHash = new Int32Array(this.keyCap);
  }

  /** Records line `n`, from `pos` to `end` (where its terminator starts), and its kind. */
  line(n: number, pos: number, end: number): void {
    if (n === this.lineCap) {
      this.lineCap *= 2;
      this.starts = grow(this.starts, this.lineCap + 1);
      this.ends = grow(this.ends, this.lineCap);
      this.kinds = grow(this.kinds, this.lineCap);
    }
    this.starts[n] = pos;
    this.ends[n] = end;
    const text = this.text;
    const lineStart = n === 0 ? this.from : pos;
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
      if (this.cur !== -1 && this.curKey !== -1 && indent > this.indentLevel) {
        kind = this.continuation(n, i, j);
      } else {
        this.indentLevel = indent;
        const close = c === 0x5b ? headerClose(text, i, j) : -1; // [
        kind = close !== -1 ? this.header(text, n, i, close) : this.splitKeyLine(text, n, i, j);
      }
    }
    this.kinds[n] = kind;
  }

  /** A line indented more than its key line: the stripped content is `i` to `j`. */
  continuation(n: number, i: number, j: number): number {
    const curKey = this.curKey;
    this.keyEnd[curKey] = n;
    if (this.curKeyIsSub && isBadSubLine(this.text.slice(i, j))) {
      if (this.curIsDefault) this.badDefaultSubs.push(curKey, n);
      else {
        const name = keyNameAt(this.text, this.starts, this.keyLine[curKey]);
        this.problems.push(subProblem(n, name, false));
      }
    }
    return CONTINUATION;
  }

  /** A `[name]` header: '[' at `i`, the name's last ']' at `close`. */
  header(text: string, n: number, i: number, close: number): number {
    if (this.sectionCount === this.secCap) this.growSections();
    const s = this.sectionCount++;
    const h = hashRange(text, i + 1, close);
    this.secLine[s] = n;
    this.secNameStart[s] = i + 1;
    this.secNameEnd[s] = close;
    this.secKeyStart[s] = this.keyCount;
    this.secKeyEnd[s] = this.keyCount;
    this.secHash[s] = h;
    this.cur = s;
    this.curKey = -1;
    const nameLength = close - i - 1;
    if (nameLength === 7 && text.startsWith("DEFAULT", i + 1)) {
      this.secFlags[s] = SEC_DEFAULT;
      this.curIsDefault = true;
      this.defaults.push(s);
      return HEADER;
    }
    this.curIsDefault = false;
    const found = this.firstOccurrence(s, h, nameLength);
    if (found !== -1) {
      this.secFlags[s] = 0;
      this.problems.push(duplicateSection(n, text.slice(i + 1, close), this.secLine[found]));
    }
    return HEADER;
  }

  /**
   * The first occurrence of section `s`'s name (its hash `h`), or -1 when `s`
   * is the first: then it is flagged {@link SEC_FIRST} and put in the table.
   */
  firstOccurrence(s: number, h: number, nameLength: number): number {
    const { text, secHash, secNameStart, secNameEnd } = this;
    let table = this.table;
    let mask = table.length - 1;
    let slot = h & mask;
    for (let e = table[slot]; e !== 0; e = table[slot = (slot + 1) & mask]) {
      const o = e - 1;
      if (
        secHash[o] === h && secNameEnd[o] - secNameStart[o] === nameLength &&
        sameChars(text, secNameStart[o], secNameStart[s], nameLength)
      ) return o;
    }
    this.secFlags[s] = SEC_FIRST;
    table[slot] = s + 1;
    if (++this.firsts * 2 > table.length) {
      table = this.table = new Int32Array(table.length * 4);
      mask = table.length - 1;
      for (let t = 0; t <= s; t++) {
        if ((this.secFlags[t] & SEC_FIRST) === 0) continue;
        let q = secHash[t] & mask;
        while (table[q] !== 0) q = (q + 1) & mask;
        table[q] = t + 1;
      }
    }
    return -1;
  }

  /**
   * Any other line, stripped to `i` to `j`: a key line if it has a key before
   * its first '=' or ':' and comes under a header.
   */
  splitKeyLine(text: string, n: number, i: number, j: number): number {
    const d = this.separator(text, i, j);
    let ke = d;
    while (ke > i && isSpace(text.charCodeAt(ke - 1))) ke--;
    if (this.cur === -1) {
      this.problems.push(beforeFirstHeader(n, d < j ? pyStrip(text.slice(i, d)) : undefined));
      return INVALID;
    }
    if (d === j) {
      this.problems.push(unknownLine(n));
      return INVALID;
    }
    if (ke === i) {
      this.curKey = -1;
      this.problems.push(noKeyName(n, text[d]));
      return INVALID;
    }
    // The value is empty when the separator ends the stripped line.
    this.curKeyIsSub = j === d + 1;
    return this.key(n, hashKeyName(text, i, ke));
  }

  /** The first '=' or ':' from `i` on if it comes before `j`, else `j`. */
  separator(text: string, i: number, j: number): number {
    // One scan of the text for each (indexOf), not a loop over every key's characters.
    if (this.nextEq < i) this.nextEq = indexOrEnd(text, "=", i);
    if (this.nextColon < i) this.nextColon = indexOrEnd(text, ":", i);
    const sep = this.nextColon < this.nextEq ? this.nextColon : this.nextEq;
    return sep < j ? sep : j;
  }

  /** Records key line `n`, its lower-cased name's hash `h`, in the current section. */
  key(n: number, h: number): number {
    if (this.keyCount === this.keyCap) {
      this.keyCap *= 2;
      this.keyLine = grow(this.keyLine, this.keyCap);
      this.keyEnd = grow(this.keyEnd, this.keyCap);
      this.keyHash = grow(this.keyHash, this.keyCap);
    }
    const key = this.keyCount++;
    this.keyLine[key] = n;
    this.keyEnd[key] = n;
    this.keyHash[key] = h;
    const dup = this.curIsDefault ? this.defaultDuplicate(n, key) : this.sectionDuplicate(key, h);
    const cur = this.cur;
    this.secKeyEnd[cur] = this.keyCount;
    if (dup !== -1) {
      this.problems.push(duplicateKey(n, this.keyLine[dup], {
        name: keyNameAt(this.text, this.starts, n),
        section: this.text.slice(this.secNameStart[cur], this.secNameEnd[cur]),
      }));
    }
    this.curKey = key;
    return KEY;
  }

  /** An earlier key of the same name as `key` (line `n`) in any `[DEFAULT]`, or -1. */
  defaultDuplicate(n: number, key: number): number {
    const name = keyNameAt(this.text, this.starts, n);
    const first = this.defaultKeys.get(name);
    if (first !== undefined) return first;
    this.defaultKeys.set(name, key);
    return -1;
  }

  /** An earlier key of the same name as `key` (its hash `h`) in the current section, or -1. */
  sectionDuplicate(key: number, h: number): number {
    const { text, starts, keyHash, keyLine } = this;
    const cur = this.cur;
    const first = this.secKeyStart[cur];
    const line = keyLine[key];
    if (key - first < MANY_KEYS) {
      for (let o = first; o < key; o++) {
        if (keyHash[o] === h && sameKey(text, starts, keyLine[o], line)) return o;
      }
      return -1;
    }
    // Many keys in one section: look the hash up instead.
    this.bigSections ??= new Map();
    let byHash = this.bigSections.get(cur);
    if (byHash === undefined) {
      byHash = new Map();
      for (let o = first; o < key; o++) {
        if (!byHash.has(keyHash[o])) byHash.set(keyHash[o], o);
      }
      this.bigSections.set(cur, byHash);
    }
    const o = byHash.get(h);
    if (o === undefined) {
      byHash.set(h, key);
      return -1;
    }
    for (let q = o; q < key; q++) {
      if (keyHash[q] === h && sameKey(text, starts, keyLine[q], line)) return q;
    }
    return -1;
  }

  growSections(): void {
    const cap = this.secCap *= 2;
    this.secLine = grow(this.secLine, cap);
    this.secNameStart = grow(this.secNameStart, cap);
    this.secNameEnd = grow(this.secNameEnd, cap);
    this.secKeyStart = grow(this.secKeyStart, cap);
    this.secKeyEnd = grow(this.secKeyEnd, cap);
    this.secFlags = grow(this.secFlags, cap);
    this.secHash = grow(this.secHash, cap);
  }
}

/** The last ']' of a header line starting with '[' at `i` (stripped end `j`), or -1. */
function headerClose(text: string, i: number, j: number): number {
  for (let k = j - 1; k >= i + 2; k--) {
    if (text.charCodeAt(k) === 0x5d) return k;
  }
  return -1;
}

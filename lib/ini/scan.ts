/**
 * One pass over the text that classifies every line as Python's
 * configparser (under botocore's `raw_config_parse`) would, records where
 * each section and key block is, and lists what the reference parser would
 * reject. Values are not extracted here; `keyValue` (scan_model.ts) does
 * that on demand.
 *
 * The pass itself: this module splits the text into lines (LF, CRLF or a
 * bare CR) and picks the line ending for new lines; scan_lines.ts
 * classifies and records each line; scan_problems.ts words the problems.
 *
 * @module
 */

import { indexOrEnd, type IniScan } from "./scan_model.ts";
import { LineScanner } from "./scan_lines.ts";
import { bomProblem, finishProblems } from "./scan_problems.ts";

/** Line terminators counted by {@link scanIni}, in this order. */
const EOLS = ["\n", "\r\n", "\r"];
const LF = 0;
const CRLF = 1;
const CR = 2;

/** Scans `text` in one pass. Never throws. */
export function scanIni(text: string): IniScan {
  const lines = new LineScanner(text);
  if (text.length > 0 && text.charCodeAt(0) === 0xfeff) {
    lines.from = 1;
    lines.problems.push(bomProblem());
  }
  // Per terminator: how many lines end with it, and the first line that does.
  const eols = { count: [0, 0, 0], first: [-1, -1, -1] };
  const n = splitLines(lines, eols);
  lines.starts[n] = text.length;
  const scan: IniScan = {
    text,
    lineCount: n,
    starts: lines.starts,
    ends: lines.ends,
    kinds: lines.kinds,
    sectionCount: lines.sectionCount,
    secLine: lines.secLine,
    secNameStart: lines.secNameStart,
    secNameEnd: lines.secNameEnd,
    secKeyStart: lines.secKeyStart,
    secKeyEnd: lines.secKeyEnd,
    secFlags: lines.secFlags,
    secHash: lines.secHash,
    table: lines.table,
    keyCount: lines.keyCount,
    keyLine: lines.keyLine,
    keyEnd: lines.keyEnd,
    keyHash: lines.keyHash,
    defaultKeys: lines.defaultKeys,
    defaults: lines.defaults,
    problems: lines.problems,
    eol: dominantEol(eols.count, eols.first),
    latentDefaults: [],
  };
  finishProblems(scan, lines.badDefaultSubs);
  return scan;
}

/**
 * Hands each line of the text (up to LF, CRLF or a bare CR) to `lines`,
 * counting the terminators in `eols`; returns the number of lines. (The loop
 * is a function of its own so that nothing after it is compiled without the
 * types it will see: V8 compiles a hot loop while it runs.)
 */
function splitLines(lines: LineScanner, eols: { count: number[]; first: number[] }): number {
  const text = lines.text;
  const len = text.length;
  const { count, first } = eols;
  // The next LF and CR at or after the line (the text's length: none left).
  let nextLF = indexOrEnd(text, "\n", 0);
  let nextCR = indexOrEnd(text, "\r", 0);
  let pos = 0;
  let n = 0;
  while (pos < len) {
    if (nextLF < pos) nextLF = indexOrEnd(text, "\n", pos);
    if (nextCR < pos) nextCR = indexOrEnd(text, "\r", pos);
    let end = len;
    let next = len;
    let eol = -1;
    if (nextCR < nextLF) {
      end = nextCR;
      eol = end + 1 < len && nextLF === end + 1 ? CRLF : CR;
      next = eol === CRLF ? end + 2 : end + 1;
    } else if (nextLF < len) {
      end = nextLF;
      next = end + 1;
      eol = LF;
    }
    if (eol !== -1 && count[eol]++ === 0) first[eol] = n;
    lines.line(n, pos, end);
    n++;
    pos = next;
  }
  return n;
}

/** The most frequent line ending (LF if none); on a tie, the one that comes first. */
function dominantEol(count: number[], first: number[]): string {
  const most = Math.max(count[LF], count[CRLF], count[CR]);
  let eol = "\n";
  let at = Infinity;
  for (const kind of [LF, CRLF, CR]) {
    if (count[kind] === most && most > 0 && first[kind] < at) {
      eol = EOLS[kind];
      at = first[kind];
    }
  }
  return eol;
}

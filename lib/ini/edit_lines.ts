/**
 * The lines an edit writes, computed from a scan: a key's replacement line
 * (in place, or moved to the end of its section), a new key's line and where
 * it goes, a new section, the spacing they copy, and the checks that a key,
 * value or section name is one botocore reads back as written. Each edit is
 * a {@link Splice} of the scanned text.
 *
 * @module
 */

import { hasOuterSpace, hasSpace, isSpace, loneSurrogateIndex } from "./chars.ts";
import type { IniErrors } from "./errors.ts";
import { scanIni } from "./scan.ts";
import { BLANK, COMMENT, type IniScan, keyLineParts, keyName } from "./scan_model.ts";

/** Text `text` in place of the scanned text's `from` to `to`. */
export interface Splice {
  /** Where the replaced part starts. */
  from: number;
  /** Where it ends. */
  to: number;
  /** What goes there. */
  text: string;
}

/**
 * Where a new key of header occurrence `section` goes: after the line
 * returned (its last key's block, or its header).
 */
export function insertionLine(scan: IniScan, section: number): number {
  const hasKeys = scan.secKeyEnd[section] > scan.secKeyStart[section];
  return hasKeys ? scan.keyEnd[scan.secKeyEnd[section] - 1] : scan.secLine[section];
}

/** Whether line `line` has a line ending (the last line of a file may not). */
export function isTerminated(scan: IniScan, line: number): boolean {
  return scan.ends[line] < scan.starts[line + 1];
}

/** The key line `key` = `value` for the end of header occurrence `section`. */
export function keyInsertion(scan: IniScan, section: number, key: string, value: string): Splice {
  const after = insertionLine(scan, section);
  const style = scan.secKeyEnd[section] > scan.secKeyStart[section]
    ? prevailingStyle(scan, scan.secKeyStart[section], scan.secKeyEnd[section])
    : prevailingStyle(scan, 0, scan.keyCount);
  // Column 0 is never more indented than the key line before it (so it
  // does not continue that value); an indented header after it would
  // continue the new value, so the line takes that header's indentation.
  const line = keyLine(nextIndent(scan, after), key, style, value);
  const at = scan.starts[after + 1];
  return { from: at, to: at, text: isTerminated(scan, after) ? line + scan.eol : scan.eol + line };
}

/**
 * Key `entry`'s lines replaced with `line` (or nothing), keeping the
 * comment lines among them: botocore skips those, while the blank and
 * continuation lines are the value's. Each kept line keeps its line
 * ending, but the last takes the block's.
 */
export function blockReplacement(scan: IniScan, entry: number, line: string | undefined): Splice {
  const text = scan.text;
  const first = scan.keyLine[entry];
  const last = scan.keyEnd[entry];
  let out = "";
  let eol = "";
  if (line !== undefined) {
    out = line;
    eol = text.slice(scan.ends[first], scan.starts[first + 1]);
  }
  for (let l = first + 1; l < last; l++) {
    if (scan.kinds[l] !== COMMENT) continue;
    out += eol + text.slice(scan.starts[l], scan.ends[l]);
    eol = text.slice(scan.ends[l], scan.starts[l + 1]);
  }
  if (out !== "") out += text.slice(scan.ends[last], scan.starts[last + 1]);
  return { from: scan.starts[first], to: scan.starts[last + 1], text: out };
}

/** The indentation of line `line`. */
export function indentOf(scan: IniScan, line: number): string {
  const text = scan.text;
  const start = scan.starts[line];
  let i = start;
  while (i < scan.ends[line] && isSpace(text.charCodeAt(i))) i++;
  return text.slice(start, i);
}

/**
 * The line that replaces key `entry`'s block in place, or `undefined` if the
 * key must move to the end of its section: it is indented, and so is the
 * line after its block, which column 0 would make a continuation of it.
 * Where an indented header follows the section (no line of the section can
 * then be at column 0), the line keeps its indentation.
 */
export function replacementLine(
  scan: IniScan,
  entry: number,
  key: string,
  value: string,
): string | undefined {
  const text = scan.text;
  const first = scan.keyLine[entry];
  let indent = "";
  const own = indentOf(scan, first);
  if (own !== "" && nextIndent(scan, scan.keyEnd[entry]) !== "") {
    const section = sectionOfKey(scan, entry);
    if (nextIndent(scan, scan.keyEnd[scan.secKeyEnd[section] - 1]) === "") return undefined;
    indent = own;
  }
  const p = keyLineParts(scan, first);
  const style: KeyStyle = {
    before: plainSpace(text.slice(p.keyEnd, p.sep), ""),
    after: p.valueStart < p.valueEnd
      ? plainSpace(text.slice(p.sep + 1, p.valueStart), " ")
      : p.keyEnd < p.sep
      ? " "
      : "",
  };
  return keyLine(indent, key, style, value);
}

/** The indentation of the first line after `line` that is not blank or a comment ("" if none). */
export function nextIndent(scan: IniScan, line: number): string {
  let next = line + 1;
  while (next < scan.lineCount && (scan.kinds[next] === BLANK || scan.kinds[next] === COMMENT)) {
    next++;
  }
  return next < scan.lineCount ? indentOf(scan, next) : "";
}

/** The header occurrence that key `key` belongs to. */
export function sectionOfKey(scan: IniScan, key: number): number {
  let lo = 0;
  let hi = scan.sectionCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (scan.secKeyStart[mid] <= key) lo = mid;
    else hi = mid - 1;
  }
  // Sections without keys share their secKeyStart with the next one.
  while (lo > 0 && scan.secKeyEnd[lo] <= key) lo--;
  return lo;
}

/** The spacing around a key line's separator. */
export interface KeyStyle {
  /** Between the key and the separator. */
  before: string;
  /** Between the separator and the value. */
  after: string;
}

/** A key line: `indent`, `key`, the separator spaced as `style` says, and `value`. */
export function keyLine(indent: string, key: string, style: KeyStyle, value: string): string {
  return indent + key + style.before + "=" + (value === "" ? "" : style.after) + value;
}

/** `space` if it is spaces and tabs only (every parser's whitespace), else `instead`. */
export function plainSpace(space: string, instead: string): string {
  return /^[ \t]*$/.test(space) ? space : instead;
}

/** How many of a section's (or the file's) first keys decide the spacing of a new key. */
export const STYLE_SAMPLE = 1000;

/** The spacing around key `key`'s separator, as a new key would copy it. */
export function styleOfKey(scan: IniScan, key: number): KeyStyle {
  const text = scan.text;
  const p = keyLineParts(scan, scan.keyLine[key]);
  const before = plainSpace(text.slice(p.keyEnd, p.sep), "");
  return {
    before,
    after: p.valueStart < p.valueEnd
      ? plainSpace(text.slice(p.sep + 1, p.valueStart), " ")
      : before === ""
      ? ""
      : " ",
  };
}

/** The spacing of a key line as written (what {@link styleOfKey} reads from it in a file). */
export function lineStyle(line: string): KeyStyle {
  return styleOfKey(scanIni("[s]\n" + line), 0);
}

/**
 * The most common spacing around the separator in keys `fromKey` to `toKey`
 * (their first {@link STYLE_SAMPLE}), the later one on a tie.
 */
export function prevailingStyle(scan: IniScan, fromKey: number, toKey: number): KeyStyle {
  const styles: KeyStyle[] = [];
  for (let key = fromKey; key < toKey && key - fromKey < STYLE_SAMPLE; key++) {
    styles.push(styleOfKey(scan, key));
  }
  return pickStyle(styles);
}

/** The most common of `styles`, the later one on a tie (`' = '` if there are none). */
export function pickStyle(styles: readonly KeyStyle[]): KeyStyle {
  const counts = new Map<string, { count: number; last: number; style: KeyStyle }>();
  for (let seen = 0; seen < styles.length; seen++) {
    const style = styles[seen];
    const id = `${style.before}\0${style.after}`;
    const entry = counts.get(id);
    if (entry === undefined) counts.set(id, { count: 1, last: seen, style });
    else {
      entry.count++;
      entry.last = seen;
    }
  }
  let best: { count: number; last: number; style: KeyStyle } | undefined;
  for (const entry of counts.values()) {
    if (
      best === undefined || entry.count > best.count ||
      (entry.count === best.count && entry.last > best.last)
    ) best = entry;
  }
  return best?.style ?? { before: " ", after: " " };
}

/** The text that appends section `section` with its first key line, `line`, to the file. */
export function newSectionText(scan: IniScan, section: string, line: string): string {
  const text = scan.text;
  const eol = scan.eol;
  if (text.length === 0) return `[${section}]${eol}${line}${eol}`;
  const last = scan.lineCount - 1;
  const terminated = scan.ends[last] < text.length;
  let prefix = terminated ? "" : eol;
  if (scan.kinds[last] !== BLANK) prefix += eol;
  return `${prefix}[${section}]${eol}${line}${terminated ? eol : ""}`;
}

/** The error for an edit that would make `section` inherit a `[DEFAULT]` sub-section botocore rejects. */
export function latentError(scan: IniScan, section: string, key: number, errors: IniErrors): Error {
  const name = keyName(scan, key);
  return errors.format(
    `[${section}] would inherit the sub-section '${name}' of [DEFAULT] (line ` +
      `${scan.keyLine[key] + 1}), which the AWS CLI rejects: one of its lines has no '='.`,
    `Write each line under '${name}' in [DEFAULT] as 'name = value', then try again.`,
  );
}

function describe(value: string): string {
  return JSON.stringify(value);
}

function checkCommon(kind: string, value: string, errors: IniErrors): void {
  if (typeof value !== "string") {
    throw errors.value(`The ${kind} must be a string, not ${typeof value}.`);
  }
  if (loneSurrogateIndex(value) !== -1) {
    throw errors.value(
      `The ${kind} ${describe(value)} is not valid Unicode text.`,
      `Remove the unpaired surrogate from the ${kind}.`,
    );
  }
}

export function checkSectionName(name: string, errors: IniErrors): void {
  checkCommon("section name", name, errors);
  let why = "";
  if (name === "") why = "is empty";
  else if (/[\r\n]/.test(name)) why = "contains a line break";
  else if (name.includes("]")) why = "contains ']'";
  else if (hasOuterSpace(name)) why = "starts or ends with whitespace";
  if (why !== "") {
    throw errors.value(
      `The section name ${describe(name)} ${why}, so the AWS CLI could not read it back.`,
      "Use a section name without line breaks, ']' or surrounding whitespace.",
    );
  }
}

export function checkKey(key: string, errors: IniErrors): void {
  checkCommon("key", key, errors);
  let why = "";
  if (key === "") why = "is empty";
  else if (/[=:]/.test(key)) why = "contains '=' or ':'";
  else if (hasSpace(key)) why = "contains whitespace or a line break";
  else if (/^[[#;]/.test(key)) why = `starts with '${key[0]}'`;
  if (why !== "") {
    throw errors.value(
      `The key ${describe(key)} ${why}, so the AWS CLI could not read it back.`,
      "Use a key made of letters, digits, '_' and '-', like aws_session_token.",
    );
  }
}

export function checkValue(value: string, errors: IniErrors): void {
  checkCommon("value", value, errors);
  let why = "";
  if (/[\r\n]/.test(value)) why = "contains a line break";
  else if (hasOuterSpace(value)) why = "starts or ends with whitespace";
  if (why !== "") {
    throw errors.value(
      `The value ${describe(value)} ${why}, so the AWS CLI could not read it back as written.`,
      "Remove the line breaks and the leading and trailing whitespace from the value.",
    );
  }
}

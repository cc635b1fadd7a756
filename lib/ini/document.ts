/**
 * The lossless INI document: the original text, a line index built once per
 * parse (and again, lazily, after each edit), and edits that replace or
 * insert whole lines only.
 *
 * @module
 */

import { hasOuterSpace, hasSpace, isSpace, loneSurrogateIndex, pyLower } from "./chars.ts";
import {
  BLANK,
  COMMENT,
  define,
  findKey,
  findSection,
  type IniProblem,
  type IniScan,
  type IniValue,
  keyLineParts,
  keyName,
  keyValue,
  listedSections,
  sectionName,
} from "./scan_model.ts";
import { scanIni } from "./scan.ts";
import { INI_ERRORS, type IniErrors } from "./errors.ts";

/** The reference parser's view of a file: section → key → value (or sub-section). */
export type IniRecord = Record<string, Record<string, IniValue>>;

/** Options of {@link parseIni}. */
export interface ParseIniOptions {
  /** How to name the file in error messages, e.g. `~/.aws/credentials`. */
  name?: string;
  /** The errors a refused edit throws (default: IniFormatError, IniValueError). */
  errors?: IniErrors;
}

const DEFAULT_SECTION = "DEFAULT";

/**
 * A parsed INI file that remembers every byte. `toString()` gives back the
 * exact text until an edit; edits (`set`, `delete`, `removeSection`) change
 * the document in place, touching only the lines of the key or section they
 * edit, and refuse to run while the document has {@link IniDocument.problems}.
 */
export class IniDocument {
  #text: string;
  #scan: IniScan | undefined;
  #name: string | undefined;
  #errors: IniErrors;

  /** Parses `text`; prefer {@link parseIni}. */
  constructor(text: string, options: ParseIniOptions = {}) {
    this.#text = String(text);
    this.#name = options.name;
    this.#errors = options.errors ?? INI_ERRORS;
    this.#scan = scanIni(this.#text);
  }

  /** A document of the same text, name and errors, to try an edit on without changing this one. */
  copy(): IniDocument {
    return new IniDocument(this.#text, { name: this.#name, errors: this.#errors });
  }

  /** What the reference parser (botocore) would reject, by line; empty if it accepts the file. */
  get problems(): readonly IniProblem[] {
    return this.#index().problems;
  }

  /** The text: byte for byte the parsed text until an edit. */
  toString(): string {
    return this.#text;
  }

  /**
   * What botocore's `raw_config_parse` returns for this file: every section
   * but `[DEFAULT]`, keys lower-cased, `[DEFAULT]`'s keys inherited where a
   * section lacks them, sub-sections as objects.
   *
   * @throws {IniFormatError} (or its `errors.format`) if the file has problems.
   */
  toRecord(): IniRecord {
    const scan = this.#index();
    if (scan.problems.length > 0) throw this.#problemsError(scan.problems);
    return buildRecord(scan);
  }

  /**
   * The names of the sections botocore reports, in file order (`[DEFAULT]`
   * is not one of them).
   */
  sections(): string[] {
    const scan = this.#index();
    return listedSections(scan).map((s) => sectionName(scan, s));
  }

  /**
   * The keys and values botocore reads in `section` (with `[DEFAULT]`'s
   * inherited), or `undefined` if there is no such section. For `DEFAULT`,
   * its own keys. In a document with problems this is a best guess.
   */
  getSection(section: string): Record<string, IniValue> | undefined {
    const scan = this.#index();
    if (section === DEFAULT_SECTION) {
      if (scan.defaults.length === 0) return undefined;
      const values: Record<string, IniValue> = {};
      for (const [name, key] of scan.defaultKeys) define(values, name, keyValue(scan, key));
      return values;
    }
    const occurrence = findSection(scan, section);
    if (occurrence === -1) return undefined;
    return sectionValues(scan, occurrence, defaultValues(scan));
  }

  /**
   * The value botocore gives `key` (any case) in `section`, inheriting from
   * `[DEFAULT]`; a sub-section is an object. `undefined` if the section or
   * the key is absent. In a document with problems this is a best guess.
   */
  get(section: string, key: string): IniValue | undefined {
    const scan = this.#index();
    const entry = lookup(scan, section, pyLower(key), true);
    return entry === -1 ? undefined : keyValue(scan, entry);
  }

  /**
   * Sets `key` in `section` to the one-line `value`, creating the key (after
   * the section's last key) or the section (at the end, after a blank line)
   * as needed. An existing key keeps its place and the spacing around its
   * separator; its continuation lines or sub-section go, the comment lines
   * between them stay.
   *
   * The line written is `key`, as spelled here, then `=` and the value, at
   * column 0: so the JavaScript SDK (case-sensitive keys, `=` only) and the
   * Go SDK (an indented line is never a key) read it as botocore does. An
   * indented key whose next line is indented too (which column 0 would make
   * a continuation of it) moves to the end of its section; only where an
   * indented header follows the section (no line of it can then be at
   * column 0) does the line take the indentation botocore needs.
   *
   * @returns whether the text changed (setting a key to its value changes
   *   nothing where its line is already written so).
   * @throws {IniValueError} (or its `errors.value`) for a key or value (or the
   *   name of a section to create) that botocore could not read back as written.
   * @throws {IniFormatError} (or its `errors.format`) if the file has problems.
   */
  set(section: string, key: string, value: string): boolean {
    checkKey(key, this.#errors);
    checkValue(value, this.#errors);
    const scan = this.#editable();
    const text = this.#text;
    const name = pyLower(key);
    const occurrence = section === DEFAULT_SECTION
      ? (scan.defaults[0] ?? -1)
      : findSection(scan, section);
    if (occurrence === -1) {
      checkSectionName(section, this.#errors);
      const latent = scan.latentDefaults.find((k) => keyName(scan, k) !== name);
      if (latent !== undefined) throw latentError(scan, section, latent, this.#errors);
      this.#splice(text.length, text.length, newSectionText(text, scan, section, key, value));
      return true;
    }
    const entry = lookup(scan, section, name, false);
    if (entry === -1) {
      this.#insertKey(scan, occurrence, key, value);
      return true;
    }
    const first = scan.keyLine[entry];
    const line = replacementLine(scan, entry, key, value);
    if (line === undefined) {
      // Moved to the end of its section, at column 0.
      this.#replaceBlock(scan, entry, undefined);
      this.#insertKey(this.#index(), sectionOfKey(scan, entry), key, value);
      return true;
    }
    if (
      first === scan.keyEnd[entry] &&
      text.slice(scan.starts[first], keyLineParts(scan, first).valueEnd) === line
    ) return false;
    this.#replaceBlock(scan, entry, line);
    return true;
  }

  /**
   * Removes `key` (any case) from `section` with its continuation lines;
   * the comment lines between them stay (they are not part of the value),
   * nothing else changes. A key `section` only inherits from `[DEFAULT]`
   * stays.
   *
   * @returns whether a key was removed.
   * @throws {IniFormatError} (or its `errors.format`) if the file has problems.
   */
  delete(section: string, key: string): boolean {
    const scan = this.#editable();
    const entry = lookup(scan, section, pyLower(key), false);
    if (entry === -1) return false;
    const name = keyName(scan, entry);
    const latent = scan.latentDefaults.find((k) => keyName(scan, k) === name);
    if (latent !== undefined && section !== DEFAULT_SECTION) {
      throw latentError(scan, section, latent, this.#errors);
    }
    this.#replaceBlock(scan, entry, undefined);
    return true;
  }

  /**
   * Removes the section (every `[DEFAULT]` header, for `DEFAULT`): its header,
   * its keys and the comments between them, and the blank lines after it.
   * Comments after its last key are kept (they belong to what follows).
   *
   * @returns whether a section was removed.
   * @throws {IniFormatError} (or its `errors.format`) if the file has problems, or if removing it
   *   would change how botocore reads the section after it.
   */
  removeSection(section: string): boolean {
    const scan = this.#editable();
    const text = this.#text;
    const found = section === DEFAULT_SECTION ? -1 : findSection(scan, section);
    const occurrences = section === DEFAULT_SECTION ? scan.defaults : found === -1 ? [] : [found];
    if (occurrences.length === 0) return false;
    let result = text;
    for (let o = occurrences.length - 1; o >= 0; o--) {
      const occurrence = occurrences[o];
      let first = scan.secLine[occurrence];
      const keyEnd = scan.secKeyEnd[occurrence];
      let last = keyEnd > scan.secKeyStart[occurrence] ? scan.keyEnd[keyEnd - 1] : first;
      while (last + 1 < scan.lineCount && scan.kinds[last + 1] === BLANK) last++;
      if (last === scan.lineCount - 1) {
        while (first > 0 && scan.kinds[first - 1] === BLANK) first--;
      }
      result = result.slice(0, scan.starts[first]) + result.slice(scan.starts[last + 1]);
    }
    // Removing a header can make an indented header after it a continuation
    // line of the key before it; refuse rather than change another section.
    const before = buildRecord(scan);
    delete before[section];
    if (section === DEFAULT_SECTION) {
      for (const s of listedSections(scan)) {
        for (const name of scan.defaultKeys.keys()) {
          if (findKey(scan, s, name) === -1) delete before[sectionName(scan, s)][name];
        }
      }
    }
    const afterScan = scanIni(result);
    if (
      afterScan.problems.length > 0 ||
      JSON.stringify(buildRecord(afterScan)) !== JSON.stringify(before)
    ) {
      throw this.#errors.format(
        `Removing [${section}] would change how the AWS CLI reads the lines after it ` +
          "(an indented header would become part of a value).",
        `Remove the indentation of the header after [${section}], then try again.`,
      );
    }
    this.#text = result;
    this.#scan = afterScan;
    return true;
  }

  #index(): IniScan {
    return this.#scan ??= scanIni(this.#text);
  }

  #editable(): IniScan {
    const scan = this.#index();
    if (scan.problems.length > 0) throw this.#problemsError(scan.problems);
    return scan;
  }

  #splice(from: number, to: number, insert: string): void {
    this.#text = this.#text.slice(0, from) + insert + this.#text.slice(to);
    this.#scan = undefined;
  }

  #insertKey(scan: IniScan, section: number, key: string, value: string): void {
    const hasKeys = scan.secKeyEnd[section] > scan.secKeyStart[section];
    const afterLine = hasKeys ? scan.keyEnd[scan.secKeyEnd[section] - 1] : scan.secLine[section];
    const style = hasKeys
      ? prevailingStyle(scan, scan.secKeyStart[section], scan.secKeyEnd[section])
      : prevailingStyle(scan, 0, scan.keyCount);
    // Column 0 is never more indented than the key line before it (so it
    // does not continue that value); an indented header after it would
    // continue the new value, so the line takes that header's indentation.
    const line = keyLine(nextIndent(scan, afterLine), key, style, value);
    const eolEnd = scan.starts[afterLine + 1];
    if (scan.ends[afterLine] < eolEnd) this.#splice(eolEnd, eolEnd, line + scan.eol);
    else this.#splice(eolEnd, eolEnd, scan.eol + line);
  }

  /**
   * Replaces key `entry`'s lines with `line` (or nothing), keeping the
   * comment lines among them: botocore skips those, while the blank and
   * continuation lines are the value's. Each kept line keeps its line
   * ending, but the last takes the block's.
   */
  #replaceBlock(scan: IniScan, entry: number, line: string | undefined): void {
    const text = scan.text;
    const first = scan.keyLine[entry];
    const last = scan.keyEnd[entry];
    const lines: number[] = [];
    for (let l = first + 1; l < last; l++) if (scan.kinds[l] === COMMENT) lines.push(l);
    let out = "";
    let eol = "";
    if (line !== undefined) {
      out = line;
      eol = text.slice(scan.ends[first], scan.starts[first + 1]);
    }
    for (const l of lines) {
      out += eol + text.slice(scan.starts[l], scan.ends[l]);
      eol = text.slice(scan.ends[l], scan.starts[l + 1]);
    }
    if (out !== "") out += text.slice(scan.ends[last], scan.starts[last + 1]);
    this.#splice(scan.starts[first], scan.starts[last + 1], out);
  }

  #problemsError(problems: readonly IniProblem[]): Error {
    const name = this.#name ?? "The file";
    const list = problems.slice(0, 10).map((p) => `line ${p.line}: ${p.message}`);
    if (problems.length > 10) list.push(`… and ${problems.length - 10} more`);
    return this.#errors.format(
      `${name} is not a file the AWS CLI can read:\n  ${list.join("\n  ")}`,
      "Fix the lines listed above (the AWS CLI itself rejects the file), then try again.",
    );
  }
}

/** Parses any string into a document. Never throws; see {@link IniDocument.problems}. */
export function parseIni(text: string, options: ParseIniOptions = {}): IniDocument {
  return new IniDocument(text, options);
}

function lookup(scan: IniScan, section: string, name: string, inherit: boolean): number {
  if (section === DEFAULT_SECTION) return scan.defaultKeys.get(name) ?? -1;
  const occurrence = findSection(scan, section);
  if (occurrence === -1) return -1;
  const own = findKey(scan, occurrence, name);
  if (own !== -1 || !inherit) return own;
  return scan.defaultKeys.get(name) ?? -1;
}

function defaultValues(scan: IniScan): [string, IniValue][] {
  const defaults: [string, IniValue][] = [];
  for (const [name, key] of scan.defaultKeys) defaults.push([name, keyValue(scan, key)]);
  return defaults;
}

function sectionValues(
  scan: IniScan,
  section: number,
  defaults: [string, IniValue][],
): Record<string, IniValue> {
  const values: Record<string, IniValue> = {};
  for (let k = scan.secKeyStart[section]; k < scan.secKeyEnd[section]; k++) {
    define(values, keyName(scan, k), keyValue(scan, k));
  }
  for (let d = 0; d < defaults.length; d++) {
    if (!Object.hasOwn(values, defaults[d][0])) define(values, defaults[d][0], defaults[d][1]);
  }
  return values;
}

function buildRecord(scan: IniScan): IniRecord {
  const record: IniRecord = {};
  const defaults = defaultValues(scan);
  for (const s of listedSections(scan)) {
    define(record, sectionName(scan, s), sectionValues(scan, s, defaults));
  }
  return record;
}

function indentOf(scan: IniScan, line: number): string {
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
function replacementLine(
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
function nextIndent(scan: IniScan, line: number): string {
  let next = line + 1;
  while (next < scan.lineCount && (scan.kinds[next] === BLANK || scan.kinds[next] === COMMENT)) {
    next++;
  }
  return next < scan.lineCount ? indentOf(scan, next) : "";
}

/** The header occurrence that key `key` belongs to. */
function sectionOfKey(scan: IniScan, key: number): number {
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
interface KeyStyle {
  before: string;
  after: string;
}

function keyLine(indent: string, key: string, style: KeyStyle, value: string): string {
  return indent + key + style.before + "=" + (value === "" ? "" : style.after) + value;
}

/** `space` if it is spaces and tabs only (every parser's whitespace), else `instead`. */
function plainSpace(space: string, instead: string): string {
  return /^[ \t]*$/.test(space) ? space : instead;
}

/** The most common spacing around the separator in keys `fromKey` to `toKey` (the later one on a tie). */
function prevailingStyle(scan: IniScan, fromKey: number, toKey: number): KeyStyle {
  const text = scan.text;
  const counts = new Map<string, { count: number; last: number; style: KeyStyle }>();
  let seen = 0;
  // The first 1000 keys are a fair sample.
  for (let key = fromKey; key < toKey && seen < 1000; key++, seen++) {
    const line = scan.keyLine[key];
    const p = keyLineParts(scan, line);
    const before = plainSpace(text.slice(p.keyEnd, p.sep), "");
    const style: KeyStyle = {
      before,
      after: p.valueStart < p.valueEnd
        ? plainSpace(text.slice(p.sep + 1, p.valueStart), " ")
        : before === ""
        ? ""
        : " ",
    };
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

function newSectionText(
  text: string,
  scan: IniScan,
  section: string,
  key: string,
  value: string,
): string {
  const eol = scan.eol;
  const line = keyLine("", key, prevailingStyle(scan, 0, scan.keyCount), value);
  if (text.length === 0) return `[${section}]${eol}${line}${eol}`;
  const last = scan.lineCount - 1;
  const terminated = scan.ends[last] < text.length;
  let prefix = terminated ? "" : eol;
  if (scan.kinds[last] !== BLANK) prefix += eol;
  return `${prefix}[${section}]${eol}${line}${terminated ? eol : ""}`;
}

/** The error for an edit that would make `section` inherit a `[DEFAULT]` sub-section botocore rejects. */
function latentError(scan: IniScan, section: string, key: number, errors: IniErrors): Error {
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

function checkSectionName(name: string, errors: IniErrors): void {
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

function checkKey(key: string, errors: IniErrors): void {
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

function checkValue(value: string, errors: IniErrors): void {
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

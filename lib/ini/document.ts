/**
 * The lossless INI document: the original text, a line index built once per
 * parse (and again, lazily, after each edit), and edits that replace or
 * insert whole lines only.
 *
 * @module
 */

import { pyLower } from "./chars.ts";
import { planSetAll } from "./edit_batch.ts";
import {
  blockReplacement,
  checkKey,
  checkSectionName,
  checkValue,
  keyInsertion,
  keyLine,
  latentError,
  newSectionText,
  prevailingStyle,
  replacementLine,
  sectionOfKey,
  type Splice,
} from "./edit_lines.ts";
import { INI_ERRORS, type IniErrors } from "./errors.ts";
import { scanIni } from "./scan.ts";
import {
  BLANK,
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
      const line = keyLine("", key, prevailingStyle(scan, 0, scan.keyCount), value);
      this.#apply([{
        from: text.length,
        to: text.length,
        text: newSectionText(scan, section, line),
      }]);
      return true;
    }
    const entry = lookup(scan, section, name, false);
    if (entry === -1) {
      this.#apply([keyInsertion(scan, occurrence, key, value)]);
      return true;
    }
    const first = scan.keyLine[entry];
    const line = replacementLine(scan, entry, key, value);
    if (line === undefined) {
      // Moved to the end of its section, at column 0.
      this.#apply([blockReplacement(scan, entry, undefined)]);
      this.#apply([keyInsertion(this.#index(), sectionOfKey(scan, entry), key, value)]);
      return true;
    }
    if (
      first === scan.keyEnd[entry] &&
      text.slice(scan.starts[first], keyLineParts(scan, first).valueEnd) === line
    ) return false;
    this.#apply([blockReplacement(scan, entry, line)]);
    return true;
  }

  /**
   * Sets each key in `section` to its value, as {@link IniDocument.set}
   * would one after another, byte for byte, but in one edit: the text is
   * copied and indexed once, not once per key (a difference on a large
   * file). Every key and value is checked before anything changes.
   *
   * @param entries the keys and values, in the order `set` would set them.
   * @returns whether the text changed.
   * @throws {IniValueError} (or its `errors.value`) for a key or value (or the
   *   name of a section to create) that botocore could not read back as written.
   * @throws {IniFormatError} (or its `errors.format`) if the file has problems.
   */
  setAll(section: string, entries: Iterable<readonly [string, string]>): boolean {
    const list = [...entries];
    for (const [key, value] of list) {
      checkKey(key, this.#errors);
      checkValue(value, this.#errors);
    }
    if (list.length === 0) return false;
    const plan = planSetAll(this.#editable(), section, { entries: list, errors: this.#errors });
    if (plan === undefined) {
      let changed = false;
      for (const [key, value] of list) changed = this.set(section, key, value) || changed;
      return changed;
    }
    if (plan.length === 0) return false;
    this.#apply(plan);
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
    this.#apply([blockReplacement(scan, entry, undefined)]);
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

  /** Applies `splices` (in text order, none overlapping) in one new text; the scan goes. */
  #apply(splices: readonly Splice[]): void {
    const text = this.#text;
    let out = "";
    let at = 0;
    for (const s of splices) {
      out += text.slice(at, s.from) + s.text;
      at = s.to;
    }
    this.#text = out + text.slice(at);
    this.#scan = undefined;
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

/**
 * Several keys of one section set in one edit: the splices that
 * `IniDocument.set` would make one key after another, computed against one
 * scan, so a large file is copied and indexed once instead of once per key.
 *
 * The keys are set as `set` sets them, in order: an existing key in place,
 * a new one after the section's last key (spaced like the keys before it,
 * the ones just written included), a new section at the end. Where an edit
 * would change what a later one must see (a key moved because of its
 * indentation, a value's continuation lines dropped before a new key comes,
 * a new key's CR joining the LF after it, the same key twice, `[DEFAULT]`),
 * there is no plan: the caller sets the keys one by one.
 *
 * @module
 */

import { pyLower } from "./chars.ts";
import {
  blockReplacement,
  checkSectionName,
  indentOf,
  insertionLine,
  isTerminated,
  keyLine,
  type KeyStyle,
  latentError,
  lineStyle,
  newSectionText,
  nextIndent,
  pickStyle,
  prevailingStyle,
  replacementLine,
  type Splice,
  STYLE_SAMPLE,
  styleOfKey,
} from "./edit_lines.ts";
import type { IniErrors } from "./errors.ts";
import { findKey, findSection, type IniScan, keyLineParts, keyName } from "./scan_model.ts";

/**
 * The splices, in text order, that set each of `entries` (key, value) in
 * `section` of the scanned text, or `undefined` where the keys must be set
 * one by one. The keys and values must be valid, the text free of problems.
 *
 * @throws what `set` would throw for a section it cannot create.
 */
export function planSetAll(
  scan: IniScan,
  section: string,
  options: { entries: readonly (readonly [string, string])[]; errors: IniErrors },
): Splice[] | undefined {
  const { entries, errors } = options;
  if (section === "DEFAULT" || entries.length === 0) return undefined;
  const names = entries.map(([key]) => pyLower(key));
  if (new Set(names).size < names.length) return undefined;
  const occurrence = findSection(scan, section);
  if (occurrence === -1) return newSection(scan, section, { entries, errors });
  return existingSection(scan, occurrence, { entries, names });
}

/** A new section with every entry, appended as `set` appends it with the first one. */
function newSection(
  scan: IniScan,
  section: string,
  options: { entries: readonly (readonly [string, string])[]; errors: IniErrors },
): Splice[] {
  const { entries, errors } = options;
  const [key, value] = entries[0];
  checkSectionName(section, errors);
  const name = pyLower(key);
  const latent = scan.latentDefaults.find((k) => keyName(scan, k) !== name);
  if (latent !== undefined) throw latentError(scan, section, latent, errors);
  const text = scan.text;
  const first = keyLine("", key, prevailingStyle(scan, 0, scan.keyCount), value);
  let out = newSectionText(scan, section, first);
  const terminated = text.length === 0 || isTerminated(scan, scan.lineCount - 1);
  const styles = [lineStyle(first)];
  for (let e = 1; e < entries.length; e++) {
    const line = keyLine("", entries[e][0], pickStyle(styles), entries[e][1]);
    out += terminated ? line + scan.eol : scan.eol + line;
    if (styles.length < STYLE_SAMPLE) styles.push(lineStyle(line));
  }
  return [{ from: text.length, to: text.length, text: out }];
}

/**
 * The entries in header occurrence `occurrence`: replaced in place (keys at
 * column 0 only) or added after its last key, with the spacing `set` would
 * pick given the keys written before.
 */
function existingSection(
  scan: IniScan,
  occurrence: number,
  options: { entries: readonly (readonly [string, string])[]; names: readonly string[] },
): Splice[] | undefined {
  const { entries, names } = options;
  const text = scan.text;
  const keyStart = scan.secKeyStart[occurrence];
  // The spacing of the section's first keys as the edits leave it.
  const styles: KeyStyle[] = [];
  for (let k = keyStart; k < scan.secKeyEnd[occurrence] && styles.length < STYLE_SAMPLE; k++) {
    styles.push(styleOfKey(scan, k));
  }
  const after = insertionLine(scan, occurrence);
  const indent = nextIndent(scan, after);
  const terminated = isTerminated(scan, after);
  const splices: Splice[] = [];
  let added = "";
  let dropped = false;
  for (let e = 0; e < entries.length; e++) {
    const [key, value] = entries[e];
    const entry = findKey(scan, occurrence, names[e]);
    if (entry === -1) {
      // Dropped lines may have changed the file's prevailing line ending, and a
      // CR written before an LF makes one CRLF of them: the next key goes after it.
      if (dropped || (terminated && scan.eol === "\r" && text[scan.starts[after + 1]] === "\n")) {
        return undefined;
      }
      const style = styles.length > 0 ? pickStyle(styles) : prevailingStyle(scan, 0, scan.keyCount);
      const line = keyLine(indent, key, style, value);
      added += terminated ? line + scan.eol : scan.eol + line;
      if (styles.length < STYLE_SAMPLE) styles.push(lineStyle(line));
      continue;
    }
    const first = scan.keyLine[entry];
    // An indented key may move, or keep an indentation that depends on the lines around it.
    if (indentOf(scan, first) !== "") return undefined;
    const line = replacementLine(scan, entry, key, value)!;
    if (entry - keyStart < STYLE_SAMPLE) styles[entry - keyStart] = lineStyle(line);
    const last = scan.keyEnd[entry];
    if (
      first === last && text.slice(scan.starts[first], keyLineParts(scan, first).valueEnd) === line
    ) {
      continue;
    }
    if (last !== first) dropped = true;
    splices.push(blockReplacement(scan, entry, line));
  }
  if (added !== "") {
    const at = scan.starts[after + 1];
    splices.push({ from: at, to: at, text: added });
  }
  return splices.sort((a, b) => a.from - b.from);
}

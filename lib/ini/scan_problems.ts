/**
 * What the reference parser would reject, in the user's words: one builder
 * per kind of problem a line can have, and the checks that need the whole
 * file (a byte order mark, unpaired surrogates, `[DEFAULT]` sub-sections
 * that a section inherits).
 *
 * @module
 */

import { loneSurrogateIndex, pyStrip, splitInnerLines } from "./chars.ts";
import { findKey, type IniProblem, type IniScan, keyName, SEC_FIRST } from "./scan_model.ts";

/** The file starts with a byte order mark. */
export function bomProblem(): IniProblem {
  return {
    line: 1,
    message: "The file starts with a UTF-8 byte order mark (BOM), which the AWS CLI rejects; " +
      "save the file as UTF-8 without a BOM.",
  };
}

/** Header line `line` (0-based) repeats section `name`, first defined on line `first`. */
export function duplicateSection(line: number, name: string, first: number): IniProblem {
  return {
    line: line + 1,
    message: `Section [${name}] is already defined on line ${first + 1}; ` +
      "merge the two sections into one or delete one of them.",
  };
}

/** Line `line` comes before any header: a key named `key`, or (undefined) not a key line. */
export function beforeFirstHeader(line: number, key: string | undefined): IniProblem {
  return {
    line: line + 1,
    message: key !== undefined
      ? `The key '${key}' comes before the first [section] header; move it under a section ` +
        "header or delete it."
      : "This line comes before the first [section] header and is not a comment; " +
        "delete it or comment it out with '#'.",
  };
}

/** Line `line` is none of the kinds of line the reference parser knows. */
export function unknownLine(line: number): IniProblem {
  return {
    line: line + 1,
    message: "This line is not a [section] header, a 'key = value' line, a comment " +
      "or a continuation of the value above (indented more than its key); " +
      "fix it or comment it out with '#'.",
  };
}

/** Line `line` starts with its separator `sep`. */
export function noKeyName(line: number, sep: string): IniProblem {
  return {
    line: line + 1,
    message: `This line has no key name before '${sep}'; write it as 'key = value' or delete it.`,
  };
}

/** Key line `line` repeats key `name` of `section`, first set on line `first`. */
export function duplicateKey(
  line: number,
  first: number,
  where: { name: string; section: string },
): IniProblem {
  return {
    line: line + 1,
    message: `The key '${where.name}' is already set on line ${first + 1} in section ` +
      `[${where.section}] (keys are case-insensitive); delete one of the two.`,
  };
}

/** Whether a continuation line of a sub-section (its stripped `content`) lacks its '='. */
export function isBadSubLine(content: string): boolean {
  for (const piece of splitInnerLines(content)) {
    const p = pyStrip(piece);
    if (p !== "" && p.indexOf("=") === -1) return true;
  }
  return false;
}

/** Line `line` of the sub-section of key `name` has no '='. */
export function subProblem(line: number, name: string, inherited: boolean): IniProblem {
  return {
    line: line + 1,
    message: `This line is in the sub-section of '${name}'` +
      (inherited ? " (in [DEFAULT], so every section inherits it)" : "") +
      " but has no '='; write it as 'name = value', or give the key line a value.",
  };
}

/**
 * The problems that need the whole scan, then every problem in line order:
 * a `[DEFAULT]` sub-section line without '=' (`badDefaultSubs`: key, line,
 * key, line …) is a problem only where some section inherits the key, else
 * the key is latent (see {@link IniScan.latentDefaults}); and unpaired
 * surrogates.
 */
export function finishProblems(scan: IniScan, badDefaultSubs: readonly number[]): void {
  const problems = scan.problems;
  for (let b = 0; b < badDefaultSubs.length; b += 2) {
    const key = badDefaultSubs[b];
    const name = keyName(scan, key);
    let inherited = false;
    for (let s = 0; s < scan.sectionCount; s++) {
      if ((scan.secFlags[s] & SEC_FIRST) !== 0 && findKey(scan, s, name) === -1) {
        inherited = true;
        break;
      }
    }
    if (inherited) problems.push(subProblem(badDefaultSubs[b + 1], name, true));
    else if (!scan.latentDefaults.includes(key)) scan.latentDefaults.push(key);
  }
  if (!scan.text.isWellFormed()) reportSurrogates(scan, problems);
  if (problems.length > 1) problems.sort((a, b) => a.line - b.line);
}

function reportSurrogates(scan: IniScan, problems: IniProblem[]): void {
  const { text, starts, lineCount: n } = scan;
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

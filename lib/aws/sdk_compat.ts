/**
 * The lines of the AWS files that another SDK reads differently from
 * botocore (the reference: what the AWS CLI reads), with the fix (pure).
 * The rules come from the parsers' sources:
 *
 * - the Go SDK v2 (Terraform's AWS provider), `internal/ini`: lines end at LF
 *   only; a line that starts with a space or a tab is never a key nor a
 *   header (a sub-property or a continuation of the key above, dropped when
 *   that key has a value); `#` and `;` start a comment anywhere in a key or
 *   header line; quotes around a value go; keys are lower-cased;
 *   `aws_security_token` is not read.
 * - the JavaScript SDK v3 (`@smithy/shared-ini-file-loader`, parseIni.js):
 *   lines end at LF or CRLF; every line is trimmed, so an indented `[x]` is a
 *   header and an indented `k = v` a key; a `#` or `;` at the start or after
 *   a space starts a comment; keys split at `=` only and are case-sensitive;
 *   `[a b]` is a section only for the types profile, sso-session and
 *   services; only `aws_session_token` is read.
 *
 * CRLF line ends are left alone (botocore and the JavaScript SDK read them;
 * the Go SDK's handling is not modelled).
 *
 * @module
 */
import { isSpace, pyLower } from "../ini/chars.ts";
import { scanIni } from "../ini/scan.ts";
import {
  BLANK,
  COMMENT,
  CONTINUATION,
  HEADER,
  type IniScan,
  KEY,
  keyLineParts,
  sectionName,
} from "../ini/scan_model.ts";
import { shlexSplit } from "../ini/shlex.ts";

/** What kind of line another SDK reads differently. */
export type SdkDifferenceKind =
  | "header"
  | "indented-header"
  | "bare-cr"
  | "inline-comment"
  | "security-token"
  | "indented-key"
  | "continuation"
  | "upper-case-key"
  | "colon"
  | "quoted-value";

/** One line another SDK reads differently, and the fix. */
export interface SdkDifference {
  /** 1-based. */
  line: number;
  /** The section (raw name) it concerns. */
  section: string;
  kind: SdkDifferenceKind;
  /** What each SDK reads, then the fix; never a value of the file (it may be a secret). */
  text: string;
}

/** What to check: the sections (raw names) and which file it is (their names differ). */
export interface SdkCheckOptions {
  sections: ReadonlySet<string>;
  file: "credentials" | "config";
}

/** Every line of `options.sections` in `text` that another SDK reads differently. */
export function sdkDifferences(text: string, options: SdkCheckOptions): SdkDifference[] {
  const scan = scanIni(text);
  const out: SdkDifference[] = [];
  const wanted = new Set([...options.sections].map((s) => profileOf(s, options.file) ?? s));
  for (let s = 0; s < scan.sectionCount; s++) {
    const first = scan.secLine[s];
    const last = s + 1 < scan.sectionCount ? scan.secLine[s + 1] - 1 : scan.lineCount - 1;
    const name = sectionName(scan, s);
    if (!options.sections.has(name)) {
      const own = profileOf(name, options.file);
      for (let line = first; line <= last; line++) {
        out.push(...foreignHeader(scan, line, { ...options, wanted, own }));
      }
      continue;
    }
    if (first > 0 && bareCr(scan, first - 1)) {
      out.push({ line: first, section: name, kind: "bare-cr", text: BARE_CR });
    }
    out.push(...headerDifferences(scan, first, name, options.file));
    out.push(...sectionLines(scan, { first, last, section: name }));
  }
  // A bare CR between two checked sections is found from both sides: said once.
  const seen = new Set<string>();
  return out.filter((d) => !seen.has(`${d.line} ${d.kind}`) && seen.add(`${d.line} ${d.kind}`))
    .sort((a, b) => a.line - b.line);
}

const BARE_CR = "the line ends with a bare CR (a carriage return without a line feed): botocore " +
  "ends the line there, the Go and JavaScript SDKs do not, and read it and the next as one " +
  "line. Save the file with LF (or CRLF) line endings.";

function bareCr(scan: IniScan, line: number): boolean {
  const end = scan.ends[line];
  return scan.text.charCodeAt(end) === 0x0d && scan.text.charCodeAt(end + 1) !== 0x0a &&
    end < scan.text.length;
}

function lineText(scan: IniScan, line: number): string {
  return scan.text.slice(scan.starts[line], scan.ends[line]);
}

/** The lines of one section: key lines, continuations and line ends. */
function sectionLines(
  scan: IniScan,
  range: { first: number; last: number; section: string },
): SdkDifference[] {
  const out: SdkDifference[] = [];
  const { section } = range;
  const add = (line: number, kind: SdkDifferenceKind, text: string) =>
    out.push({ line: line + 1, section, kind, text });
  let keyLine = -1;
  let hasSessionToken = false;
  for (let line = range.first + 1; line <= range.last; line++) {
    if (scan.kinds[line] === KEY && keyOf(scan, line).lower === "aws_session_token") {
      hasSessionToken = true;
    }
  }
  for (let line = range.first; line <= range.last; line++) {
    if (bareCr(scan, line)) add(line, "bare-cr", BARE_CR);
    const kind = scan.kinds[line];
    if (kind === KEY) {
      keyLine = line;
      for (const [k, text] of keyLineDifferences(scan, line, hasSessionToken)) add(line, k, text);
    } else if (kind === CONTINUATION && keyLine !== -1) {
      const parent = keyLineParts(scan, keyLine);
      // Under a key with an empty value: a sub-section line (`s3 =` then `  k = v`), read alike.
      if (parent.valueStart === parent.valueEnd) continue;
      const [k, text] = continuationDifference(scan, line, keyOf(scan, keyLine).lower);
      add(line, k, text);
    }
  }
  return out;
}

/** The key of key line `line`: as written, and as botocore names it. */
function keyOf(scan: IniScan, line: number): { written: string; lower: string } {
  const parts = keyLineParts(scan, line);
  const written = scan.text.slice(parts.keyStart, parts.keyEnd);
  return { written, lower: pyLower(written) };
}

function keyLineDifferences(
  scan: IniScan,
  line: number,
  hasSessionToken: boolean,
): Array<[SdkDifferenceKind, string]> {
  const out: Array<[SdkDifferenceKind, string]> = [];
  const parts = keyLineParts(scan, line);
  const { written, lower } = keyOf(scan, line);
  const raw = lineText(scan, line);
  const indented = isSpace(raw.charCodeAt(0)) && raw.length > 0;
  if (indented) {
    out.push([
      "indented-key",
      `${written} is indented: botocore and the JavaScript SDK read it as a key, the Go SDK ` +
      "does not (it takes an indented line for part of the key above, or drops it). " +
      "Remove the indentation.",
    ]);
  }
  if (scan.text[parts.sep] === ":") {
    out.push([
      "colon",
      `${written} is followed by ':': the JavaScript SDK reads only '=' there, and misses ` +
      `the key. Write '${lower} = …'.`,
    ]);
  }
  if (written !== lower) {
    out.push([
      "upper-case-key",
      `the key ${written} is not in lower case: botocore and the Go SDK read it as ${lower}, ` +
      `the JavaScript SDK (case-sensitive) does not. Write ${lower}.`,
    ]);
  }
  if (lower === "aws_security_token") {
    out.push([
      "security-token",
      "aws_security_token is the session token for botocore only: the Go and JavaScript SDKs " +
      "read aws_session_token. " +
      (hasSessionToken
        ? "Delete this line (aws_session_token is there)."
        : "Rename it to aws_session_token."),
    ]);
  }
  const rest = raw.slice(parts.keyStart - scan.starts[line]);
  const go = !indented && /[#;]/.test(rest);
  const js = /(^|\s)[#;]/.test(rest);
  if (go || js) {
    out.push([
      "inline-comment",
      `the line of ${lower} holds '#' or ';': botocore keeps it and what follows in the ` +
      `value, ${
        go && js
          ? "the Go and JavaScript SDKs cut"
          : go
          ? "the Go SDK cuts"
          : "the JavaScript SDK cuts"
      } ` +
      "it off as a comment. Put the comment on a line of its own.",
    ]);
  }
  const value = scan.text.slice(parts.valueStart, parts.valueEnd);
  if (value.length > 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    out.push([
      "quoted-value",
      `the value of ${lower} is in quotes: botocore keeps them, the Go SDK removes them. ` +
      "Remove the quotes.",
    ]);
  }
  return out;
}

/** An indented line that botocore joins to the value of `key` above. */
function continuationDifference(
  scan: IniScan,
  line: number,
  key: string,
): [SdkDifferenceKind, string] {
  const stripped = lineText(scan, line).split(/(^|\s)[;#]/)[0].trim();
  if (stripped.startsWith("[") && stripped.endsWith("]")) {
    return [
      "indented-header",
      `the indented ${stripped} is part of the value of ${key} for botocore (and the Go SDK), ` +
      `but the JavaScript SDK reads it as the start of section ${stripped}. Remove the ` +
      "indentation if it starts a section, else the line.",
    ];
  }
  return [
    "continuation",
    `this indented line is part of the value of ${key} for botocore; the JavaScript SDK ` +
    "reads it as a key of its own or skips it, the Go SDK drops it if it holds '=' or ':'. " +
    "Remove the indentation if it is a key of its own, else join it to the line above.",
  ];
}

/** Which section a header line is for the Go SDK: a name, or `undefined` when it is no header. */
function goHeader(raw: string, file: "credentials" | "config"): string | undefined {
  const trimmed = raw.split("#")[0].split(";")[0].replace(/[ \t]+$/, "");
  if (!trimmed.startsWith("[") || !trimmed.endsWith("]")) return undefined;
  const inner = trimmed.slice(1, -1).trim();
  const split = /^([^ \t]+)[ \t]+(.+)$/.exec(inner);
  const [type, name] = split ? [split[1], split[2]] : ["", inner];
  if (file === "credentials") return type === "" ? name : `${type} ${name}`;
  if (type === "profile" || (type === "" && name === "default")) return name;
  return OTHER;
}

/** A section that is not a profile (`[sso-session x]`), or one the SDK ignores. */
const OTHER = "\0other";

/** Which section a header line is for the JavaScript SDK (`undefined`: no header). */
function jsHeader(raw: string, file: "credentials" | "config"): string | undefined {
  const trimmed = raw.split(/(^|\s)[;#]/)[0].trim();
  if (trimmed[0] !== "[" || trimmed.at(-1) !== "]") return undefined;
  const inner = trimmed.slice(1, -1);
  const typed = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/.exec(inner);
  if (typed && !["profile", "sso-session", "services"].includes(typed[1])) return OTHER;
  if (file === "credentials") return typed ? `${typed[1]}.${typed[3]}` : inner;
  if (typed) return typed[1] === "profile" ? typed[3] : OTHER;
  return inner === "default" ? "default" : OTHER;
}

/** The profile botocore reads from section `section` (config: `[profile x]` is `x`). */
function profileOf(section: string, file: "credentials" | "config"): string | undefined {
  if (file === "credentials" || section === "default") return section;
  const words = section.startsWith("profile") ? shlexSplit(section) : null;
  return words !== null && words.length === 2 && words[0] === "profile" ? words[1] : undefined;
}

/** A checked section's header line, read as another section (or none) by another SDK. */
function headerDifferences(
  scan: IniScan,
  line: number,
  section: string,
  file: "credentials" | "config",
): SdkDifference[] {
  const raw = lineText(scan, line);
  const profile = profileOf(section, file) ?? section;
  const readers = [["the Go SDK", goHeader(raw, file)], [
    "the JavaScript SDK",
    jsHeader(raw, file),
  ]] as const;
  const differ = readers.filter(([, name]) => name !== profile);
  if (differ.length === 0) return [];
  const clean = `[${section}]`;
  const cleanDiffers = goHeader(clean, file) !== profile || jsHeader(clean, file) !== profile;
  const readings = differ.map(([who, name]) =>
    name === undefined
      ? `${who} does not read it as a header${who === "the Go SDK" ? " (and fails the file)" : ""}`
      : name === OTHER
      ? `${who} ignores the section`
      : `${who} reads section '${name}'`
  );
  return [{
    line: line + 1,
    section,
    kind: "header",
    text: `botocore reads this header as profile ${profile}, but ${readings.join(", ")}. ` +
      (cleanDiffers
        ? "Rename the profile to letters, digits and - _ . only."
        : `Write the line as ${clean} alone (or with a '# comment' after a space).`),
  }];
}

/** A line outside the checked sections that another SDK reads as one of their headers. */
function foreignHeader(
  scan: IniScan,
  line: number,
  options: SdkCheckOptions & { wanted: Set<string>; own?: string },
): SdkDifference[] {
  const kind = scan.kinds[line];
  if (kind === BLANK || kind === COMMENT || kind === KEY) return [];
  const raw = lineText(scan, line);
  // The profile botocore reads from this header line itself, if it is one.
  const mine = kind === HEADER ? options.own : undefined;
  for (const name of [goHeader(raw, options.file), jsHeader(raw, options.file)]) {
    if (name === undefined || name === mine || !options.wanted.has(name)) continue;
    const who = name === goHeader(raw, options.file) ? "the Go SDK" : "the JavaScript SDK";
    return [{
      line: line + 1,
      section: name,
      kind: kind === CONTINUATION ? "indented-header" : "header",
      text: `${who} reads this line as the header of profile ${name} (botocore does not): ` +
        `what follows would mix into ${name}'s keys there. ` +
        (kind === CONTINUATION
          ? "Remove the indentation if it starts a section, else the line."
          : "Remove the spaces inside the brackets, or rename the section."),
    }];
  }
  return [];
}

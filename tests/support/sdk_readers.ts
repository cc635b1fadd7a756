/**
 * How two other AWS SDKs read a credentials file, to check that the lines
 * awsmfa writes mean the same to them as to botocore (the reference, see
 * tests/support/botocore.ts):
 *
 * - {@link smithyRead}: the JavaScript SDK's own parser
 *   (`@smithy/shared-ini-file-loader`), run on the text through its
 *   documented file interceptor (no disk). It reads keys case-sensitively,
 *   splits at `=` only, and reads an indented `k = v` after a key with an
 *   empty value as the sub-key `parent.k`.
 * - {@link goRead}: a test-only model of the Go SDK v2's `internal/ini`
 *   (what Terraform's AWS provider reads with), written from its
 *   tokenize.go, parse.go and strings.go. The rule that matters here: a line
 *   that starts with a space or a tab is never a key nor a header; it is a
 *   sub-property or a continuation of the last key at column 0 (ignored
 *   when there is none in the section). Lines are split at LF only: feed it
 *   LF files.
 *
 * @module
 */

import { externalDataInterceptor, loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";

/** Sections of key → value. */
export type SdkView = Record<string, Record<string, string>>;

let smithyFile = 0;

/** The JavaScript SDK's reading of `text` as a credentials file. */
export async function smithyRead(text: string): Promise<SdkView> {
  const path = `/awsmfa-test/credentials-${smithyFile++}`;
  const record = externalDataInterceptor.getFileRecord();
  externalDataInterceptor.interceptFile(path, text);
  externalDataInterceptor.interceptFile(`${path}.config`, "");
  try {
    const parsed = await loadSharedConfigFiles({
      filepath: path,
      configFilepath: `${path}.config`,
    });
    return parsed.credentialsFile as SdkView;
  } finally {
    delete record[path];
    delete record[`${path}.config`];
  }
}

/** A value as the Go SDK keeps it: a string, or the sub-properties of an empty one. */
export type GoValue = string | Record<string, string>;

/** The Go SDK v2's reading of `text`, or the error it fails the whole file with. */
export function goRead(text: string): Record<string, Record<string, GoValue>> | Error {
  const sections: Record<string, Record<string, GoValue>> = {};
  let section: Record<string, GoValue> | undefined;
  let key = "";
  for (const line of text.split("\n")) {
    if (goTrimSpace(line) === "" || /^[ \t]*[#;]/.test(line)) continue;
    const header = trimRight(trimComment(line));
    const indented = line[0] === " " || line[0] === "\t";
    if (header.startsWith("[") && header.endsWith("]")) {
      const name = profileName(goTrimSpace(header.slice(1, -1)));
      section = sections[name] ??= Object.create(null);
      key = "";
    } else if (!indented && splitProperty(trimRight(trimComment(line))) !== undefined) {
      const [k, v] = splitProperty(trimRight(trimComment(line)))!;
      if (section === undefined) continue; // a key before any section is ignored
      key = k.toLowerCase();
      section[key] = legacyStrconv(v);
    } else if (indented) {
      if (section === undefined || key === "") continue;
      const rest = line.replace(/^[ \t]+/, "");
      const sub = splitProperty(rest);
      const value = section[key];
      if (sub !== undefined) {
        // A sub-property: kept only under a key whose own value is empty.
        if (value === "") section[key] = { [sub[0].toLowerCase()]: legacyStrconv(sub[1]) };
      } else if (typeof value === "string" && value !== "") section[key] = `${value}\n${rest}`;
    } else {
      return new Error(`unrecognized token '${line}'`);
    }
  }
  return sections;
}

const GO_SPACE = /^[\t\n\v\f\r \x85\xa0\p{Z}]+|[\t\n\v\f\r \x85\xa0\p{Z}]+$/gu;

function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, "");
}

function trimRight(s: string): string {
  return s.replace(/[ \t]+$/, "");
}

/** Everything before the first `#`, then before the first `;`. */
function trimComment(s: string): string {
  return s.split("#")[0].split(";")[0];
}

/** Split at the first `=`, or at a `:` that comes before it. */
function splitProperty(s: string): [string, string] | undefined {
  const eq = s.indexOf("=");
  const colon = s.indexOf(":");
  const at = eq === -1 || (colon !== -1 && colon < eq) ? colon : eq;
  if (at === -1) return undefined;
  return [goTrimSpace(s.slice(0, at)), goTrimSpace(s.slice(at + 1))];
}

/** `type name` → `type name` with one space; a name without a space as is. */
function profileName(s: string): string {
  const m = s.match(/^([^ \t]+)[ \t]+(.*)$/);
  return m === null ? s : `${m[1]} ${m[2]}`;
}

/** Quotes around the value go; `\"`, `\'` and `\n` are unescaped. */
function legacyStrconv(s: string): string {
  if (s.length > 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0]) s = s.slice(1, -1);
  return s.replaceAll('\\"', '"').replaceAll("\\'", "'").replaceAll("\\n", "\n");
}

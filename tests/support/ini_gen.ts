/**
 * Generators of realistic AWS credentials and config files for property
 * tests: comments everywhere, CR/LF/CRLF mixes, odd spacing around `=` and
 * `:`, upper-case keys, continuation lines and sub-sections (with comment
 * and blank lines among their lines), `[DEFAULT]`,
 * unicode, trailing text after `]`, a missing final newline. Every valid
 * file comes with a model of where each section and key block is, so tests
 * can check that an edit touched only the bytes it should.
 *
 * Also: seeds for reproducible runs (`AWSMFA_SEED`).
 *
 * @module
 */

import fc from "fast-check";
import { rerunCommand, SEED } from "./seed.ts";

/** A line of a generated file and the line ending after it. */
export interface GenLine {
  /** The line's text. */
  text: string;
  /** Its line ending. */
  eol: string;
}

/** A key block in a generated file (offsets into `text`). */
export interface GenKey {
  /** The key as written. */
  name: string;
  /** The line ending of the key line. */
  keyEol: string;
  /**
   * The comment lines among its continuation lines (botocore skips them:
   * they are not part of the value, unlike the blank lines there).
   */
  comments: GenLine[];
  /** Offset of the key line's first character. */
  start: number;
  /** Offset just after the content of the block's last line (before its terminator). */
  end: number;
  /** Offset just after the block's last line terminator (`end` if there is none). */
  endWithEol: number;
}

/** A section in a generated file. */
export interface GenSection {
  /** The section name (between `[` and the last `]`). */
  name: string;
  /** The keys in file order. */
  keys: GenKey[];
  /** Offset where a new key goes: after the last key block's line (or the header line). */
  insertAt: number;
  /** Whether the line before `insertAt` lacks a terminator (it ends the file). */
  insertAfterUnterminated: boolean;
}

/** A generated valid file and its model. */
export interface GenFile {
  /** The file text. */
  text: string;
  /** The sections in file order (`DEFAULT` included). */
  sections: GenSection[];
}

type Eol = "\n" | "\r\n" | "\r";

interface LineSpec {
  text: string;
  role?: { section: number; key?: number; name?: string; keyEnd?: boolean; header?: boolean };
  /** A blank or comment line among the continuation lines of this key. */
  inKey?: { section: number; key: number };
}

const KEY_NAMES = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "AWS_SESSION_TOKEN",
  "Aws_Secret_Access_Key",
  "aws_credential_expiration",
  "region",
  "REGION",
  "output",
  "mfa_serial",
  "role_arn",
  "source_profile",
  "credential_process",
  "s3",
  "sts_regional_endpoints",
  "ca_bundle",
  "x-custom.key",
  "clé",
  "ÜBER",
  "__proto__",
  "toString",
  "1",
];

const SECTION_NAMES = [
  "default",
  "dev",
  "prod-mfa",
  "prod",
  "profile dev",
  "profile  spaced",
  'profile "quoted name"',
  "profile 'single'",
  "profile default",
  "sso-session corp",
  "services local",
  " padded ",
  "Default",
  "ünïcödé 日本",
  "a]b",
  "x[y",
  "__proto__",
  "constructor",
  "123",
  "p=q: r",
];

const VALUES = [
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc==",
  "us-east-1",
  "eu-west-3",
  "json",
  "arn:aws:iam::123456789012:mfa/alice",
  "arn:aws:iam::123456789012:role/Admin",
  "2026-05-09T12:00:00Z",
  "us-east-1 # prod",
  "a ; b",
  '"quoted"',
  "'single'",
  "100%",
  "%(interp)s",
  "a=b",
  "x: y",
  "[not-a-header]",
  "héllo wörld",
  "日本語",
  "emoji 🎉",
  "tab\there",
  "nul\0byte",
  "nbsp\u00a0inside",
  "ff\finside",
];

const COMMENTS = [
  "# comment",
  "; comment",
  "#",
  ";",
  "# [fake] = header",
  "## aws_access_key_id = AKIA",
  "; ünïcode ✓",
  "#\tkey = value",
];

const INDENTS = ["", "", "", "", " ", "  ", "\t"];
const EXTRA = [" ", "  ", "    ", "\t", " \t"];
const BLANKS = ["", "", "", " ", "\t", "  \t ", "\f", "\u00a0", "\u3000"];

// Python's whitespace (str.strip) and the extra line breaks of str.splitlines.
const PY_SPACE =
  "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const OUTER_SPACE = new RegExp(`^${PY_SPACE}|${PY_SPACE}$`);
// deno-lint-ignore no-control-regex -- the breaks Python splits at
const INNER_BREAKS = new RegExp("[\\v\\f\\x1c-\\x1e\\x85\\u2028\\u2029]");

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

const valueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: pick(VALUES) },
  { weight: 1, arbitrary: fc.constant("") },
  {
    weight: 2,
    arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) =>
      !/[\r\n]/.test(s) && !OUTER_SPACE.test(s)
    ),
  },
);

const commentArb = fc.tuple(pick(INDENTS), pick(COMMENTS)).map(([i, c]) => i + c);
const blankArb = pick(BLANKS);
const fillerArb = fc.array(fc.oneof(commentArb, blankArb), { maxLength: 2 });

interface KeySpec {
  name: string;
  before: string;
  sep: string;
  after: string;
  value: string;
  trailing: string;
  cont: { filler: string[]; extra: string; text: string }[];
  sub: boolean;
}

const contTextArb = fc.oneof(
  pick(["output = json", "max_concurrent_requests = 20", "[x]", "more text", "a=b", "=", "é"]),
  valueArb.filter((v) => v !== "" && !/^[#;]/.test(v)),
);

const subLineArb = fc.tuple(
  pick(["max_concurrent_requests", "signature_version", "Addressing_Style", "endpoint_url", ""]),
  pick(["", " ", "  "]),
  pick(["", " "]),
  valueArb.filter((v) => !INNER_BREAKS.test(v)),
).map(([k, b, a, v]) => `${k}${b}=${v === "" ? "" : a}${v}`);

const keySpecArb: fc.Arbitrary<Omit<KeySpec, "name">> = fc.record({
  before: pick(["", " ", " ", "  ", "\t"]),
  sep: pick(["=", "=", "=", ":"]),
  after: pick(["", " ", " ", "  ", "\t"]),
  value: valueArb,
  trailing: pick(["", "", "", " ", "\t"]),
  kind: fc.constantFrom("plain", "plain", "plain", "plain", "cont", "sub"),
  lines: fc.array(
    fc.record({ filler: fillerArb, extra: pick(EXTRA), cont: contTextArb, sub: subLineArb }),
    { minLength: 1, maxLength: 3 },
  ),
}).map((r) => ({
  before: r.before,
  sep: r.sep,
  after: r.after,
  value: r.kind === "sub" ? "" : r.kind === "cont" && r.value === "" ? "v" : r.value,
  trailing: r.trailing,
  sub: r.kind === "sub",
  cont: r.kind === "plain" ? [] : r.lines.map((l) => ({
    filler: l.filler,
    extra: l.extra,
    text: r.kind === "sub" ? l.sub : l.cont,
  })),
}));

interface SectionSpec {
  name: string;
  trailing: string;
  indent: string;
  headerIndent: string;
  items: ({ key: KeySpec } | { filler: string })[];
}

const sectionBodyArb = fc.record({
  trailing: pick(["", "", "", " # note", " ; note", "  trailing words", "\t"]),
  indent: pick(INDENTS),
  headerIndent: pick(["", "", "", " ", "\t"]),
  keys: fc.uniqueArray(fc.tuple(pick(KEY_NAMES), keySpecArb), {
    maxLength: 5,
    selector: ([k]) => k.toLowerCase(),
  }),
  fillers: fc.array(fc.tuple(fc.nat(5), fc.oneof(commentArb, blankArb)), { maxLength: 3 }),
});

/** Options of {@link iniFileArb}. */
export interface IniFileOptions {
  /** The most sections to generate (default 5). */
  maxSections?: number;
  /** Section names to draw from (default: a pool of odd and ordinary names). */
  sectionNames?: readonly string[];
  /** Whether to add a `[DEFAULT]` section sometimes (default true). */
  withDefault?: boolean;
  /** Whether headers are sometimes indented (default true). */
  indentedHeaders?: boolean;
  /** `"lf"` for LF line endings only (default: LF, CRLF, CR and mixes). */
  lineEndings?: "any" | "lf";
}

/** Valid (botocore-accepted) credentials/config files with their models. */
export function iniFileArb(options: IniFileOptions = {}): fc.Arbitrary<GenFile> {
  const names = options.sectionNames ?? SECTION_NAMES;
  return fc.record({
    eol: options.lineEndings === "lf"
      ? fc.constant("lf" as const)
      : pick(["lf", "lf", "crlf", "cr", "mixed"] as const),
    eols: fc.array(pick<Eol>(["\n", "\r\n", "\r"]), { minLength: 64, maxLength: 64 }),
    noFinal: fc.nat(4),
    leading: fillerArb,
    sections: fc.uniqueArray(fc.tuple(pick(names), sectionBodyArb), {
      maxLength: options.maxSections ?? 5,
      selector: ([n]) => n,
    }),
    defaultAt: options.withDefault === false ? fc.constant(-1) : fc.integer({ min: -3, max: 5 }),
    defaultBody: sectionBodyArb,
  }).map((r) => {
    const specs: SectionSpec[] = r.sections.map(([name, body]) => toSpec(name, body));
    if (r.defaultAt >= 0) {
      specs.splice(Math.min(r.defaultAt, specs.length), 0, toSpec("DEFAULT", r.defaultBody));
    }
    if (options.indentedHeaders === false) { for (const s of specs) s.headerIndent = ""; }
    const eolAt = (i: number): Eol =>
      r.eol === "lf"
        ? "\n"
        : r.eol === "crlf"
        ? "\r\n"
        : r.eol === "cr"
        ? "\r"
        : r.eols[i % r.eols.length];
    return render(r.leading, specs, eolAt, r.noFinal !== 0);
  });
}

interface SectionBody {
  trailing: string;
  indent: string;
  headerIndent: string;
  keys: [string, Omit<KeySpec, "name">][];
  fillers: [number, string][];
}

function toSpec(name: string, body: SectionBody): SectionSpec {
  const items: SectionSpec["items"] = body.keys.map(([k, spec]) => ({ key: { name: k, ...spec } }));
  for (const [at, filler] of body.fillers) {
    items.splice(Math.min(at, items.length), 0, { filler });
  }
  const trailing = name.includes("]") ? "" : body.trailing;
  return { name, trailing, indent: body.indent, headerIndent: body.headerIndent, items };
}

function render(
  leading: string[],
  specs: SectionSpec[],
  eolAt: (i: number) => Eol,
  finalNewline: boolean,
): GenFile {
  const lines: LineSpec[] = leading.map((text) => ({ text }));
  let prevKeyIndent: string | null = null;
  specs.forEach((s, si) => {
    // A header indented more than the last key line would continue its value.
    let headerIndent = s.headerIndent;
    if (prevKeyIndent !== null && headerIndent.length > prevKeyIndent.length) {
      headerIndent = prevKeyIndent;
    }
    lines.push({
      text: `${headerIndent}[${s.name}]${s.trailing}`,
      role: { section: si, header: true },
    });
    let k = 0;
    let hasKeys = false;
    for (const item of s.items) {
      if ("filler" in item) {
        lines.push({ text: item.filler });
        continue;
      }
      const key = item.key;
      hasKeys = true;
      const value = key.value;
      const after = value === "" ? (key.trailing === "" ? "" : key.after) : key.after;
      lines.push({
        text: `${s.indent}${key.name}${key.before}${key.sep}${after}${value}${
          value === "" ? "" : key.trailing
        }`,
        role: { section: si, key: k, name: key.name, keyEnd: key.cont.length === 0 },
      });
      key.cont.forEach((c, ci) => {
        for (const f of c.filler) lines.push({ text: f, inKey: { section: si, key: k } });
        lines.push({
          text: `${s.indent}${c.extra}${c.text}`,
          role: { section: si, key: k, keyEnd: ci === key.cont.length - 1 },
        });
      });
      k++;
    }
    if (hasKeys) prevKeyIndent = s.indent;
    else if (prevKeyIndent !== null) {
      // After a header without keys, nothing can be a continuation line.
      prevKeyIndent = null;
    }
  });

  // Join, avoiding a CR followed by an empty line ending in LF (that would be one CRLF).
  let text = "";
  const sections: GenSection[] = specs.map((s) => ({
    name: s.name,
    keys: [],
    insertAt: 0,
    insertAfterUnterminated: false,
  }));
  let prevEol: Eol | "" = "";
  lines.forEach((line, i) => {
    let eol: Eol | "" = eolAt(i);
    if (eol === "\n" && prevEol === "\r" && line.text === "") eol = "\r\n";
    if (i === lines.length - 1 && !finalNewline && line.text !== "") eol = "";
    const start = text.length;
    text += line.text;
    const end = text.length;
    text += eol;
    prevEol = eol;
    if (line.inKey !== undefined && /^[ \t]*[#;]/.test(line.text)) {
      sections[line.inKey.section].keys[line.inKey.key].comments.push({ text: line.text, eol });
    }
    const role = line.role;
    if (role === undefined) return;
    const section = sections[role.section];
    if (role.header) {
      section.insertAt = text.length;
      section.insertAfterUnterminated = eol === "";
    } else if (role.key !== undefined) {
      if (section.keys.length === role.key) {
        section.keys.push({
          name: role.name!,
          keyEol: eol,
          comments: [],
          start,
          end,
          endWithEol: text.length,
        });
      }
      const key = section.keys[role.key];
      key.end = end;
      key.endWithEol = text.length;
      if (role.keyEnd) {
        section.insertAt = text.length;
        section.insertAfterUnterminated = eol === "";
      }
    }
  });
  return { text, sections };
}

const BAD_LINES = [
  "garbage",
  "= value",
  ": value",
  "[]",
  "  indented = x",
  "\tindented",
  "export AWS_PROFILE=dev",
  "key = value",
  "[default",
  "]",
  "k =",
  "  no equals",
  "\ufeff[bom]",
  "=",
  "  [indented-header]",
];

/**
 * Files botocore may or may not accept: a valid file with a few lines
 * inserted, duplicated, re-indented or deleted, or a BOM in front.
 */
export function mutatedIniArb(): fc.Arbitrary<string> {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), line: pick(BAD_LINES) }),
    fc.record({ kind: fc.constant("dup" as const), at: fc.nat(), line: fc.nat() }),
    fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), line: pick(EXTRA) }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), line: fc.constant("") }),
    fc.record({ kind: fc.constant("upper" as const), at: fc.nat(), line: fc.nat() }),
    fc.record({ kind: fc.constant("bom" as const), at: fc.constant(0), line: fc.constant("") }),
  );
  return fc.tuple(iniFileArb(), fc.array(op, { minLength: 1, maxLength: 3 })).map(
    ([file, ops]) => {
      const lines = file.text.split(/(?<=\r\n|\n|\r(?!\n))/);
      for (const o of ops) {
        const at = lines.length === 0 ? 0 : o.at % (lines.length + 1);
        const eol = lines[0]?.match(/\r\n|\n|\r$/)?.[0] ?? "\n";
        switch (o.kind) {
          case "insert":
            lines.splice(at, 0, o.line + eol);
            break;
          case "dup":
            if (lines.length > 0) {
              const src = lines[(o.line as number) % lines.length];
              lines.splice(at, 0, /[\r\n]$/.test(src) ? src : src + eol);
            }
            break;
          case "indent":
            if (at < lines.length) lines[at] = o.line + lines[at];
            break;
          case "delete":
            if (at < lines.length) lines.splice(at, 1);
            break;
          case "upper":
            if (at < lines.length) lines[at] = lines[at].toUpperCase();
            break;
          case "bom":
            lines.unshift("\ufeff");
            break;
        }
      }
      return lines.join("");
    },
  );
}

const CHAOS_UNITS = [
  "[",
  "]",
  "=",
  ":",
  "#",
  ";",
  " ",
  " ",
  "\t",
  "a",
  "B",
  "k",
  "v",
  "x",
  "é",
  "\u00a0",
  "\x1c",
  "\x85",
  "\u2028",
  "\v",
  "\f",
  "\0",
  "\ufeff",
  "🎉",
  "DEFAULT",
  "default",
  "profile ",
];

/** Short lines built from the characters the parser cares about, with any line endings. */
export function chaosIniArb(): fc.Arbitrary<string> {
  const line = fc.tuple(
    pick(["", "", " ", "  ", "\t"]),
    fc.string({ unit: pick(CHAOS_UNITS), maxLength: 6 }),
  ).map(([i, s]) => i + s);
  const header = fc.tuple(pick(["", " "]), pick(["a", "b", "DEFAULT", "a "]), pick(["", " x", "]"]))
    .map(([i, n, t]) => `${i}[${n}]${t}`);
  return fc.array(
    fc.tuple(fc.oneof(line, line, header), pick(["\n", "\n", "\r\n", "\r"])),
    { maxLength: 8 },
  ).map((ls) => ls.map(([l, e]) => l + e).join(""));
}

/** Strings of any code units, lone surrogates and CR/LF mixes included. */
export function anyTextArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
    fc.string({ unit: pick(["\r", "\n", "\r\n", "\ud800", "\udc00", "a", "[", "]", "=", " "]) }),
  );
}

/** The seed for fast-check in this run (see tests/support/seed.ts): a signed 32-bit integer. */
export function testSeed(): number {
  return SEED | 0;
}

/** How to rerun a failed property test with the same cases. */
export function rerunHint(_seed: number, file: string): string {
  return `Rerun these cases with: ${rerunCommand(file)}`;
}

/** `fc.assert` with the seed, adding how to rerun to the failure message. */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  options: { seed: number; numRuns: number; file: string },
): void {
  try {
    fc.assert(property, { seed: options.seed, numRuns: options.numRuns });
  } catch (error) {
    if (error instanceof Error) error.message += `\n${rerunHint(options.seed, options.file)}`;
    throw error;
  }
}

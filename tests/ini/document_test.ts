// The INI editor's rules, one hand-written case per rule. Each reading case
// was observed with botocore 1.43 (Python 3.11 and 3.13 agree), and the last
// test checks them all against botocore again when it is installed.

import assert from "node:assert/strict";
import {
  configProfiles,
  configProfileSection,
  decodeIniBytes,
  getConfigProfile,
  IniFormatError,
  IniValueError,
  parseIni,
} from "../../lib/ini/mod.ts";
import { botocoreAvailable, botocoreParse } from "../support/botocore.ts";

type Record_ = Record<string, Record<string, string | Record<string, string>>>;

/** A reading rule: the text and what botocore makes of it (or the line it rejects). */
interface Case {
  rule: string;
  text: string;
  record?: Record_;
  rejectedAt?: number;
}

const CASES: Case[] = [
  // Lines
  {
    rule: "LF, CRLF and a bare CR all end a line",
    text: "[s]\r\na=1\rb=2\nc=3",
    record: { s: { a: "1", b: "2", c: "3" } },
  },
  {
    rule: "whole-line comments with # and ;, also indented",
    text: "# x\n; y\n[s]\n  # z = 1\n\t; w\na=1\n",
    record: { s: { a: "1" } },
  },
  {
    rule: "no inline comments",
    text: "[s]\nregion = us-east-1 # prod\nb = x ; y\n",
    record: { s: { region: "us-east-1 # prod", b: "x ; y" } },
  },
  {
    rule: "split at the first '=' (before ':')",
    text: "[s]\nrole_arn = arn:aws:iam::1:role/r\n",
    record: { s: { role_arn: "arn:aws:iam::1:role/r" } },
  },
  {
    rule: "split at the first ':' (before '=')",
    text: "[s]\narn:x = 1\n",
    record: { s: { arn: "x = 1" } },
  },
  {
    rule: "key and value are stripped; tight k=v",
    text: "[s]\n  k \t=\t v  \nj=w\n",
    record: { s: { k: "v", j: "w" } },
  },
  {
    rule: "keys are lower-cased",
    text: "[s]\nAWS_SESSION_TOKEN = t\n",
    record: { s: { aws_session_token: "t" } },
  },
  {
    rule: "keys are lower-cased the Unicode way",
    text: "[s]\nİ=1\nÜBER=2\n",
    record: { s: { "i̇": "1", "über": "2" } },
  },
  {
    rule: "an empty value is the empty string",
    text: "[s]\naws_session_token =\nb:\n",
    record: { s: { aws_session_token: "", b: "" } },
  },
  {
    rule: "quotes and % are literal",
    text: '[s]\na = "q"\nb = %(x)s 100%\n',
    record: { s: { a: '"q"', b: "%(x)s 100%" } },
  },
  {
    rule: "NUL and U+0085 stay in values",
    text: "[s]\na = x\0y\nb = p\x85q\n",
    record: { s: { a: "x\0y", b: "p\x85q" } },
  },
  {
    rule: "Python whitespace (U+00A0, U+001C) is stripped",
    text: "[s]\na =\u00a0v\x1c\n",
    record: { s: { a: "v" } },
  },
  { rule: "U+FEFF is not whitespace", text: "[s]\na = \ufeffv\n", record: { s: { a: "\ufeffv" } } },
  {
    rule: "a whitespace-only line (even U+3000) is blank",
    text: "[s]\n\u3000\n\f\na=1\n",
    record: { s: { a: "1" } },
  },
  { rule: "an empty file is empty", text: "", record: {} },
  // Sections
  {
    rule: "the name runs to the LAST ']'; trailing text is ignored",
    text: "[s] x ] y\n[a]]\n[d] # c\n",
    record: { "s] x ": {}, "a]": {}, d: {} },
  },
  {
    rule: "whitespace inside brackets is part of the name",
    text: "[ default ]\n",
    record: { " default ": {} },
  },
  { rule: "names are case-sensitive", text: "[s]\n[S]\n", record: { s: {}, S: {} } },
  {
    rule: "an indented header is a header where it is not a continuation",
    text: "  [s]\nk=v\n",
    record: { s: { k: "v" } },
  },
  {
    rule: "'[' with no ']' is a key line",
    text: "[s]\n[abc = 1\n",
    record: { s: { "[abc": "1" } },
  },
  {
    rule: "[DEFAULT] keys are inherited; own keys win",
    text: "[DEFAULT]\na=1\nb=2\n[s]\na=3\n[t]\n",
    record: { s: { a: "3", b: "2" }, t: { a: "1", b: "2" } },
  },
  { rule: "[DEFAULT] alone gives nothing", text: "[DEFAULT]\na=1\n", record: {} },
  {
    rule: "[DEFAULT] may appear twice (merged)",
    text: "[DEFAULT]\na=1\n[s]\nc=3\n[DEFAULT]\nb=2\n",
    record: { s: { c: "3", a: "1", b: "2" } },
  },
  {
    rule: "[default] is an ordinary section",
    text: "[default]\na=1\n[s]\n",
    record: { default: { a: "1" }, s: {} },
  },
  // Continuations
  {
    rule: "a line indented more continues the value",
    text: "[s]\nregion = us-east-1\n  output = json\n",
    record: { s: { region: "us-east-1\noutput = json" } },
  },
  {
    rule: "an indented header after a key is part of the value",
    text: "[s]\nk = v\n  [t]\n",
    record: { s: { k: "v\n[t]" } },
  },
  {
    rule: "equal indentation starts a new key",
    text: "[s]\n  k=v\n  j=w\n",
    record: { s: { k: "v", j: "w" } },
  },
  {
    rule: "less indentation starts a new key",
    text: "[s]\n    k=v\n  j=w\n",
    record: { s: { k: "v", j: "w" } },
  },
  {
    rule: "a tab counts as one character of indentation",
    text: "[s]\n\tk=v\n  x\n",
    record: { s: { k: "v\nx" } },
  },
  { rule: "tab+space is not more than two spaces", text: "[s]\n  k=v\n\t x\n", rejectedAt: 3 },
  {
    rule: "U+00A0 counts as indentation",
    text: "[s]\nk=v\n\u00a0x\n",
    record: { s: { k: "v\nx" } },
  },
  {
    rule: "blank lines inside a value are kept as empty lines",
    text: "[s]\nk=a\n\n  b\n\n",
    record: { s: { k: "a\n\nb" } },
  },
  {
    rule: "comment lines inside a value are skipped",
    text: "[s]\nk=a\n# c\n    ; d\n  b\n",
    record: { s: { k: "a\nb" } },
  },
  {
    rule: "continuation lines are stripped",
    text: "[s]\nk = v  \n  w  \n",
    record: { s: { k: "v\nw" } },
  },
  {
    rule: "CR-only files continue values too",
    text: "[s]\rk=v\r  w\r",
    record: { s: { k: "v\nw" } },
  },
  { rule: "an indented line right after a header is rejected", text: "[s]\n  x\n", rejectedAt: 2 },
  // Sub-sections
  {
    rule: "an empty value with indented lines is a sub-section",
    text: "[s]\ns3 =\n  max_concurrent_requests = 20\n  Addressing_Style=path\n",
    record: { s: { s3: { max_concurrent_requests: "20", Addressing_Style: "path" } } },
  },
  {
    rule: "a blank line may open a sub-section",
    text: "[s]\nk=\n\n  a=1\n",
    record: { s: { k: { a: "1" } } },
  },
  { rule: "a sub-section line without '=' is rejected", text: "[s]\nk=\n  a\n", rejectedAt: 3 },
  { rule: "':' does not split a sub-section line", text: "[s]\nk=\n  a:b\n", rejectedAt: 3 },
  {
    rule: "sub-section keys keep their case; the last duplicate wins",
    text: "[s]\nk=\n  a=1\n  A=2\n  a=3\n",
    record: { s: { k: { a: "3", A: "2" } } },
  },
  {
    rule: "a sub-section key may be empty",
    text: "[s]\nk=\n  =1\n",
    record: { s: { k: { "": "1" } } },
  },
  {
    rule: "U+0085 splits a sub-section line in two",
    text: "[s]\nk=\n  a=1\x85b=2\n",
    record: { s: { k: { a: "1", b: "2" } } },
  },
  {
    rule: "a form feed splits a sub-section line (and 'a' has no '=')",
    text: "[s]\nk=\n  a\fb=c\n",
    rejectedAt: 3,
  },
  {
    rule: "a bad [DEFAULT] sub-section is fine while no section inherits it",
    text: "[DEFAULT]\nb=\n  x\n",
    record: {},
  },
  {
    rule: "a bad [DEFAULT] sub-section is rejected once inherited",
    text: "[DEFAULT]\nb=\n  x\n[s]\n",
    rejectedAt: 3,
  },
  {
    rule: "a bad [DEFAULT] sub-section is fine where every section overrides it",
    text: "[DEFAULT]\nb=\n  x\n[s]\nb=1\n",
    record: { s: { b: "1" } },
  },
  // Rejections
  { rule: "a duplicate section is rejected", text: "[s]\na=1\n[s]\n", rejectedAt: 3 },
  {
    rule: "a duplicate key is rejected, case-insensitively",
    text: "[s]\naws_session_token=1\nAWS_SESSION_TOKEN=2\n",
    rejectedAt: 3,
  },
  {
    rule: "a duplicate key across two [DEFAULT] headers is rejected",
    text: "[DEFAULT]\na=1\n[DEFAULT]\nA=2\n",
    rejectedAt: 4,
  },
  { rule: "a key before the first section is rejected", text: "k=v\n[s]\n", rejectedAt: 1 },
  {
    rule: "an indented line before the first section is rejected",
    text: "  k=v\n[s]\n",
    rejectedAt: 1,
  },
  { rule: "a line that is nothing is rejected", text: "[s]\ngarbage\n", rejectedAt: 2 },
  { rule: "an empty key is rejected", text: "[s]\n= v\n", rejectedAt: 2 },
  { rule: "an empty key with ':' is rejected", text: "[s]\n: v\n", rejectedAt: 2 },
  { rule: "'[]' is rejected", text: "[s]\n[]\n", rejectedAt: 2 },
  { rule: "a byte-order mark is rejected", text: "\ufeff[s]\nk=v\n", rejectedAt: 1 },
];

for (const c of CASES) {
  Deno.test(`reading: ${c.rule}`, () => {
    const doc = parseIni(c.text);
    assert.equal(doc.toString(), c.text);
    if (c.rejectedAt !== undefined) {
      assert.notEqual(doc.problems.length, 0, "expected a problem");
      assert.equal(doc.problems[0].line, c.rejectedAt);
      assert.match(doc.problems[0].message, /^[A-Z]/);
      assert.throws(() => doc.toRecord(), IniFormatError);
    } else {
      assert.deepEqual(doc.problems, []);
      assert.deepEqual(doc.toRecord(), c.record);
    }
  });
}

Deno.test({
  name: "reading: every case above is what botocore does",
  ignore: !botocoreAvailable(),
  fn: async () => {
    const results = await botocoreParse(CASES.map((c) => c.text));
    CASES.forEach((c, i) => {
      const r = results[i];
      if (c.rejectedAt !== undefined) assert.equal(r.ok, false, c.rule);
      else {
        assert.ok(r.ok, `${c.rule}: ${!r.ok && r.error}`);
        assert.deepEqual(r.record, c.record, c.rule);
      }
    });
  },
});

Deno.test("reading: toString is exact for odd input", () => {
  for (const t of ["\ufeff", "\r\n\r", "a\u2028b", "\ud800", "[s]\r\n\r\nk=v", "\0\0", " \n\t"]) {
    assert.equal(parseIni(t).toString(), t);
  }
});

Deno.test("reading: an unpaired surrogate is a problem (it cannot be written as UTF-8)", () => {
  const doc = parseIni("[s]\nk = a\ud800b\n");
  assert.equal(doc.problems.length, 1);
  assert.equal(doc.problems[0].line, 2);
});

Deno.test("reading: problems say what is wrong and how to fix it", () => {
  const doc = parseIni("[s]\na=1\nA=2\n[s]\n");
  assert.deepEqual(doc.problems.map((p) => p.line), [3, 4]);
  assert.match(doc.problems[0].message, /'a' is already set on line 2.*delete one/);
  assert.match(doc.problems[1].message, /\[s\] is already defined on line 1.*merge/);
});

Deno.test("reading: get and sections give botocore's view", () => {
  const doc = parseIni("[DEFAULT]\nregion = eu\n[dev]\nRegion = us\ns3 =\n  a = 1\n[prod]\n");
  assert.deepEqual(doc.sections(), ["dev", "prod"]);
  assert.equal(doc.get("dev", "REGION"), "us");
  assert.equal(doc.get("prod", "region"), "eu");
  assert.deepEqual(doc.get("dev", "s3"), { a: "1" });
  assert.equal(doc.get("dev", "nope"), undefined);
  assert.equal(doc.get("nope", "region"), undefined);
  assert.equal(doc.get("DEFAULT", "region"), "eu");
  assert.deepEqual(doc.getSection("prod"), { region: "eu" });
});

Deno.test("reading: __proto__ is an ordinary name", () => {
  const doc = parseIni("[__proto__]\n__proto__ = 1\n");
  const record = doc.toRecord();
  assert.ok(Object.hasOwn(record, "__proto__"));
  assert.equal(Object.getPrototypeOf(record), Object.prototype);
  assert.deepEqual(JSON.stringify(record), '{"__proto__":{"__proto__":"1"}}');
});

// decodeIniBytes

Deno.test("decode: UTF-8 text decodes; a BOM is kept and is a problem on line 1", () => {
  assert.deepEqual(decodeIniBytes(new TextEncoder().encode("[s]\né=1\n")), { text: "[s]\né=1\n" });
  const bom = decodeIniBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x5b, 0x73, 0x5d]));
  assert.ok("text" in bom);
  assert.equal(bom.text, "\ufeff[s]");
  assert.equal(parseIni(bom.text).problems[0].line, 1);
  assert.match(parseIni(bom.text).problems[0].message, /byte order mark/);
});

Deno.test("decode: invalid UTF-8 is a problem on the line of the first bad byte", () => {
  const bytes = (s: string, bad: number[]) =>
    new Uint8Array([...new TextEncoder().encode(s), ...bad]);
  for (
    const [prefix, bad, line] of [
      ["[s]\r\nk=v\r\n# ", [0xff], 3],
      ["[s]\rk=", [0xc0, 0x80], 2], // overlong
      ["[s]\n\n\nk=", [0xed, 0xa0, 0x80], 4], // an encoded surrogate
      ["", [0xe2, 0x82], 1], // truncated
      ["a\n", [0xf4, 0x90, 0x80, 0x80], 2], // above U+10FFFF
    ] as const
  ) {
    const result = decodeIniBytes(bytes(prefix, [...bad]));
    assert.ok("problem" in result, prefix);
    assert.equal(result.problem.line, line, prefix);
    assert.match(result.problem.message, /not valid UTF-8.*re-save/);
  }
});

// Editing

function edit(text: string, f: (d: ReturnType<typeof parseIni>) => unknown): string {
  const doc = parseIni(text);
  f(doc);
  return doc.toString();
}

// The lines awsmfa writes are read alike by botocore, the JavaScript SDK
// (keys are case-sensitive, '=' only; an indented line after an empty value
// is a sub-key) and the Go SDK (an indented line is never a key): no
// indentation, the key as given, '='; the spacing around it is the file's.
Deno.test("set: a replaced value keeps its place and spacing, in the key's spelling given, with '='", () => {
  assert.equal(edit("[s]\nk=v\n", (d) => d.set("s", "K", "w")), "[s]\nK=w\n");
  assert.equal(edit("[s]\n  Key  :  v  \n", (d) => d.set("s", "key", "w")), "[s]\nkey  =  w\n");
  assert.equal(edit("[s]\nk =\n", (d) => d.set("s", "k", "w")), "[s]\nk = w\n");
  assert.equal(edit("[s]\nk=\n", (d) => d.set("s", "k", "w")), "[s]\nk=w\n");
  assert.equal(edit("[s]\nk = v\n", (d) => d.set("s", "k", "")), "[s]\nk =\n");
});

Deno.test("set: a key's continuation lines and sub-section are replaced with it", () => {
  assert.equal(
    edit("[s]\nk = a\n\n  b\n\nj = 1\n", (d) => d.set("s", "k", "x")),
    "[s]\nk = x\n\nj = 1\n",
  );
  assert.equal(edit("[s]\ns3 =\n  a = 1\n  b = 2", (d) => d.set("s", "s3", "x")), "[s]\ns3 = x");
});

// botocore skips comment lines inside a value (they are not part of it) and
// keeps blank lines in it (they are): the comments stay, the value's lines go.
const INTERLEAVED = "[a]\nk = v1\n# c1\n  v2\nz = 1\n";

Deno.test("set: comment lines between a value's continuation lines are kept", () => {
  assert.equal(edit(INTERLEAVED, (d) => d.set("a", "k", "NEW")), "[a]\nk = NEW\n# c1\nz = 1\n");
  assert.equal(
    edit("[s]\nk = a\n# c\n\n  b\n  ; d\n\t\n  e\n\nj = 1\n", (d) => d.set("s", "k", "x")),
    "[s]\nk = x\n# c\n  ; d\n\nj = 1\n",
  );
  // In a sub-section too; each kept line keeps its line ending, the last
  // takes the value's (none at the end of the file).
  assert.equal(
    edit("[s]\r\ns3 =\r\n  ; note\n  a = 1\r# c\r\n  b = 2", (d) => d.set("s", "s3", "x")),
    "[s]\r\ns3 = x\r\n  ; note\n# c",
  );
  const doc = parseIni(INTERLEAVED);
  doc.set("a", "k", "NEW");
  assert.deepEqual(doc.toRecord(), { a: { k: "NEW", z: "1" } });
});

Deno.test("delete: comment lines between a value's continuation lines are kept", () => {
  assert.equal(edit(INTERLEAVED, (d) => d.delete("a", "k")), "[a]\n# c1\nz = 1\n");
  assert.equal(
    edit("[s]\na=1\nk = a\n\n# c\n  b\r\n# d\r  e", (d) => d.delete("s", "k")),
    "[s]\na=1\n# c\n# d",
  );
  assert.equal(
    edit("[DEFAULT]\nk = 1\n ; c\n  2\n[s]\n", (d) => d.delete("DEFAULT", "k")),
    "[DEFAULT]\n ; c\n[s]\n",
  );
});

Deno.test("set: a new key goes after the section's last key, at column 0, spaced like its keys", () => {
  const text = "[a]\n  k=1\n  j=2\n# about b\n\n[b]\nx = 1\n";
  assert.equal(
    edit(text, (d) => d.set("a", "new", "v")),
    "[a]\n  k=1\n  j=2\nnew=v\n# about b\n\n[b]\nx = 1\n",
  );
  assert.equal(
    edit("[a]\n\n[b]\nx : 1\n", (d) => d.set("a", "n", "v")),
    "[a]\nn = v\n\n[b]\nx : 1\n",
  );
  assert.equal(edit("[a]\n", (d) => d.set("a", "n", "v")), "[a]\nn = v\n");
});

Deno.test("set: a new key is never indented into a continuation or under one", () => {
  // More indented than the last key line would continue its value.
  assert.equal(
    edit("[a]\nk=1\n    j=2\n", (d) => d.set("a", "n", "v")),
    "[a]\nk=1\n    j=2\nn=v\n",
  );
  // Less indented than the next header would make the header continue the new value.
  assert.equal(
    edit("[a]\n  [b]\nx=1\n", (d) => d.set("a", "n", "v")),
    "[a]\n  n=v\n  [b]\nx=1\n",
  );
});

Deno.test("set: awsmfa's keys go at column 0 in a section whose lines are indented", () => {
  const session = (d: ReturnType<typeof parseIni>, n: string, section = "Prod") => {
    for (const k of ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]) {
      d.set(section, k, `${k}${n}`);
    }
  };
  const first = edit("[Prod]\n  output  =   \n", (d) => session(d, "1"));
  assert.equal(
    first,
    "[Prod]\n  output  =   \naws_access_key_id  = aws_access_key_id1\n" +
      "aws_secret_access_key  = aws_secret_access_key1\naws_session_token  = aws_session_token1\n",
  );
  // Keys written indented (by an older awsmfa) come back to column 0: in
  // place where the next line is not indented, else at the section's end (in
  // place, column 0 would make the next indented line continue its value).
  const old = "[Prod]\n  output = json\n  aws_access_key_id = A\n  aws_secret_access_key = S\n" +
    "  aws_session_token = T\n# end\n\n[next]\nx = 1\n";
  assert.equal(
    edit(old, (d) => session(d, "2")),
    "[Prod]\n  output = json\naws_session_token = aws_session_token2\n" +
      "aws_access_key_id = aws_access_key_id2\naws_secret_access_key = aws_secret_access_key2\n" +
      "# end\n\n[next]\nx = 1\n",
  );
  assert.equal(edit("[s]\n  k = v\nj = 1\n", (d) => d.set("s", "k", "w")), "[s]\nk = w\nj = 1\n");
  // Where an indented header follows, no line of the section can be at
  // column 0 (the header would continue its value): botocore comes first.
  assert.equal(
    edit("[a]\n  k = 1\n  j = 2\n  [b]\nx = 1\n", (d) => d.set("a", "k", "3")),
    "[a]\n  k = 3\n  j = 2\n  [b]\nx = 1\n",
  );
  for (const text of [first, old, "[a]\n  k = 1\n  j = 2\n  [b]\nx = 1\n"]) {
    const doc = parseIni(text);
    const before = doc.toRecord();
    const section = doc.sections()[0];
    session(doc, "3", section);
    for (const k of ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]) {
      before[section][k] = `${k}3`;
    }
    assert.deepEqual(doc.toRecord(), before);
  }
});

Deno.test("set: a new section is appended after one blank line", () => {
  assert.equal(edit("[a]\nk = 1\n", (d) => d.set("b", "n", "v")), "[a]\nk = 1\n\n[b]\nn = v\n");
  assert.equal(
    edit("[a]\n  k : 1\n", (d) => d.set("b", "n", "v")),
    "[a]\n  k : 1\n\n[b]\nn = v\n",
  );
  assert.equal(edit("[a]\nk = 1\n\n", (d) => d.set("b", "n", "v")), "[a]\nk = 1\n\n[b]\nn = v\n");
  assert.equal(edit("", (d) => d.set("b", "n", "v")), "[b]\nn = v\n");
  assert.equal(
    edit("# only a comment", (d) => d.set("b", "n", "v")),
    "# only a comment\n\n[b]\nn = v",
  );
});

Deno.test("set: inserted lines use the file's line ending; a final newline is added only where needed", () => {
  assert.equal(edit("[a]\r\nk=1\r\n", (d) => d.set("a", "j", "2")), "[a]\r\nk=1\r\nj=2\r\n");
  assert.equal(
    edit("[a]\rk=1\r\n[b]\rx=1\r", (d) => d.set("c", "j", "2")),
    "[a]\rk=1\r\n[b]\rx=1\r\r[c]\rj=2\r",
  );
  assert.equal(edit("[a]\nk=1", (d) => d.set("a", "j", "2")), "[a]\nk=1\nj=2");
  assert.equal(edit("[a]\nk=1", (d) => d.set("a", "k", "2")), "[a]\nk=2");
});

Deno.test("set: matches keys case-insensitively; [DEFAULT] keys get an own override", () => {
  assert.equal(
    edit("[s]\nAWS_SESSION_TOKEN = a\n", (d) => d.set("s", "aws_session_token", "b")),
    "[s]\naws_session_token = b\n",
  );
  const doc = parseIni("[DEFAULT]\nregion = eu\n[s]\nk = 1\n");
  doc.set("s", "region", "us");
  assert.equal(doc.toString(), "[DEFAULT]\nregion = eu\n[s]\nk = 1\nregion = us\n");
  assert.equal(doc.get("s", "region"), "us");
});

Deno.test("set: is idempotent; setting the current value changes nothing", () => {
  const doc = parseIni("[s]\nk = v \n");
  assert.equal(doc.set("s", "k", "v"), false);
  assert.equal(doc.toString(), "[s]\nk = v \n");
  assert.equal(doc.set("t", "k", "v"), true);
  const once = doc.toString();
  assert.equal(doc.set("t", "k", "v"), false);
  assert.equal(doc.toString(), once);
});

Deno.test("set: rejects what botocore could not read back", () => {
  const doc = parseIni("[s]\n");
  for (const v of ["a\nb", "a\rb", " a", "a ", "\u00a0a", "a\x1c", "\ud800"]) {
    assert.throws(() => doc.set("s", "k", v), IniValueError, JSON.stringify(v));
  }
  for (const k of ["", "a=b", "a:b", "a b", "a\tb", "[k", "#k", ";k", "k\n"]) {
    assert.throws(() => doc.set("s", k, "v"), IniValueError, JSON.stringify(k));
  }
  for (const s of ["", "a]b", "a\nb", " a", "a "]) {
    assert.throws(() => doc.set(s, "k", "v"), IniValueError, JSON.stringify(s));
  }
  assert.throws(() => doc.set("s", "k", "a\nb"), /The value "a\\nb" contains a line break/);
  assert.equal(doc.toString(), "[s]\n");
});

Deno.test("edits refuse a document with problems", () => {
  const doc = parseIni("[s]\nk=1\nK=2\n");
  assert.throws(() => doc.set("s", "j", "1"), IniFormatError);
  assert.throws(() => doc.delete("s", "k"), IniFormatError);
  assert.throws(() => doc.removeSection("s"), IniFormatError);
  assert.throws(() => doc.set("s", "j", "1"), /line 3: The key 'k' is already set/);
  assert.equal(doc.toString(), "[s]\nk=1\nK=2\n");
});

Deno.test("delete: removes exactly the key's lines", () => {
  assert.equal(
    edit("[s]\na=1\nK = 2\n  more\n# c\nb=3\n", (d) => d.delete("s", "k")),
    "[s]\na=1\n# c\nb=3\n",
  );
  assert.equal(edit("[s]\na=1\nk=2", (d) => d.delete("s", "k")), "[s]\na=1\n");
  const doc = parseIni("[s]\na=1\n");
  assert.equal(doc.delete("s", "zz"), false);
  assert.equal(doc.delete("zz", "a"), false);
});

Deno.test("removeSection: removes header, keys and the blank lines after", () => {
  const text = "[a]\nk=1\n\n# about b\n[b]\nx=1\n# c\ny=2\n\n[c]\nz=1\n";
  assert.equal(edit(text, (d) => d.removeSection("b")), "[a]\nk=1\n\n# about b\n[c]\nz=1\n");
  assert.equal(
    edit(text, (d) => d.removeSection("c")),
    "[a]\nk=1\n\n# about b\n[b]\nx=1\n# c\ny=2\n",
  );
  assert.equal(
    edit("[DEFAULT]\na=1\n[s]\n[DEFAULT]\nb=2\n", (d) => d.removeSection("DEFAULT")),
    "[s]\n",
  );
});

Deno.test("removeSection: refuses when the next header would become a continuation line", () => {
  const doc = parseIni("[a]\nk=1\n[b]\n    [c]\nx=1\n");
  assert.throws(() => doc.removeSection("b"), /would change how the AWS CLI reads/);
  assert.equal(doc.toString(), "[a]\nk=1\n[b]\n    [c]\nx=1\n");
});

Deno.test("edits keep the document consistent for further edits", () => {
  const doc = parseIni("[a]\nk = 1\n");
  doc.set("a", "j", "2");
  doc.set("b", "x", "3");
  doc.delete("a", "k");
  doc.set("b", "x", "4");
  assert.deepEqual(doc.toRecord(), { a: { j: "2" }, b: { x: "4" } });
  assert.equal(doc.toString(), "[a]\nj = 2\n\n[b]\nx = 4\n");
});

// The config file's profiles

Deno.test("config: [profile p] is split like shell words", () => {
  const doc = parseIni(
    "[profile  a]\n[profile \"b c\"]\n[profile 'd']\n[profile e f]\n[profile 'g]\n[profilex h]\n" +
      "[sso-session s]\n[services x]\n[profile]\n[plain]\n",
  );
  assert.deepEqual(
    [...configProfiles(doc)],
    [["a", "profile  a"], ["b c", 'profile "b c"'], ["d", "profile 'd'"], ["h", "profilex h"]],
  );
});

Deno.test("config: [default] and [profile default]: the later wins wholesale", () => {
  const doc = parseIni("[profile default]\nregion = a\noutput = json\n[default]\nregion = b\n");
  assert.equal(configProfiles(doc).get("default"), "default");
  assert.deepEqual(getConfigProfile(doc, "default"), { region: "b" });
  assert.equal(configProfileSection(doc, "default"), "default");
  assert.equal(getConfigProfile(doc, "nope"), undefined);
});

Deno.test("config: the section to edit for a profile", () => {
  const doc = parseIni("[profile  dev]\nregion = a\n");
  assert.equal(configProfileSection(doc, "dev"), "profile  dev");
  assert.equal(configProfileSection(doc, "prod"), "profile prod");
  assert.equal(configProfileSection(doc, "default"), "default");
  assert.equal(configProfileSection(doc, "a b"), "profile 'a b'");
  assert.equal(configProfileSection(doc, "it's"), 'profile "it\'s"');
  doc.set(configProfileSection(doc, "a b"), "region", "x");
  assert.deepEqual(getConfigProfile(doc, "a b"), { region: "x" });
});

Deno.test("edits refuse to expose a bad [DEFAULT] sub-section no section inherits yet", () => {
  const text = "[DEFAULT]\ns3 =\n  oops\n[a]\ns3 = 1\n";
  const doc = parseIni(text);
  assert.deepEqual(doc.problems, []);
  assert.throws(() => doc.set("b", "k", "v"), /\[b\] would inherit the sub-section 's3'/);
  assert.throws(() => doc.delete("a", "S3"), IniFormatError);
  assert.equal(doc.toString(), text);
  assert.equal(doc.set("b", "s3", "2"), true);
  doc.set("DEFAULT", "s3", "fixed");
  doc.delete("a", "s3");
  assert.deepEqual(doc.toRecord(), { a: { s3: "fixed" }, b: { s3: "2" } });
});

Deno.test("index: many sections and many keys (hashed lookups) stay exact", () => {
  let text = "";
  for (let i = 0; i < 3000; i++) text += `[p${i}]\nk = ${i}\n`;
  text += "[big]\n";
  for (let i = 0; i < 100; i++) text += `Key${i} = ${i}\n`;
  const doc = parseIni(text);
  assert.deepEqual(doc.problems, []);
  assert.equal(doc.sections().length, 3001);
  for (let i = 0; i < 3000; i += 7) assert.equal(doc.get(`p${i}`, "K"), String(i));
  for (let i = 0; i < 100; i++) assert.equal(doc.get("big", `KEY${i}`), String(i));
  assert.equal(doc.get("p3000", "k"), undefined);
  const dupKey = parseIni(text + "key57 = x\n");
  assert.deepEqual(dupKey.problems.map((p) => p.line), [6102]);
  assert.match(dupKey.problems[0].message, /'key57' is already set on line 6059/);
  const dupSection = parseIni(text + "[p1234]\n");
  assert.deepEqual(dupSection.problems.map((p) => p.line), [6102]);
  assert.match(dupSection.problems[0].message, /\[p1234\] is already defined on line 2469/);
});

Deno.test("index: non-ASCII keys are compared after Python's lower-casing", () => {
  assert.equal(parseIni("[s]\nİ = 1\ni\u0307 = 2\n").problems[0]?.line, 3);
  assert.equal(parseIni("[s]\nÉTÉ = 1\nété = 2\n").problems[0]?.line, 3);
  const doc = parseIni("[s]\nÜBER = 1\n");
  assert.equal(doc.get("s", "über"), "1");
  doc.set("s", "Über", "2");
  assert.equal(doc.toString(), "[s]\nÜber = 2\n");
});

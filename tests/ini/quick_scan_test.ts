// The read-only quick scan (lib/ini/quick_scan.ts) against the editor: on thousands of generated
// files, whenever the scan answers, the editor finds no problem and gives the same sections and
// the same value for every requested key (own, inherited from [DEFAULT], continued, or a
// sub-section); whenever the editor finds a problem, the scan gives up. The run's seed
// (tests/support/seed.ts: fixed in deno task test, AWSMFA_SEED replays another).

import assert from "node:assert/strict";
import fc from "fast-check";
import { parseIni, quickScanIni } from "../../lib/ini/mod.ts";
import {
  anyTextArb,
  assertProperty,
  chaosIniArb,
  iniFileArb,
  mutatedIniArb,
  testSeed,
} from "../support/ini_gen.ts";

const FILE = "tests/ini/quick_scan_test.ts";
const seed = testSeed();
const run = (numRuns: number) => ({ seed, numRuns, file: FILE });

/** The keys status and the skip path read, and the generators' other names. */
const KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token",
  "aws_credential_expiration",
  "expiration",
  "mfa_serial",
  "region",
  "output",
  "s3",
  "role_arn",
  "x-custom.key",
  "clé",
  "über",
  "__proto__",
  "toString",
  "1",
  "k",
  "a",
];

/** Checks the scan against the editor; returns whether the scan answered. */
function agrees(text: string): boolean {
  const quick = quickScanIni(text, KEYS);
  if (quick === undefined) return false;
  const doc = parseIni(text);
  assert.deepEqual(doc.problems, [], "the scan answered for a file the editor rejects");
  const record = doc.toRecord();
  const sections = doc.sections();
  assert.deepEqual(quick.sections(), sections);
  const last = sections.at(-1);
  if (last !== undefined) {
    const one = quickScanIni(text, KEYS, { sections: [last] })!;
    for (const key of KEYS) assert.deepEqual(one.get(last, key), doc.get(last, key));
  }
  for (const section of [...sections, "DEFAULT", "no such section"]) {
    for (const key of KEYS) {
      const expected = doc.get(section, key);
      assert.deepEqual(quick.get(section, key), expected, `[${section}] ${key}`);
      assert.deepEqual(quick.get(section, key.toUpperCase()), expected, `[${section}] ${key}`);
      if (section in record && Object.hasOwn(record[section], key)) {
        assert.deepEqual(quick.get(section, key), record[section][key]);
      }
    }
  }
  return true;
}

// Files shaped like real credentials files, which the scan is for: keys and headers at the
// start of the line, status's keys, continuation lines, sub-sections, [DEFAULT], comments,
// blank lines, every line ending; some with a defect the reference parser rejects.
const NAMES = [
  "aws_access_key_id",
  "AWS_Session_Token",
  "mfa_serial",
  "expiration",
  "region",
  "s3",
];
const keyLineArb = fc.tuple(
  fc.constantFrom(...NAMES),
  fc.constantFrom(" = ", "=", " : ", ":", " =", "= \t"),
  fc.constantFrom("v", "", "ASIAX", "2026-11-30T09:00:00Z", "a=b", "x: y", "arn:aws:iam::1:mfa/a"),
).map(([key, sep, value]) => `${key}${sep}${value}`);
const lineArb = fc.oneof(
  { weight: 8, arbitrary: keyLineArb },
  {
    weight: 3,
    arbitrary: fc.constantFrom("  more", "\tmax = 20", "    k = v", " =", "  # indented"),
  },
  { weight: 3, arbitrary: fc.constantFrom("", "  ", "# comment", "; c", "[b] # note") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("garbage", "  [x]", "[]", "[a", "= v", "\ufeff[d]", "k\u00a0= v"),
  },
);
const sectionArb = fc.tuple(
  fc.constantFrom("[DEFAULT]", "[a]", "[amfa]", "[c] ; note", "[profile x]", "[a]"),
  fc.array(lineArb, { maxLength: 6 }),
).map(([header, lines]) => [header, ...lines]);
const plainFileArb = fc.tuple(
  fc.array(sectionArb, { maxLength: 5 }),
  fc.constantFrom("\n", "\r\n", "\r", "mixed"),
  fc.array(fc.constantFrom("\n", "\r\n", "\r"), { minLength: 8, maxLength: 8 }),
  fc.boolean(),
).map(([sections, eol, mix, final]) => {
  const lines = ["# generated", ...sections.flat()];
  return lines.map((line, i) =>
    line + (i === lines.length - 1 && !final ? "" : eol === "mixed" ? mix[i % 8] : eol)
  ).join("");
});

Deno.test("quick scan: agrees with the editor on credentials-shaped files, answering for most", () => {
  let answered = 0;
  assertProperty(
    fc.property(plainFileArb, (text) => {
      if (agrees(text)) answered++;
    }),
    run(4000),
  );
  assert.ok(answered > 400, `the scan answered for ${answered} of 4000 files`);
});

Deno.test("quick scan: agrees with the editor on generated valid files", () => {
  let answered = 0;
  assertProperty(
    fc.property(iniFileArb(), (file) => {
      if (agrees(file.text)) answered++;
    }),
    run(3000),
  );
  assert.ok(answered > 100, `the scan answered for ${answered} of 3000 files`);
});

Deno.test("quick scan: never answers for a file the editor rejects", () => {
  assertProperty(fc.property(mutatedIniArb(), (text) => void agrees(text)), run(3000));
  assertProperty(fc.property(chaosIniArb(), (text) => void agrees(text)), run(3000));
  assertProperty(fc.property(anyTextArb(), (text) => void agrees(text)), run(2000));
});

Deno.test("quick scan: the cases it leaves to the editor, and the ones it reads", () => {
  const left = [
    "\ufeff[a]\nk = v\n", // a BOM
    "[a]\nk = v\u00a0\n", // Python whitespace JavaScript's trim does not share
    "[a]\nk = \ud800\n", // an unpaired surrogate
    "[a]\n  k = v\n", // an indented key line
    "  [a]\nk = v\n", // an indented header
    "[a]\nk = v\n[a]\n", // a duplicate section
    "[a]\nk = v\nK = w\n", // a duplicate key
    "[DEFAULT]\nk = v\n[DEFAULT]\nk = w\n", // a duplicate key over two [DEFAULT]s
    "k = v\n[a]\n", // a key before the first header
    "[a]\ngarbage\n", // not a key line
    "[a]\ns3 =\n  no equals\n", // a sub-section line without '='
    "[a\nk = v\n", // neither header nor key line
  ];
  for (const text of left) assert.equal(quickScanIni(text, KEYS), undefined, JSON.stringify(text));
  const text = "# c\r\n[DEFAULT]\r\nregion = eu\r\n[a]\r\nK = one\r\n\r\n  two\r\n" +
    "s3 =\r\n  max = 20\r\n[b]\r\nregion=us\r\n";
  const quick = quickScanIni(text, ["k", "region", "s3"])!;
  assert.deepEqual(quick.sections(), ["a", "b"]);
  assert.equal(quick.get("a", "k"), "one\n\ntwo");
  assert.deepEqual(quick.get("a", "s3"), { max: "20" });
  assert.equal(quick.get("a", "region"), "eu");
  assert.equal(quick.get("b", "region"), "us");
  assert.equal(quick.get("DEFAULT", "REGION"), "eu");
  assert.equal(quick.get("c", "region"), undefined);
  assert.throws(() => quick.get("a", "output"), /did not keep the key 'output'/);
  assert.ok(agrees(text));
  const one = quickScanIni(text, ["k", "region"], { sections: ["b", "zz"] })!;
  assert.deepEqual(one.sections(), ["a", "b"]);
  assert.equal(one.get("b", "region"), "us");
  assert.equal(one.get("zz", "region"), undefined);
  assert.equal(one.get("DEFAULT", "region"), "eu");
  assert.throws(() => one.get("a", "k"), /did not keep the section 'a'/);
  assert.equal(quickScanIni("[a]\nk = v\n[a]\n", ["k"], { sections: ["b"] }), undefined);
});

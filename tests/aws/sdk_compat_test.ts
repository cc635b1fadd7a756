// The lines another SDK reads differently from botocore (lib/aws/sdk_compat.ts):
// each kind on a small file, checked against the JavaScript SDK's own parser
// and the Go SDK model (tests/support/sdk_readers.ts); and on generated files,
// awsmfa's own writes never make such a line.

import assert from "node:assert/strict";
import fc from "fast-check";
import { sdkDifferences } from "../../lib/aws/sdk_compat.ts";
import { type SessionCredentials, writeSession } from "../../lib/aws/stored_session.ts";
import { parseIni } from "../../lib/ini/mod.ts";
import { scanIni } from "../../lib/ini/scan.ts";
import { sectionName } from "../../lib/ini/scan_model.ts";
import { iniFileArb, rerunHint, testSeed } from "../support/ini_gen.ts";
import { goRead, smithyRead } from "../support/sdk_readers.ts";

const FILE = "tests/aws/sdk_compat_test.ts";

function kinds(text: string, sections: string[], file: "credentials" | "config" = "credentials") {
  return sdkDifferences(text, { sections: new Set(sections), file }).map((d) => [d.line, d.kind]);
}

const EVERY_KIND = [
  "[george]", //                                    1
  "region = us-east-1", //                          2
  "  [prod]", //                                    3 indented header
  "output = json # prod", //                        4 inline comment
  "aws_security_token = t", //                      5
  "  cli_pager = less", //                          6 continuation of output
  "AWS_ACCESS_KEY_ID = ASIAX", //                   7 upper case
  "aws_secret_access_key: s", //                    8 colon
  'role_session_name = "me"', //                    9 quoted
  "[georgemfa]", //                                 10
  "  aws_access_key_id = AKIAX", //                 11 indented key
  "aws_secret_access_key = s\rmfa_serial = x", //   12 bare CR (the line ends after "s")
  "[other]", //                                     14
  "x = 1",
].join("\n") + "\n";

Deno.test("sdkDifferences: each kind, with its line", () => {
  assert.deepEqual(kinds(EVERY_KIND, ["george", "georgemfa"]), [
    [3, "indented-header"],
    [4, "inline-comment"],
    [5, "security-token"],
    [6, "continuation"],
    [7, "upper-case-key"],
    [8, "colon"],
    [9, "quoted-value"],
    [11, "indented-key"],
    [12, "bare-cr"],
  ]);
  assert.deepEqual(kinds(EVERY_KIND, ["other"]), [], "only the sections asked for");
});

Deno.test("sdkDifferences: what every SDK reads alike is not reported", () => {
  const text = "# a comment\r\n[george] # after the header\r\n" +
    "aws_access_key_id = ASIAX\r\n  ; an indented comment\r\n" +
    "s3 =\r\n  max_concurrent_requests = 20\r\n" +
    "role_arn = arn:aws:iam::123456789012:role/x\r\naws_session_token = a+b/c==\r\n\r\n[b]\r\n";
  assert.deepEqual(kinds(text, ["george", "b"]), []);
});

Deno.test("sdkDifferences: headers another SDK names differently, here or elsewhere", () => {
  assert.deepEqual(
    kinds("[george] trailing\nx = 1\n[profile george]\n[other]\nv = 1\n  [george]\n", [
      "george",
    ]),
    [[1, "header"], [6, "indented-header"]],
  );
  assert.deepEqual(kinds("[a]\n[ george ]\n", ["george"]), [[2, "header"]]);
  const [header] = sdkDifferences("[my profile]\nx = 1\n", {
    sections: new Set(["my profile"]),
    file: "credentials",
  });
  assert.match(header.text, /the JavaScript SDK ignores the section\. Rename the profile/);
  assert.deepEqual(
    kinds("[profile  admin]\nrole_arn = arn:aws:iam::1:role/a\n", ["profile  admin"], "config"),
    [[1, "header"]],
    "the JavaScript SDK reads one space after 'profile'",
  );
  assert.deepEqual(kinds("[profile admin]\nx = 1\n", ["profile admin"], "config"), []);
  assert.deepEqual(
    kinds("[bare-cr]\rx = 1\n[george]\nx = 1\n", ["george"]),
    [],
    "a bare CR in another section, not before the header",
  );
  assert.deepEqual(kinds("[other]\nx = 1\r[george]\nx = 1\n", ["george"]), [[2, "bare-cr"]]);
});

Deno.test("sdkDifferences: the messages name the key, never a value", () => {
  const all = sdkDifferences(EVERY_KIND, {
    sections: new Set(["george", "georgemfa"]),
    file: "credentials",
  });
  for (const d of all) {
    assert.doesNotMatch(d.text, /ASIAX|AKIAX|us-east-1|json|"me"/, d.text);
    assert.match(d.text, /^[a-zA-Z_\[]/);
    assert.match(d.text, /\.$/);
  }
  assert.match(all[2].text, /Rename it to aws_session_token\.$/);
});

// Each rule against the parsers: the JavaScript SDK's own, and the Go model.
const AGAINST_READERS: Array<{ text: string; check: (js: unknown, go: unknown) => void }> = [
  {
    text: "[george]\nregion = x\n  [prod]\nx = 1\n", // indented header: JS opens [prod]
    check: (js) => assert.ok(Object.hasOwn(js as object, "prod")),
  },
  {
    text: "[george]\nAWS_ACCESS_KEY_ID = k\n", // upper case: JS has no aws_access_key_id
    check: (js, go) => {
      assert.equal(
        (js as Record<string, Record<string, string>>).george.aws_access_key_id,
        undefined,
      );
      assert.equal((go as Record<string, Record<string, string>>).george.aws_access_key_id, "k");
    },
  },
  {
    text: "[george]\nregion: x\n", // colon: JS skips the line, Go reads it
    check: (js, go) => {
      assert.equal((js as Record<string, unknown>).george, undefined);
      assert.equal((go as Record<string, Record<string, string>>).george.region, "x");
    },
  },
  {
    text: "[george]\nregion = x # c\n", // inline comment: both cut it
    check: (js, go) => {
      assert.equal((js as Record<string, Record<string, string>>).george.region, "x");
      assert.equal((go as Record<string, Record<string, string>>).george.region, "x");
    },
  },
  {
    text: "[george]\n  region = x\n", // indented key: Go drops it, JS reads it
    check: (js, go) => {
      assert.equal((js as Record<string, Record<string, string>>).george.region, "x");
      assert.equal((go as Record<string, Record<string, string>>).george.region, undefined);
    },
  },
  {
    text: "[george]\nregion = x\r[other]\n", // bare CR: one line for both
    check: (js, go) => {
      assert.equal((js as Record<string, unknown>).other, undefined);
      assert.equal((go as Record<string, unknown>).other, undefined);
    },
  },
];

Deno.test("sdkDifferences: each rule is what the other parsers do", async () => {
  for (const { text, check } of AGAINST_READERS) {
    assert.ok(kinds(text, ["george"]).length > 0, `reported: ${JSON.stringify(text)}`);
    check(await smithyRead(text), goRead(text));
  }
});

const SESSION: SessionCredentials = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc==",
  expiration: new Date("2031-05-09T12:00:00Z"),
};

// awsmfa writes a new line with the file's own line ending, and a key where botocore reads it as
// one: in a file that already has bare CRs, or indented keys in the section, its lines have them
// too (doctor reports those). And when the next header is indented, a key at column 0 before it
// would make botocore read that header as part of the key's value: the session is indented like
// that header, which the Go SDK does not read as keys (doctor says so). Every other section that
// every SDK reads alike stays so.
/** Whether the header after `[section]` starts with a space or a tab. */
function nextHeaderIndented(text: string, section: string): boolean {
  const scan = scanIni(text);
  for (let s = 0; s + 1 < scan.sectionCount; s++) {
    if (sectionName(scan, s) !== section) continue;
    return /^[ \t]/.test(text.slice(scan.starts[scan.secLine[s + 1]]));
  }
  return false;
}

Deno.test("sdkDifferences: on generated files, a section every SDK reads alike stays so after awsmfa writes the session", () => {
  const seed = testSeed();
  const names = ["default", "dev", "prod", "george", "Prod"];
  const cases = fc.sample(
    fc.tuple(iniFileArb({ sectionNames: names }), fc.constantFrom(...names)),
    { seed: seed + 11, numRuns: 600 },
  );
  const failures: string[] = [];
  let checked = 0;
  for (const [file, section] of cases) {
    const doc = parseIni(file.text);
    const check = (text: string) =>
      sdkDifferences(text, { sections: new Set([section]), file: "credentials" });
    if (
      doc.problems.length > 0 || /\r(?!\n)/.test(file.text) || check(file.text).length > 0 ||
      nextHeaderIndented(file.text, section)
    ) {
      continue;
    }
    checked++;
    writeSession(doc, section, SESSION);
    const text = doc.toString();
    const found = check(text);
    if (found.length > 0) {
      failures.push(
        `${found.map((d) => `line ${d.line} ${d.kind}`).join(", ")} writing [${section}] ` +
          `into ${JSON.stringify(file.text)}\n-> ${JSON.stringify(text)}`,
      );
    }
  }
  if (failures.length > 0) {
    throw new assert.AssertionError({
      message: `${failures.length} of ${checked} cases:\n\n${failures.slice(0, 4).join("\n\n")}` +
        `\n\n${rerunHint(seed, FILE)}`,
    });
  }
  assert.ok(checked > cases.length / 4, `only ${checked} of ${cases.length} cases checked`);
});

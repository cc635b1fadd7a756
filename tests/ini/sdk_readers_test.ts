// What awsmfa writes into a credentials file, read back by three parsers:
// botocore (the reference), the JavaScript SDK's and a model of the Go SDK's
// (tests/support/sdk_readers.ts). Each must find the session keys awsmfa
// wrote, with the values it wrote, whatever the indentation, spelling and
// separators of the lines already there.

import assert from "node:assert/strict";
import fc from "fast-check";
import { type SessionCredentials, writeSession } from "../../lib/aws/stored_session.ts";
import { parseIni } from "../../lib/ini/mod.ts";
import { botocoreAvailable, botocoreParse } from "../support/botocore.ts";
import { iniFileArb, rerunHint, testSeed } from "../support/ini_gen.ts";
import { goRead, smithyRead } from "../support/sdk_readers.ts";

const FILE = "tests/ini/sdk_readers_test.ts";
const seed = testSeed();

const SESSION: SessionCredentials = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc==",
  expiration: new Date("2031-05-09T12:00:00Z"),
};

const KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_credential_expiration",
];

/** Writes the session into `section` as awsmfa does; the text and the keys written. */
function write(text: string, section: string): { text: string; written: Record<string, string> } {
  const doc = parseIni(text);
  writeSession(doc, section, SESSION);
  const written = Object.fromEntries(KEYS.map((k) => [k, doc.get(section, k) as string]));
  return { text: doc.toString(), written };
}

function pick(view: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(KEYS.map((k) => [k, view?.[k]]));
}

/** The disagreements of the three parsers with what was written into `section`. */
async function disagreements(
  text: string,
  section: string,
  written: Record<string, string>,
  botocore?: Record<string, Record<string, unknown>>,
): Promise<string[]> {
  const out: string[] = [];
  const check = (who: string, view: Record<string, unknown> | undefined) => {
    try {
      assert.deepStrictEqual(pick(view), written);
    } catch {
      const shown = JSON.stringify(pick(view), (_, v) => v === undefined ? "(no such key)" : v);
      out.push(`${who} reads ${shown}`);
    }
  };
  if (botocore !== undefined) check("botocore", botocore[section]);
  check("the JavaScript SDK", (await smithyRead(text))[section]);
  const go = goRead(text);
  if (go instanceof Error) out.push(`the Go SDK fails: ${go.message}`);
  else check("the Go SDK", go[section]);
  return out;
}

const CASES: { name: string; text: string; section: string }[] = [
  { name: "the issue's file", text: "[Prod]\n  output  =   \n", section: "Prod" },
  {
    name: "a session written indented by an older awsmfa",
    text: "[Prod]\n  output = json\n  aws_access_key_id = OLD\n  aws_secret_access_key = OLD\n" +
      "  aws_session_token = OLD\n  aws_credential_expiration = 2020-01-01T00:00:00Z\n",
    section: "Prod",
  },
  {
    name: "upper-case keys and ':' separators",
    text: "[dev]\nregion: eu-west-3\nAWS_ACCESS_KEY_ID : OLD\nAWS_SESSION_TOKEN:OLD\n",
    section: "dev",
  },
  {
    name: "a new section after indented lines",
    text: "[other]\n  s3 =\n    max_concurrent_requests = 20\n",
    section: "dev",
  },
];

for (const c of CASES) {
  Deno.test(`sdk readers: ${c.name}: every SDK reads the session awsmfa wrote`, async () => {
    const { text, written } = write(c.text, c.section);
    let botocore;
    if (botocoreAvailable()) {
      const [result] = await botocoreParse([text]);
      assert.ok(result.ok, `botocore rejects ${JSON.stringify(text)}`);
      botocore = result.record;
    }
    assert.deepEqual(
      await disagreements(text, c.section, written, botocore),
      [],
      JSON.stringify(text),
    );
  });
}

// Generated files the other parsers can read at all: plain section names,
// headers at column 0 (the Go SDK sees no indented header), LF line endings
// (the model splits at LF), no indented line the JavaScript SDK would take
// for a header, nothing the Go SDK rejects.
const PLAIN_NAMES = ["default", "dev", "prod-mfa", "prod", "Prod"];
const readable = (text: string) =>
  !(goRead(text) instanceof Error) &&
  !text.split("\n").some((l) => {
    const t = l.split(/(^|\s)[;#]/)[0].trim();
    return /^[ \t]/.test(l) && t.startsWith("[") && t.endsWith("]");
  });

const caseArb = fc.tuple(
  iniFileArb({ sectionNames: PLAIN_NAMES, indentedHeaders: false, lineEndings: "lf" }),
  fc.nat(),
  fc.constantFrom(...PLAIN_NAMES),
).filter(([f]) => readable(f.text)).map(([file, at, fresh]) => {
  const names = file.sections.map((s) => s.name).filter((n) => n !== "DEFAULT");
  const section = at % 3 !== 0 && names.length > 0 ? names[at % names.length] : fresh;
  return { before: file.text, section };
});

Deno.test("sdk readers: on generated files, the other SDKs read the session as botocore does", async () => {
  const cases = fc.sample(caseArb, { seed: seed + 7, numRuns: 600 }).map((c) => ({
    ...c,
    ...write(c.before, c.section),
  }));
  const botocore = botocoreAvailable() ? await botocoreParse(cases.map((c) => c.text)) : undefined;
  const failures: string[] = [];
  let indented = 0;
  for (const [i, c] of cases.entries()) {
    if (/^[ \t]+\S/m.test(c.before)) indented++;
    const result = botocore?.[i];
    if (result !== undefined && !result.ok) {
      failures.push(`botocore rejects the written file: ${JSON.stringify(c.text)}`);
      continue;
    }
    const found = await disagreements(c.text, c.section, c.written, result?.record);
    // The Go SDK's reading of everything else is what it was.
    const [was, now] = [goRead(c.before), goRead(c.text)];
    if (!(was instanceof Error) && !(now instanceof Error)) {
      was[c.section] = Object.assign(was[c.section] ?? Object.create(null), c.written);
      try {
        assert.deepStrictEqual(now, was);
      } catch (e) {
        found.push(`the Go SDK's view changed: ${(e as Error).message}`);
      }
    }
    if (found.length > 0) {
      failures.push(
        `${found.join("; ")}\nwriting [${c.section}] in ${JSON.stringify(c.before)}\n` +
          `-> ${JSON.stringify(c.text)}`,
      );
    }
  }
  if (failures.length > 0) {
    throw new assert.AssertionError({
      message: `${failures.length} of ${cases.length} cases differ:\n\n` +
        `${failures.slice(0, 5).join("\n\n")}\n\n${rerunHint(seed, FILE)}`,
    });
  }
  assert.ok(indented > cases.length / 4, `only ${indented} files with indented lines`);
});

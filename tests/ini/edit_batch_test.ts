// setAll (lib/ini/edit_batch.ts): a session's four keys written in one edit, with the bytes
// of four sets; property_test.ts compares the two on generated files.

import assert from "node:assert/strict";
import { INI_ERRORS, IniValueError, parseIni } from "../../lib/ini/mod.ts";
import { planSetAll } from "../../lib/ini/edit_batch.ts";
import { scanIni } from "../../lib/ini/scan.ts";

const SESSION: [string, string][] = [
  ["aws_access_key_id", "ASIAEXAMPLE"],
  ["aws_secret_access_key", "secret"],
  ["aws_session_token", "token"],
  ["aws_credential_expiration", "2026-01-01T00:00:00Z"],
];

/** Sets `entries` both ways; asserts the same text, that the plan was taken, and returns it. */
function both(text: string, section: string, entries: [string, string][]): string {
  const one = parseIni(text);
  for (const [key, value] of entries) one.set(section, key, value);
  assert.notEqual(planSetAll(scanIni(text), section, { entries, errors: INI_ERRORS }), undefined);
  const all = parseIni(text);
  all.setAll(section, entries);
  assert.equal(all.toString(), one.toString());
  return all.toString();
}

Deno.test("setAll: a new section with the session's keys, after a blank line", () => {
  assert.equal(
    both("[georgemfa]\naws_access_key_id = AKIA\n", "george", SESSION),
    "[georgemfa]\naws_access_key_id = AKIA\n\n[george]\naws_access_key_id = ASIAEXAMPLE\n" +
      "aws_secret_access_key = secret\naws_session_token = token\n" +
      "aws_credential_expiration = 2026-01-01T00:00:00Z\n",
  );
  assert.equal(
    both("[a]\r\nk=v", "george", SESSION.slice(0, 2)),
    "[a]\r\nk=v\r\n\r\n[george]\r\naws_access_key_id=ASIAEXAMPLE\r\naws_secret_access_key=secret",
  );
  assert.equal(
    both("", "george", SESSION.slice(0, 2)),
    "[george]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = secret\n",
  );
});

Deno.test("setAll: existing keys in place, missing ones after the section's last key", () => {
  const text = "[george]\n# kept\nAWS_SESSION_TOKEN=old\naws_access_key_id = old ; x\n\n[next]\n";
  assert.equal(
    both(text, "george", SESSION),
    "[george]\n# kept\naws_session_token=token\naws_access_key_id = ASIAEXAMPLE\n" +
      "aws_secret_access_key = secret\naws_credential_expiration = 2026-01-01T00:00:00Z\n\n" +
      "[next]\n",
  );
  // Unchanged values change nothing.
  const done = parseIni(text);
  done.setAll("george", SESSION);
  assert.equal(done.setAll("george", SESSION), false);
});

Deno.test("setAll: one by one where an edit changes what the next one sees", () => {
  // An indented key that must move, a value's continuation lines, the same key twice, DEFAULT.
  const cases: [string, string, [string, string][]][] = [
    ["[s]\n  a = 1\n  b = 2\n", "s", [["a", "x"], ["c", "y"]]],
    ["[s]\na = 1\n  more\nb = 2\n", "s", [["a", "x"], ["c", "y"]]],
    ["[s]\na = 1\n", "s", [["a", "x"], ["A", "y"]]],
    ["[DEFAULT]\na = 1\n", "DEFAULT", [["a", "x"], ["c", "y"]]],
  ];
  for (const [text, section, entries] of cases) {
    assert.equal(planSetAll(scanIni(text), section, { entries, errors: INI_ERRORS }), undefined);
    const one = parseIni(text);
    for (const [key, value] of entries) one.set(section, key, value);
    const all = parseIni(text);
    all.setAll(section, entries);
    assert.equal(all.toString(), one.toString());
  }
});

Deno.test("setAll: a bad key or value is refused before anything changes", () => {
  const text = "[george]\naws_access_key_id = old\n";
  const doc = parseIni(text);
  assert.throws(
    () => doc.setAll("george", [["aws_access_key_id", "new"], ["bad key", "v"]]),
    IniValueError,
  );
  assert.throws(
    () => doc.setAll("george", [["aws_access_key_id", "new"], ["k", " v"]]),
    IniValueError,
  );
  assert.equal(doc.toString(), text);
});

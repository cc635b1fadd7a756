/** session/clear_session.ts (pure): only the session keys, and the section when nothing is left. */
import assert from "node:assert/strict";
import { clearProfiles, clearSession } from "../../lib/session/clear_session.ts";
import { parseIni } from "../../lib/ini/mod.ts";

const KEY = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

Deno.test("clearSession: removes only the session keys; the section when nothing is left", () => {
  const session = "aws_access_key_id = ASIAX\naws_secret_access_key = s\n" +
    "aws_session_token = t\naws_credential_expiration = 2026-01-01T00:00:00Z\n";
  const doc = parseIni(
    `[georgemfa]\nx = 1\n\n[george]\n# region kept\nregion = eu-west-1\n${session}\n[b]\n${session}\n[c]\ny = 2\n`,
  );
  assert.equal(clearSession(doc, "george"), "cleared");
  assert.equal(clearSession(doc, "b"), "removed-section");
  assert.equal(
    doc.toString(),
    "[georgemfa]\nx = 1\n\n[george]\n# region kept\nregion = eu-west-1\n\n[c]\ny = 2\n",
  );
  assert.equal(clearSession(doc, "george"), "nothing");
  assert.equal(clearSession(doc, "missing"), "nothing");
});

Deno.test("clearSession: long-term keys and other tools' sessions are left alone; [DEFAULT] keys do not count", () => {
  const longTerm = `[george]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`;
  const doc = parseIni(longTerm);
  assert.equal(clearSession(doc, "george"), "long-term");
  assert.equal(doc.toString(), longTerm);

  const foreign =
    "[george]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_security_token = t\n";
  const other = parseIni(foreign);
  assert.equal(clearSession(other, "george"), "foreign");
  assert.equal(other.toString(), foreign);

  const withDefault = parseIni(
    "[DEFAULT]\nregion = eu-west-1\n[george]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\n",
  );
  assert.equal(clearSession(withDefault, "george"), "removed-section");
  assert.equal(withDefault.toString(), "[DEFAULT]\nregion = eu-west-1\n");
});

Deno.test("clearProfiles: every profile from one reading, [DEFAULT]'s keys inherited or written alike", () => {
  const session = (id: string) =>
    `aws_access_key_id = ASIA${id}\naws_secret_access_key = s\naws_session_token = t\n`;
  const text = "[DEFAULT]\nregion = eu-west-1\n\n" +
    `[a]\n${session("A")}\n` + // Only inherits region: the section goes.
    `[b]\nregion = eu-west-1\n${session("B")}\n` + // Writes region itself: it stays.
    `[c]\n# a comment before the keys stays\n${session("C")}\n` +
    `[d]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n\n` +
    "[e]\noutput = json\n";
  const doc = parseIni(text);
  assert.deepEqual(clearProfiles(doc, ["a", "b", "c", "d", "e"]), [
    ["a", "removed-section"],
    ["b", "cleared"],
    ["c", "removed-section"],
    ["d", "long-term"],
    ["e", "nothing"],
  ]);
  // The same edits as one profile at a time.
  const one = parseIni(text);
  for (const name of ["a", "b", "c", "d", "e"]) clearSession(one, name);
  assert.equal(doc.toString(), one.toString());
  assert.equal(
    doc.toString(),
    "[DEFAULT]\nregion = eu-west-1\n\n[b]\nregion = eu-west-1\n\n" +
      "# a comment before the keys stays\n\n" +
      `[d]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n\n[e]\noutput = json\n`,
  );
});

/** Setup's key move (pure): lib/session/setup_move.ts. */
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/core/errors.ts";
import { parseIni } from "../../lib/ini/mod.ts";
import { editForSetup, moveLongTermKeys } from "../../lib/session/setup_move.ts";

const KEY = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SECTIONS = { profile: "george", sourceSection: "georgemfa", path: "~/.aws/credentials" };

Deno.test("moveLongTermKeys: moves the pair and mfa_serial; comments, order and other keys stay", () => {
  const doc = parseIni(
    "; top\n[george]\n# my key\naws_access_key_id=" + KEY + "\nregion = eu-west-1\n" +
      `aws_secret_access_key = ${SECRET}\nmfa_serial = arn:aws:iam::1:mfa/g\n\n[work]\nx = 1\n`,
  );
  const outcome = moveLongTermKeys(doc, SECTIONS);
  assert.deepEqual(outcome, {
    kind: "moved",
    accessKeyId: KEY,
    movedKeys: ["aws_access_key_id", "aws_secret_access_key", "mfa_serial"],
  });
  assert.equal(
    doc.toString(),
    "; top\n[george]\n# my key\nregion = eu-west-1\n\n[work]\nx = 1\n\n" +
      `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
      "mfa_serial = arn:aws:iam::1:mfa/g\n",
  );
});

Deno.test("moveLongTermKeys: into an existing source section; the same keys there are fine", () => {
  const doc = parseIni(
    `[georgemfa]\nmfa_serial = arn:aws:iam::1:mfa/keep\n[george]\naws_access_key_id = ${KEY}\n` +
      `aws_secret_access_key = ${SECRET}\nmfa_serial = arn:aws:iam::1:mfa/other\n`,
  );
  moveLongTermKeys(doc, SECTIONS);
  assert.equal(
    doc.toString(),
    `[georgemfa]\nmfa_serial = arn:aws:iam::1:mfa/keep\naws_access_key_id = ${KEY}\n` +
      `aws_secret_access_key = ${SECRET}\n[george]\n`,
    "the source's own mfa_serial wins",
  );
  const same = parseIni(
    `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
      `[george]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`,
  );
  assert.equal(moveLongTermKeys(same, SECTIONS).kind, "moved");
  assert.equal(same.get("george", "aws_access_key_id"), undefined);
});

Deno.test("moveLongTermKeys: already done; refusals change nothing", () => {
  const done = `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
    "[george]\naws_access_key_id = ASIAX\naws_session_token = t\n";
  const doc = parseIni(done);
  assert.deepEqual(moveLongTermKeys(doc, SECTIONS), { kind: "already", accessKeyId: KEY });
  assert.equal(doc.toString(), done);

  const refusals: Array<[string, RegExp]> = [
    [
      `[georgemfa]\naws_access_key_id = AKIAOTHERKEY00000000\naws_secret_access_key = s\n` +
      `[george]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`,
      /already holds other long-term keys \(AKIA…0000\) than \[george\] \(AKIA…MPLE\)/,
    ],
    [
      `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = different\n` +
      `[george]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`,
      /already holds other long-term keys/,
    ],
    ["[work]\nx = 1\n", /neither \[george\] nor \[georgemfa\]/],
    [`[george]\naws_access_key_id = ${KEY}\n`, /has an access key \(AKIA…MPLE\) but no aws_secret/],
    [
      `[georgemfa]\naws_access_key_id = ASIATEMP\naws_secret_access_key = s\naws_session_token = t\n`,
      /holds temporary credentials/,
    ],
  ];
  for (const [text, message] of refusals) {
    const d = parseIni(text);
    assert.throws(() => moveLongTermKeys(d, SECTIONS), (e: Error) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("editForSetup: moves the keys and records mfa_serial and duration_seconds in one edit", () => {
  const doc = parseIni(
    `# laptop\n[george]\n# mine\naws_access_key_id = ${KEY}\nregion = eu-west-1\n` +
      `aws_secret_access_key = ${SECRET}\n\n[work]\nx = 1\n`,
  );
  const plan = editForSetup(doc, SECTIONS, {
    serial: "arn:aws:iam::123456789012:mfa/george",
    durationSeconds: 14400,
  });
  assert.equal(plan.move.kind, "moved");
  assert.equal(plan.keysSection, "george", "the keys were in [george] before the edit");
  assert.equal(plan.source.accessKeyId, KEY);
  assert.equal(plan.source.mfaSerial, undefined, "the source as it was, before the settings");
  assert.equal(
    doc.toString(),
    "# laptop\n[george]\n# mine\nregion = eu-west-1\n\n[work]\nx = 1\n\n" +
      `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
      "mfa_serial = arn:aws:iam::123456789012:mfa/george\nduration_seconds = 14400\n",
  );
});

Deno.test("editForSetup: the plan finds the keys wherever they are, and a serial moved from [george]", () => {
  const inSource = `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
    "region = us-west-2\n[george]\n";
  const doc = parseIni(inSource);
  const plan = editForSetup(doc, SECTIONS);
  assert.equal(plan.move.kind, "already");
  assert.equal(plan.keysSection, "georgemfa");
  assert.equal(plan.source.secretAccessKey, SECRET);
  assert.equal(plan.source.region, "us-west-2");
  assert.equal(doc.toString(), inSource, "no settings, keys in place: no edit");

  const withSerial = parseIni(
    `[george]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
      "mfa_serial = arn:aws:iam::1:mfa/g\n",
  );
  const moved = editForSetup(withSerial, SECTIONS);
  assert.equal(moved.keysSection, "george");
  assert.equal(moved.source.mfaSerial, "arn:aws:iam::1:mfa/g");
});

Deno.test("editForSetup: the serial replaces the source's; the same settings again change nothing", () => {
  const done = `[georgemfa]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
    "mfa_serial = arn:aws:iam::1:mfa/old\n";
  const doc = parseIni(done);
  const plan = editForSetup(doc, SECTIONS, { serial: "arn:aws:iam::1:mfa/new" });
  assert.equal(plan.source.mfaSerial, "arn:aws:iam::1:mfa/old");
  assert.equal(doc.toString(), done.replace("mfa/old", "mfa/new"));
  const again = parseIni(doc.toString());
  editForSetup(again, SECTIONS, { serial: "arn:aws:iam::1:mfa/new" });
  assert.equal(again.toString(), doc.toString());
});

Deno.test("editForSetup: a refusal throws before any edit", () => {
  const text = `[george]\naws_access_key_id = ${KEY}\n`;
  const doc = parseIni(text);
  assert.throws(
    () => editForSetup(doc, SECTIONS, { serial: "arn:aws:iam::1:mfa/g" }),
    ConfigError,
  );
  assert.equal(doc.toString(), text);
});

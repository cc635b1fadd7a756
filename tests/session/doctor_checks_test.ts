/** doctor's checks as pure functions: findings from what was read. */
import assert from "node:assert/strict";
import {
  checkClock,
  checkEnvironment,
  checkFile,
  checkKeysAnswer,
  checkPermissions,
  checkSourceSection,
} from "../../lib/session/doctor_checks.ts";
import { AuthError } from "../../lib/core/errors.ts";
import { parseIni } from "../../lib/ini/mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const REF = { profile: "george", sourceSection: "georgemfa" };
const KEYS = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n";

Deno.test("checkFile: parses, names the first problem's line, knows which file is optional", () => {
  assert.equal(checkFile(bytes("[a]\nx = 1\n"), { path: "c", required: true }).finding.level, "ok");
  const bad = checkFile(bytes("[a]\nx = 1\n[a]\n"), { path: "c", required: true }).finding;
  assert.equal(bad.level, "fix");
  assert.match(bad.text, /^c line 3: .*fix that line\.$/);
  const bom = checkFile(bytes("\ufeff[a]\n"), { path: "c", required: true }).finding;
  assert.match(bom.text, /^c line 1: /);
  assert.equal(checkFile(null, { path: "cfg", required: false }).finding.level, "ok");
  assert.match(checkFile(null, { path: "c", required: true }).finding.text, /no credentials file/);
});

Deno.test("checkPermissions: private only when group and others have no bits", () => {
  assert.deepEqual(checkPermissions(0o100600, "f"), {
    level: "ok",
    text: "f is private (mode 600).",
  });
  assert.match(
    checkPermissions(0o640, "f").text,
    /readable by other users \(mode 640\): run 'chmod 600 f'/,
  );
  assert.match(checkPermissions(0o666, "f").text, /readable or writable by other users/);
  assert.equal(checkPermissions(null, "f").level, "note");
});

Deno.test("checkEnvironment: credential variables are problems; profile and endpoint variables notes", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  assert.deepEqual(checkEnvironment(env({})).map((f) => f.level), ["ok"]);
  const findings = checkEnvironment(env({
    AWS_ACCESS_KEY_ID: "A",
    AWS_SECRET_ACCESS_KEY: "B",
    AWS_DEFAULT_PROFILE: "x",
    AWS_ENDPOINT_URL: "http://e",
  }));
  assert.deepEqual(findings.map((f) => f.level), ["fix", "note", "note"]);
  assert.match(findings[0].text, /^AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY are set .* use them/);
});

Deno.test("checkSourceSection: serial shapes; hardware serials are fine; partition against region", () => {
  const check = (serial: string, options = {}) =>
    checkSourceSection(
      parseIni(`[georgemfa]\n${KEYS}mfa_serial = ${serial}\n`),
      REF,
      { path: "c", ...options },
    );
  const good = check("arn:aws:iam::123456789012:mfa/george");
  assert.deepEqual(good.findings.map((f) => f.level), ["ok"]);
  assert.equal(good.serial, "arn:aws:iam::123456789012:mfa/george");
  assert.equal(good.keys?.accessKeyId, "AKIAIOSFODNN7EXAMPLE");
  assert.deepEqual(check("GAHT12345678").findings.map((f) => f.level), ["ok"]);
  assert.match(check("arn:aws:iam::123456789012:user/george").findings[0].text, /user ARN/);
  assert.match(check("arn:aws:iam::123456789012:u2f/user/g/k").findings[0].text, /U2F/);
  assert.match(check("arn:aws:iam::123:mfa/george").findings[0].text, /not an MFA device ARN/);
  const gov = check("arn:aws-us-gov:iam::123456789012:mfa/george", { envRegion: "us-east-1" });
  assert.deepEqual(gov.findings.map((f) => f.level), ["ok", "fix"]);
  assert.match(
    gov.findings[1].text,
    /set a region of aws-us-gov \(e\.g\. us-gov-west-1\) for george/,
  );
  assert.deepEqual(
    check("arn:aws-cn:iam::123456789012:mfa/li", { configRegion: "cn-northwest-1" }).findings
      .map((f) => f.level),
    ["ok"],
  );
});

Deno.test("checkSourceSection: duration, temporary keys, a missing source", () => {
  const duration = checkSourceSection(
    parseIni(`[georgemfa]\n${KEYS}mfa_serial = GAHT12345678\nduration_seconds = 600\n`),
    REF,
    { path: "c" },
  );
  assert.match(duration.findings[1].text, /duration_seconds = 600 is outside 900\.\.129600/);
  const temporary = checkSourceSection(
    parseIni("[georgemfa]\naws_access_key_id = ASIAX\naws_secret_access_key = s\n"),
    REF,
    { path: "c" },
  );
  assert.equal(temporary.keys, undefined, "no network check with temporary keys");
  assert.match(temporary.findings[0].text, /holds temporary credentials/);
  const missing = checkSourceSection(parseIni("[x]\n"), REF, { path: "c" });
  assert.match(missing.findings[0].text, /\[georgemfa\] does not exist: run 'awsmfa setup george'/);
});

Deno.test("checkClock: within a minute ok, up to 5 minutes a note, beyond a problem", () => {
  const clock = (offsetMs: number) => ({ serverTime: 0, localTime: offsetMs, offsetMs });
  assert.deepEqual(checkClock(clock(400), "e"), {
    level: "ok",
    text: "The clock is within 1 s of AWS's.",
  });
  assert.equal(checkClock(clock(-90_000), "e").level, "note");
  assert.match(checkClock(clock(-90_000), "e").text, /90 s behind AWS's/);
  const far = checkClock(clock(7 * 60_000), "https://sts");
  assert.equal(far.level, "fix");
  assert.match(far.text, /7 min ahead of AWS's \(https:\/\/sts\)/);
});

Deno.test("checkKeysAnswer: active keys, a serial not the user's, no usable device, denied, errors", () => {
  const devices = [
    { serialNumber: "arn:aws:iam::1:mfa/a", kind: "totp" as const },
    { serialNumber: "arn:aws:iam::1:u2f/user/a/k", kind: "u2f" as const },
  ];
  const accessKeyId = "AKIAIOSFODNN7EXAMPLE";
  assert.equal(
    checkKeysAnswer(REF, { devices, serial: "arn:aws:iam::1:mfa/a", accessKeyId }).level,
    "ok",
  );
  assert.match(
    checkKeysAnswer(REF, { devices, serial: "arn:aws:iam::1:mfa/b", accessKeyId }).text,
    /not one of this user's MFA devices \(arn:aws:iam::1:mfa\/a\)/,
  );
  assert.match(
    checkKeysAnswer(REF, { devices: [devices[1]], accessKeyId }).text,
    /no MFA device the CLI can use \(only U2F\/FIDO security keys\)/,
  );
  const denied = checkKeysAnswer(REF, {
    error: new AuthError("AWS denied ListMFADevices: not authorized"),
    accessKeyId,
  });
  assert.equal(denied.level, "note");
  const other = checkKeysAnswer(REF, {
    error: new AuthError("AWS does not recognise access key", { fix: "Check it.\nMore." }),
    accessKeyId,
  });
  assert.deepEqual(other, {
    level: "fix",
    text: "[georgemfa]: AWS does not recognise access key Check it.",
  });
});

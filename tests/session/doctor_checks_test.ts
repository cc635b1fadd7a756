/** doctor's checks as pure functions: findings from what was read. */
import assert from "node:assert/strict";
import {
  checkClock,
  checkEnvironment,
  checkFile,
  checkKeysAnswer,
  checkPermissions,
  checkRoleChain,
  checkSourceSection,
  formatFindings,
} from "../../lib/session/doctor_checks.ts";
import type { RoleChain } from "../../lib/aws/chained_profiles.ts";
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

Deno.test("formatFindings: one line each, aligned tags, a summary; colour only when asked", () => {
  const findings = [
    { level: "ok" as const, text: "a" },
    { level: "fix" as const, text: "b" },
    { level: "note" as const, text: "c" },
  ];
  assert.equal(
    formatFindings(findings),
    "ok    a\nFIX   b\nnote  c\n1 problem to fix (the lines marked FIX).\n",
  );
  assert.equal(formatFindings([findings[0]]), "ok    a\nAll good.\n");
  assert.ok(formatFindings(findings, { colour: true }).includes("\x1b[31mFIX \x1b[0m  b"));
});

function chainOf(
  end: RoleChain["end"],
  role: Partial<RoleChain["role"]> = {},
  via: string[] = [],
): RoleChain {
  return {
    role: {
      profile: "admin",
      section: "profile admin",
      file: "config",
      roleArn: "arn:aws:iam::210987654321:role/Admin",
      sourceProfile: "george",
      ...role,
    },
    via,
    end,
  };
}

const CHAIN_OPTIONS = {
  mfaProfiles: ["george"],
  files: { credentials: "/h/.aws/credentials", config: "/h/.aws/config" },
};

Deno.test("checkRoleChain: a role drawn from an MFA session, its duration and mfa_serial", () => {
  const session = { kind: "mfa-session", profile: "george" } as const;
  assert.deepEqual(checkRoleChain(chainOf(session), CHAIN_OPTIONS), [{
    level: "ok",
    text: "[profile admin]: assumes arn:aws:iam::210987654321:role/Admin with george's MFA " +
      "session: no code of its own.",
  }]);
  assert.deepEqual(
    checkRoleChain(
      chainOf(session, {
        profile: "deploy",
        section: "profile deploy",
        sourceProfile: "admin",
        durationSeconds: "7200",
        mfaSerial: "arn:aws:iam::123456789012:mfa/george",
      }, ["admin"]),
      CHAIN_OPTIONS,
    ).map((f) => `${f.level} ${f.text}`),
    [
      "note [profile deploy]: assumes arn:aws:iam::210987654321:role/Admin through admin " +
      "(role chaining) with george's MFA session; each role session lasts at most 1 h.",
      "fix [profile deploy]: duration_seconds = 7200, but a role assumed with a session lasts at " +
      "most 1 h (role chaining): STS refuses it. Set duration_seconds = 3600 or remove it.",
      "note [profile deploy] has mfa_serial: the AWS CLI asks for a code for this role too, " +
      "though george's session already carries MFA; remove mfa_serial for one code a day.",
    ],
  );
  const levels = (duration: string) =>
    checkRoleChain(chainOf(session, { durationSeconds: duration }), CHAIN_OPTIONS)
      .slice(1).map((f) => f.text);
  assert.deepEqual(levels("3600"), []);
  assert.deepEqual(levels("900"), []);
  assert.match(levels("600")[0], /duration_seconds = 600 is under 900; STS refuses it/);
  assert.match(
    levels("1h")[0],
    /duration_seconds = 1h is not a number of seconds: set it from 900 to 3600/,
  );
});

Deno.test("checkRoleChain: each problem once, with its fix", () => {
  const texts = (chain: RoleChain) =>
    checkRoleChain(chain, CHAIN_OPTIONS).map((f) => `${f.level} ${f.text}`);
  assert.deepEqual(
    texts(chainOf({ kind: "long-term-source", profile: "georgemfa", mfaProfile: "george" })),
    [
      "fix [profile admin]: source_profile = georgemfa is george's long-term keys, so the role is " +
      "assumed without MFA: set source_profile = george (its MFA session).",
    ],
  );
  assert.deepEqual(texts(chainOf({ kind: "missing", profile: "gorge" })), [
    "fix [profile admin]: source_profile = gorge names no profile of /h/.aws/config or " +
    "/h/.aws/credentials; the AWS CLI refuses it: set it to your MFA profile (george).",
  ]);
  assert.deepEqual(texts(chainOf({ kind: "missing", profile: "gorge" }, {}, ["x"])), []);
  const circle: RoleChain["end"] = { kind: "circle", profiles: ["b", "a", "b"] };
  assert.deepEqual(texts(chainOf(circle, { profile: "b", section: "profile b" })), []);
  assert.deepEqual(
    texts(
      chainOf({ kind: "circle", profiles: ["a", "b", "a"] }, {
        profile: "a",
        section: "profile a",
      }),
    ),
    [
      "fix [profile a]: source_profile goes round in a circle (a → b → a); the AWS CLI refuses " +
      "it: point one of them at your MFA profile (george).",
    ],
  );
  assert.deepEqual(texts(chainOf({ kind: "keys", profile: "plain", longTerm: true })), [
    "note [profile admin]: source_profile = plain holds long-term keys, not an MFA session, so " +
    "the role is assumed without MFA; 'awsmfa setup plain' makes [plain] one.",
  ]);
  assert.deepEqual(
    texts(chainOf({ kind: "keys", profile: "plain", longTerm: true }, { mfaSerial: "x" })),
    [],
  );
  assert.deepEqual(texts(chainOf({ kind: "other", profile: "sso" })), []);
});

// Doctor's checks of the role profiles drawing on an MFA session (lib/session/doctor_roles.ts).
import assert from "node:assert/strict";
import type { RoleChain } from "../../lib/aws/chained_profiles.ts";
import { checkRoleChain } from "../../lib/session/doctor_roles.ts";

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

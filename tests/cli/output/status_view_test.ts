/** How `status` shows the MFA profiles (lib/cli/output/status_view.ts). */
import assert from "node:assert/strict";
import { formatLocalTime } from "../../../lib/core/durations.ts";
import type { ProfileStatus } from "../../../lib/aws/mfa_profiles.ts";
import { type RoleChain, rolesByMfaProfile } from "../../../lib/aws/chained_profiles.ts";
import {
  deviceLabel,
  expiryLabel,
  formatStatusLine,
  formatStatusTable,
  statusJson,
} from "../../../lib/cli/output/status_view.ts";

const NOW = Date.parse("2026-11-30T08:00:00Z");
const MIN = 60_000;

Deno.test("deviceLabel and expiryLabel keep the table short", () => {
  assert.equal(deviceLabel("arn:aws:iam::123456789012:mfa/george"), "123456789012:mfa/george");
  assert.equal(
    deviceLabel("arn:aws-cn:iam::123456789012:mfa/li"),
    "aws-cn:123456789012:mfa/li",
  );
  assert.equal(deviceLabel("GAHT12345678"), "GAHT12345678");
  assert.equal(deviceLabel(undefined), "-");
  const later = new Date(NOW + 90 * MIN);
  const label = expiryLabel(later, NOW);
  const local = formatLocalTime(later);
  const sameDay = local.slice(0, 10) === formatLocalTime(new Date(NOW)).slice(0, 10);
  assert.equal(label, `in 1 h 30 min (${sameDay ? local.slice(11, 16) : local.slice(5, 16)})`);
  assert.match(
    expiryLabel(new Date(NOW - 3 * 86400_000), NOW),
    /^3 d ago \(\d\d-\d\d \d\d:\d\d\)$/,
  );
  assert.equal(expiryLabel(undefined, NOW), "");
});

function status(profile: string, overrides: Partial<ProfileStatus> = {}): ProfileStatus {
  return {
    profile,
    sourceSection: profile + "mfa",
    hasSource: true,
    hasTarget: true,
    mfaSerial: `arn:aws:iam::123456789012:mfa/${profile}`,
    state: "valid",
    expiration: new Date(NOW + 12 * 3600_000),
    ...overrides,
  };
}

Deno.test("formatStatusTable: aligned columns, no trailing spaces, long names shortened to 80", () => {
  const table = formatStatusTable([
    status("george"),
    status("a-very-long-profile-name-for-the-production-account", {
      mfaSerial: "arn:aws-us-gov:iam::123456789012:mfa/someone-with-a-very-long-device-name",
      state: "expired",
      expiration: new Date(NOW - 5 * 86400_000),
    }),
    status("none", { state: "none", expiration: undefined, mfaSerial: undefined }),
  ], { now: NOW });
  const lines = table.trimEnd().split("\n");
  assert.equal(lines.length, 4);
  for (const line of lines) {
    assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.equal(line, line.trimEnd());
  }
  const sessionColumn = lines[0].indexOf("SESSION");
  assert.equal(lines[1].indexOf("valid"), sessionColumn);
  assert.equal(lines[2].indexOf("expired"), sessionColumn);
  assert.match(lines[2], /^a-very-long-\S*…\S*-account\s+aws-us-\S*…\S*-name\s+expired\s+5 d ago/);
  assert.match(lines[3], /^none\s+-\s+none$/);
});

Deno.test("formatStatusTable: colours the state only when asked, padding unchanged", () => {
  const rows = [
    status("a"),
    status("b", { state: "expiring-soon", expiration: new Date(NOW + 5 * MIN) }),
  ];
  const plain = formatStatusTable(rows, { now: NOW });
  const coloured = formatStatusTable(rows, { now: NOW, colour: true });
  assert.ok(!plain.includes("\x1b"));
  assert.ok(coloured.includes("\x1b[32mvalid\x1b[0m"));
  assert.ok(coloured.includes("\x1b[33mexpiring soon\x1b[0m"));
  // deno-lint-ignore no-control-regex
  assert.equal(coloured.replace(/\x1b\[\d+m/g, ""), plain);
});

Deno.test("formatStatusLine and statusJson", () => {
  const valid = status("george");
  assert.equal(
    formatStatusLine(valid, NOW),
    `george: valid, expires in 12 h (${formatLocalTime(valid.expiration!)})`,
  );
  assert.match(
    formatStatusLine(
      status("x", { state: "expired", expiration: new Date(NOW - 2 * 3600_000) }),
      NOW,
    ),
    /^x: expired 2 h ago \(/,
  );
  assert.equal(
    formatStatusLine(status("x", { state: "long-term", expiration: undefined }), NOW),
    "x: long-term keys, no MFA session (run 'awsmfa setup x')",
  );
  assert.deepEqual(statusJson(valid, NOW), {
    profile: "george",
    sourceSection: "georgemfa",
    mfaSerial: "arn:aws:iam::123456789012:mfa/george",
    keystore: null,
    state: "valid",
    expiration: "2026-11-30T20:00:00Z",
    expiresInSeconds: 43200,
    localExpiration: formatLocalTime(valid.expiration!),
    roleProfiles: [],
  });
  assert.deepEqual(
    statusJson(status("n", { hasSource: false, state: "none", expiration: undefined }), NOW)
      .sourceSection,
    null,
  );
});

function role(profile: string, source: string, via: string[] = [], arn?: string): RoleChain {
  return {
    role: {
      profile,
      section: `profile ${profile}`,
      file: "config",
      roleArn: arn ?? `arn:aws:iam::210987654321:role/${profile}`,
      sourceProfile: source,
    },
    via,
    end: { kind: "mfa-session", profile: "george" },
  };
}

Deno.test("formatStatusTable: the roles drawn from a session, indented under it by their depth", () => {
  const roles = rolesByMfaProfile([
    role("admin", "george"),
    role("deploy", "admin", ["admin"]),
    role(
      "a-role-profile-with-a-rather-long-name-indeed",
      "deploy",
      ["deploy", "admin"],
      "arn:aws:iam::210987654321:role/path/to/SomeVeryLongRoleNameForTheAuditors",
    ),
  ]);
  const short = formatStatusTable([status("george")], {
    now: NOW,
    roles: rolesByMfaProfile([role("admin", "george")]),
  }).split("\n");
  assert.match(short[1], /^george\s+123456789012:mfa\/george\s+valid\s+in 12 h/);
  assert.match(short[2], /^ {2}admin\s+210987654321:role\/admin\s+from george$/);
  const table = formatStatusTable([status("george"), status("other")], { now: NOW, roles });
  const lines = table.trimEnd().split("\n");
  assert.match(lines[0], /^PROFILE\s+MFA DEVICE \/ ROLE\s+SESSION\s+EXPIRES$/);
  // The device column gives way first (to its header's width), then the profile column.
  assert.match(lines[1], /^george\s+12345678…a\/george\s+valid\s+in 12 h/);
  assert.match(lines[2], /^ {2}admin\s+21098765…le\/admin\s+from george$/);
  assert.match(lines[3], /^ {4}deploy\s+21098765…e\/deploy\s+from admin$/);
  assert.match(lines[4], /^ {6}a-role\S*…\S*indeed\s+21098765…Auditors\s+from deploy$/);
  assert.match(lines[5], /^other\s+12345678…fa\/other\s+valid/);
  const session = lines[0].indexOf("SESSION");
  for (const line of lines) {
    assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.equal(line, line.trimEnd());
  }
  assert.equal(lines[2].indexOf("from"), session);
  assert.equal(lines[1].indexOf("valid"), session);
  const coloured = formatStatusTable([status("george")], { now: NOW, roles, colour: true });
  // deno-lint-ignore no-control-regex
  assert.equal(coloured.match(/\x1b\[/g)?.length, 2, "only the session's state is coloured");
  assert.match(
    formatStatusTable([status("x")], { now: NOW, roles }),
    /^PROFILE\s+MFA DEVICE\s+SESSION/,
  );
});

Deno.test("statusJson: the roles drawn from the session", () => {
  const json = statusJson(status("george"), NOW, [
    role("admin", "george"),
    {
      ...role("deploy", "admin", ["admin"]),
      role: { ...role("deploy", "admin").role, durationSeconds: "3600" },
    },
  ]);
  assert.deepEqual(json.roleProfiles, [
    {
      profile: "admin",
      roleArn: "arn:aws:iam::210987654321:role/admin",
      sourceProfile: "george",
      via: [],
      durationSeconds: null,
    },
    {
      profile: "deploy",
      roleArn: "arn:aws:iam::210987654321:role/deploy",
      sourceProfile: "admin",
      via: ["admin"],
      durationSeconds: "3600",
    },
  ]);
});

Deno.test("formatStatusTable: a KEYS column only when a profile keeps its keys in a keystore", () => {
  const expiration = new Date(NOW + 12 * 3600_000);
  const plain = [status("george", { expiration }), status("jane", { expiration })];
  assert.doesNotMatch(formatStatusTable(plain, { now: NOW }), /KEYS/);
  const kept = [
    status("george", { expiration, keystore: "secret-service" }),
    status("jane", { expiration }),
  ];
  const table = formatStatusTable(kept, { now: NOW });
  const lines = table.trimEnd().split("\n");
  assert.match(lines[0], /^PROFILE +MFA DEVICE +SESSION +EXPIRES +KEYS$/);
  assert.match(lines[1], /^george .* secret-service$/);
  assert.match(lines[2], /^jane .* credentials$/);
  for (const line of lines) assert.ok(line.length <= 80, `${line.length}: ${line}`);
  assert.equal(statusJson(kept[0], NOW).keystore, "secret-service");
});

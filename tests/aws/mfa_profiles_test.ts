/** The MFA profiles of a file and their session states (lib/aws/mfa_profiles.ts). */
import assert from "node:assert/strict";
import { parseIni } from "../../lib/ini/mod.ts";
import {
  allProfileStatuses,
  isUsable,
  mfaProfiles,
  profileStatus,
  sessionState,
} from "../../lib/aws/mfa_profiles.ts";

const NOW = Date.parse("2026-11-30T08:00:00Z");
const MIN = 60_000;

Deno.test("mfaProfiles: every [Xmfa] with X not empty, in file order", () => {
  const doc = parseIni("[bmfa]\n[mfa]\n[a]\n[amfa]\n[mfamfa]\n[x mfa]\n");
  assert.deepEqual(mfaProfiles(doc), [
    { profile: "b", sourceSection: "bmfa" },
    { profile: "a", sourceSection: "amfa" },
    { profile: "mfa", sourceSection: "mfamfa" },
    { profile: "x ", sourceSection: "x mfa" },
  ]);
});

Deno.test("sessionState: expiring soon is under 15 minutes left; expired at the second", () => {
  assert.equal(sessionState(NOW + 16 * MIN, NOW), "valid");
  assert.equal(sessionState(NOW + 15 * MIN, NOW), "valid");
  assert.equal(sessionState(NOW + 15 * MIN - 1, NOW), "expiring-soon");
  assert.equal(sessionState(NOW + 1, NOW), "expiring-soon");
  assert.equal(sessionState(NOW, NOW), "expired");
  assert.ok(isUsable("valid") && isUsable("expiring-soon"));
  assert.ok(!isUsable("expired") && !isUsable("none") && !isUsable("unknown"));
});

Deno.test("profileStatus: reads the target's session, long-term keys and sessions of other tools", () => {
  const doc = parseIni(
    "[amfa]\nmfa_serial = arn:aws:iam::1:mfa/a\n" +
      "[a]\naws_access_key_id = ASIA1\naws_session_token = t\n" +
      "aws_credential_expiration = 2026-11-30T09:00:00Z\n" +
      "[bmfa]\n[b]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n" +
      "[cmfa]\n[c]\naws_access_key_id = ASIA2\naws_security_token = t\n" +
      "[dmfa]\n[d]\nregion = x\n",
  );
  const states = allProfileStatuses(doc, NOW).map((s) => [s.profile, s.state, s.mfaSerial]);
  assert.deepEqual(states, [
    ["a", "valid", "arn:aws:iam::1:mfa/a"],
    ["b", "long-term", undefined],
    ["c", "unknown", undefined],
    ["d", "none", undefined],
  ]);
  const missing = profileStatus(doc, { profile: "z", sourceSection: "zmfa" }, NOW);
  assert.deepEqual([missing.hasSource, missing.hasTarget, missing.state], [false, false, "none"]);
});

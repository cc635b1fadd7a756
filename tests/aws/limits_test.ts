import assert from "node:assert/strict";
import {
  ASSUME_ROLE_SECONDS,
  CHAINED_ROLE_MAX_SECONDS,
  CLOCK_SKEW_SECONDS,
  LATEST_EXPIRATION_SECONDS,
  MFA_MAX_AGE_SECONDS,
  MFA_SERIAL_PATTERN,
  REFRESH_MARGIN_SECONDS,
  ROOT_SESSION_MAX_SECONDS,
  SDK_REFRESH_MARGIN_SECONDS,
  SESSION_TOKEN_SECONDS,
} from "../../lib/aws/limits.ts";

Deno.test("limits: the session lengths AWS documents", () => {
  assert.deepEqual(SESSION_TOKEN_SECONDS, { min: 900, max: 129_600, default: 43_200 });
  assert.deepEqual(ASSUME_ROLE_SECONDS, { min: 900, max: 43_200, default: 3_600 });
  assert.equal(ROOT_SESSION_MAX_SECONDS, 3_600);
  assert.equal(CHAINED_ROLE_MAX_SECONDS, 3_600);
});

Deno.test("limits: the latest expiration is 36 h plus the 5 minutes of clock skew", () => {
  assert.equal(CLOCK_SKEW_SECONDS, 300);
  assert.equal(LATEST_EXPIRATION_SECONDS, 36 * 3600 + 5 * 60);
});

Deno.test("limits: the margins are 15 minutes; --max-age spans GetSessionToken's lengths", () => {
  assert.equal(REFRESH_MARGIN_SECONDS, 15 * 60);
  assert.equal(SDK_REFRESH_MARGIN_SECONDS, 15 * 60);
  assert.deepEqual(MFA_MAX_AGE_SECONDS, { min: 900, max: 129_600, default: 14_400 });
});

Deno.test("limits: MFA_SERIAL_PATTERN is STS's 9 to 256 of [\\w+=/:,.@-]", () => {
  assert.ok(MFA_SERIAL_PATTERN.test("arn:aws:iam::123456789012:mfa/george"));
  assert.ok(MFA_SERIAL_PATTERN.test("GAHT12345678"));
  assert.ok(MFA_SERIAL_PATTERN.test("a".repeat(9)) && MFA_SERIAL_PATTERN.test("a".repeat(256)));
  assert.ok(!MFA_SERIAL_PATTERN.test("a".repeat(8)) && !MFA_SERIAL_PATTERN.test("a".repeat(257)));
  assert.ok(!MFA_SERIAL_PATTERN.test("arn:aws:iam::123456789012:mfa/geo rge"));
  assert.ok(!MFA_SERIAL_PATTERN.test("arn:aws:iam::123456789012:mfa/george\n"));
});

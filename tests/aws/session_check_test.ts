import assert from "node:assert/strict";
import { checkSessionCredentials, type StsCredentials } from "../../lib/aws/session_check.ts";

const NOW = Date.parse("2026-11-29T10:00:00Z");
const TOKEN = "FwoGZXIvYXdzE" + "aB3+/".repeat(100) + "==";
const GOOD: StsCredentials = {
  AccessKeyId: "ASIAIOSFODNN7EXAMPLE",
  SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  SessionToken: TOKEN,
  Expiration: new Date(NOW + 12 * 3600_000),
};

function problem(overrides: Partial<StsCredentials>): string {
  const result = checkSessionCredentials({ ...GOOD, ...overrides }, { now: NOW });
  assert.ok(!result.ok, `refused: ${JSON.stringify(overrides).slice(0, 80)}`);
  return result.problem;
}

Deno.test("session check: a real-looking session passes as it came", () => {
  const result = checkSessionCredentials(GOOD, { now: NOW });
  assert.deepEqual(result, {
    ok: true,
    session: {
      accessKeyId: GOOD.AccessKeyId,
      secretAccessKey: GOOD.SecretAccessKey,
      sessionToken: TOKEN,
      expiration: GOOD.Expiration,
    },
  });
  // A token four times the typical size, a minute to go, a 128-character key id: all fine.
  assert.ok(
    checkSessionCredentials({
      ...GOOD,
      AccessKeyId: "A".repeat(128),
      SessionToken: "Q".repeat(16_384),
      Expiration: new Date(NOW + 1000),
    }, { now: NOW }).ok,
  );
});

Deno.test("session check: missing values, and lengths out of bounds, say which and how long", () => {
  assert.deepEqual(checkSessionCredentials(undefined, { now: NOW }), {
    ok: false,
    problem: "the answer holds no credentials",
    absent: true,
  });
  assert.equal(problem({ SessionToken: undefined }), "the session token is missing");
  assert.equal(problem({ AccessKeyId: "" }), "the access key id is missing");
  assert.equal(
    problem({ SessionToken: "A".repeat(30_000_000) }),
    "the session token is 30000000 characters long, not 16 to 16384",
  );
  assert.match(problem({ AccessKeyId: "ASIA1" }), /access key id is 5 characters long, not 16/);
  assert.match(problem({ SecretAccessKey: "x".repeat(129) }), /secret access key is 129/);
});

Deno.test("session check: odd characters are named in words, never shown", () => {
  const cases: Array<[Partial<StsCredentials>, RegExp]> = [
    [{ SessionToken: `${TOKEN}\n${TOKEN}` }, /^the session token has a line break, not only A-Z/],
    [{ SessionToken: `${TOKEN}\r` }, /session token has a line break/],
    [{ SecretAccessKey: `"${GOOD.SecretAccessKey!.slice(2)}"` }, /secret access key has a quote/],
    [{ SecretAccessKey: `${GOOD.SecretAccessKey!.slice(1)} ` }, /secret access key has a space/],
    [{ AccessKeyId: "ASIA-IOSFODNN7EXAMPLE" }, /access key id has another character/],
    [{ SessionToken: `${TOKEN}\u0000` }, /session token has a control character/],
    [{ SessionToken: `${TOKEN}é` }, /session token has another character/],
  ];
  for (const [overrides, message] of cases) {
    const text = problem(overrides);
    assert.match(text, message);
    assert.ok(!text.includes(TOKEN.slice(0, 20)) && !text.includes("EXAMPLE"), text);
  }
});

Deno.test("session check: the expiration must be a time in the future, and no later than STS allows", () => {
  assert.equal(
    problem({ Expiration: new Date("2020-01-01T00:00:00Z") }),
    "the Expiration 2020-01-01T00:00:00Z (2524 d 10 h ago) is in the past",
  );
  assert.match(problem({ Expiration: new Date(NOW) }), /is in the past/);
  assert.match(problem({ Expiration: new Date(NaN) }), /Expiration is missing or not a time/);
  assert.match(problem({ Expiration: undefined }), /Expiration is missing/);
  assert.match(
    problem({ Expiration: new Date("9999-12-31T00:00:00Z") }),
    /Expiration 9999-12-31T00:00:00Z .* is later than any session STS issues \(36 h\)/,
  );
  assert.ok(
    checkSessionCredentials({ ...GOOD, Expiration: new Date(NOW + 36 * 3600_000) }, { now: NOW })
      .ok,
  );
});

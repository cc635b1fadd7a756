import assert from "node:assert/strict";
import { UsageError } from "../../lib/core/errors.ts";
import { TIME_LIMIT_VARIABLES, timeLimitMs } from "../../lib/core/time_limits.ts";

Deno.test("time limits: unset gives the default; seconds (with a fraction) within the bounds are taken", () => {
  assert.equal(timeLimitMs("AWSMFA_TIMEOUT", undefined), 10_000);
  assert.equal(timeLimitMs("AWSMFA_CODE_TIMEOUT", undefined), 30_000);
  assert.equal(timeLimitMs("AWSMFA_TIMEOUT", "20"), 20_000);
  assert.equal(timeLimitMs("AWSMFA_TIMEOUT", " 0.3 "), 300);
  assert.equal(timeLimitMs("AWSMFA_TIMEOUT", ".5"), 500);
  assert.equal(timeLimitMs("AWSMFA_TIMEOUT", "600"), 600_000);
  assert.equal(timeLimitMs("AWSMFA_CODE_TIMEOUT", "3600"), 3_600_000);
});

Deno.test("time limits: malformed or out-of-range values are usage errors naming the variable, the value and the range", () => {
  const cases: Array<[keyof typeof TIME_LIMIT_VARIABLES, string, RegExp]> = [
    [
      "AWSMFA_TIMEOUT",
      "1e9",
      /^AWSMFA_TIMEOUT is '1e9', not a number of seconds from 0\.1 to 600\.$/,
    ],
    ["AWSMFA_TIMEOUT", "100000", /'100000', not a number of seconds from 0\.1 to 600/],
    ["AWSMFA_TIMEOUT", "601", /from 0\.1 to 600/],
    ["AWSMFA_TIMEOUT", "0", /'0', not a number of seconds/],
    ["AWSMFA_TIMEOUT", "0.01", /'0\.01', not a number of seconds/],
    ["AWSMFA_TIMEOUT", "-1", /'-1'/],
    ["AWSMFA_TIMEOUT", "Infinity", /'Infinity'/],
    ["AWSMFA_TIMEOUT", "0x10", /'0x10'/],
    ["AWSMFA_TIMEOUT", "1s", /'1s'/],
    ["AWSMFA_TIMEOUT", "", /''/],
    [
      "AWSMFA_CODE_TIMEOUT",
      "1e9",
      /^AWSMFA_CODE_TIMEOUT is '1e9', not a number of seconds from 0\.1 to 3600\.$/,
    ],
    ["AWSMFA_CODE_TIMEOUT", "soon", /AWSMFA_CODE_TIMEOUT is 'soon'/],
  ];
  for (const [name, value, message] of cases) {
    assert.throws(() => timeLimitMs(name, value), (error: unknown) => {
      assert.ok(error instanceof UsageError, `${name}=${value}`);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message, `${name}=${value}`);
      assert.match(error.fix ?? "", new RegExp(`e\\.g\\. ${name}=\\d+, or unset it \\(\\d+ s\\)`));
      return true;
    });
  }
});

Deno.test("time limits: a long value is shown shortened", () => {
  assert.throws(() => timeLimitMs("AWSMFA_TIMEOUT", "9".repeat(500)), (error: Error) => {
    assert.ok(error.message.length < 150, error.message);
    assert.match(error.message, /'9+…'/);
    return true;
  });
});

Deno.test("time limits: every bound is a whole setTimeout can take, with the default inside", () => {
  for (const [name, limit] of Object.entries(TIME_LIMIT_VARIABLES)) {
    assert.ok(limit.minSeconds > 0 && limit.minSeconds <= limit.defaultSeconds, name);
    assert.ok(limit.defaultSeconds <= limit.maxSeconds, name);
    assert.ok(limit.maxSeconds * 1000 < 2 ** 31 - 1, `${name}: fits a timer`);
  }
});

/** lib/cli/commands/policy.ts: the --max-age flag. */
import assert from "node:assert/strict";
import { parseMaxAge } from "../../../lib/cli/commands/policy.ts";
import { UsageError } from "../../../lib/core/errors.ts";

Deno.test("policy: --max-age takes 4h, 14400 or 90m within 15 min .. 36 h; 4 h by default", () => {
  assert.equal(parseMaxAge(undefined), 14400);
  assert.equal(parseMaxAge("4h"), 14400);
  assert.equal(parseMaxAge("14400"), 14400);
  assert.equal(parseMaxAge("90m"), 5400);
  assert.equal(parseMaxAge("1h30m"), 5400);
  for (const bad of ["soon", "4 hours", "-1h", "", "10m", "37h", "0"]) {
    assert.throws(() => parseMaxAge(bad), UsageError, bad);
  }
  assert.throws(() => parseMaxAge("37h"), /--max-age is 37 h \(133200 s\); an MFA session lasts/);
  assert.throws(() => parseMaxAge("soon"), /--max-age 'soon' is not a duration/);
});

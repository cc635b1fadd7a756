import assert from "node:assert/strict";
import { CODE_LENGTH, findCodes, normalizeCode } from "../../lib/core/mfa_code.ts";

Deno.test("CODE_LENGTH: STS takes six digits", () => {
  assert.equal(CODE_LENGTH, 6);
});

Deno.test("normalizeCode: accepts six digits with spaces, rejects the rest with a reason", () => {
  assert.deepEqual(normalizeCode(" 123 456\n"), { code: "123456" });
  assert.match((normalizeCode("12345") as { problem: string }).problem, /got 5/);
  assert.match((normalizeCode("1234567") as { problem: string }).problem, /got 7/);
  assert.match((normalizeCode("12a456") as { problem: string }).problem, /other characters/);
  assert.match((normalizeCode("") as { problem: string }).problem, /empty/);
});

Deno.test("normalizeCode: dashes and inner spaces go, the message quotes a long input cut", () => {
  assert.deepEqual(normalizeCode("123-456"), { code: "123456" });
  assert.deepEqual(normalizeCode("\t12 34 56 "), { code: "123456" });
  assert.equal(
    (normalizeCode("abcdefghijklmnopqrstuvwxyz") as { problem: string }).problem,
    "The MFA code must be 6 digits; 'abcdefghijklmnopqrst…' has other characters.",
  );
  assert.equal(
    (normalizeCode("12345") as { problem: string }).problem,
    "The MFA code must be 6 digits; got 5.",
  );
});

Deno.test("findCodes: groups of exactly six digits, not parts of longer numbers", () => {
  assert.deepEqual([...findCodes("Code: 123456\n")], ["123456"]);
  assert.deepEqual([...findCodes("aws 123456 gh 654321 aws 123456")], ["123456", "654321"]);
  assert.deepEqual([...findCodes("serial 1234567890, 12345, x12345y")], []);
  assert.deepEqual([...findCodes("a123456b")], ["123456"]);
  assert.deepEqual([...findCodes("")], []);
});

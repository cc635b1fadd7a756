import assert from "node:assert/strict";
import { shortKeyId } from "../../lib/aws/access_keys.ts";

Deno.test("shortKeyId keeps only the ends of a key id", () => {
  assert.equal(shortKeyId("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
  assert.equal(shortKeyId("ASIA1234"), "ASIA1234", "a key of 8 or fewer is shown as is");
});

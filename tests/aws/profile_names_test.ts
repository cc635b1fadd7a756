import assert from "node:assert/strict";
import {
  isSourceSection,
  SOURCE_SUFFIX,
  sourceSectionOf,
  targetOf,
} from "../../lib/aws/profile_names.ts";

Deno.test("profile names: [george] gets its keys from [georgemfa]", () => {
  assert.equal(SOURCE_SUFFIX, "mfa");
  assert.equal(sourceSectionOf("george"), "georgemfa");
  assert.equal(targetOf("georgemfa"), "george");
  assert.equal(targetOf(sourceSectionOf("prod eu")), "prod eu");
});

Deno.test("profile names: a source section needs a name before its suffix", () => {
  assert.equal(isSourceSection("georgemfa"), true);
  assert.equal(isSourceSection("mfamfa"), true);
  assert.equal(targetOf("mfamfa"), "mfa");
  assert.equal(isSourceSection("mfa"), false);
  assert.equal(targetOf("mfa"), undefined);
  assert.equal(isSourceSection("george"), false);
  assert.equal(isSourceSection("georgeMFA"), false);
  assert.equal(targetOf("default"), undefined);
});

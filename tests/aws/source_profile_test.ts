// The source section as awsmfa reads it (lib/aws/source_profile.ts).
import assert from "node:assert/strict";
import { loadIni } from "../../lib/aws/shared_files.ts";
import { hasOwnKey, readSourceProfile } from "../../lib/aws/source_profile.ts";

Deno.test("hasOwnKey: a key the section writes itself, not one it only inherits from [DEFAULT]", () => {
  const doc = loadIni(
    new TextEncoder().encode(
      "[DEFAULT]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r\n" +
        "[george]\nregion = us-east-1\naws_session_token = t\n[ann]\noutput = json\n",
    ),
    "/h/.aws/credentials",
  );
  assert.equal(hasOwnKey(doc, "george", "region"), true, "own, also in [DEFAULT]");
  assert.equal(hasOwnKey(doc, "george", "aws_session_token"), true, "own, not in [DEFAULT]");
  assert.equal(hasOwnKey(doc, "ann", "region"), false, "inherited only");
  assert.equal(hasOwnKey(doc, "ann", "missing"), false);
  assert.equal(hasOwnKey(doc, "nobody", "region"), false, "no such section");
  assert.equal(doc.get("ann", "region"), "eu-west-1", "the document is unchanged");
});

Deno.test("hasOwnKey: without [DEFAULT] every key a section has is its own", () => {
  const doc = loadIni(new TextEncoder().encode("[george]\nregion = us-east-1\n"), "/h/c");
  assert.equal(hasOwnKey(doc, "george", "region"), true);
  assert.equal(hasOwnKey(doc, "george", "output"), false);
});

Deno.test("readSourceProfile: a bad role_arn inherited from [DEFAULT] says so", () => {
  const doc = loadIni(
    new TextEncoder().encode(
      "[DEFAULT]\nrole_arn = nope\n[georgemfa]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n" +
        "aws_secret_access_key = s\n",
    ),
    "/h/c",
  );
  assert.throws(
    () =>
      readSourceProfile(doc, "georgemfa", { path: "/h/c", target: "george", requireSerial: false }),
    /role_arn in \[georgemfa\] of \/h\/c, inherited from \[DEFAULT\], is not a role ARN/,
  );
});

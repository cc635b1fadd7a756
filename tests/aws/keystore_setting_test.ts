/** Where a source section's keys are, and the edits that move them (lib/aws/keystore_setting.ts). */
import assert from "node:assert/strict";
import {
  keystoreItemOf,
  keystoreOf,
  putKeysInFile,
  removeKeysFromFile,
} from "../../lib/aws/keystore_setting.ts";
import { loadIni } from "../../lib/aws/shared_files.ts";

const KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const doc = (text: string) => loadIni(new TextEncoder().encode(text), "credentials");

Deno.test("removeKeysFromFile then putKeysInFile give back the bytes, line breaks and layout kept", () => {
  for (
    const text of [
      `[georgemfa]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\nmfa_serial = arn:aws:iam::123456789012:mfa/george\n`,
      `# keys\r\n[other]\r\nregion=eu-west-1\r\n\r\n[georgemfa]\r\nmfa_serial=x\r\naws_access_key_id=${KEYS.accessKeyId}\r\naws_secret_access_key=${KEYS.secretAccessKey}`,
    ]
  ) {
    const stored = removeKeysFromFile(doc(text), "georgemfa", { backend: "pass", path: "c" });
    assert.equal(keystoreOf(stored, "georgemfa"), "pass");
    assert.equal(stored.get("georgemfa", "aws_access_key_id"), undefined);
    assert.equal(stored.get("georgemfa", "aws_secret_access_key"), undefined);
    assert.ok(!stored.toString().includes(KEYS.secretAccessKey));
    assert.ok(stored.toString().includes("awsmfa_keystore = pass"));
    const restored = putKeysInFile(stored, "georgemfa", { keys: KEYS, path: "c" });
    assert.equal(keystoreOf(restored, "georgemfa"), undefined);
    assert.deepEqual(restored.toRecord(), doc(text).toRecord());
    if (text.includes(" = ")) assert.equal(restored.toString(), text);
  }
});

Deno.test("a layout the line edit does not model falls back to the document's edit, same values", () => {
  // A continuation line under the secret: not a plain one-line key.
  const text = `[georgemfa]\naws_access_key_id = ${KEYS.accessKeyId}\n` +
    `aws_secret_access_key = ${KEYS.secretAccessKey}\n  continued\nmfa_serial = x\n`;
  const stored = removeKeysFromFile(doc(text), "georgemfa", { backend: "file", path: "c" });
  assert.deepEqual(stored.toRecord(), { georgemfa: { mfa_serial: "x", awsmfa_keystore: "file" } });
});

Deno.test("keystoreItemOf: the profile a source section serves", () => {
  assert.equal(keystoreItemOf("georgemfa"), "george");
  assert.equal(keystoreItemOf("keys"), "keys");
  assert.equal(keystoreOf(doc("[a]\nawsmfa_keystore =\n"), "a"), undefined);
});

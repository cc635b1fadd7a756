/** files/fingerprint.ts: equal bytes, equal fingerprints; any change, another one. */
import assert from "node:assert/strict";
import { fingerprintOf, sameFingerprint } from "../../lib/files/fingerprint.ts";

const MIB = 1 << 20;

Deno.test("fingerprintOf: the same bytes give the same fingerprint, a copy included", async () => {
  const bytes = new Uint8Array(3 * MIB + 5).map((_, i) => (i * 7) & 0xff);
  const a = await fingerprintOf(bytes);
  const b = await fingerprintOf(bytes.slice());
  assert.equal(a.length, bytes.length);
  assert.match(a.sha256, /^[0-9a-f]{64}$/);
  assert.ok(sameFingerprint(a, b));
  assert.ok(
    sameFingerprint(await fingerprintOf(new Uint8Array()), await fingerprintOf(new Uint8Array())),
  );
});

Deno.test("fingerprintOf: one byte changed in any chunk, or moved across a chunk's edge, differs", async () => {
  const bytes = new Uint8Array(2 * MIB + 3).fill(0x61);
  const original = await fingerprintOf(bytes);
  for (const at of [0, MIB - 1, MIB, 2 * MIB + 2]) {
    const changed = bytes.slice();
    changed[at] = 0x62;
    assert.ok(!sameFingerprint(original, await fingerprintOf(changed)), `byte ${at}`);
  }
  // The same bytes, one shorter: the length alone tells them apart.
  const shorter = await fingerprintOf(bytes.subarray(1));
  assert.equal(shorter.length, bytes.length - 1);
  assert.ok(!sameFingerprint(original, shorter));
  // Same length, a chunk's content shifted: the chunk hashes differ.
  const shifted = new Uint8Array(bytes.length).fill(0x61);
  shifted[MIB - 1] = 0x62;
  const shiftedToo = new Uint8Array(bytes.length).fill(0x61);
  shiftedToo[MIB] = 0x62;
  assert.ok(!sameFingerprint(await fingerprintOf(shifted), await fingerprintOf(shiftedToo)));
});

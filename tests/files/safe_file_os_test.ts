/** files/safe_file_os.ts: the real OS edge's readFile (one buffer of the file's size). */
import assert from "node:assert/strict";
import { denoOs } from "../../lib/files/safe_file_os.ts";

Deno.test("denoOs.readFile: every byte of empty, small and multi-megabyte files; null when missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_safe_file_os_" });
  try {
    for (const size of [0, 1, 4096, 3 * 1024 * 1024 + 17]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
      await Deno.writeFile(`${dir}/f`, bytes);
      assert.deepEqual(await denoOs.readFile(`${dir}/f`), bytes, `${size} bytes`);
    }
    assert.equal(await denoOs.readFile(`${dir}/missing`), null);
    await assert.rejects(denoOs.readFile(dir), Deno.errors.IsADirectory);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "denoOs.readFile: a file whose size says 0 but holds more (Linux procfs) is read to its end",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const bytes = await denoOs.readFile("/proc/self/status");
  assert.equal((await Deno.stat("/proc/self/status")).size, 0);
  assert.match(new TextDecoder().decode(bytes!), /^Name:.*\n[\s\S]*VmPeak/);
});

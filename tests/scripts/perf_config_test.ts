/**
 * The start-up settings of README's Performance section stay in place: `deno run` loads
 * dynamic imports lazily (deno.json's `lazy-dynamic-imports`), and `deno compile` never sees
 * that setting, which would leave the dynamically imported modules out of the executable.
 */
import assert from "node:assert/strict";
import { compileConfigText, stage } from "../../scripts/compile.ts";
import { ROOT } from "../support/cli_runner.ts";

Deno.test("perf: deno run loads dynamic imports lazily", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.ok(config.unstable?.includes("lazy-dynamic-imports"));
});

Deno.test("perf: deno compile gets a deno.json without lazy dynamic imports", async () => {
  const text = JSON.stringify({
    tasks: { a: "b" },
    unstable: ["lazy-dynamic-imports", "kv"],
    imports: { x: "npm:x@1" },
  });
  assert.deepEqual(JSON.parse(compileConfigText(text)), {
    tasks: { a: "b" },
    unstable: ["kv"],
    imports: { x: "npm:x@1" },
  });
  assert.deepEqual(
    JSON.parse(compileConfigText(JSON.stringify({ unstable: ["lazy-dynamic-imports"] }))),
    {},
  );
  const staged = await stage(ROOT, { commit: "0".repeat(40) });
  try {
    const config = JSON.parse(await Deno.readTextFile(staged.config));
    assert.ok(!config.unstable?.includes("lazy-dynamic-imports"));
    assert.ok(staged.files.includes("lib/aws/api/vendor/aws_sdk.js"), "the SDK is in the build");
  } finally {
    await staged.remove();
  }
});

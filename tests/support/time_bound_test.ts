// The time bound of every test (tests/support/time_bound.ts): a test that never ends fails with
// a message naming it and its bound, and the suite goes on.
import assert from "node:assert/strict";

Deno.test("time bound: a test that hangs fails with its name and bound; the next one runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-bound-" });
  try {
    await Deno.writeTextFile(
      `${dir}/hang_test.ts`,
      `Deno.test({ name: "waits forever", sanitizeOps: false, sanitizeResources: false,
         fn: () => new Promise(() => { setInterval(() => {}, 1000); }) });
       Deno.test("runs after it", () => {});\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--allow-all",
        "--no-config",
        "--no-lock",
        "--preload",
        new URL("./time_bound.ts", import.meta.url).href,
        `${dir}/hang_test.ts`,
      ],
      env: { AWSMFA_TEST_BOUND_S: "1", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.notEqual(out.code, 0, text);
    assert.match(text, /The test 'waits forever' ran for more than 1 s \(its time bound\)/);
    assert.match(text, /runs after it \.\.\. ok/);
    assert.match(text, /1 passed \| 1 failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

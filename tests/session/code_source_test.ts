/**
 * What awsmfa makes of a code command's run (codeFromRun), without running
 * one: the code, and the message for each way the command can end.
 */
import assert from "node:assert/strict";
import type { ChildEnd, ChildResult } from "../../lib/terminal/child.ts";
import { codeFromRun } from "../../lib/session/code_source.ts";
import { AuthError, CancelledError } from "../../lib/core/errors.ts";

const facts = { command: "ykman oath accounts code --single aws", origin: "--code-command" };

function run(end: ChildEnd, stdout = "", stderr = ""): ChildResult {
  return { end, stdout, stderr };
}

const exited = (code: number, signal: Deno.Signal | null = null): ChildEnd => ({
  kind: "exited",
  status: { success: code === 0, code, signal },
});

Deno.test("codeFromRun: the one 6-digit code in stdout", () => {
  const result = run(exited(0), "aws:george  012345\n");
  assert.equal(codeFromRun(result, { ...facts, timeoutMs: 30_000 }), "012345");
});

Deno.test("codeFromRun: a time-out names the command, the limit, its stderr and both fixes", () => {
  const result = run({ kind: "timed-out" }, "", "line 1\nTouch your YubiKey...\n");
  assert.throws(() => codeFromRun(result, { ...facts, timeoutMs: 1_500 }), (error) => {
    assert.ok(error instanceof AuthError);
    assert.equal(
      error.message,
      "The code command from --code-command timed out: it did not finish within 1.5 s.\n" +
        "line 1\nTouch your YubiKey...",
    );
    assert.match(error.fix ?? "", /Run it yourself to see where it waits: ykman oath/);
    assert.match(error.fix ?? "", /AWSMFA_CODE_TIMEOUT=60 \(seconds\), or use a command/);
    return true;
  });
});

Deno.test("codeFromRun: too much output is refused with the limit", () => {
  const result = run({ kind: "output-limit" }, "y\n".repeat(1000));
  assert.throws(
    () => codeFromRun(result, { ...facts, timeoutMs: 30_000 }),
    /--code-command printed more than 64 KiB and was stopped/,
  );
});

Deno.test("codeFromRun: awsmfa's signal, or the command's SIGINT, is a cancellation", () => {
  for (const end of [{ kind: "cancelled", signal: "SIGTERM" } as const, exited(130, "SIGINT")]) {
    assert.throws(() => codeFromRun(run(end), { ...facts, timeoutMs: 30_000 }), CancelledError);
  }
});

Deno.test("codeFromRun: a failure shows the exit code and the last 5 lines of stderr", () => {
  const stderr = ["a", "b", "c", "d", "e", "f"].join("\n");
  assert.throws(
    () => codeFromRun(run(exited(3), "", stderr), { ...facts, timeoutMs: 30_000 }),
    (error) => {
      assert.ok(error instanceof AuthError);
      assert.equal(
        error.message,
        "The code command from --code-command failed with exit code 3.\nb\nc\nd\ne\nf",
      );
      return true;
    },
  );
});

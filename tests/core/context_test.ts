import assert from "node:assert/strict";
import { homeDirectory, realContext, terminalStreams } from "../../lib/core/context.ts";

Deno.test("homeDirectory: where the AWS CLI and SDKs look on each OS (USERPROFILE first on Windows)", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  const both = env({ HOME: "/h", USERPROFILE: "C:\\Users\\u" });
  assert.equal(homeDirectory(both, "linux"), "/h");
  assert.equal(homeDirectory(both, "darwin"), "/h");
  assert.equal(homeDirectory(both, "windows"), "C:\\Users\\u");
  assert.equal(homeDirectory(env({ HOME: "C:\\h" }), "windows"), "C:\\h");
  assert.equal(homeDirectory(env({ USERPROFILE: "/u" }), "linux"), "/u");
  assert.equal(homeDirectory(env({ HOMEDRIVE: "D:", HOMEPATH: "\\me" }), "windows"), "D:\\me");
  assert.equal(homeDirectory(env({}), "linux"), undefined);
});

Deno.test("terminalStreams: the one answer to which streams are terminals, carried by the context", () => {
  const streams = terminalStreams();
  assert.deepEqual(Object.keys(streams).sort(), [
    "stderrIsTerminal",
    "stdinIsTerminal",
    "stdoutIsTerminal",
  ]);
  assert.equal(streams.stdinIsTerminal, Deno.stdin.isTerminal());
  assert.equal(streams.stdoutIsTerminal, Deno.stdout.isTerminal());
  assert.equal(streams.stderrIsTerminal, Deno.stderr.isTerminal());
  const context = realContext();
  assert.equal(context.stdinIsTerminal, streams.stdinIsTerminal);
  assert.equal(context.stdoutIsTerminal, streams.stdoutIsTerminal);
  assert.equal(context.stderrIsTerminal, streams.stderrIsTerminal);
});

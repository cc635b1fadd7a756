/**
 * lib/terminal/child.ts without the CLI: output and exit status, the time limit (a
 * command that ignores SIGTERM, background children), the output limits,
 * cancellation, and the capture on its own.
 */
import assert from "node:assert/strict";
import {
  capture,
  findProgram,
  runChild,
  shellCommand,
  terminateTree,
} from "../../lib/terminal/child.ts";
import { killSurvivors, survivors, waitForPids } from "../support/processes.ts";

const unix = Deno.build.os !== "windows";

/** A temporary directory for a PID file, removed afterwards. */
async function withPidFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-child-" });
  try {
    await fn(`${dir}/pids`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "child: a command that exits is reported with its status, stdout and stderr",
  ignore: !unix,
  async fn() {
    const result = await runChild(shellCommand("echo out; echo err >&2; exit 3"), {
      timeoutMs: 30_000,
    });
    assert.equal(result.end.kind, "exited");
    assert.deepEqual({ ...result.end.status }, { success: false, code: 3, signal: null });
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
  },
});

Deno.test({
  name: "child: on time-out a command that ignores SIGTERM is killed, and its background jobs",
  ignore: !unix,
  async fn() {
    await withPidFile(async (pids) => {
      try {
        const result = await runChild(
          shellCommand(
            `trap '' TERM; sleep 321 & echo $! >> ${pids}; echo $$ >> ${pids}; ` +
              `echo started >&2; sleep 322 & echo $! >> ${pids}; wait $!`,
          ),
          { timeoutMs: 500, graceMs: 200 },
        );
        assert.deepEqual(result.end, { kind: "timed-out" });
        assert.equal(result.stderr, "started\n");
        assert.deepEqual(await survivors(pids, "sleep 32"), []);
      } finally {
        await killSurvivors(pids, "sleep 32");
      }
    });
  },
});

Deno.test({
  name: "child: an aborted run stops the command and its group, reported as SIGINT",
  ignore: !unix,
  async fn() {
    await withPidFile(async (pids) => {
      const controller = new AbortController();
      try {
        const running = runChild(
          shellCommand(`sleep 323 & echo $! >> ${pids}; echo $$ >> ${pids}; wait $!`),
          { timeoutMs: 60_000, signal: controller.signal },
        );
        assert.ok(await waitForPids(pids, 2), "the command did not start");
        controller.abort();
        assert.deepEqual((await running).end, { kind: "cancelled", signal: "SIGINT" });
        assert.deepEqual(await survivors(pids, "sleep 323"), []);
      } finally {
        await killSurvivors(pids, "sleep 323");
      }
    });
  },
});

Deno.test({
  name: "child: stdout past its limit stops the command; what is kept is the start",
  ignore: !unix,
  async fn() {
    const result = await runChild(shellCommand("echo first; exec yes"), {
      timeoutMs: 60_000,
      maxStdoutBytes: 1000,
    });
    assert.deepEqual(result.end, { kind: "output-limit" });
    assert.equal(result.stdout.length, 1000);
    assert.ok(result.stdout.startsWith("first\ny\ny\n"));
  },
});

Deno.test({
  name: "child: stderr keeps its end within its limit and does not stop the command",
  ignore: !unix,
  async fn() {
    const result = await runChild(
      shellCommand(
        "i=0; while [ $i -lt 2000 ]; do echo noise $i >&2; i=$((i+1)); done; echo last >&2",
      ),
      { timeoutMs: 60_000, maxStderrBytes: 100 },
    );
    assert.equal(result.end.kind, "exited");
    assert.equal(result.stderr.length, 100);
    assert.ok(result.stderr.endsWith("noise 1999\nlast\n"), result.stderr);
  },
});

Deno.test({
  name: "child: a background job holding the output does not keep a finished command waiting",
  ignore: !unix,
  async fn() {
    await withPidFile(async (pids) => {
      try {
        const result = await runChild(
          shellCommand(`sleep 324 & echo $! >> ${pids}; echo 123456`),
          { timeoutMs: 60_000 },
        );
        assert.equal(result.end.kind, "exited");
        assert.equal(result.stdout, "123456\n");
      } finally {
        await killSurvivors(pids, "sleep 324");
      }
    });
  },
});

Deno.test({
  name: "child: terminateTree on a group that has already ended does nothing and does not throw",
  ignore: !unix,
  async fn() {
    const child = new Deno.Command("/bin/sh", { args: ["-c", "exit 0"], detached: true }).spawn();
    await child.status;
    await terminateTree(child, { graceMs: 100 });
  },
});

Deno.test("child: a command that cannot start throws", async () => {
  await assert.rejects(
    runChild(["/nonexistent/awsmfa-child-test"], { timeoutMs: 1_000 }),
    Deno.errors.NotFound,
  );
});

Deno.test("child: capture keeps the start or the end, and tells once about overflow", async () => {
  const chunks = ["abc", "def", "ghi"].map((text) => new TextEncoder().encode(text));
  const stream = () => ReadableStream.from(chunks);
  let overflows = 0;
  const start = capture(stream(), { limit: 4, keep: "start", onOverflow: () => overflows++ });
  await start.done;
  assert.equal(start.text(), "abcd");
  assert.equal(overflows, 1);
  const end = capture(stream(), { limit: 4, keep: "end" });
  await end.done;
  assert.equal(end.text(), "fghi");
  const all = capture(stream(), { limit: 100, keep: "end" });
  await all.done;
  assert.equal(all.text(), "abcdefghi");
});

Deno.test("findProgram: Windows finds aws.cmd on PATH through PATHEXT; elsewhere the name is kept", () => {
  // Windows file names are case-insensitive: PATHEXT's .CMD finds aws.cmd.
  const files = new Set(["c:\\py\\scripts\\aws.cmd", "c:\\tools\\jq.exe", "d:\\x\\run.bat"]);
  const env = (name: string) =>
    ({ PATH: "C:\\windows;C:\\py\\Scripts\\;C:\\tools", PATHEXT: ".COM;.EXE;.BAT;.CMD" })[name];
  const find = (program: string) =>
    findProgram(program, { os: "windows", env, isFile: (path) => files.has(path.toLowerCase()) });
  assert.equal(find("aws"), "C:\\py\\Scripts\\aws.CMD");
  assert.equal(find("jq"), "C:\\tools\\jq.EXE");
  assert.equal(find("jq.exe"), "C:\\tools\\jq.exe");
  assert.equal(find("D:\\x\\run"), "D:\\x\\run.BAT");
  assert.equal(find("missing"), "missing");
  assert.equal(findProgram("aws", { os: "linux", env, isFile: () => true }), "aws");
});

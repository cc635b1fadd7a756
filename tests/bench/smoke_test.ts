/**
 * The benchmarks still run: one quick round of the process-level benchmark and of the splits,
 * and every row of their tables is there with figures. No timing is asserted (timings belong to
 * `deno task bench`, not to tests on a shared machine). The INI editor's benchmark is left out:
 * it has no quick mode and takes longer than a test should.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CaseFigures, runCliBench } from "./cli_bench.ts";
import { ROOT, taskPermissions } from "../support/cli_runner.ts";
import { shellQuote } from "../../scripts/compile.ts";
import { REFRESH_PHASES, runRefreshSplit } from "./refresh_split.ts";
import { MODULE_GROUPS } from "./refresh_split_child.ts";
import { runSdkSplit, SDK_VARIANTS } from "./sdk_split.ts";
import { runStatusSplit, STATUS_STEPS, STATUS_VARIANTS } from "./status_split.ts";

/** The figures of every row are there; where the OS cannot measure a row, the row says so. */
function checkFigures(figures: CaseFigures[], table: string): void {
  const windows = Deno.build.os === "windows";
  for (const figure of figures) {
    assert.ok(table.includes(figure.label), `${figure.label} is not in the table`);
    if (windows && ["floor-pty", "prompt"].includes(figure.key)) {
      assert.match(figure.problem ?? "", /n\/a on Windows/, figure.label);
      assert.ok(table.includes(figure.problem!), `${figure.problem} is not in the table`);
      continue;
    }
    assert.equal(figure.problem, undefined, `${figure.label}: ${figure.problem}\n${table}`);
    assert.ok(figure.ms! > 0, figure.label);
    // Windows cannot tell a batch file's (aws.cmd) CPU time and memory: cmd.exe runs it.
    if (windows && figure.key === "aws") continue;
    assert.ok(figure.rssMb! > 0 && figure.cpuMs! >= 0, figure.label);
  }
}

Deno.test("bench: the process-level table has every row, each with figures", async () => {
  const { table, figures } = await runCliBench({
    runs: 1,
    slowRuns: 1,
    profiles: 50,
    bigMb: { skip: 0.2, status: [0.3], refresh: 0.2 },
    bigRuns: 1,
  });
  const keys = figures.map((f) => f.key);
  for (
    const key of [
      "floor",
      "floor-pty",
      "prompt",
      "skip",
      "credential-process",
      "status",
      "refresh",
      "skip-big",
      "status-0mb",
      "refresh-big",
    ]
  ) {
    assert.ok(keys.includes(key), `no ${key} row:\n${table}`);
  }
  checkFigures(figures, table);
});

Deno.test("bench: an executable is timed against the empty program compiled alike", async () => {
  // Stand-ins for the two executables (deno compile needs a download): scripts that run
  // main.ts and empty.ts as the task does.
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-bench-bin-" });
  try {
    const standIn = async (name: string, script: string) => {
      const words = [Deno.execPath(), "run", "--quiet", ...taskPermissions(), `${ROOT}${script}`];
      if (Deno.build.os === "windows") {
        const path = join(dir, `${name}.cmd`);
        await Deno.writeTextFile(path, `@${words.map((w) => `"${w}"`).join(" ")} %*\r\n`);
        return path;
      }
      const path = join(dir, name);
      await Deno.writeTextFile(path, `#!/bin/sh\nexec ${words.map(shellQuote).join(" ")} "$@"\n`);
      await Deno.chmod(path, 0o755);
      return path;
    };
    const bin = await standIn("awsmfa", "main.ts");
    const quick = { runs: 1, slowRuns: 1, profiles: 50, bigMb: null, bin };
    const { table, figures } = await runCliBench({
      ...quick,
      only: ["prompt", "skip", "status"],
      floorBin: await standIn("empty", "tests/bench/empty.ts"),
    });
    assert.deepEqual(figures.map((f) => f.key), ["floor", "floor-pty", "prompt", "skip", "status"]);
    assert.match(table, /empty program, compiled like awsmfa \(the floor\)/);
    assert.match(table, /awsmfa: the executable .*awsmfa.*; the floor: .*empty/);
    assert.doesNotMatch(table, /no floor/);
    assert.match(table, /\| floor \d+\.\d ms \| \d+\.\d\dx \|/, table);
    if (Deno.build.os !== "windows") {
      checkFigures(figures, table);
      assert.match(table, /\| floor-pty \d+\.\d ms \| \d+\.\d\dx \|/, table);
    }

    // Without the floor's executable, the rows say how to get one.
    const alone = await runCliBench({ ...quick, only: ["skip"], floorBin: "" });
    assert.deepEqual(alone.figures.map((f) => f.key), ["skip"]);
    assert.match(
      alone.table,
      /no floor: set AWSMFA_FLOOR_BIN \(tests\/bench\/compile_floor\.ts\)/,
    );
    assert.match(alone.table, /the floor: none \(AWSMFA_FLOOR_BIN unset\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench: the SDK split has every variant", async () => {
  const { table, medians } = await runSdkSplit({ runs: 1 });
  for (const [variant, label] of SDK_VARIANTS) {
    assert.ok(medians[variant]?.total > 0, `${variant}: no figures\n${table}`);
    assert.ok(table.includes(label), `${label} is not in the table`);
  }
});

Deno.test("bench: the status split has every step, for the editor and the quick scan", async () => {
  const { table, medians } = await runStatusSplit({ runs: 1, profiles: 50 });
  for (const step of STATUS_STEPS) {
    assert.ok(medians[step] >= 0, `${step}: no figure\n${table}`);
    assert.ok(medians[`editor ${step}`] >= 0, `editor ${step}: no figure\n${table}`);
    assert.ok(table.includes(step), `${step} is not in the table`);
  }
  for (const [, label] of STATUS_VARIANTS) assert.ok(table.includes(label), label);
});

Deno.test("bench: the refresh split finds every step of a real run, and every module group", async () => {
  const { table, medians } = await runRefreshSplit({ runs: 1 });
  for (const phase of REFRESH_PHASES) {
    assert.ok(medians[phase.key] >= 0, `${phase.key}: no figure\n${table}`);
    assert.ok(table.includes(phase.label), `${phase.label} is not in the table`);
  }
  for (const [key, label] of MODULE_GROUPS) {
    assert.ok(medians[`module ${key}`] > 0, `${key}: no figure\n${table}`);
    assert.ok(table.includes(label), `${label} is not in the table`);
  }
  assert.ok(medians.beforeRequest > 0 && medians.total > medians.beforeRequest, table);
});

Deno.test("bench: the floor is compiled with awsmfa's deno compile arguments", async () => {
  const dryRun = async (script: string) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", "--allow-run", script, "--dry-run"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(output.success, `${script} --dry-run failed`);
    // The staged directories and the output differ; every other word is the same.
    return new TextDecoder().decode(output.stdout).trim().split(" ")
      .map((word) => word.replace(/awsmfa-(compile|floor)-[0-9a-f]+/, "STAGE"))
      .filter((word) => !/^'?--output=/.test(word));
  };
  const product = await dryRun("scripts/compile.ts");
  const floor = await dryRun("tests/bench/compile_floor.ts");
  assert.deepEqual(floor.slice(0, -1), product.slice(0, -1));
  // (Quoted where the path has a backslash: Windows.)
  assert.match(floor.at(-1)!, /STAGE[\\/]tests[\\/]bench[\\/]empty\.ts'?$/);
  assert.match(product.at(-1)!, /STAGE[\\/]main\.ts'?$/);
});

/**
 * The benchmarks still run: one quick round of the process-level benchmark and of the splits,
 * and every row of their tables is there with figures. No timing is asserted (timings belong to
 * `deno task bench`, not to tests on a shared machine). The INI editor's benchmark is left out:
 * it has no quick mode and takes longer than a test should.
 */
import assert from "node:assert/strict";
import { runCliBench } from "./cli_bench.ts";
import { REFRESH_PHASES, runRefreshSplit } from "./refresh_split.ts";
import { MODULE_GROUPS } from "./refresh_split_child.ts";
import { runSdkSplit, SDK_VARIANTS } from "./sdk_split.ts";
import { runStatusSplit, STATUS_STEPS, STATUS_VARIANTS } from "./status_split.ts";

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
  for (const figure of figures) {
    assert.equal(figure.problem, undefined, `${figure.label}: ${figure.problem}\n${table}`);
    assert.ok(figure.ms! > 0 && figure.rssMb! > 0 && figure.cpuMs! >= 0, figure.label);
    assert.ok(table.includes(figure.label), `${figure.label} is not in the table`);
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

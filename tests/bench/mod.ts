/**
 * `deno task bench`: runs every benchmark and prints their markdown tables.
 * Each benchmark is a module exporting a `run…Bench(): Promise<string>`.
 * `BENCH_QUICK=1` runs fewer rounds; `AWSMFA_BIN=path` times that executable in the first
 * table (with `AWSMFA_FLOOR_BIN=path`, the empty program compiled alike, as its floor). A
 * benchmark that fails prints why in place of its table, and the run exits 1 once all have run.
 *
 * @module
 */

import { runCliBench } from "./cli_bench.ts";
import { runIniBench } from "./ini_bench.ts";
import { runRefreshSplit } from "./refresh_split.ts";
import { runSdkSplit } from "./sdk_split.ts";
import { runStatusSplit } from "./status_split.ts";

/** The benchmarks, by title. */
export const BENCHMARKS: [string, () => Promise<string>][] = [
  ["Start-up, hot paths and refresh (process level)", async () => (await runCliBench()).table],
  [
    "What a full refresh with `--code` does before the request (real runs, probed)",
    async () => (await runRefreshSplit()).table,
  ],
  ["The SDK's share of a refresh (in process)", async () => (await runSdkSplit()).table],
  [
    "Where `awsmfa status` spends its time (in process)",
    async () => (await runStatusSplit()).table,
  ],
  ["The INI editor", runIniBench],
];

if (import.meta.main) {
  const bin = Deno.env.get("AWSMFA_BIN");
  let failed = 0;
  for (const [index, [title, run]] of BENCHMARKS.entries()) {
    let body: string;
    try {
      body = await run();
    } catch (error) {
      failed++;
      body = `**Failed**: ${(error as Error).stack ?? error}`;
    }
    // Only the first table times the executable; the splits look inside the source.
    const note = bin && index === 1
      ? "The tables below run the source (`deno run`), not the executable.\n\n"
      : "";
    console.log(`${note}## ${title}\n\n${body}\n`);
  }
  if (failed > 0) {
    console.error(`bench: ${failed} of ${BENCHMARKS.length} benchmarks failed (see above)`);
    Deno.exit(1);
  }
}

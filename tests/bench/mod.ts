/**
 * `deno task bench`: runs every benchmark and prints their markdown tables.
 * Each benchmark is a module exporting a `run…Bench(): Promise<string>`.
 * `BENCH_QUICK=1` runs fewer rounds; `AWSMFA_BIN=path` times that executable.
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
  for (const [title, run] of BENCHMARKS) {
    console.log(`## ${title}\n\n${await run()}\n`);
  }
}

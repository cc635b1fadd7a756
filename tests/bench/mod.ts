/**
 * `deno task bench`: runs every benchmark and prints their markdown tables.
 * Each benchmark is a module exporting a `run…Bench(): Promise<string>`.
 *
 * @module
 */

import { runIniBench } from "./ini_bench.ts";

/** The benchmarks, by title. */
export const BENCHMARKS: [string, () => Promise<string>][] = [
  ["The INI editor", runIniBench],
];

if (import.meta.main) {
  for (const [title, run] of BENCHMARKS) {
    console.log(`## ${title}\n\n${await run()}\n`);
  }
}

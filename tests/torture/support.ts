/**
 * What the torture suites share: their size (`TORTURE=full` for the full
 * counts, short counts inside `deno task test`), their seed (tests/support/seed.ts),
 * a time bound per scenario, the CLI as a subprocess that can be killed at
 * any moment, a record of every byte the CLI printed (scanned for secrets at
 * the end of each suite), and the figures the README reports.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { FakeSts } from "../support/fake_sts.ts";
import { derivedSeed, rerunCommand, SEED } from "../support/seed.ts";

/** Whether this is the full run (`deno task torture`). */
export const FULL = Deno.env.get("TORTURE") === "full";

/**
 * How much longer than its stated bound a full-size scenario may run. The full
 * counts are CPU-bound, and on a shared 2-core machine they take up to three
 * times what they take on a quiet one: the bound is there to catch a hang, not
 * slowness (speed lives in `deno task bench`).
 */
const FULL_SLACK = 3;

/** `short` inside `deno task test`, `full` under `deno task torture`. */
export function size(short: number, full: number): number {
  return FULL ? full : short;
}

export { SEED } from "../support/seed.ts";

/** How to rerun: printed when a scenario fails. */
export function rerunHint(file: string): string {
  return `Rerun with: ${rerunCommand(file)}`;
}

/** A small seeded PRNG (mulberry32) with the helpers the suites use. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A fresh seed for a sub-generator (fast-check, say). */
  seed(): number {
    return this.int(0x7fffffff);
  }
}

/** The seed of one scenario, derived from the run's seed and its name. */
export function scenarioSeed(name: string): number {
  return derivedSeed(name);
}

/** What a scenario gets: its PRNG and its deadline. */
export interface ScenarioContext {
  rng: Rng;
  /** Throws once the scenario has used its time bound. */
  checkTime(): void;
  /** Milliseconds left of the time bound. */
  remainingMs(): number;
}

/**
 * A torture scenario: a Deno test with its own seeded PRNG and a time bound.
 * Loops call `checkTime()`; a scenario still running after the bound plus a
 * grace period fails outright. The seed is printed when it fails.
 */
export function scenario(
  name: string,
  options: { file: string; timeoutMs: number; fullOnly?: boolean },
  fn: (context: ScenarioContext) => Promise<void>,
): void {
  // A full-only scenario (random timing) is not registered at all in `deno task test`.
  if (options.fullOnly && !FULL) return;
  Deno.test({
    name: `torture: ${name}`,
    // Subprocesses killed on purpose leave pipes the sanitizers would flag.
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const start = performance.now();
      const bound = FULL ? options.timeoutMs * FULL_SLACK : options.timeoutMs;
      const deadline = start + bound;
      const context: ScenarioContext = {
        rng: new Rng(scenarioSeed(name)),
        checkTime() {
          if (performance.now() > deadline) {
            throw new Error(`scenario exceeded its time bound of ${bound} ms`);
          }
        },
        remainingMs: () => deadline - performance.now(),
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hardStop = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`scenario still running ${bound + 30_000} ms in`)),
          bound + 30_000,
        );
      });
      try {
        await Promise.race([fn(context), hardStop]);
      } catch (error) {
        console.error(`\ntorture: '${name}' failed (seed ${SEED}). ${rerunHint(options.file)}\n`);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

export {
  type RunResult,
  spawnCli,
  type SpawnedCli,
  type SpawnOptions,
} from "../support/cli_runner.ts";

/**
 * Every byte the CLI printed in one suite, and every secret the suite's fakes
 * issued: {@link OutputLog.assertNoSecrets} scans all of it at the end.
 */
export class OutputLog {
  readonly outputs: string[] = [];
  readonly secrets = new Set<string>();
  runs = 0;

  /** Keeps a run's output and checks it against the secrets known so far. */
  record(result: { stdout: string; stderr: string }, fake?: FakeSts): void {
    this.runs++;
    this.outputs.push(result.stdout, result.stderr);
    if (fake) this.addSecrets(fake);
    for (const secret of this.secrets) {
      for (const text of [result.stdout, result.stderr]) {
        assert.ok(!text.includes(secret), `output leaks a secret (…${secret.slice(-4)}):\n${text}`);
      }
    }
  }

  /** Adds every secret a fake issued or holds (call before closing it). */
  addSecrets(fake: FakeSts): void {
    for (const secret of fake.issuedSecrets()) if (secret.length >= 16) this.secrets.add(secret);
  }

  /** Adds secrets that did not come from a fake. */
  addSecret(...secrets: string[]): void {
    for (const secret of secrets) this.secrets.add(secret);
  }

  /** Scans every recorded output for every secret; returns what was scanned. */
  assertNoSecrets(): { runs: number; bytes: number; secrets: number } {
    let bytes = 0;
    for (const text of this.outputs) {
      bytes += text.length;
      for (const secret of this.secrets) {
        assert.ok(!text.includes(secret), `output leaks a secret (…${secret.slice(-4)}):\n${text}`);
      }
    }
    return { runs: this.runs, bytes, secrets: this.secrets.size };
  }
}

/**
 * Prints one of the figures the README reports (`TORTURE-FIGURE {json}`),
 * and appends it to the file named by `TORTURE_FIGURES` when set.
 */
export function figure(name: string, data: Record<string, unknown>): void {
  const line = JSON.stringify({ name, seed: SEED, full: FULL, ...data });
  console.log(`TORTURE-FIGURE ${line}`);
  const file = Deno.env.get("TORTURE_FIGURES");
  if (file) Deno.writeTextFileSync(file, line + "\n", { append: true });
}

/** The awsmfa temporary files in `dir`. */
export async function tempFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (/\.awsmfa-.*\.tmp$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

/** Asserts the message shape every failure must have: ours, no stack trace, no internal error. */
export function assertCleanError(result: { stdout: string; stderr: string }, what: string): void {
  assert.match(result.stderr, /^awsmfa: /, `${what}: stderr must start with 'awsmfa: '`);
  assert.doesNotMatch(result.stderr, /internal error|^\s+at .*[:(]/m, `${what}: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /Uncaught|error: Uncaught|TypeError|ReferenceError/, what);
}

/** Runs `fn` over `items` with at most `limit` at a time, in order of the items. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The one seed of a test run, shared by every generator and property test.
 *
 * - `deno task test`: a fixed seed ({@link DEFAULT_SEED}), so every run draws
 *   the same cases: a red run is red again on any machine.
 * - `deno task torture` (`TORTURE=full`) and `AWSMFA_SEED=random`: a new seed
 *   each run, printed at the start.
 * - `AWSMFA_SEED=N`: replays the run that printed seed N.
 *
 * Every failure message built with {@link rerunCommand} names the one command
 * that reproduces it.
 *
 * @module
 */

/** The seed of `deno task test` when `AWSMFA_SEED` is not set. */
export const DEFAULT_SEED = 20261206;

/** How this run's seed was chosen. */
export type SeedSource = "default" | "random" | "given";

/** Reads `AWSMFA_SEED` (and `TORTURE`); throws on a value that is not a seed. */
export function chooseSeed(
  env: { seed?: string; torture?: string },
  random: () => number = () => crypto.getRandomValues(new Uint32Array(1))[0],
): { seed: number; source: SeedSource } {
  const text = env.seed?.trim() ?? "";
  if (text === "random" || (text === "" && env.torture === "full")) {
    return { seed: random() >>> 0, source: "random" };
  }
  if (text === "") return { seed: DEFAULT_SEED, source: "default" };
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) {
    throw new Error(
      `AWSMFA_SEED=${text} is not a seed: use a whole number from 0 to 4294967295, or 'random'.`,
    );
  }
  return { seed: Number(text), source: "given" };
}

const chosen = chooseSeed({
  seed: Deno.env.get("AWSMFA_SEED"),
  torture: Deno.env.get("TORTURE"),
});

/** This run's seed (an unsigned 32-bit integer). */
export const SEED: number = chosen.seed;

/** How {@link SEED} was chosen. */
export const SEED_SOURCE: SeedSource = chosen.source;

if (SEED_SOURCE === "random") {
  console.error(`seed: ${SEED} (random); replay with AWSMFA_SEED=${SEED}`);
}

/** The one command that reruns `file` with this run's seed (and size). */
export function rerunCommand(file: string): string {
  const torture = Deno.env.get("TORTURE") === "full" ? " TORTURE=full" : "";
  return `AWSMFA_SEED=${SEED}${torture} deno test --allow-all ${file}`;
}

/** A seed for one named generator, derived from {@link SEED} (stable across runs). */
export function derivedSeed(name: string, seed: number = SEED): number {
  let h = seed ^ 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  return h >>> 0;
}

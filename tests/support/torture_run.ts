/**
 * `deno task torture`: the torture suites at full size with one seed for the
 * whole run (each test file runs in an isolate of its own, so a seed drawn in
 * each would differ): `AWSMFA_SEED` when set to a number, else a new one,
 * printed first with the command that replays the run.
 *
 *     deno task torture                     # a new seed
 *     AWSMFA_SEED=1042760499 deno task torture   # the same cases again
 *
 * @module
 */
import { chooseSeed } from "./seed.ts";

const { seed } = chooseSeed({ seed: Deno.env.get("AWSMFA_SEED") || "random" });
console.error(`torture: seed ${seed}; replay with AWSMFA_SEED=${seed} deno task torture`);
const root = new URL("../../", import.meta.url).pathname;
const { code } = await new Deno.Command(Deno.execPath(), {
  args: [
    "test",
    "--allow-all",
    "--preload",
    `${root}tests/support/time_bound.ts`,
    `${root}tests/torture/`,
    ...Deno.args,
  ],
  env: { TORTURE: "full", AWSMFA_SEED: String(seed) },
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
Deno.exit(code);

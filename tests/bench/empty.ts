// The floor of the start-up benchmarks: an empty program, run the way awsmfa is (same flags,
// same working directory, same deno.json and DENO_DIR). See tests/bench/cli_bench.ts.
export {};

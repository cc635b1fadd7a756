/**
 * One sample of the module loading on the refresh's `--code` path, in a fresh process: the
 * modules awsmfa loads, imported in the order and groups it imports them, each group timed (wall
 * clock). Started by `refresh_split.ts`; prints one JSON line. It imports nothing
 * from lib/ statically, so each import measured loads what awsmfa's run loads at that point.
 *
 *     deno run --allow-all tests/bench/refresh_split_child.ts
 *
 * @module
 */
/** The groups, in the order a refresh with `--code` loads them, by key and label. */
export const MODULE_GROUPS: [string, string][] = [
  ["cli", "main.ts's static imports (`lib/cli/main.ts`, the registry, args, errors)"],
  ["login", "the login command (`commands/login.ts` → refresh, shared_files, ini, safe_file)"],
  ["code", "`--code`'s check before the skip (`session/code_source.ts`)"],
  ["refresh", "past the skip: `aws/api/sts.ts`, `call_settings.ts` (and what they import)"],
  ["sdk", "the SDK (`aws/api/vendor/aws_sdk.js`), at the first call"],
];

/** Wall ms of each group, by key. */
export type ModuleSample = Record<string, number>;

async function sample(): Promise<ModuleSample> {
  const steps: Record<string, () => Promise<unknown>> = {
    cli: () => import("../../lib/cli/main.ts"),
    login: async () => (await import("../../lib/cli/registry.ts")).COMMANDS.login.load(),
    code: () => import("../../lib/session/code_source.ts"),
    refresh: () =>
      Promise.all([
        import("../../lib/session/code_source.ts"),
        import("../../lib/aws/api/sts.ts"),
        import("../../lib/aws/api/call_settings.ts"),
      ]),
    sdk: () => import("../../lib/aws/api/vendor/aws_sdk.js"),
  };
  const result: ModuleSample = {};
  for (const [key] of MODULE_GROUPS) {
    const start = performance.now();
    await steps[key]();
    result[key] = performance.now() - start;
  }
  return result;
}

if (import.meta.main) console.log(JSON.stringify(await sample()));

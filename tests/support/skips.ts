/**
 * Checks that need a tool the machine may lack (the AWS CLI, botocore, a
 * shell, shellcheck, ruby ...) skip loudly where it is absent, so that the
 * README's test command passes on a machine with only Node/npm. Where the
 * tool is required, a missing tool fails the check instead of skipping it:
 * `.ci/run` and the CI workflows install every tool they name in
 * `AWSMFA_REQUIRE_TOOLS` (space-separated, or `all`), so CI never skips.
 *
 * @module
 */

/** The tools this run requires (`AWSMFA_REQUIRE_TOOLS`); `"all"` for every tool. */
const REQUIRED: ReadonlySet<string> | "all" = (() => {
  const text = Deno.env.get("AWSMFA_REQUIRE_TOOLS")?.trim() ?? "";
  return text === "all" ? "all" : new Set(text.split(/[\s,]+/).filter(Boolean));
})();

/** Whether this run requires `tool` (a missing one then fails instead of skipping). */
export function required(tool: string): boolean {
  return REQUIRED === "all" || REQUIRED.has(tool);
}

/**
 * Reports that `what` is skipped because `tool` is missing: a loud line on
 * stderr; an error when this run requires `tool`.
 */
export function skip(tool: string, what: string): void {
  if (required(tool)) {
    throw new Error(
      `${tool} is missing, so ${what} cannot run; this run requires it ` +
        `(AWSMFA_REQUIRE_TOOLS=${
          Deno.env.get("AWSMFA_REQUIRE_TOOLS")
        }): install it (.ci/run does).`,
    );
  }
  console.warn(`!!! ${tool} is not installed: skipping ${what}`);
}

/**
 * For `Deno.test`'s `ignore`: whether to skip a test that needs `tool`.
 * Where `tool` is available, false. Where it is missing, true after a loud
 * line; or, when this run requires it, an error (the test file fails to load).
 */
export function ignoreWithout(tool: string, available: boolean, what: string): boolean {
  if (available) return false;
  skip(tool, what);
  return true;
}

/**
 * Options of the release scripts (`--name value` or `--name=value`, each
 * taking a value), parsed by the program's own argument parser.
 *
 * @module
 */
import { parseArgs } from "../lib/cli/args.ts";

/** Parses `args` where every option in `names` takes a value; throws on anything else. */
export function scriptOptions(
  args: readonly string[],
  names: readonly string[],
): Record<string, string> {
  const specs = Object.fromEntries(names.map((name) => [name, { type: "string" as const }]));
  const { flags, positionals } = parseArgs(args, specs);
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(flags)) {
    if (typeof value === "string") values[name] = value;
  }
  return values;
}

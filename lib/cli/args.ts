/**
 * A small command-line parser (pure): flags by spec, positionals, and the
 * words after `--` (more positionals, or exec's command line). It exists so
 * the hot path needs no `node:util` import.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";

/** How one flag is spelled and what it takes. */
export interface FlagSpec {
  /** `string` flags take a value (`--code 123456` or `--code=123456`). */
  type: "string" | "boolean";
  /** A one-letter alias (`-h`). */
  short?: string;
  /** The value's placeholder in help text, e.g. `SECONDS`. */
  value?: string;
  /** One line for the help text; flags without one are not listed. */
  help?: string;
  /**
   * A string flag whose value may be left out: `--keystore` (then `true`)
   * or `--keystore=NAME`; the next word is never taken as its value.
   */
  optionalValue?: boolean;
}

/** Flags by long name (without the leading dashes). */
export type FlagSpecs = Record<string, FlagSpec>;

/** The result of {@link parseArgs}. */
export interface ParsedArgs {
  /** Flag values by long name; booleans are `true` when given. */
  flags: Record<string, string | boolean | undefined>;
  /** Words that are not flags, in order. */
  positionals: string[];
  /**
   * With {@link ParseArgsOptions.rest}: the words after a `--`, untouched;
   * undefined when there was no `--`.
   */
  rest?: string[];
}

/** Options for {@link parseArgs}. */
export interface ParseArgsOptions {
  /** The command's name, used in error messages (`awsmfa NAME --help`). */
  command?: string;
  /**
   * Keep the words after `--` apart in `rest` (exec's command line).
   * Otherwise they are positionals that are never read as flags
   * (`awsmfa -- -odd-profile`), so a command checks them like any other.
   */
  rest?: boolean;
}

/**
 * Parses `argv` against `specs`. Throws {@link UsageError} for an unknown
 * flag (suggesting the closest known one), a missing value, or a value given
 * to a boolean flag.
 */
export function parseArgs(
  argv: readonly string[],
  specs: FlagSpecs,
  options: ParseArgsOptions = {},
): ParsedArgs {
  const helpHint = `Run 'awsmfa ${options.command ? options.command + " " : ""}--help' for usage.`;
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.short) byShort.set(spec.short, name);
  }
  const flags: ParsedArgs["flags"] = {};
  const positionals: string[] = [];
  let rest: string[] | undefined;

  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      if (options.rest) rest = argv.slice(i + 1);
      else positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === "-" || !word.startsWith("-")) {
      positionals.push(word);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
      if (!Object.hasOwn(specs, name)) {
        const near = closest(name, Object.keys(specs));
        throw new UsageError(`Unknown flag '--${name}'.`, {
          fix: near ? `Did you mean '--${near}'? ${helpHint}` : helpHint,
        });
      }
    } else {
      const letter = word.slice(1, 2);
      const long = byShort.get(letter);
      if (long === undefined) {
        throw new UsageError(`Unknown flag '-${letter}'.`, { fix: helpHint });
      }
      name = long;
      if (word.length > 2) inline = word.slice(2).replace(/^=/, "");
    }
    const spec = specs[name];
    if (spec.type === "boolean") {
      if (inline !== undefined) {
        throw new UsageError(`Flag '--${name}' takes no value (got '${inline}').`, {
          fix: helpHint,
        });
      }
      flags[name] = true;
      continue;
    }
    if (inline === undefined && spec.optionalValue) {
      flags[name] = true;
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) {
        throw new UsageError(
          `Flag '--${name}' needs a value${spec.value ? ` (${spec.value})` : ""}.`,
          {
            fix: helpHint,
          },
        );
      }
      inline = next;
      i++;
    }
    flags[name] = inline;
  }
  return { flags, positionals, rest };
}

/** The candidate within edit distance 2 of `word`, if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** Renders the flags of `specs` as aligned help lines. */
export function formatFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs)
    .filter(([, spec]) => spec.help)
    .map(([name, spec]) => {
      const short = spec.short ? `-${spec.short}, ` : "    ";
      const value = spec.type === "boolean"
        ? ""
        : spec.optionalValue
        ? `[=${spec.value ?? "VALUE"}]`
        : ` ${spec.value ?? "VALUE"}`;
      return [`  ${short}--${name}${value}`, spec.help!] as const;
    });
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => left.padEnd(width) + help).join("\n");
}

/**
 * The one optional positional of a command (its profile), or undefined.
 * Throws {@link UsageError} naming the extra words when there are more.
 */
export function singlePositional(args: ParsedArgs, usage: string): string | undefined {
  if (args.positionals.length > 1) {
    throw new UsageError(`Too many arguments: ${args.positionals.slice(1).join(" ")}.`, {
      fix: `Give at most one profile: awsmfa ${usage}.`,
    });
  }
  return args.positionals[0];
}

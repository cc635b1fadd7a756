/**
 * What shell completion offers for awsmfa (pure): each subcommand's flags,
 * the values of those taking one (fixed choices, or profile names, which the
 * scripts ask for at completion time with `awsmfa completions --list-profiles`)
 * and its positional, read from its usage line and flag specs. The scripts
 * themselves are in `completion_scripts.ts`, loaded only to print one.
 *
 * @module
 */
import type { FlagSpecs } from "../args.ts";

/** The shells `completionScript` writes for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** What to offer for a positional argument or a flag's value. */
export type CompletionValues =
  /** Nothing (free text). */
  | { kind: "none" }
  /** Profile names from the user's files. */
  | { kind: "profile" }
  /** A fixed list. */
  | { kind: "choices"; choices: string[] };

/** A flag as completion sees it. */
export interface CompletionFlag {
  name: string;
  short?: string;
  help?: string;
  /** Undefined for a boolean flag. */
  value?: CompletionValues;
}

/** A subcommand as completion sees it. */
export interface CompletionCommand {
  name: string;
  summary: string;
  flags: CompletionFlag[];
  /** What its positional argument takes (one at most). */
  positional: CompletionValues;
  /** Whether it runs a command given after `--` (exec). */
  runsCommand: boolean;
}

/** Everything a script needs. */
export interface CompletionSpec {
  /** The executable's name, `awsmfa`. */
  program: string;
  commands: CompletionCommand[];
  /** The subcommand run when the first word is not one (login). */
  defaultCommand: string;
}

/** The subcommand's description as completion needs it, from its usage line and flag specs. */
export function completionCommand(
  name: string,
  summary: string,
  command: { usage: string; flags: FlagSpecs },
): CompletionCommand {
  const usage = command.usage.split("\n")[0];
  const flags: CompletionFlag[] = Object.entries(command.flags).filter(([, spec]) => spec.help)
    .map(([flag, spec]) => ({
      name: flag,
      short: spec.short,
      help: spec.help,
      // A value that may be left out is never the next word: complete the flag alone.
      value: spec.type === "boolean" || spec.optionalValue ? undefined : flagValues(flag, usage),
    }));
  const words = usage.replace(/(?<=^|[\s[])--?[\w-]+(?: [^\s\]]+)?\]?/g, " ").split(/\s+/)
    .map((word) => word.replace(/[[\]]/g, ""))
    .filter((word) => word !== "" && word !== name && word !== "flags" && !word.includes("..."));
  const first = words.find((word) => /^[A-Z]+$/.test(word) || word.includes("|"));
  let positional: CompletionValues = { kind: "none" };
  if (first === "PROFILE") positional = { kind: "profile" };
  else if (first?.includes("|")) positional = { kind: "choices", choices: first.split("|") };
  return { name, summary, flags, positional, runsCommand: /\s--\s/.test(usage) };
}

function flagValues(flag: string, usage: string): CompletionValues {
  if (/(^|-)profile$/.test(flag)) return { kind: "profile" };
  const match = new RegExp(`--${flag}[ =]([\\w-]+(?:\\|[\\w-]+)+)`).exec(usage);
  return match ? { kind: "choices", choices: match[1].split("|") } : { kind: "none" };
}

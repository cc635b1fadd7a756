/**
 * What a subcommand is, as the dispatcher (cli/main.ts) sees it: its help
 * and flags, and the function that runs it. Types only, so a command that
 * imports them loads nothing.
 *
 * @module
 */
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import type { Context } from "../core/context.ts";

/** What a subcommand module exports as `command`. */
export interface Command {
  /** The usage line(s) after `awsmfa `, e.g. `login [PROFILE] [flags]`. */
  usage: string;
  /** What the command does, in a paragraph. */
  description: string;
  /** Its flags (the global ones are added by the dispatcher). */
  flags: FlagSpecs;
  /**
   * Whether the words after `--` are a command line of their own (exec's),
   * handed over in `args.rest`; otherwise they are positionals.
   */
  takesCommandLine?: boolean;
  /** Worked examples, one per line, each with a `# comment` if useful. */
  examples: string[];
  /** Runs the command; resolves to the exit code. Throws AwsmfaError on failure. */
  run(args: ParsedArgs, context: Context, options: RunOptions): Promise<number>;
}

/** What the dispatcher hands every command besides its flags and the context. */
export interface RunOptions {
  /** The table of commands (completions lists them: a command imports no other). */
  commands: CommandTable;
}

/** One line of the table: the command's summary, and its module, loaded when used. */
export interface CommandEntry {
  /** One line for the main help. */
  summary: string;
  /** Imports the command's module. */
  load: () => Promise<{ command: Command }>;
}

/** The commands by name. */
export type CommandTable = Record<string, CommandEntry>;

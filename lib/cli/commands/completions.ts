/**
 * `awsmfa completions bash|zsh|fish|powershell`: prints the shell's
 * completion script. The scripts call back `awsmfa completions
 * --list-profiles` (hidden) for profile names: that path only reads the
 * files.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import { loadIni, locateFiles } from "../../aws/shared_files.ts";
import { targetOf } from "../../aws/profile_names.ts";
import type { Command, RunOptions } from "../command.ts";
import {
  COMPLETION_SHELLS,
  completionCommand,
  type CompletionShell,
} from "../output/completion_spec.ts";
import type { Context } from "../../core/context.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import type { IniDocument } from "../../ini/mod.ts";
import { readFileIfExists } from "../../files/safe_file.ts";

/** The completions command. */
export const command: Command = {
  usage: "completions bash|zsh|fish|powershell",
  description: `Prints the completion script for your shell: subcommands, flags, flag values and the
profile names found in your credentials file.`,
  flags: {
    "list-profiles": { type: "boolean" },
  },
  examples: [
    `eval "$(awsmfa completions bash)"                    # in ~/.bashrc`,
    'awsmfa completions zsh > "${fpath[1]}/_awsmfa"       # zsh, then restart it',
    "awsmfa completions fish > ~/.config/fish/completions/awsmfa.fish",
    "awsmfa completions powershell | Out-String | Invoke-Expression   # in $PROFILE",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context, options: RunOptions): Promise<number> {
  if (args.flags["list-profiles"]) {
    for (const name of await listProfiles(context)) context.stdout(name + "\n");
    return ExitCode.Ok;
  }
  const shell = args.positionals[0];
  if (args.positionals.length !== 1 || !isShell(shell)) {
    throw new UsageError(
      shell === undefined
        ? "No shell given to write completions for."
        : `Cannot write completions for '${args.positionals.join(" ")}'.`,
      { fix: `Give one of: ${COMPLETION_SHELLS.join(", ")}, e.g. awsmfa completions bash.` },
    );
  }
  const commands = await Promise.all(
    Object.entries(options.commands).map(async ([name, entry]) =>
      completionCommand(name, entry.summary, (await entry.load()).command)
    ),
  );
  // The scripts load only to print one: a shell asking for --list-profiles does not need them.
  const { completionScript } = await import("../output/completion_scripts.ts");
  context.stdout(completionScript({ program: "awsmfa", commands, defaultCommand: "login" }, shell));
  return ExitCode.Ok;
}

function isShell(text: string | undefined): text is CompletionShell {
  return (COMPLETION_SHELLS as readonly string[]).includes(text ?? "");
}

/**
 * The profiles awsmfa can refresh, from the credentials file: `george` for
 * each `[georgemfa]` with keys, and each section holding a session. Nothing
 * (rather than an error) when the file is missing or unreadable.
 */
export async function listProfiles(context: Context): Promise<string[]> {
  let doc: IniDocument;
  try {
    const files = locateFiles(context);
    doc = loadIni(await readFileIfExists(files.credentials), files.credentials);
  } catch {
    return [];
  }
  return profilesIn(doc);
}

/** The profile names of {@link listProfiles} in `doc`, sorted, without duplicates. */
export function profilesIn(doc: IniDocument): string[] {
  const names = new Set<string>();
  const has = (section: string, key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" && value !== "";
  };
  for (const section of doc.sections()) {
    if (/\s/.test(section)) continue;
    const target = targetOf(section);
    if (target !== undefined && has(section, "aws_access_key_id")) {
      names.add(target);
    } else if (has(section, "aws_session_token")) {
      names.add(section);
    }
  }
  return [...names].sort();
}

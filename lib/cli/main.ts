/**
 * The command line: picks the subcommand, parses its flags, prints help and
 * the version, runs the command and maps its outcome to an exit code. The
 * one place that prints errors.
 *
 * @module
 */
import { type FlagSpecs, formatFlags, parseArgs } from "./args.ts";
import type { Command } from "./command.ts";
import { type Context, realContext } from "../core/context.ts";
import { ExitCode, exitCodeOf, formatError } from "../core/errors.ts";
import { COMMANDS } from "./registry.ts";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagSpecs = {
  help: { type: "boolean", short: "h", help: "Show this help" },
  verbose: { type: "boolean", short: "v", help: "Explain each step on stderr (secrets redacted)" },
};

const EXIT_CODES = `Exit codes:
  0    success (for 'status PROFILE': the session is valid)
  1    failure (for 'status PROFILE': no valid session)
  2    usage: unknown flag, bad value, no code given
  3    file: missing section or key, a file the AWS CLI would reject, cannot write
  4    authentication: wrong or reused code, wrong MFA device, invalid keys
  5    network: AWS unreachable, timed out, throttled or failing
  130  cancelled (Ctrl-C); nothing was written`;

/** Runs the program for `argv` and resolves to the process exit code. */
export async function run(argv: readonly string[], context?: Context): Promise<number> {
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  const ctx = context ?? realContext({ verbose });
  try {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      if (argv[0] === "help" && argv[1] && Object.hasOwn(COMMANDS, argv[1])) {
        ctx.stdout(commandHelp((await COMMANDS[argv[1]].load()).command));
      } else {
        ctx.stdout(mainHelp());
      }
      return ExitCode.Ok;
    }
    if (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version") {
      ctx.stdout((await import("../core/version.ts")).versionText() + "\n");
      return ExitCode.Ok;
    }
    const named = Object.hasOwn(COMMANDS, argv[0]);
    const name = named ? argv[0] : "login";
    const { command } = await COMMANDS[name].load();
    const specs = { ...command.flags, ...GLOBAL_FLAGS };
    const args = parseArgs(named ? argv.slice(1) : argv, specs, {
      command: name,
      rest: command.takesCommandLine === true,
    });
    if (args.flags.help) {
      ctx.stdout(commandHelp(command));
      return ExitCode.Ok;
    }
    return await command.run(args, ctx, { commands: COMMANDS });
  } catch (error) {
    ctx.stderr(formatError(error, { verbose: ctx.verbose }) + "\n");
    return exitCodeOf(error);
  }
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  const commands = Object.entries(COMMANDS)
    .map(([name, { summary }]) => `  ${name.padEnd(width)}${summary}`)
    .join("\n");
  return `awsmfa: MFA session credentials for the AWS CLI, SDKs and Terraform.

Reads long-term keys and mfa_serial from [PROFILEmfa] in ~/.aws/credentials,
asks for your MFA code, and writes a session into [PROFILE], changing nothing
else in the file.

Usage:
  awsmfa [PROFILE] [flags]          same as 'awsmfa login [PROFILE]'
  awsmfa COMMAND [ARGS] [flags]

Commands:
${commands}

Flags:
${formatFlags(GLOBAL_FLAGS)}
  -V, --version  Print the version

Examples:
  awsmfa george                     # ask for the code, refresh [george]
  awsmfa george --code 123456       # no prompt
  aws s3 ls --profile george        # then use the profile as usual

Run 'awsmfa COMMAND --help' for a command's flags and examples.

${EXIT_CODES}
`;
}

function commandHelp(command: Command): string {
  const usage = command.usage.split("\n").map((line) => `  awsmfa ${line}`).join("\n");
  const examples = command.examples.map((line) => `  ${line}`).join("\n");
  return `Usage:
${usage}

${command.description}

Flags:
${formatFlags({ ...command.flags, ...GLOBAL_FLAGS })}

Examples:
${examples}

${EXIT_CODES}
`;
}

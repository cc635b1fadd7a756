/**
 * The command line: picks the subcommand, parses its flags, prints help and
 * the version, runs the command and maps its outcome to an exit code. The
 * one place that prints errors.
 *
 * @module
 */
import { type FlagSpecs, formatFlags, parseArgs, type ParsedArgs } from "./args.ts";
import { type Context, realContext } from "./core/context.ts";
import { ExitCode, exitCodeOf, formatError } from "./core/errors.ts";

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
  run(args: ParsedArgs, context: Context): Promise<number>;
}

/** The subcommands, loaded only when used so each starts as fast as it can. */
export const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ command: Command }> }
> = {
  login: {
    summary: "Get an MFA session for a profile and write it to the credentials file",
    load: () => import("./commands/login.ts"),
  },
  status: {
    summary: "Show the MFA profiles and their sessions (no network)",
    load: () => import("./commands/status.ts"),
  },
  setup: {
    summary: "Move long-term keys into [PROFILEmfa], find the MFA device, log in",
    load: () => import("./commands/setup.ts"),
  },
  clear: {
    summary: "Remove the session awsmfa wrote into a profile (or --all)",
    load: () => import("./commands/clear.ts"),
  },
  doctor: {
    summary: "Check the files, keys, MFA device, environment and clock; say what to fix",
    load: () => import("./commands/doctor.ts"),
  },
  "credential-process": {
    summary: "Print the session as credential_process JSON for the AWS CLI and SDKs",
    load: () => import("./commands/credential_process.ts"),
  },
  env: {
    summary: "Print the session as environment variables for your shell",
    load: () => import("./commands/env.ts"),
  },
  exec: {
    summary: "Run a command with the session in its environment",
    load: () => import("./commands/exec.ts"),
  },
  policy: {
    summary: "Print the IAM policy that enforces MFA",
    load: () => import("./commands/policy.ts"),
  },
  completions: {
    summary: "Print the completion script for bash, zsh, fish or PowerShell",
    load: () => import("./commands/completions.ts"),
  },
};

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
      ctx.stdout((await import("./core/version.ts")).versionText() + "\n");
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
    return await command.run(args, ctx);
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

/**
 * `awsmfa env PROFILE [--format FORMAT]`: the session as environment
 * variables, quoted for the shell that evaluates them.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { refreshSession } from "../../session/refresh.ts";
import { SESSION_FLAGS, sessionRequest } from "../session_flags.ts";
import {
  ENV_FORMATS,
  type EnvFormat,
  formatVariables,
  isEnvFormat,
  sessionVariables,
} from "../output/env_format.ts";

/** The env command. */
export const command: Command = {
  usage: "env [PROFILE] [--format sh|fish|powershell|cmd|dotenv|json] [flags]",
  description: `Prints AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION for the session of [PROFILE], refreshing it first when it has
less than 15 minutes left (the code prompt appears on your terminal). The values are
quoted for the shell given by --format (default sh, for sh, bash and zsh). These
variables take precedence over profiles, except in SDKs that prefer AWS_PROFILE when it
is set (the JavaScript SDK): unset it.

PROFILE defaults to $AWS_PROFILE, then 'default'.`,
  flags: {
    format: {
      type: "string",
      value: "FORMAT",
      help: `Output for: ${ENV_FORMATS.join(", ")} (default sh)`,
    },
    ...SESSION_FLAGS,
  },
  examples: [
    'eval "$(awsmfa env george)"                       # bash, zsh, sh',
    "awsmfa env george --format fish | source          # fish",
    "awsmfa env george --format powershell | Invoke-Expression",
    "awsmfa env george --format dotenv > .env          # docker --env-file, compose",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const format = chooseFormat(args.flags.format as string | undefined);
  const request = sessionRequest(args, context, { command: "env", profileOptional: true });
  const outcome = await refreshSession(request, context);
  const text = formatVariables(sessionVariables(outcome.session), format);
  if (context.env("AWS_PROFILE") !== undefined && format !== "json" && format !== "dotenv") {
    context.stderr(
      "awsmfa: note: AWS_PROFILE is set; some SDKs (JavaScript) then ignore these variables.\n" +
        "  Unset it in the shell that uses them.\n",
    );
  }
  context.stdout(text);
  return ExitCode.Ok;
}

function chooseFormat(value: string | undefined): EnvFormat {
  if (value === undefined) return "sh";
  const lower = value.toLowerCase();
  const alias: Record<string, EnvFormat> = {
    bash: "sh",
    zsh: "sh",
    pwsh: "powershell",
    ps: "powershell",
  };
  const format = alias[lower] ?? lower;
  if (!isEnvFormat(format)) {
    throw new UsageError(`--format '${value}' is not a format awsmfa env knows.`, {
      fix: `Use one of: ${ENV_FORMATS.join(", ")}.`,
    });
  }
  return format;
}

/**
 * `awsmfa exec PROFILE -- COMMAND [ARGS...]`: runs a command with the
 * session in its environment (the secrets never on its command line), or,
 * with `--server`, served to it by a local credentials server that renews
 * it (lib/session/credential_server/); forwards signals to it and exits with its
 * exit code.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import { findProgram } from "../../terminal/child.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { formatError, UsageError } from "../../core/errors.ts";
import { refreshSession } from "../../session/refresh.ts";
import { SESSION_FLAGS, sessionRequest } from "../session_flags.ts";
import type { FlagSpecs } from "../args.ts";
import { sessionVariables } from "../output/env_format.ts";

/** The exec command. */
export const command: Command = {
  usage: "exec [PROFILE] [flags] -- COMMAND [ARGS...]",
  description: `Runs COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION set to the session of [PROFILE] (refreshed first when it has
less than 15 minutes left) and AWS_PROFILE and AWS_DEFAULT_PROFILE unset, so that nothing
overrides them. SIGTERM and SIGHUP (and SIGINT when not typed at the terminal, which
sends it to COMMAND itself) are passed on to COMMAND; awsmfa exits with its exit code,
or 128 + the signal's number when a signal ended it.

With --server, COMMAND gets no keys at all: awsmfa serves the session on 127.0.0.1 (the
container-credentials protocol every AWS SDK and the AWS CLI speak) and gives COMMAND only
AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN (a fresh random
token). While COMMAND runs, awsmfa renews the session 15 minutes before it expires (or
--min-remaining, if longer) as login does: mfa_process or --code-command, else the prompt
on the terminal. The server stops when COMMAND exits.

PROFILE defaults to $AWS_PROFILE, then 'default'.`,
  flags: {
    ...SESSION_FLAGS,
    server: {
      type: "boolean",
      help: "Serve the session to COMMAND on 127.0.0.1 and renew it, instead of env variables",
    },
  } satisfies FlagSpecs,
  takesCommandLine: true,
  examples: [
    "awsmfa exec george -- aws s3 ls",
    "awsmfa exec george -- terraform apply",
    "awsmfa exec george --code 123456 -- ./deploy.sh --prod",
    "awsmfa exec george --server -- terraform apply",
  ],
  run,
};

/** The variables removed from the command's environment: they would select a profile. */
const PROFILE_VARIABLES = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/** 127, as shells answer a command they cannot find. */
const NOT_FOUND_EXIT = 127;
/** 126, as shells answer a command they cannot run. */
const CANNOT_RUN_EXIT = 126;

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const argv = args.rest ?? [];
  if (argv.length === 0) {
    const given = args.positionals.slice(1).join(" ");
    throw new UsageError(
      args.rest === undefined
        ? "No command to run: exec runs the words after '--'."
        : "No command to run after '--'.",
      {
        fix: `Put the command after '--': awsmfa exec ${args.positionals[0] ?? "george"} -- ${
          given || "aws s3 ls"
        }`,
      },
    );
  }
  const request = sessionRequest(args, context, { command: "exec", profileOptional: true });
  const outcome = await refreshSession(request, context);
  if (args.flags.server === true) {
    const { runWithServer } = await import("../../session/credential_server/exec_server.ts");
    return await runWithServer({
      request,
      outcome,
      runCommand: (env) => runCommand(argv, env, context),
    }, context);
  }
  return await runCommand(argv, childEnvironment(context.environment(), outcome.session), context);
}

/** The environment of the command: ours without the profile selectors, plus the session. */
export function childEnvironment(
  current: Record<string, string>,
  session: Parameters<typeof sessionVariables>[0],
): Record<string, string> {
  const env = { ...current };
  for (const name of PROFILE_VARIABLES) delete env[name];
  for (const [name, value] of sessionVariables(session)) env[name] = value;
  return env;
}

async function runCommand(
  argv: string[],
  env: Record<string, string>,
  context: Context,
): Promise<number> {
  const [program, ...programArgs] = argv;
  // The listeners go in before the command starts: a signal that arrives
  // before Deno has its handler in place would end awsmfa by default.
  let child: Deno.ChildProcess | undefined;
  const forwarded: Deno.Signal[] = Deno.build.os === "windows" ? [] : ["SIGTERM", "SIGHUP"];
  // Ctrl-C at the terminal reaches the whole foreground process group, the
  // command included; passing it on would deliver it twice (a second SIGINT
  // makes terraform, for one, stop at once instead of cleanly). awsmfa only
  // has to outlive it, so that it exits with the command's code.
  const atTerminal = context.stdinIsTerminal;
  if (Deno.build.os !== "windows") forwarded.push("SIGINT");
  const handlers = forwarded.map((signal) => {
    const handler = () => {
      if (signal === "SIGINT" && atTerminal) return;
      try {
        child?.kill(signal);
      } catch { /* it has exited meanwhile */ }
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  const removeHandlers = () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  };
  try {
    // Windows spells variable names in any case (Path); look them up as it does.
    const variable = (name: string) =>
      Object.entries(env).find(([key]) => key.toUpperCase() === name)?.[1];
    child = new Deno.Command(findProgram(program, { env: variable }), {
      args: programArgs,
      env,
      clearEnv: true,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    removeHandlers();
    const notFound = error instanceof Deno.errors.NotFound;
    context.stderr(
      formatError(
        new UsageError(
          notFound
            ? `Cannot run '${program}': no such command.`
            : `Cannot run '${program}': ${(error as Error).message}`,
          {
            fix: notFound
              ? "Check its spelling, or give its full path."
              : "Check that it is an executable file you may run.",
          },
        ),
      ) + "\n",
    );
    return notFound ? NOT_FOUND_EXIT : CANNOT_RUN_EXIT;
  }
  try {
    return (await child.status).code;
  } finally {
    removeHandlers();
  }
}

/**
 * `awsmfa credential-process PROFILE`: the JSON an AWS SDK or the AWS CLI
 * reads from a `credential_process` command. Uses the stored session while
 * it is valid; otherwise asks for the code on the terminal (never on stdout,
 * which the SDK reads), refreshes and stores the session as `login` does.
 * Runs started together ask once: they queue on the file's lock.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { formatRfc3339 } from "../../core/durations.ts";
import { ExitCode } from "../../core/errors.ts";
import type { SessionCredentials } from "../../aws/stored_session.ts";
import { refreshSession } from "../../session/refresh.ts";
import { SESSION_FLAGS, sessionRequest } from "../session_flags.ts";

/** The credential-process command. */
export const command: Command = {
  usage: "credential-process PROFILE [flags]",
  description:
    `Prints the session of [PROFILE] as the JSON that the AWS CLI and every AWS SDK read from
a credential_process command, refreshing it first when it has less than 15 minutes left
(the code prompt appears on your terminal, not on stdout). Stdout carries only the JSON;
messages go to stderr. Several runs at once ask for one code: the others wait and reuse
the new session.

Use it from a profile in ~/.aws/config whose name is not a section of the credentials
file (the credentials file wins over credential_process):

  [profile george-auto]
  credential_process = awsmfa credential-process george`,
  flags: SESSION_FLAGS,
  examples: [
    "aws s3 ls --profile george-auto      # with the profile above",
    "awsmfa credential-process george --code 123456",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const request = sessionRequest(args, context, { command: "credential-process" });
  const outcome = await refreshSession({ ...request, lockBeforeCode: true }, context);
  context.stdout(credentialProcessJson(outcome.session) + "\n");
  return ExitCode.Ok;
}

/** The `credential_process` output for `session` (Version 1). */
export function credentialProcessJson(session: SessionCredentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    SessionToken: session.sessionToken,
    Expiration: formatRfc3339(session.expiration),
  });
}

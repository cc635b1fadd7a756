/**
 * `awsmfa login [PROFILE]` (also plain `awsmfa PROFILE`): get an MFA session
 * and write it into the profile, or say it is still valid.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { ExitCode } from "../../core/errors.ts";
import { refreshSession } from "../../session/refresh.ts";
import { describeOutcome } from "../output/outcome.ts";
import { SESSION_FLAGS, sessionRequest } from "../session_flags.ts";
import type { ParsedArgs } from "../args.ts";
import type { Context } from "../../core/context.ts";

/** The login command. */
export const command: Command = {
  usage: "[login] [PROFILE] [flags]",
  description:
    `Reads the long-term keys and mfa_serial from [PROFILEmfa] in the credentials file, asks for
the code your MFA device shows, calls STS GetSessionToken and writes the session into
[PROFILE] (aws_access_key_id, aws_secret_access_key, aws_session_token and
aws_credential_expiration). Nothing else in the file changes. While [PROFILE] holds a
session valid for more than 15 minutes, it says so and asks for nothing.

PROFILE defaults to $AWS_PROFILE, then 'default'.`,
  flags: {
    profile: { type: "string", value: "NAME", help: "The profile to refresh (or give it first)" },
    ...SESSION_FLAGS,
    code: {
      type: "string",
      short: "c",
      value: "CODE",
      help: "The 6-digit MFA code; '-' reads one line from stdin",
    },
    duration: {
      type: "string",
      short: "d",
      value: "TIME",
      help: "Session length: seconds or 12h, 90m (default 12h, up to 36h; role: 1h, up to 12h)",
    },
    "min-remaining": {
      type: "string",
      value: "TIME",
      help: "Renew when the session has less than this left (default 15m)",
    },
    force: { type: "boolean", short: "f", help: "Renew even if the session is still valid" },
  },
  examples: [
    "awsmfa george                          # prompt for the code, refresh [george]",
    "awsmfa george --code 123456            # no prompt",
    "ykman oath accounts code -s aws | awsmfa george --code -",
    "awsmfa george --duration 4h --force    # a new 4-hour session now",
    "awsmfa --profile prod --source-profile prod-long-term",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const request = sessionRequest(args, context, { command: "login", profileOptional: true });
  const { profile } = request;
  const outcome = await refreshSession(request, context);
  context.stdout(describeOutcome(profile, outcome, { now: context.now() }) + "\n");
  return ExitCode.Ok;
}

/**
 * The flags of every command that needs a session (`login`, and
 * `credential-process`, `env`, `exec`, which hand it to another program):
 * where the keys and the code come from, turned into a {@link RefreshRequest}.
 *
 * @module
 */
import { type FlagSpecs, type ParsedArgs, singlePositional } from "./args.ts";
import type { Context } from "../core/context.ts";
import { parseDuration } from "../core/durations.ts";
import { UsageError } from "../core/errors.ts";
import { REFRESH_MARGIN_SECONDS } from "../aws/limits.ts";
import type { RefreshRequest } from "../session/refresh.ts";

/** The flags shared by the commands that print or pass on a session. */
export const SESSION_FLAGS: FlagSpecs = {
  "source-profile": {
    type: "string",
    value: "NAME",
    help: "The section with the long-term keys (default: PROFILEmfa)",
  },
  code: {
    type: "string",
    short: "c",
    value: "CODE",
    help: "The 6-digit MFA code, used only when a refresh is needed",
  },
  "code-command": {
    type: "string",
    value: "CMD",
    help: "A command that prints the code (e.g. ykman oath accounts code -s aws)",
  },
  duration: {
    type: "string",
    short: "d",
    value: "TIME",
    help: "Length of a new session: seconds or 12h, 90m (default 12h; 1h with a role)",
  },
  region: { type: "string", value: "REGION", help: "The STS region (default: from the profile)" },
  "role-arn": {
    type: "string",
    value: "ARN",
    help: "Assume this role with MFA instead of GetSessionToken",
  },
  "min-remaining": {
    type: "string",
    value: "TIME",
    help: "Refresh when the session has less than this left (default 15m)",
  },
};

/** Options for {@link sessionRequest}. */
export interface SessionRequestOptions {
  /** The command's name, for messages. */
  command: string;
  /** Whether PROFILE may be left out (then $AWS_PROFILE, then `default`). */
  profileOptional?: boolean;
}

/**
 * The refresh request for `awsmfa COMMAND PROFILE [flags]`. Throws
 * {@link UsageError} for a missing or second profile.
 */
export function sessionRequest(
  args: ParsedArgs,
  context: Context,
  options: SessionRequestOptions,
): RefreshRequest {
  const flags = args.flags as Record<string, string | undefined>;
  let profile = singlePositional(args, `${options.command} [PROFILE] [flags]`);
  const flagged = flags.profile;
  if (profile !== undefined && flagged !== undefined && profile !== flagged) {
    throw new UsageError(`Two profiles given: '${profile}' and --profile '${flagged}'.`);
  }
  profile ??= flagged;
  if (profile === undefined && options.profileOptional) {
    profile = context.env("AWS_PROFILE") ?? "default";
  }
  if (profile === undefined) {
    throw new UsageError(`No profile given to ${options.command}.`, {
      fix: `Name it: awsmfa ${options.command} george (the section awsmfa writes the session to).`,
    });
  }
  return {
    profile,
    sourceSection: flags["source-profile"],
    code: flags.code,
    codeCommand: flags["code-command"],
    durationSeconds: durationFlag(flags.duration, "--duration"),
    minRemainingSeconds: durationFlag(flags["min-remaining"], "--min-remaining") ??
      REFRESH_MARGIN_SECONDS,
    region: flags.region,
    roleArn: flags["role-arn"],
    force: args.flags.force === true,
  };
}

/** Parses a duration flag, with a usage error naming the flag. */
export function durationFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    throw new UsageError(`${flag} '${value}' is not a duration.`, {
      fix: "Give seconds (3600) or a span such as 12h, 90m or 1h30m.",
    });
  }
  return seconds;
}

/**
 * `awsmfa policy [--max-age 4h]`: prints the IAM policy that enforces MFA.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { formatSpan, parseDuration } from "../../core/durations.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { formatPolicy, mfaPolicy } from "../../aws/mfa_policy.ts";
import { MFA_MAX_AGE_SECONDS } from "../../aws/limits.ts";

/** The policy command. */
export const command: Command = {
  usage: "policy [--max-age TIME] [--allow-assume-role]",
  description:
    `Prints an IAM policy (JSON) that enforces MFA for the users or groups it is attached to:
with their long-term keys alone they can do nothing but iam:ListMFADevices and
sts:GetSessionToken (what awsmfa needs to get a session), and a session whose MFA is
older than --max-age is refused too: by the age of its MFA, not by its expiry, so keep
--duration (or duration_seconds) at most the same age. Attach it alongside the policies
that grant access.`,
  flags: {
    "max-age": {
      type: "string",
      value: "TIME",
      help: "Refuse MFA sessions older than this: seconds or 4h, 90m (default 4h)",
    },
    "allow-assume-role": {
      type: "boolean",
      help: "Also allow sts:AssumeRole with the long-term keys (for --role-arn)",
    },
  },
  examples: [
    "awsmfa policy --max-age 4h > mfa.json",
    "aws iam create-policy --policy-name RequireMFA --policy-document file://mfa.json",
    "aws iam attach-group-policy --group-name developers --policy-arn POLICY_ARN",
  ],
  run,
};

function run(args: ParsedArgs, context: Context): Promise<number> {
  if (args.positionals.length > 0) {
    throw new UsageError(`Policy takes no arguments (got '${args.positionals[0]}').`, {
      fix: "Give the age as a flag: awsmfa policy --max-age 4h",
    });
  }
  const maxAgeSeconds = parseMaxAge(args.flags["max-age"] as string | undefined);
  const policy = mfaPolicy({
    maxAgeSeconds,
    allowAssumeRole: args.flags["allow-assume-role"] === true,
  });
  context.stdout(formatPolicy(policy));
  return Promise.resolve(ExitCode.Ok);
}

/** Parses `--max-age` (`4h`, `14400`, `90m`) within {@link MFA_MAX_AGE_SECONDS}. */
export function parseMaxAge(value: string | undefined): number {
  if (value === undefined) return MFA_MAX_AGE_SECONDS.default;
  const seconds = parseDuration(value);
  const { min, max } = MFA_MAX_AGE_SECONDS;
  if (seconds === undefined) {
    throw new UsageError(`--max-age '${value}' is not a duration.`, {
      fix: "Give seconds (14400) or a span such as 4h, 90m or 1h30m.",
    });
  }
  if (seconds < min || seconds > max) {
    throw new UsageError(
      `--max-age is ${formatSpan(seconds)} (${seconds} s); an MFA session lasts ${
        formatSpan(min)
      } to ${formatSpan(max)}.`,
      { fix: `Use a value from ${min} (${min / 60}m) to ${max} (${max / 3600}h).` },
    );
  }
  return seconds;
}

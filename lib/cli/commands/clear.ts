/**
 * `awsmfa clear PROFILE` / `awsmfa clear --all`: removes the session keys
 * awsmfa wrote (and only them), and the section when nothing else is left
 * in it. Long-term keys are never touched.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import { checkProfileName } from "../../aws/shared_files.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { type ClearOutcome, type ClearResult, clearSessions } from "../../session/clear_session.ts";

/** The clear command. */
export const command: Command = {
  usage: "clear PROFILE\nclear --all",
  description:
    `Removes the MFA session from [PROFILE] in the credentials file: the keys awsmfa writes
(aws_access_key_id, aws_secret_access_key, aws_session_token and
aws_credential_expiration), and the section itself when nothing else is left in it.
Other keys and comments stay. Long-term keys (AKIA… without a session token) are
never removed. With --all, clears the session of every MFA profile (each [NAMEmfa]
section's [NAME]). The file is written once.`,
  flags: {
    all: { type: "boolean", help: "Clear the session of every MFA profile" },
  },
  examples: [
    "awsmfa clear george        # sign george out of its MFA session",
    "awsmfa clear --all         # before lending the laptop",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const all = args.flags.all === true;
  if (all && args.positionals.length > 0) {
    throw new UsageError("Give a profile or --all, not both.", {
      fix: "awsmfa clear PROFILE, or awsmfa clear --all.",
    });
  }
  if (!all && args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0
        ? "Which profile? Give its name, or --all for every MFA profile."
        : `Too many arguments: ${args.positionals.slice(1).join(" ")}.`,
      { fix: "awsmfa clear PROFILE, or awsmfa clear --all." },
    );
  }
  const profile = all ? undefined : checkProfileName(args.positionals[0]);
  const result = await clearSessions(profile, context);
  for (const line of describeClear(profile, result)) {
    if (line.stderr) context.stderr(line.text);
    else context.stdout(line.text);
  }
  return ExitCode.Ok;
}

/** What `clear` tells: a line per profile (stdout) or skipped profile (stderr). */
function describeClear(
  profile: string | undefined,
  { path, outcomes }: ClearResult,
): { text: string; stderr?: boolean }[] {
  if (profile !== undefined && (outcomes.length === 0 || outcomes[0][1] === "nothing")) {
    return [{ text: `Profile ${profile} has no session; nothing to clear.\n` }];
  }
  const lines: { text: string; stderr?: boolean }[] = [];
  const changed = (outcome: ClearOutcome) => outcome === "cleared" || outcome === "removed-section";
  if (profile === undefined && !outcomes.some(([, outcome]) => changed(outcome))) {
    lines.push({
      text: outcomes.length === 0 ? `No MFA profiles in ${path}.\n` : "No MFA session to clear.\n",
    });
  }
  for (const [name, outcome] of outcomes) {
    switch (outcome) {
      case "cleared":
        lines.push({ text: `Cleared the session of ${name}.\n` });
        break;
      case "removed-section":
        lines.push({ text: `Cleared the session of ${name} (and the then empty [${name}]).\n` });
        break;
      case "long-term":
        lines.push({
          text: `awsmfa: skipped ${name}: [${name}] holds long-term keys, which clear never ` +
            "removes.\n",
          stderr: true,
        });
        break;
      case "foreign":
        lines.push({
          text: `awsmfa: skipped ${name}: [${name}] holds a session awsmfa did not write.\n`,
          stderr: true,
        });
        break;
    }
  }
  return lines;
}

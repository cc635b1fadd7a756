/**
 * `awsmfa setup PROFILE`: onboarding in one command. Finds the MFA device
 * with `iam:ListMFADevices`, then moves the long-term keys from `[PROFILE]`
 * into `[PROFILEmfa]` and saves `mfa_serial` in one write
 * (`setup_flow.ts`), then logs in.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import { checkProfileName } from "../../aws/shared_files.ts";
import { sourceSectionOf, targetOf } from "../../aws/profile_names.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { ExitCode, UsageError } from "../../core/errors.ts";
import { setUpAndLogIn, type SetupResult } from "../../session/setup_flow.ts";
import { shortKeyId } from "../../aws/access_keys.ts";
import { durationFlag } from "../session_flags.ts";
import { describeOutcome } from "../output/outcome.ts";

/** The setup command. */
export const command: Command = {
  usage: "setup PROFILE [--serial ARN] [--duration TIME] [--keystore[=NAME]] [flags]",
  description: `Sets PROFILE up for MFA sessions, for a user whose long-term keys are in [PROFILE]:

  1. finds your MFA device with iam:ListMFADevices (allowed without MFA by the
     usual MFA policy): one device is used, several are offered in a menu (or
     pass --serial); U2F/FIDO security keys cannot be used from the CLI;
  2. moves aws_access_key_id and aws_secret_access_key (and mfa_serial) from
     [PROFILE] into [PROFILEmfa] and saves mfa_serial (and duration_seconds with
     --duration) there, in one safe write: comments and other keys stay where
     they are. When a step up to here fails, the file is not changed at all;
  3. with --keystore, moves the keys from [PROFILEmfa] into a keystore as 'awsmfa
     keys store' does (at a terminal it asks, when your OS's keystore answers);
  4. logs in, asking for the code, and writes the session into [PROFILE].

Running it again is safe: steps already done are skipped.`,
  flags: {
    serial: {
      type: "string",
      value: "ARN",
      help: "The MFA device to use (when you have several, or no terminal)",
    },
    duration: {
      type: "string",
      short: "d",
      value: "TIME",
      help: "Session length to save as duration_seconds: seconds or 12h, 90m",
    },
    region: { type: "string", value: "REGION", help: "The region (default: from the profile)" },
    keystore: {
      type: "string",
      value: "NAME",
      optionalValue: true,
      help: "Then move the keys into a keystore (default: your OS's, else file)",
    },
    code: {
      type: "string",
      short: "c",
      value: "CODE",
      help: "The 6-digit MFA code for the login; '-' reads one line from stdin",
    },
    "code-command": {
      type: "string",
      value: "CMD",
      help: "A command that prints the code (e.g. ykman oath accounts code --single aws)",
    },
  },
  examples: [
    "awsmfa setup george                    # move the keys, find the device, log in",
    "awsmfa setup george --serial arn:aws:iam::123456789012:mfa/george-phone",
    "awsmfa setup george --duration 8h      # sessions of 8 hours from now on",
    "awsmfa setup george --keystore         # keys into your OS's keystore, not the file",
    "awsmfa setup george --code-command 'ykman oath accounts code --single aws'",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const flags = args.flags as Record<string, string | undefined>;
  const keystore = args.flags.keystore as string | true | undefined;
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0
        ? "Which profile? Give its name: awsmfa setup PROFILE."
        : `Too many arguments: ${args.positionals.slice(1).join(" ")}.`,
      { fix: "Run 'awsmfa setup --help' for usage." },
    );
  }
  const profile = checkProfileName(args.positionals[0]);
  const target = targetOf(profile);
  if (target !== undefined) {
    context.stderr(
      `awsmfa: note: setting up [${profile}], whose keys go into [${sourceSectionOf(profile)}]; ` +
        `for the profile [${target}], run 'awsmfa setup ${target}'.\n`,
    );
  }
  const request = {
    profile,
    sourceSection: checkProfileName(sourceSectionOf(profile), "Source section"),
    serial: flags.serial,
    durationSeconds: durationFlag(flags.duration, "--duration"),
    regionFlag: flags.region,
    code: flags.code,
    codeCommand: flags["code-command"],
    keystore,
  };
  const outcome = await setUpAndLogIn(request, {
    context,
    onSetUp: (done, files) => context.stdout(describeSetup(request, done, files.credentials)),
  });
  context.stdout(
    describeOutcome(profile, outcome, { now: context.now(), forceHint: false }) + "\n",
  );
  return ExitCode.Ok;
}

/** What setup did to the file: where the keys are, and the MFA device saved. */
function describeSetup(
  request: { profile: string; sourceSection: string; durationSeconds?: number },
  done: SetupResult,
  path: string,
): string {
  const { profile, sourceSection, durationSeconds } = request;
  const key = shortKeyId(done.move.accessKeyId);
  const kept = done.keystore;
  let keys = done.move.kind === "moved"
    ? `Moved the long-term keys (${key}) from [${profile}] into [${sourceSection}] in ${path}.\n`
    : kept && !kept.moved
    ? `[${sourceSection}] keeps the long-term keys (${key}) in the ${kept.backend} keystore.\n`
    : `[${sourceSection}] holds the long-term keys (${key}).\n`;
  if (kept?.moved) {
    keys += `Moved them into the ${kept.backend} keystore; [${sourceSection}] now has ` +
      `awsmfa_keystore = ${kept.backend}.\n`;
  }
  if (!done.serialSaved && durationSeconds === undefined) {
    return keys + `MFA device ${done.serial} (mfa_serial in [${sourceSection}]).\n`;
  }
  return keys +
    `MFA device ${done.serial}: saved as mfa_serial${
      durationSeconds !== undefined ? ` (and duration_seconds = ${durationSeconds})` : ""
    } in [${sourceSection}].\n`;
}

/**
 * `awsmfa status [PROFILE] [--json]`: the sessions of every MFA profile, or
 * of one (with the exit code saying whether it is valid). Reads the
 * credentials file only: no network, no SDK.
 *
 * @module
 */
import { type ParsedArgs, singlePositional } from "../args.ts";
import { checkProfileName, loadIni, loadIniView, locateFiles } from "../../aws/shared_files.ts";
import { sourceSectionOf } from "../../aws/profile_names.ts";
import {
  CHAIN_KEYS,
  type RoleChain,
  roleChains,
  rolesByMfaProfile,
} from "../../aws/chained_profiles.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { AwsmfaError, ExitCode } from "../../core/errors.ts";
import type { IniView } from "../../ini/mod.ts";
import {
  allProfileStatuses,
  isUsable,
  profileStatus,
  STATUS_KEYS,
} from "../../aws/mfa_profiles.ts";
import { readFileIfExists } from "../../files/safe_file.ts";
import { formatStatusLine, formatStatusTable, statusJson } from "../output/status_view.ts";

/** The status command. */
export const command: Command = {
  usage: "status [PROFILE] [--json]",
  description: `Shows every MFA profile (each [NAMEmfa] section of the credentials file and its
[NAME]): the MFA device, whether the session is valid, expiring soon (under 15
minutes left), expired or absent, and when it expires (relative and local time);
when a profile keeps its long-term keys in a keystore ('awsmfa keys store'), a KEYS
column names it (credentials: in the file).
Under each, the role profiles of the config file that draw on its session
(role_arn with source_profile = NAME, or through another such profile).

With PROFILE it prints one line, and the exit code says whether the session is
valid (0) or not (1): for shell prompts and scripts. Reads the file only; it never
calls AWS.`,
  flags: {
    json: { type: "boolean", help: "Print the same as JSON" },
  },
  examples: [
    "awsmfa status                      # the table of every MFA profile",
    "awsmfa status george               # one line; exit 0 when the session is valid",
    "awsmfa status george >/dev/null || awsmfa george",
    "awsmfa status --json | jq -r '.profiles[] | select(.state == \"expired\") | .profile'",
  ],
  run,
};

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const profile = singlePositional(args, "status [PROFILE]");
  const json = args.flags.json === true;
  const files = locateFiles(context);
  const { doc, missing } = await readProfiles(files.credentials);
  const now = context.now();

  if (profile !== undefined) {
    checkProfileName(profile);
    const status = profileStatus(doc, { profile, sourceSection: sourceSectionOf(profile) }, now);
    // The one line (a shell prompt's) reads the credentials file only.
    const roles = json ? await readRoles(doc, files.config, context) : undefined;
    context.stdout(
      json
        ? JSON.stringify(statusJson(status, now, roles?.get(profile)), null, 2) + "\n"
        : formatStatusLine(status, now) + "\n",
    );
    return isUsable(status.state) ? ExitCode.Ok : ExitCode.Failure;
  }

  const statuses = allProfileStatuses(doc, now);
  const roles = statuses.length > 0 ? await readRoles(doc, files.config, context) : undefined;
  if (json) {
    const profiles = statuses.map((status) => statusJson(status, now, roles?.get(status.profile)));
    context.stdout(JSON.stringify({ profiles }, null, 2) + "\n");
    return ExitCode.Ok;
  }
  if (statuses.length === 0) {
    context.stdout(
      `No MFA profiles in ${files.credentials}${missing ? " (there is no such file)" : ""}.\n` +
        "An MFA profile is a [NAMEmfa] section with your long-term keys; " +
        "'awsmfa setup NAME' makes one.\n",
    );
    return ExitCode.Ok;
  }
  const colour = context.stdoutIsTerminal && context.env("NO_COLOR") === undefined &&
    context.env("TERM") !== "dumb";
  context.stdout(formatStatusTable(statuses, { now, colour, roles }));
  return ExitCode.Ok;
}

/**
 * The role profiles drawn from each MFA session. A config file the AWS CLI
 * rejects leaves them out, said once on stderr: the sessions are still shown.
 */
async function readRoles(
  credentials: IniView,
  path: string,
  context: Context,
): Promise<Map<string, RoleChain[]> | undefined> {
  try {
    const config = loadIni(await readFileIfExists(path), path);
    return rolesByMfaProfile(roleChains(credentials, config));
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    context.stderr(
      `awsmfa: warning: ${error.message.replace(/\.?$/, ".")} The role profiles drawing on the ` +
        "sessions are not shown; 'awsmfa doctor' says more.\n",
    );
    return undefined;
  }
}

/** The file's view for the statuses; its bytes are let go on return (50 MB for 50 MB). */
async function readProfiles(path: string): Promise<{ doc: IniView; missing: boolean }> {
  const bytes = await readFileIfExists(path);
  return {
    doc: loadIniView(bytes, path, [...STATUS_KEYS, ...CHAIN_KEYS]),
    missing: bytes === null,
  };
}

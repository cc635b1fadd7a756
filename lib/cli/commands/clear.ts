/**
 * `awsmfa clear PROFILE` / `awsmfa clear --all`: removes the session keys
 * awsmfa wrote (and only them), and the section when nothing else is left
 * in it. Long-term keys are never touched.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import {
  checkProfileName,
  loadIni,
  locateFiles,
  readStoredSession,
  SESSION_KEYS,
} from "../../aws/shared_files.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { ConfigError, ExitCode, UsageError } from "../../core/errors.ts";
import type { IniDocument } from "../../ini/mod.ts";
import { mfaProfiles } from "../../aws/mfa_profiles.ts";
import { readFileIfExists, withFileLock } from "../../files/safe_file.ts";

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

/** What clearing one profile did. */
export type ClearOutcome =
  | "cleared"
  | "removed-section"
  | "nothing"
  | "long-term"
  /** A session of another tool (`aws_security_token` without `aws_session_token`). */
  | "foreign";

/**
 * Clears the session of `profile` in `doc` (pure). Removes only the session
 * keys, and the section when it has no key of its own left.
 */
export function clearSession(doc: IniDocument, profile: string): ClearOutcome {
  const stored = readStoredSession(doc, profile);
  if (stored.kind === "long-term") return "long-term";
  const own = (key: string) => doc.get(profile, key) !== undefined && ownsKey(doc, profile, key);
  if (stored.kind === "none" && !SESSION_KEYS.some(own)) return "nothing";
  if (stored.kind === "session" && !own("aws_session_token")) return "foreign";
  for (const key of SESSION_KEYS) doc.delete(profile, key);
  const left = Object.keys(doc.getSection(profile) ?? {}).filter((key) =>
    ownsKey(doc, profile, key)
  );
  if (left.length > 0) return "cleared";
  doc.removeSection(profile);
  return "removed-section";
}

/** Whether `key` is written in `section` itself (not only inherited from `[DEFAULT]`). */
function ownsKey(doc: IniDocument, section: string, key: string): boolean {
  if (doc.getSection("DEFAULT") === undefined) return doc.get(section, key) !== undefined;
  return doc.copy().delete(section, key);
}

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
  const files = locateFiles(context);
  const path = files.credentials;
  if (await readFileIfExists(path) === null) {
    context.stdout(
      profile !== undefined
        ? `Profile ${profile} has no session; nothing to clear.\n`
        : `No MFA profiles in ${path}.\n`,
    );
    return ExitCode.Ok;
  }
  const results = await withFileLock(path, async (file) => {
    const bytes = await file.read();
    if (bytes === null) return [];
    const doc = loadIni(bytes, path);
    const profiles = profile !== undefined ? [profile] : mfaProfiles(doc).map((ref) => ref.profile);
    const outcomes = profiles.map((name) => [name, clearSession(doc, name)] as const);
    if (profile !== undefined && outcomes[0][1] === "foreign") {
      throw new ConfigError(
        `[${profile}] in ${path} holds a session awsmfa did not write (aws_security_token); ` +
          "clear leaves it alone.",
        { fix: "Remove it with the tool that wrote it, or edit the file." },
      );
    }
    if (profile !== undefined && outcomes[0][1] === "long-term") {
      throw new ConfigError(
        `[${profile}] in ${path} holds long-term keys (AKIA…), not a session; awsmfa does not ` +
          "remove those.",
        {
          fix: `To keep them apart from sessions, run 'awsmfa setup ${profile}'; to delete them, ` +
            "edit the file.",
        },
      );
    }
    await file.replace(new TextEncoder().encode(doc.toString()));
    return outcomes;
  }, { warn: (message) => context.stderr(`awsmfa: warning: ${message}\n`) });

  if (profile !== undefined && (results.length === 0 || results[0][1] === "nothing")) {
    context.stdout(`Profile ${profile} has no session; nothing to clear.\n`);
    return ExitCode.Ok;
  }
  const changed = (outcome: ClearOutcome) => outcome === "cleared" || outcome === "removed-section";
  if (all && !results.some(([, outcome]) => changed(outcome))) {
    context.stdout(
      results.length === 0 ? `No MFA profiles in ${path}.\n` : "No MFA session to clear.\n",
    );
  }
  for (const [name, outcome] of results) {
    switch (outcome) {
      case "cleared":
        context.stdout(`Cleared the session of ${name}.\n`);
        break;
      case "removed-section":
        context.stdout(`Cleared the session of ${name} (and the then empty [${name}]).\n`);
        break;
      case "long-term":
        context.stderr(
          `awsmfa: skipped ${name}: [${name}] holds long-term keys, which clear never removes.\n`,
        );
        break;
      case "foreign":
        context.stderr(
          `awsmfa: skipped ${name}: [${name}] holds a session awsmfa did not write.\n`,
        );
        break;
    }
  }
  return ExitCode.Ok;
}

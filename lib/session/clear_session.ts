/**
 * `awsmfa clear`'s use case: remove the session keys awsmfa wrote (and only
 * them) from one profile or from every MFA profile, and a section when
 * nothing of its own is left in it; long-term keys and other tools' sessions
 * stay. One locked edit, one write.
 *
 * @module
 */
import { locateFiles, SESSION_KEYS, withLockedCredentials } from "../aws/shared_files.ts";
import { hasOwnKey } from "../aws/source_profile.ts";
import { readStoredSession } from "../aws/stored_session.ts";
import { mfaProfiles } from "../aws/mfa_profiles.ts";
import type { Context } from "../core/context.ts";
import { ConfigError } from "../core/errors.ts";
import { readFileIfExists } from "../files/safe_file.ts";
import type { IniDocument } from "../ini/mod.ts";

/** What clearing one profile did. */
export type ClearOutcome =
  | "cleared"
  | "removed-section"
  | "nothing"
  | "long-term"
  /** A session of another tool (`aws_security_token` without `aws_session_token`). */
  | "foreign";

/** What `clear` did: the file, and each profile's outcome (none when there is no file). */
export interface ClearResult {
  path: string;
  outcomes: [profile: string, outcome: ClearOutcome][];
}

/**
 * Clears the session of `profile`, or of every MFA profile when it is
 * undefined, in the credentials file, written once. A single profile holding
 * long-term keys or another tool's session is refused (nothing written);
 * `--all` reports those and goes on.
 */
export async function clearSessions(
  profile: string | undefined,
  context: Context,
): Promise<ClearResult> {
  const path = locateFiles(context).credentials;
  // No file, nothing to clear: and no lock, which would create ~/.aws.
  if (await readFileIfExists(path) === null) return { path, outcomes: [] };
  const outcomes = await withLockedCredentials(path, async (file) => {
    const doc = await file.load();
    if (!file.exists) return [];
    const profiles = profile !== undefined ? [profile] : mfaProfiles(doc).map((ref) => ref.profile);
    const outcomes = clearProfiles(doc, profiles);
    if (profile !== undefined) refuseKept(profile, outcomes[0][1], path);
    await file.save(doc);
    return outcomes;
  }, { context });
  return { path, outcomes };
}

/**
 * Clears the session of each of `profiles` in `doc` (pure), deciding from one
 * reading of the document: which keys a section writes itself is asked of
 * one copy of it without `[DEFAULT]`, not of a copy per key.
 */
export function clearProfiles(
  doc: IniDocument,
  profiles: readonly string[],
): [string, ClearOutcome][] {
  const owns = ownedKeys(doc);
  return profiles.map((profile) => [profile, clearOne(doc, profile, owns)]);
}

/** Clears the session of `profile` in `doc` (pure); see {@link clearProfiles}. */
export function clearSession(doc: IniDocument, profile: string): ClearOutcome {
  return clearOne(doc, profile, ownedKeys(doc));
}

/** Whether a section writes a key itself (not only inherits it from `[DEFAULT]`). */
type Owns = (section: string, key: string) => boolean;

function clearOne(doc: IniDocument, profile: string, owns: Owns): ClearOutcome {
  const stored = readStoredSession(doc, profile);
  if (stored.kind === "long-term") return "long-term";
  const own = (key: string) => owns(profile, key);
  if (stored.kind === "none" && !SESSION_KEYS.some(own)) return "nothing";
  if (stored.kind === "session" && !own("aws_session_token")) return "foreign";
  const session = new Set<string>(SESSION_KEYS);
  const kept = Object.keys(doc.getSection(profile) ?? {}).some((key) =>
    !session.has(key) && own(key)
  );
  for (const key of SESSION_KEYS) doc.delete(profile, key);
  if (kept) return "cleared";
  doc.removeSection(profile);
  return "removed-section";
}

/**
 * The keys each section of `doc` writes itself, as `doc` is now: without a
 * `[DEFAULT]`, the keys it has; with one, the keys it has in a copy without
 * `[DEFAULT]`, made once (so the answers are of `doc` before the edits that
 * follow: an edit of one section does not change another's).
 */
function ownedKeys(doc: IniDocument): Owns {
  if (doc.getSection("DEFAULT") === undefined) {
    return (section, key) => doc.get(section, key) !== undefined;
  }
  const alone = doc.copy();
  try {
    alone.removeSection("DEFAULT");
  } catch {
    // An indented header after [DEFAULT] keeps it: ask a copy per key instead (rare).
    return (section, key) => hasOwnKey(doc, section, key);
  }
  return (section, key) => alone.get(section, key) !== undefined;
}

/** A profile named alone whose section clear leaves alone is an error, not a no-op. */
function refuseKept(profile: string, outcome: ClearOutcome, path: string): void {
  if (outcome === "foreign") {
    throw new ConfigError(
      `[${profile}] in ${path} holds a session awsmfa did not write (aws_security_token); ` +
        "clear leaves it alone.",
      { fix: "Remove it with the tool that wrote it, or edit the file." },
    );
  }
  if (outcome === "long-term") {
    throw new ConfigError(
      `[${profile}] in ${path} holds long-term keys (AKIA…), not a session; awsmfa does not ` +
        "remove those.",
      {
        fix: `To keep them apart from sessions, run 'awsmfa setup ${profile}'; to delete them, ` +
          "edit the file.",
      },
    );
  }
}

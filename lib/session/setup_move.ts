/**
 * Setup's edit of the credentials file (pure): move the long-term keys from
 * `[george]` into `[georgemfa]` and record `mfa_serial` (and
 * `duration_seconds`) there, as one edit of the document, so that the file
 * is written once and holds either the old layout or the new one. Comments
 * and every other key stay where they are.
 *
 * @module
 */
import {
  readSourceProfile,
  sampleSourceSection,
  type SourceProfile,
} from "../aws/source_profile.ts";
import { readStoredSession } from "../aws/stored_session.ts";
import { ConfigError } from "../core/errors.ts";
import type { IniDocument } from "../ini/mod.ts";
import { shortKeyId } from "../aws/access_keys.ts";

/** The keys that belong to the source section, moved when `[george]` holds them. */
export const MOVED_KEYS = ["aws_access_key_id", "aws_secret_access_key", "mfa_serial"] as const;

/** The sections setup works on, and the source's keys when a keystore holds them. */
export interface SetupSections {
  profile: string;
  sourceSection: string;
  path: string;
  /** The source section's keys, read from the keystore its `awsmfa_keystore` names. */
  keys?: { accessKeyId: string; secretAccessKey: string };
}

/** What the move did. */
export type MoveOutcome =
  /** The keys were moved (`accessKeyId` is the key moved). */
  | { kind: "moved"; accessKeyId: string; movedKeys: string[] }
  /** The source section already held the keys; nothing changed. */
  | { kind: "already"; accessKeyId: string };

/**
 * Edits `doc` (pure): moves the long-term keys (and `mfa_serial`) of
 * `profile` into `sourceSection`. Refuses when the source already holds
 * other keys, when neither section has keys, or when the keys are
 * temporary ones.
 */
export function moveLongTermKeys(
  doc: IniDocument,
  sections: SetupSections,
): MoveOutcome {
  const { profile, sourceSection, path, keys } = sections;
  const text = (section: string, key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const target = readStoredSession(doc, profile);
  const sourceKey = keys?.accessKeyId ?? text(sourceSection, "aws_access_key_id");
  const sourceSecret = keys?.secretAccessKey ?? text(sourceSection, "aws_secret_access_key");
  if (target.kind !== "long-term") {
    if (sourceKey) {
      readSourceProfile(doc, sourceSection, { path, target: profile, requireSerial: false, keys });
      return { kind: "already", accessKeyId: sourceKey };
    }
    throw new ConfigError(
      `There are no long-term keys to set up: neither [${profile}] nor [${sourceSection}] in ` +
        `${path} has an access key.`,
      {
        fix: `Put your IAM user's access key in [${profile}] ('aws configure --profile ` +
          `${profile}' does that) and run 'awsmfa setup ${profile}' again, or write the ` +
          `source section yourself:\n\n${sampleSourceSection(sourceSection, profile)}`,
      },
    );
  }
  const targetSecret = text(profile, "aws_secret_access_key");
  if (!targetSecret) {
    throw new ConfigError(
      `[${profile}] in ${path} has an access key (${shortKeyId(target.accessKeyId)}) ` +
        "but no aws_secret_access_key.",
      {
        fix: `Add the secret access key to [${profile}], then run 'awsmfa setup ${profile}' again.`,
      },
    );
  }
  if (sourceKey) {
    if (
      sourceKey !== target.accessKeyId ||
      sourceSecret !== targetSecret
    ) {
      throw new ConfigError(
        `[${sourceSection}] already holds other long-term keys (${shortKeyId(sourceKey)}) than ` +
          `[${profile}] (${shortKeyId(target.accessKeyId)}); awsmfa will not overwrite either.`,
        {
          fix: "Keep the key pair you use: delete aws_access_key_id and aws_secret_access_key " +
            `from the other section, then run 'awsmfa setup ${profile}' again.`,
        },
      );
    }
  }
  const moved: string[] = [];
  for (const key of MOVED_KEYS) {
    const value = text(profile, key);
    if (value === undefined) continue;
    // Keys kept in a keystore stay there: the copy in [profile] only goes.
    const keep = key === "mfa_serial" ? !text(sourceSection, key) : keys === undefined;
    if (keep) doc.set(sourceSection, key, value);
    doc.delete(profile, key);
    moved.push(key);
  }
  readSourceProfile(doc, sourceSection, { path, target: profile, requireSerial: false, keys });
  return { kind: "moved", accessKeyId: target.accessKeyId, movedKeys: moved };
}

/** The settings setup records in the source section. */
export interface SetupSettings {
  /** `mfa_serial`; unchanged when undefined. */
  serial?: string;
  /** `duration_seconds`; unchanged when undefined. */
  durationSeconds?: number;
}

/** What setup finds in the file, as it was before the edit. */
export interface SetupPlan {
  /** The key move: `moved` when the keys are in `[george]`, `already` when in `[georgemfa]`. */
  move: MoveOutcome;
  /** The source section as it reads once the keys are in it, before `settings`. */
  source: SourceProfile;
  /** Where the long-term keys are before the edit: the profile or the source section. */
  keysSection: string;
}

/**
 * Setup's whole edit of the credentials document (pure): moves the keys
 * ({@link moveLongTermKeys}) and records `settings` in the source section, so
 * that the file is written once. Without settings it is the plan alone: what
 * discovery needs (the keys, wherever they are) read off the edited copy.
 * Throws a {@link ConfigError} when the file does not allow it (the document
 * must then not be written).
 */
export function editForSetup(
  doc: IniDocument,
  sections: SetupSections,
  settings: SetupSettings = {},
): SetupPlan {
  const { profile, sourceSection, path, keys } = sections;
  const move = moveLongTermKeys(doc, sections);
  const source = readSourceProfile(doc, sourceSection, {
    path,
    target: profile,
    requireSerial: false,
    keys,
  });
  if (settings.serial !== undefined) doc.set(sourceSection, "mfa_serial", settings.serial);
  if (settings.durationSeconds !== undefined) {
    doc.set(sourceSection, "duration_seconds", String(settings.durationSeconds));
  }
  return { move, source, keysSection: move.kind === "moved" ? profile : sourceSection };
}

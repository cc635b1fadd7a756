/**
 * Setup's first step: move the long-term keys from `[george]` into
 * `[georgemfa]` in one locked transaction (read, edit, write once), so the
 * file holds either the old layout or the new one, never half of each.
 * Comments and every other key stay where they are.
 *
 * @module
 */
import {
  type AwsFiles,
  loadIni,
  readSourceProfile,
  readStoredSession,
  sampleSourceSection,
} from "./aws_files.ts";
import type { Context } from "./context.ts";
import { ConfigError } from "./errors.ts";
import type { IniDocument } from "./ini/mod.ts";
import { withFileLock } from "./safe_file.ts";
import { shortKeyId } from "./sts_errors.ts";

/** The keys that belong to the source section, moved when `[george]` holds them. */
export const MOVED_KEYS = ["aws_access_key_id", "aws_secret_access_key", "mfa_serial"] as const;

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
  sections: { profile: string; sourceSection: string; path: string },
): MoveOutcome {
  const { profile, sourceSection, path } = sections;
  const text = (section: string, key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const target = readStoredSession(doc, profile);
  const sourceKey = text(sourceSection, "aws_access_key_id");
  if (target.kind !== "long-term") {
    if (sourceKey) {
      readSourceProfile(doc, sourceSection, { path, target: profile, requireSerial: false });
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
      text(sourceSection, "aws_secret_access_key") !== targetSecret
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
    if (key !== "mfa_serial" || !text(sourceSection, key)) doc.set(sourceSection, key, value);
    doc.delete(profile, key);
    moved.push(key);
  }
  readSourceProfile(doc, sourceSection, { path, target: profile, requireSerial: false });
  return { kind: "moved", accessKeyId: target.accessKeyId, movedKeys: moved };
}

/** Runs {@link moveLongTermKeys} on the credentials file as one locked transaction. */
export async function moveKeysInFile(
  sections: { profile: string; sourceSection: string },
  options: { files: AwsFiles; context: Context },
): Promise<MoveOutcome> {
  const path = options.files.credentials;
  return await withFileLock(path, async (file) => {
    const bytes = await file.read();
    if (bytes === null) {
      throw new ConfigError(`There is no credentials file at ${path}.`, {
        fix: `Put your IAM user's access key in [${sections.profile}] ('aws configure ` +
          `--profile ${sections.profile}'), then run 'awsmfa setup ${sections.profile}' again.`,
      });
    }
    const doc = loadIni(bytes, path);
    const outcome = moveLongTermKeys(doc, { ...sections, path });
    if (outcome.kind === "moved") await file.replace(new TextEncoder().encode(doc.toString()));
    return outcome;
  }, {
    warn: (message) => options.context.stderr(`awsmfa: warning: ${message}\n`),
  });
}

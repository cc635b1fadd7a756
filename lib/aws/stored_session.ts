/**
 * The target section (`[george]`): what a stored session says (none,
 * long-term keys, a session and its expiry), whether it is still valid, and
 * the one edit that writes a new one. Pure.
 *
 * @module
 */
import { formatRfc3339, parseTimestamp } from "../core/durations.ts";
import { ConfigError } from "../core/errors.ts";
import type { IniDocument } from "../ini/document.ts";
import type { IniView } from "../ini/quick_scan.ts";

/** What the target section holds. */
export type StoredSession =
  | { kind: "none" }
  /** Long-term keys (AKIA…, no token): awsmfa must not overwrite them. */
  | { kind: "long-term"; accessKeyId: string }
  /** A session (ours or another tool's); expiration when recorded. */
  | { kind: "session"; accessKeyId: string; expiration?: Date };

/** The keys {@link readStoredSession} reads. */
export const STORED_SESSION_KEYS = [
  "aws_access_key_id",
  "aws_session_token",
  "aws_security_token",
  "aws_credential_expiration",
  "expiration",
] as const;

/** Reads what the target section holds now. */
export function readStoredSession(doc: IniView, section: string): StoredSession {
  const get = (key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const accessKeyId = get("aws_access_key_id");
  if (!accessKeyId) return { kind: "none" };
  const token = get("aws_session_token") ?? get("aws_security_token");
  // ASIA… keys are always temporary: without a token they are a broken session, not long-term keys.
  if (!token && !accessKeyId.startsWith("ASIA")) return { kind: "long-term", accessKeyId };
  const expiry = get("aws_credential_expiration") ?? get("expiration");
  return { kind: "session", accessKeyId, expiration: expiry ? parseTimestamp(expiry) : undefined };
}

/** Temporary credentials: what STS issues and what a target section holds. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * Writes `session` into `section` of `doc` (creating it), changing nothing else: one edit of
 * the four keys (the text copied and indexed once, not once per key).
 */
export function writeSession(doc: IniDocument, section: string, session: SessionCredentials): void {
  doc.setAll(section, [
    ["aws_access_key_id", session.accessKeyId],
    ["aws_secret_access_key", session.secretAccessKey],
    ["aws_session_token", session.sessionToken],
    ["aws_credential_expiration", formatRfc3339(session.expiration)],
  ]);
}

/** The stored session of `section` if it is valid until at least `until` (ms). */
export function validSession(
  doc: IniView,
  section: string,
  until: number,
): SessionCredentials | undefined {
  const stored = readStoredSession(doc, section);
  if (stored.kind !== "session" || !stored.expiration) return undefined;
  if (stored.expiration.getTime() <= until) return undefined;
  const text = (key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" ? value : "";
  };
  return {
    accessKeyId: stored.accessKeyId,
    secretAccessKey: text("aws_secret_access_key"),
    sessionToken: text("aws_session_token"),
    expiration: stored.expiration,
  };
}

/** The error for a target that holds long-term keys. */
export function longTermTargetError(target: string, source: string, path: string): ConfigError {
  return new ConfigError(
    `[${target}] in ${path} holds long-term keys (AKIA…); awsmfa will not overwrite them.`,
    {
      fix: `Move them into [${source}] with 'awsmfa setup ${target}' (or rename the section ` +
        `header [${target}] to [${source}] and add mfa_serial), then run awsmfa ${target} again.`,
    },
  );
}

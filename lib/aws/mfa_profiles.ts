/**
 * The MFA profiles of a credentials file and the state of their sessions
 * (pure): every source section `[Xmfa]` with its target `[X]`, and whether
 * `[X]` holds a valid, soon expiring or expired session. What `status`,
 * `clear --all` and `doctor` list.
 *
 * @module
 */
import { REFRESH_MARGIN_SECONDS } from "./limits.ts";
import { targetOf } from "./profile_names.ts";
import { readStoredSession, STORED_SESSION_KEYS } from "./stored_session.ts";
import { KEYSTORE_KEY, keystoreOf } from "./keystore_setting.ts";
import type { IniView } from "../ini/mod.ts";

/** Under this much time left, a session is "expiring soon". */
export const EXPIRING_SOON_MS = REFRESH_MARGIN_SECONDS * 1000;

/** The keys the statuses read (for `loadIniView`). */
export const STATUS_KEYS: readonly string[] = [...STORED_SESSION_KEYS, "mfa_serial", KEYSTORE_KEY];

/** A source section and its target. */
export interface MfaProfileRef {
  /** The target profile, e.g. `george`. */
  profile: string;
  /** The source section, e.g. `georgemfa`. */
  sourceSection: string;
}

/** What the target section holds, in the words `status` prints. */
export type SessionState =
  | "valid"
  | "expiring-soon"
  | "expired"
  | "none"
  /** A session without a recorded expiry (written by another tool). */
  | "unknown"
  /** Long-term keys where the session should be (setup not done). */
  | "long-term";

/** One MFA profile as `status` shows it. */
export interface ProfileStatus extends MfaProfileRef {
  /** Whether the source section exists. */
  hasSource: boolean;
  /** Whether the target section exists. */
  hasTarget: boolean;
  /** `mfa_serial` of the source section. */
  mfaSerial?: string;
  /** The keystore holding the long-term keys (`awsmfa_keystore`); undefined: the file. */
  keystore?: string;
  state: SessionState;
  expiration?: Date;
}

/** Every source section (`[Xmfa]`, X not empty) with its target, in file order. */
export function mfaProfiles(doc: IniView): MfaProfileRef[] {
  const profiles: MfaProfileRef[] = [];
  for (const section of doc.sections()) {
    const profile = targetOf(section);
    if (profile !== undefined) profiles.push({ profile, sourceSection: section });
  }
  return profiles;
}

/** The state of `ref`'s session at `now` (ms). */
export function profileStatus(doc: IniView, ref: MfaProfileRef, now: number): ProfileStatus {
  const sections = new Set(doc.sections());
  return profileStatusIn(doc, ref, now, sections);
}

/** {@link profileStatus} for every MFA profile of `doc`. */
export function allProfileStatuses(doc: IniView, now: number): ProfileStatus[] {
  const sections = new Set(doc.sections());
  return mfaProfiles(doc).map((ref) => profileStatusIn(doc, ref, now, sections));
}

function profileStatusIn(
  doc: IniView,
  ref: MfaProfileRef,
  now: number,
  sections: Set<string>,
): ProfileStatus {
  const hasSource = sections.has(ref.sourceSection);
  const hasTarget = sections.has(ref.profile);
  const serial = hasSource ? doc.get(ref.sourceSection, "mfa_serial") : undefined;
  let state: SessionState = "none";
  let expiration: Date | undefined;
  if (hasTarget) {
    const stored = readStoredSession(doc, ref.profile);
    if (stored.kind === "long-term") state = "long-term";
    else if (stored.kind === "session") {
      expiration = stored.expiration;
      state = expiration ? sessionState(expiration.getTime(), now) : "unknown";
    }
  }
  const status: ProfileStatus = {
    profile: ref.profile,
    sourceSection: ref.sourceSection,
    hasSource,
    hasTarget,
    mfaSerial: typeof serial === "string" && serial !== "" ? serial : undefined,
    state,
  };
  if (expiration) status.expiration = expiration;
  const keystore = hasSource ? keystoreOf(doc, ref.sourceSection) : undefined;
  if (keystore !== undefined) status.keystore = keystore;
  return status;
}

/** `valid`, `expiring-soon` or `expired` for a session ending at `expiration` (ms). */
export function sessionState(expiration: number, now: number): SessionState {
  if (expiration <= now) return "expired";
  return expiration - now < EXPIRING_SOON_MS ? "expiring-soon" : "valid";
}

/** Whether a state counts as a usable session (exit 0 for `status PROFILE`). */
export function isUsable(state: SessionState): boolean {
  return state === "valid" || state === "expiring-soon";
}

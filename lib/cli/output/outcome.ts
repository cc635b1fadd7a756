/**
 * The one line that says what a refresh did (login, setup): a new session,
 * one still valid, or one another awsmfa run wrote meanwhile, and until when.
 * Pure.
 *
 * @module
 */
import { formatLocalTime, formatRelative } from "../../core/durations.ts";
import type { RefreshOutcome } from "../../session/refresh.ts";

/** A new session this close to its end is written, but the outcome line says so. */
const EXPIRES_SOON_MS = 60_000;

/** Options for {@link describeOutcome}. */
export interface DescribeOutcomeOptions {
  /** The current time (ms), for the relative expiry. */
  now: number;
  /** Whether to mention `--force` when the session was still valid (default true). */
  forceHint?: boolean;
}

/** The one line that says what a refresh did and until when the session is valid. */
export function describeOutcome(
  profile: string,
  outcome: RefreshOutcome,
  options: DescribeOutcomeOptions,
): string {
  const expiration = outcome.session.expiration;
  const until = `${formatLocalTime(expiration)} (${
    formatRelative(expiration.getTime(), options.now)
  })`;
  switch (outcome.kind) {
    case "valid":
      return `Profile ${profile} already has an MFA session, valid until ${until}.` +
        (options.forceHint === false ? "" : " Use --force to renew it now.");
    case "refreshed":
      return expiration.getTime() - options.now < EXPIRES_SOON_MS
        ? `Profile ${profile} is ready, but its MFA session expires within a minute: valid ` +
          `until ${until}.`
        : `Profile ${profile} is ready: MFA session valid until ${until}.`;
    case "refreshed-elsewhere":
      return `Profile ${profile} was refreshed by another awsmfa run meanwhile; ` +
        `valid until ${until}. Your code was not used.`;
  }
}

/**
 * The renewal policy of the credentials server (pure: the clock, the wait,
 * the refresh itself and the reporting are given to it): when to start a
 * refresh, what a request gets while one runs, one refresh shared by every
 * request and the timer, and what happens when a refresh fails.
 *
 * - A session is due {@link RenewalOptions.marginMs} before it expires. A
 *   session fresh from STS that is shorter than twice the margin is due at
 *   half its remaining life instead (a 15-minute session with a 15-minute
 *   margin would otherwise be renewed again and again), and never sooner
 *   than {@link RETRY_MS} after it arrived.
 * - A request starts the refresh when the session is due (the timer does
 *   too), waits up to {@link ANSWER_WAIT_MS} for it, then gets the newest
 *   session that is still valid; an error only when there is none.
 * - A failed refresh is reported (the same message once); a permanent one
 *   (no code can be had, the user cancelled) stops the renewals, any other
 *   is tried again after {@link RETRY_MS}. The current session is served
 *   until it expires either way.
 *
 * @module
 */
import { formatRfc3339 } from "../../core/durations.ts";
import type { ServedSession } from "./requests.ts";

/** How long a request waits for a refresh in progress (the JS SDK gives up after 1 s). */
export const ANSWER_WAIT_MS = 800;
/** How long after a failed refresh (or a fresh but short session) the next one may start. */
export const RETRY_MS = 60_000;

/** What a refresh produced. */
export interface RefreshResult {
  session: ServedSession;
  /** Whether STS issued it just now (not found valid in the file). */
  fresh: boolean;
}

/** What a request gets. */
export type Answer =
  | { kind: "credentials"; session: ServedSession }
  | { kind: "unavailable"; message: string };

/** The edges the policy works with. */
export interface RenewalOptions {
  /** The session to serve first. */
  initial: RefreshResult;
  /** Renew this long before expiry. */
  marginMs: number;
  /** The target profile, for messages. */
  profile: string;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Gets a valid session: the login flow (same lock, file write, code sources). */
  refresh(): Promise<RefreshResult>;
  /** Whether a failure is for good: no code can be had, or the user said no. */
  isPermanent(error: unknown): boolean;
  /** The user-facing text of an error (no secrets). */
  describe(error: unknown): string;
  /** Prints a message on awsmfa's stderr. */
  report(text: string): void;
  /** Called whenever {@link Renewal.nextWakeup} may have changed (the edge re-arms its timer). */
  onChange?(): void;
}

/** The server's renewal state. */
export interface Renewal {
  /** The answer for one request; starts (or joins) the refresh when the session is due. */
  answer(): Promise<Answer>;
  /** The timer's call: starts the refresh when due. */
  tick(): void;
  /** When the timer should call {@link tick} next (ms since the epoch); undefined: never. */
  nextWakeup(): number | undefined;
  /** The refresh in progress, if any (resolves when it ends, never rejects). */
  inProgress(): Promise<void> | undefined;
}

/**
 * When `session` is due: `marginMs` before it expires, or, when it is `fresh`
 * and shorter than twice the margin, at half its remaining life, and never
 * before `now + RETRY_MS` for a fresh one.
 */
export function renewalTime(
  result: RefreshResult,
  options: { now: number; marginMs: number },
): number {
  const expires = result.session.expiration.getTime();
  if (!result.fresh) return expires - options.marginMs;
  const lead = Math.min(options.marginMs, (expires - options.now) / 2);
  return Math.max(expires - lead, options.now + RETRY_MS);
}

/** Creates the renewal state around `options.initial`. */
export function createRenewal(options: RenewalOptions): Renewal {
  let current = options.initial.session;
  let dueAt = renewalTime(options.initial, { now: options.now(), marginMs: options.marginMs });
  let running: Promise<void> | undefined;
  let stopped = false;
  let retryAt = -Infinity;
  let lastReport: string | undefined;

  const say = (text: string) => {
    if (text === lastReport) return;
    lastReport = text;
    options.report(text);
  };
  const isDue = (now: number) => !running && !stopped && now >= dueAt && now >= retryAt;
  const start = () => {
    running = (async () => {
      try {
        const result = await options.refresh();
        current = result.session;
        dueAt = renewalTime(result, { now: options.now(), marginMs: options.marginMs });
        retryAt = -Infinity;
        lastReport = undefined;
      } catch (error) {
        const permanent = options.isPermanent(error);
        if (permanent) stopped = true;
        else retryAt = options.now() + RETRY_MS;
        say(failureText(error, { permanent, session: current, options }));
      } finally {
        running = undefined;
        options.onChange?.();
      }
    })();
    options.onChange?.();
  };
  const tick = () => {
    if (isDue(options.now())) start();
  };

  return {
    tick,
    async answer() {
      tick();
      if (running) {
        await Promise.race([running, options.sleep(ANSWER_WAIT_MS)]);
      }
      if (current.expiration.getTime() > options.now()) {
        return { kind: "credentials", session: current };
      }
      const message = `The session of [${options.profile}] expired at ${
        formatRfc3339(current.expiration)
      } and ${
        running ? "its renewal has not finished yet" : "awsmfa could not renew it"
      }: no credentials to give.`;
      say(`awsmfa: ${message}\n`);
      return { kind: "unavailable", message };
    },
    nextWakeup() {
      if (running || stopped) return undefined;
      return Math.max(dueAt, retryAt);
    },
    inProgress: () => running,
  };
}

function failureText(
  error: unknown,
  context: { permanent: boolean; session: ServedSession; options: RenewalOptions },
): string {
  const { permanent, session, options } = context;
  const until = formatRfc3339(session.expiration);
  const next = permanent
    ? "awsmfa will not try again"
    : `awsmfa tries again in ${RETRY_MS / 1000} s`;
  return `${options.describe(error)}\nawsmfa: the session of [${options.profile}] was not ` +
    `renewed; the credentials server serves it until it expires (${until}), and ${next}.\n`;
}

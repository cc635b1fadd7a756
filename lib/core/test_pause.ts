/**
 * Test-only pause points, so that a test can stop awsmfa at an exact step of
 * a file transaction (and SIGKILL it there) instead of aiming a kill at a
 * window of a few milliseconds.
 *
 * `AWSMFA_TEST_PAUSE=POINT` makes the run print `awsmfa: test pause at POINT`
 * on stderr when it reaches POINT, then wait {@link PAUSE_MS} before it goes
 * on. Without the variable (every normal run) each point is a comparison and
 * nothing else. This is the only place that reads the variable.
 *
 * @module
 */

/** The steps of a locked file transaction a test can stop at, in order. */
export const PAUSE_POINTS = [
  /** The lock is held; nothing read under it yet (for login: the code is read, no STS call). */
  "lock-held",
  /** The new content is ready (for login: STS answered); no temporary file yet. */
  "before-temp",
  /** The temporary file holds the new content, synced; not renamed yet. */
  "temp-written",
  /** The rename is done; the lock is still held. */
  "renamed",
] as const;

/** One of {@link PAUSE_POINTS}. */
export type PausePoint = typeof PAUSE_POINTS[number];

/** How long a paused run waits before it goes on (the test kills it long before). */
export const PAUSE_MS = 60_000;

let wanted: string | null | undefined;

/** Pauses here when `AWSMFA_TEST_PAUSE` names `point`; returns at once otherwise. */
export async function pauseAt(point: PausePoint): Promise<void> {
  if (wanted === undefined) {
    try {
      wanted = Deno.env.get("AWSMFA_TEST_PAUSE") ?? null;
    } catch {
      wanted = null; // No permission to read the environment: never a test run.
    }
  }
  if (wanted !== point) return;
  await Deno.stderr.write(new TextEncoder().encode(`awsmfa: test pause at ${point}\n`));
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
}

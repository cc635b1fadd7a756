/**
 * The credentials server's renewal policy (lib/session/credential_server/renewal.ts): when a
 * session is renewed, what a request gets meanwhile, how failures are told and tried again.
 * Fake clock, fake refresh, no sockets.
 */
import assert from "node:assert/strict";
import type { ServedSession } from "../../../lib/session/credential_server/requests.ts";
import {
  ANSWER_WAIT_MS,
  createRenewal,
  type RefreshResult,
  type Renewal,
  renewalTime,
  RETRY_MS,
} from "../../../lib/session/credential_server/renewal.ts";

const MINUTE = 60_000;
const T0 = new Date("2026-01-01T10:00:00Z").getTime();

function session(name: string, expiresInMs: number, now = T0): ServedSession {
  return {
    accessKeyId: `ASIA${name}`,
    secretAccessKey: `${name}-secret`,
    sessionToken: `${name}-token`,
    expiration: new Date(now + expiresInMs),
  };
}

Deno.test("renewalTime: the margin before expiry; half the life of a short fresh session", () => {
  const margin = 15 * MINUTE;
  const at = (result: RefreshResult) => renewalTime(result, { now: T0, marginMs: margin });
  assert.equal(at({ session: session("A", 12 * 60 * MINUTE), fresh: true }), T0 + 705 * MINUTE);
  assert.equal(at({ session: session("A", 10 * MINUTE), fresh: false }), T0 - 5 * MINUTE);
  assert.equal(at({ session: session("A", 15 * MINUTE), fresh: true }), T0 + 7.5 * MINUTE);
  assert.equal(at({ session: session("A", -MINUTE), fresh: true }), T0 + RETRY_MS);
});

/** A renewal with a fake clock, a refresh the test ends, and the reports collected. */
function harness(initial: RefreshResult, options: { permanent?: boolean } = {}) {
  const clock = { now: T0 };
  const reports: string[] = [];
  const refreshes: Array<{ resolve(r: RefreshResult): void; reject(e: unknown): void }> = [];
  const renewal: Renewal = createRenewal({
    initial,
    marginMs: 15 * MINUTE,
    profile: "george",
    now: () => clock.now,
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
    refresh: () => new Promise((resolve, reject) => refreshes.push({ resolve, reject })),
    isPermanent: () => options.permanent ?? false,
    describe: (error) => `awsmfa: ${(error as Error).message}`,
    report: (text) => reports.push(text),
  });
  return { clock, reports, refreshes, renewal };
}

Deno.test("renewal: a session outside the margin is served as is, no refresh", async () => {
  const { renewal, refreshes } = harness({ session: session("OLD", 60 * MINUTE), fresh: false });
  const answer = await renewal.answer();
  assert.deepEqual(answer, { kind: "credentials", session: session("OLD", 60 * MINUTE) });
  assert.equal(refreshes.length, 0);
  assert.equal(renewal.nextWakeup(), T0 + 45 * MINUTE);
});

Deno.test("renewal: the timer and concurrent requests share one refresh; the current session meanwhile", async () => {
  const h = harness({ session: session("OLD", 10 * MINUTE), fresh: false });
  assert.equal(h.renewal.nextWakeup(), T0 - 5 * MINUTE, "due at once");
  h.renewal.tick();
  assert.equal(h.refreshes.length, 1);
  assert.equal(h.renewal.nextWakeup(), undefined, "no timer while it runs");
  const answers = await Promise.all([h.renewal.answer(), h.renewal.answer(), h.renewal.answer()]);
  h.renewal.tick();
  assert.equal(h.refreshes.length, 1, "one refresh for the timer and three requests");
  for (const answer of answers) {
    assert.equal(answer.kind === "credentials" && answer.session.accessKeyId, "ASIAOLD");
  }
  assert.equal(h.clock.now, T0 + 3 * ANSWER_WAIT_MS, "each request waited, then answered");
  h.refreshes[0].resolve({ session: session("NEW", 12 * 60 * MINUTE, h.clock.now), fresh: true });
  await h.renewal.inProgress();
  const after = await h.renewal.answer();
  assert.equal(after.kind === "credentials" && after.session.accessKeyId, "ASIANEW");
  assert.equal(h.renewal.nextWakeup(), h.clock.now + 705 * MINUTE);
  assert.deepEqual(h.reports, []);
});

Deno.test("renewal: a request gets the new session when the refresh ends within the wait", async () => {
  const h = harness({ session: session("OLD", 5 * MINUTE), fresh: false });
  const pending = h.renewal.answer();
  assert.equal(h.refreshes.length, 1, "the request started it");
  h.refreshes[0].resolve({ session: session("NEW", 60 * MINUTE), fresh: true });
  const answer = await pending;
  assert.equal(answer.kind === "credentials" && answer.session.accessKeyId, "ASIANEW");
});

Deno.test("renewal: an expired session and an unfinished refresh: an error, reported once", async () => {
  const h = harness({ session: session("OLD", -MINUTE), fresh: false });
  const first = await h.renewal.answer();
  const second = await h.renewal.answer();
  assert.equal(first.kind, "unavailable");
  assert.deepEqual(second, first);
  assert.match(
    first.kind === "unavailable" ? first.message : "",
    /^The session of \[george\] expired at 2026-01-01T09:59:00Z and its renewal has not finished yet/,
  );
  assert.equal(h.reports.length, 1);
  assert.equal(h.refreshes.length, 1);
});

Deno.test("renewal: no code to be had: said once, never tried again, current session served until it expires", async () => {
  const h = harness({ session: session("OLD", 10 * MINUTE), fresh: false }, { permanent: true });
  h.renewal.tick();
  h.refreshes[0].reject(new Error("No MFA code given, and there is no terminal to ask for one."));
  await h.renewal.inProgress();
  assert.equal(h.reports.length, 1);
  assert.match(
    h.reports[0],
    /no terminal.*\n.*serves it until it expires \(2026-01-01T10:10:00Z\), and awsmfa will not try again/,
  );
  assert.equal(h.renewal.nextWakeup(), undefined);
  h.clock.now += 5 * MINUTE;
  h.renewal.tick();
  const answer = await h.renewal.answer();
  assert.equal(answer.kind === "credentials" && answer.session.accessKeyId, "ASIAOLD");
  assert.equal(h.refreshes.length, 1);
  h.clock.now += 5 * MINUTE;
  const expired = await h.renewal.answer();
  assert.equal(expired.kind, "unavailable");
  assert.match(h.reports[1], /expired at 2026-01-01T10:10:00Z and awsmfa could not renew it/);
});

Deno.test("renewal: another failure is tried again after a minute, its message printed once", async () => {
  const h = harness({ session: session("OLD", 10 * MINUTE), fresh: false });
  h.renewal.tick();
  h.refreshes[0].reject(new Error("Could not reach STS."));
  await h.renewal.inProgress();
  assert.equal(h.renewal.nextWakeup(), T0 + RETRY_MS);
  h.renewal.tick();
  assert.equal(h.refreshes.length, 1, "not before the minute");
  h.clock.now = T0 + RETRY_MS;
  h.renewal.tick();
  assert.equal(h.refreshes.length, 2);
  h.refreshes[1].reject(new Error("Could not reach STS."));
  await h.renewal.inProgress();
  assert.equal(h.reports.length, 1, "the same message once");
  assert.match(h.reports[0], /tries again in 60 s/);
});

Deno.test("renewal: a fresh session shorter than the margin is not renewed again at once", async () => {
  const h = harness({ session: session("OLD", 5 * MINUTE), fresh: false });
  h.renewal.tick();
  h.refreshes[0].resolve({ session: session("NEW", 15 * MINUTE), fresh: true });
  await h.renewal.inProgress();
  h.renewal.tick();
  assert.equal(h.refreshes.length, 1);
  assert.equal(h.renewal.nextWakeup(), T0 + 7.5 * MINUTE);
});

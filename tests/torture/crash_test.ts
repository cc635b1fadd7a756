/**
 * Crash torture: `awsmfa george --force --code ...` killed with SIGKILL during
 * each of its phases (start-up and read, the STS call, the write and the
 * rename). After every kill the credentials file is the old content or the
 * new content, byte for byte, and the next run works without any clean-up:
 * it is not blocked by the dead run's lock, it removes the temporary file the
 * dead run may have left, and it writes its session.
 *
 * `deno task test` kills at exact steps: the run stops at a test pause point
 * (`AWSMFA_TEST_PAUSE`, lib/core/test_pause.ts) or, for the STS call, while the
 * fake holds its answer; so every phase is hit every time, whatever the load.
 * `deno task torture` adds 250 kills at random moments; which phase each one
 * hit is told apart by what the fake STS saw when the kill was sent and by
 * what is on disk afterwards, and reported as a figure. */
import assert from "node:assert/strict";
import { loadIni } from "../../lib/aws/shared_files.ts";
import { readStoredSession, writeSession } from "../../lib/aws/stored_session.ts";
import { botocoreAvailable, botocoreParse } from "../support/botocore.ts";
import { type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import type { PausePoint } from "../../lib/core/test_pause.ts";
import {
  figure,
  OutputLog,
  percentile,
  type RunResult,
  scenario,
  size,
  sleep,
  spawnCli,
  tempFiles,
} from "./support.ts";

const FILE = "tests/torture/crash_test.ts";
const log = new OutputLog();
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A file with CRLF, comments, unicode, and [george] between other sections. */
function initialFile(world: E2eWorld): string {
  return [
    "# awsmfa crash torture ✓ — every byte here must survive",
    "[default]",
    "region = eu-west-1",
    "",
    world.sourceSection().trimEnd().replaceAll("\n", "\r\n"),
    "; the session below is rewritten by every round",
    "[george]",
    "region = us-east-2",
    "aws_access_key_id=ASIAOLDOLDOLDOLDOLDO",
    "aws_secret_access_key =  old/secret",
    "aws_session_token = FwoGZXIvYXdzEOLD",
    "aws_credential_expiration = 2001-01-01T00:00:00Z",
    "output = json  ; not a comment for botocore",
    "",
    "[profile after]",
    "x = 日本語 🎉",
    "",
  ].join("\r\n");
}

/** Whether `done` has settled (without waiting for it). */
async function exited(done: Promise<unknown>): Promise<boolean> {
  return await Promise.race([done.then(() => true), Promise.resolve(false)]);
}

/** The session stored in [george] of `text`. */
function storedSession(text: string) {
  const doc = loadIni(encoder.encode(text), "credentials");
  const stored = readStoredSession(doc, "george");
  assert.equal(stored.kind, "session");
  const value = (key: string) => String(doc.get("george", key));
  return {
    accessKeyId: value("aws_access_key_id"),
    secretAccessKey: value("aws_secret_access_key"),
    sessionToken: value("aws_session_token"),
    expiration: new Date(value("aws_credential_expiration")),
  };
}

/**
 * The content a completed run writes over `old`: `old` with the session
 * found in `candidate` written into [george] (by the product's own pure edit;
 * the INI suites check that edit against botocore). The session must be one
 * the fake issued.
 */
function expectedNew(world: E2eWorld, old: string, candidate: string): string {
  const session = storedSession(candidate);
  const issued = new Set(world.fake.issuedSecrets());
  assert.ok(issued.has(session.secretAccessKey), "the secret key was issued by the fake");
  assert.ok(issued.has(session.sessionToken), "the session token was issued by the fake");
  const doc = loadIni(encoder.encode(old), "credentials");
  writeSession(doc, "george", session);
  return doc.toString();
}

type Aim = "anytime" | "before-request" | "during-call" | "after-answer" | "temp-file-seen";
type Phase =
  | "start-up and read (no request yet)"
  | "STS call (request received, no answer yet)"
  | "answer received, before the temp file"
  | "write (temp file left behind)"
  | "after the rename (new content in place)"
  | "finished before the kill";

/** What each deterministic kill stops at, and what the files must show afterwards. */
const STOPS: ReadonlyArray<{ phase: Phase; pause?: PausePoint; expect: "old" | "temp" | "new" }> = [
  { phase: "start-up and read (no request yet)", pause: "lock-held", expect: "old" },
  { phase: "STS call (request received, no answer yet)", expect: "old" },
  { phase: "answer received, before the temp file", pause: "before-temp", expect: "old" },
  { phase: "write (temp file left behind)", pause: "temp-written", expect: "temp" },
  { phase: "after the rename (new content in place)", pause: "renamed", expect: "new" },
];

scenario("SIGKILL at each step of read, STS call, write and rename", {
  file: FILE,
  timeoutMs: size(60_000, 180_000),
}, async ({ checkTime }) => {
  const rounds = size(2, 10);
  await using world = await setupE2e({ withSource: false });
  const dir = `${world.home}/.aws`;
  await world.writeCredentials(initialFile(world));
  const kills: Record<string, number> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const stop of STOPS) {
      checkTime();
      const old = await world.readCredentials();
      const requestsBefore = world.fake.requests.length;
      // The STS call step: the fake holds its answer far longer than the run waits to be killed.
      if (!stop.pause) world.fake.fault({ kind: "delay", ms: 120_000 });
      const env: Record<string, string> = { ...world.env, AWSMFA_TIMEOUT: "60" };
      if (stop.pause) env.AWSMFA_TEST_PAUSE = stop.pause;
      const cli = spawnCli(
        ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
        { env, timeoutMs: 120_000 },
      );
      if (stop.pause) {
        await cli.paused(stop.pause);
      } else {
        while (world.fake.requests.length === requestsBefore) {
          if (await exited(cli.done)) break;
          await sleep(2);
        }
      }
      cli.kill();
      const result = await cli.done;
      world.fake.clearFaults();
      log.record(result, world.fake);
      const label = `round ${round}, ${stop.phase}`;
      assert.equal(result.signal, "SIGKILL", `${label}: ended on its own: ${result.stderr}`);
      const now = await world.readCredentials();
      const temps = await tempFiles(dir);
      assert.equal(temps.length, stop.expect === "temp" ? 1 : 0, `${label}: temporary files`);
      for (const name of temps) {
        assert.equal((await Deno.stat(`${dir}/${name}`)).mode! & 0o777, 0o600, label);
      }
      if (stop.expect === "new") {
        assert.notEqual(now, old, `${label}: the new content is in place`);
        assert.equal(now, expectedNew(world, old, now), `${label}: new content, complete`);
      } else {
        assert.equal(now, old, `${label}: the old content, byte for byte`);
      }
      const sent = world.fake.requests.length - requestsBefore;
      assert.equal(sent, stop.phase.startsWith("start-up") ? 0 : 1, `${label}: STS requests`);
      kills[stop.phase] = (kills[stop.phase] ?? 0) + 1;
      // The next run works without any clean-up.
      const next = await spawnCli(
        ["george", "--force", "--code", await world.fake.freshCode(world.serial)],
        { env: world.env },
      ).done;
      log.record(next, world.fake);
      assert.equal(next.code, 0, `${label}, the run after: ${next.stderr}`);
      assert.doesNotMatch(next.stderr, /waiting for another awsmfa run/, label);
      assert.deepEqual(await tempFiles(dir), [], `${label}, the run after: no temporary file`);
    }
  }
  assert.equal((await Deno.stat(`${dir}/.credentials.awsmfa.lock`)).size, 0);
  log.addSecrets(world.fake);
  figure("crash-steps", { kills, lost: 0 });
});

scenario("SIGKILL at random moments across read, STS call, write and rename", {
  file: FILE,
  timeoutMs: 300_000,
  // Random timing: in deno task torture only, where a phase it missed is a figure, not a failure.
  fullOnly: true,
}, async ({ rng, checkTime }) => {
  const kills = 250;
  await using world = await setupE2e({ withSource: false });
  const dir = `${world.home}/.aws`;
  const env = { ...world.env, AWSMFA_TIMEOUT: "5" };
  await world.writeCredentials(initialFile(world));

  // Warm-up: how long the phases take here, to aim the kills.
  const timing = { request: [] as number[], answer: [] as number[], exit: [] as number[] };
  const phases: Record<string, number> = {};
  const tempModes: number[] = [];
  const attempts: Record<Aim, number> = {
    "anytime": 0,
    "before-request": 0,
    "during-call": 0,
    "after-answer": 0,
    "temp-file-seen": 0,
  };
  let killed = 0;
  let rounds = 0;
  let verifyRuns = 0;

  /** Starts a run and watches the fake: when its request arrived and was answered. */
  function startRun(code: string) {
    const requestsBefore = world.fake.requests.length;
    const started = performance.now();
    const cli = spawnCli(["george", "--force", "--code", code], { env });
    const seen = { request: NaN, answer: NaN };
    let finished = false;
    const done = cli.done.then((result) => {
      finished = true;
      return result;
    });
    const watch = (async () => {
      while (!finished) {
        const record = world.fake.requests[requestsBefore];
        if (record && Number.isNaN(seen.request)) seen.request = performance.now() - started;
        if (record && record.status !== 0 && Number.isNaN(seen.answer)) {
          seen.answer = performance.now() - started;
        }
        await sleep(1);
      }
    })();
    return { cli, done, watch, seen, started, requestsBefore };
  }

  async function fullRun(label: string): Promise<RunResult> {
    const before = await world.readCredentials();
    const run = startRun(await world.fake.freshCode(world.serial));
    const result = await run.done;
    await run.watch;
    log.record(result, world.fake);
    assert.equal(result.code, 0, `${label}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /waiting for another awsmfa run/, label);
    assert.deepEqual(await tempFiles(dir), [], `${label}: no temporary file remains`);
    const after = await world.readCredentials();
    assert.equal(after, expectedNew(world, before, after), `${label}: the complete new content`);
    timing.request.push(run.seen.request);
    timing.answer.push(run.seen.answer);
    timing.exit.push(result.ms);
    return result;
  }

  for (let i = 0; i < 4; i++) await fullRun(`warm-up ${i}`);

  while (killed < kills) {
    checkTime();
    rounds++;
    const old = await world.readCredentials();
    const delayMs = rng.int(51);
    world.fake.fault({ kind: "delay", ms: delayMs });
    const code = await world.fake.freshCode(world.serial);
    const aim = rng.pick<Aim>([
      "anytime",
      "before-request",
      "during-call",
      "after-answer",
      "temp-file-seen",
    ]);
    attempts[aim]++;
    const run = startRun(code);
    const exitMs = percentile(timing.exit, 50) + delayMs;
    let atKill = { request: false, answer: false };
    const killNow = () => {
      atKill = { request: !Number.isNaN(run.seen.request), answer: !Number.isNaN(run.seen.answer) };
      run.cli.kill();
    };
    const waitUntil = async (ready: () => boolean, capMs: number) => {
      const until = performance.now() + capMs;
      while (!ready() && performance.now() < until) await sleep(1);
    };
    switch (aim) {
      case "anytime":
        await sleep(rng.next() * exitMs * 1.1);
        break;
      case "before-request":
        await sleep(rng.next() * percentile(timing.request, 50));
        break;
      case "during-call":
        await waitUntil(() => !Number.isNaN(run.seen.request), 5_000);
        await sleep(rng.next() * (delayMs + 3));
        break;
      case "temp-file-seen": {
        // The write lasts a few milliseconds: watch the directory for the temp file.
        await waitUntil(() => !Number.isNaN(run.seen.answer), 5_000);
        const until = performance.now() + 2_000;
        while (performance.now() < until && (await tempFiles(dir)).length === 0) {
          if (await exited(run.done)) break;
        }
        break;
      }
      case "after-answer": {
        await waitUntil(() => !Number.isNaN(run.seen.answer), 5_000);
        const tail = Math.max(2, percentile(timing.exit, 50) - percentile(timing.answer, 50));
        await sleep(rng.next() * tail);
        break;
      }
    }
    killNow();
    const result = await run.done;
    await run.watch;
    world.fake.clearFaults();
    log.record(result, world.fake);

    const now = await world.readCredentials();
    const temps = await tempFiles(dir);
    for (const name of temps) {
      const mode = (await Deno.stat(`${dir}/${name}`)).mode! & 0o777;
      tempModes.push(mode);
      assert.equal(
        mode,
        0o600,
        `a temporary file left by a kill is 0600 (got ${mode.toString(8)})`,
      );
    }
    let phase: Phase;
    if (result.signal !== "SIGKILL") {
      assert.equal(result.code, 0, `round ${rounds} finished on its own: ${result.stderr}`);
      phase = "finished before the kill";
    } else {
      killed++;
      if (now !== old) phase = "after the rename (new content in place)";
      else if (temps.length > 0) phase = "write (temp file left behind)";
      else if (atKill.answer) phase = "answer received, before the temp file";
      else if (atKill.request) phase = "STS call (request received, no answer yet)";
      else phase = "start-up and read (no request yet)";
    }
    phases[phase] = (phases[phase] ?? 0) + 1;
    if (now !== old) {
      assert.equal(now, expectedNew(world, old, now), `round ${rounds}: new content, complete`);
    }
    if (result.signal === "SIGKILL") {
      verifyRuns++;
      await fullRun(`the run after kill ${killed} (${phase})`);
    }
  }

  // The lock file holds nothing; botocore reads the final file.
  assert.equal((await Deno.stat(`${dir}/.credentials.awsmfa.lock`)).size, 0);
  const final = await world.readCredentials();
  decoder.decode(await Deno.readFile(world.credentialsPath));
  if (botocoreAvailable()) {
    const [parsed] = await botocoreParse([final]);
    assert.ok(parsed.ok, "botocore reads the final file");
    const session = storedSession(final);
    assert.equal(parsed.record.george.aws_session_token, session.sessionToken);
    assert.equal(parsed.record["profile after"].x, "日本語 🎉");
  }
  log.addSecrets(world.fake);
  figure("crash", {
    kills: killed,
    rounds,
    verifyRuns,
    phases,
    aims: attempts,
    tempFilesObserved: tempModes.length,
    medianRunMs: Math.round(percentile(timing.exit, 50)),
    lost: 0,
  });
});

Deno.test("torture: no secret in any output of the crash suite", () => {
  const scanned = log.assertNoSecrets();
  figure("crash-secret-scan", scanned);
});

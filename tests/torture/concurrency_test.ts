/**
 * Concurrency torture: many awsmfa runs on one credentials file at once.
 *
 * - 20 runs for 20 different profiles (20 IAM users, 20 MFA devices): every
 *   profile ends refreshed with its own session, STS is called 20 times, and
 *   the rest of the file is as it was.
 * - 10 runs for the same profile with the same code: STS is called once; the
 *   other nine reuse the session it wrote (without spending the code); all
 *   exit 0.
 *
 * After each round botocore reads the file and sees exactly the sessions.
 */
import assert from "node:assert/strict";
import { botocoreAvailable, botocoreParse } from "../support/botocore.ts";
import { setupE2e } from "../support/e2e_env.ts";
import type { FakeUser } from "../support/fake_sts.ts";
import {
  figure,
  OutputLog,
  type Rng,
  type RunResult,
  scenario,
  size,
  spawnCli,
  tempFiles,
} from "./support.ts";

const FILE = "tests/torture/concurrency_test.ts";
const log = new OutputLog();

function sourceBlock(name: string, user: FakeUser, eol: string): string {
  return [
    `[${name}mfa]`,
    `aws_access_key_id = ${user.accessKeyId}`,
    `aws_secret_access_key = ${user.secretAccessKey}`,
    `mfa_serial = ${user.mfaDevices[0].serialNumber}`,
    "",
  ].join(eol);
}

/** Some lines that are not ours, in random places. */
function filler(rng: Rng, i: number, eol: string): string {
  return rng.pick([
    "",
    `# profile ${i} ✓${eol}`,
    `; notes: ünïcode, [brackets], a = b${eol}`,
    `${eol}`,
    `[other-${i}]${eol}region = eu-west-${1 + i % 3}${eol}output=json${eol}`,
  ]);
}

scenario("20 runs at once for 20 profiles of one file: all refreshed, the file intact", {
  file: FILE,
  timeoutMs: size(30_000, 150_000),
}, async ({ rng, checkTime }) => {
  const rounds = size(1, 6);
  const totals = { runs: 0, stsCalls: 0 };
  for (let round = 0; round < rounds; round++) {
    checkTime();
    await using world = await setupE2e({ withSource: false });
    const eol = rng.pick(["\n", "\r\n"]);
    const names = Array.from(
      { length: 20 },
      (_, i) => rng.pick(["p", "team ", "dév-", "x=y "]) + String(i).padStart(2, "0"),
    );
    const users = names.map((_, i) => world.fake.addUser({ userName: `user${i}` }));
    let text = `# 20 profiles${eol}`;
    names.forEach((name, i) => {
      text += filler(rng, i, eol) + sourceBlock(name, users[i], eol);
      // Some profiles already hold an expired session, some nothing yet.
      if (rng.chance(0.5)) {
        text += `[${name}]${eol}aws_access_key_id = ASIAEXPIREDEXPIRED00${eol}` +
          `aws_secret_access_key = old${eol}aws_session_token = old${eol}` +
          `aws_credential_expiration = 2001-01-01T00:00:00Z${eol}region = us-west-2${eol}`;
      }
    });
    await world.writeCredentials(text);
    const before = text;
    // One fresh step for the whole round; each device is unused at it.
    await world.fake.freshCode(users[0].mfaDevices[0].serialNumber);
    const codes = await Promise.all(
      users.map((u) => world.fake.currentCode(u.mfaDevices[0].serialNumber)),
    );
    const results: RunResult[] = await Promise.all(
      names.map((name, i) =>
        spawnCli([name, "--code", codes[i]], { env: world.env }).done.then((result) => {
          log.record(result, world.fake);
          return result;
        })
      ),
    );
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${names[i]}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^Profile ${names[i]} is ready`));
    });
    const calls = world.fake.requests.filter((r) => r.action === "GetSessionToken");
    assert.equal(calls.length, 20, "one STS call per profile");
    assert.ok(calls.every((r) => r.outcome === "ok"));
    assert.deepEqual(await tempFiles(`${world.home}/.aws`), []);

    const after = await world.readCredentials();
    const issued = new Set(world.fake.issuedSecrets());
    if (botocoreAvailable()) {
      const [was, now] = await botocoreParse([before, after]);
      assert.ok(was.ok && now.ok, "botocore reads the file before and after");
      const targets = new Set(names);
      for (const [section, keys] of Object.entries(was.record)) {
        if (targets.has(section)) continue;
        assert.deepEqual(now.record[section], keys, `[${section}] is unchanged`);
      }
      const tokens = new Set<string>();
      for (const name of names) {
        const session = now.record[name] as Record<string, string>;
        assert.ok(session, `[${name}] exists`);
        assert.ok(issued.has(session.aws_secret_access_key), `[${name}] has an issued secret`);
        assert.ok(issued.has(session.aws_session_token), `[${name}] has an issued token`);
        assert.match(session.aws_credential_expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        tokens.add(session.aws_session_token);
        const old = was.record[name] as Record<string, string> | undefined;
        if (old) assert.equal(session.region, "us-west-2", `[${name}] keeps its other keys`);
      }
      assert.equal(tokens.size, 20, "20 distinct sessions");
      assert.equal(
        Object.keys(now.record).length,
        Object.keys(was.record).length +
          names.filter((n) => !(n in was.record)).length,
      );
    }
    log.addSecrets(world.fake);
    totals.runs += 20;
    totals.stsCalls += calls.length;
  }
  figure("concurrency-profiles", { rounds, concurrentRuns: 20, ...totals });
});

scenario("10 runs at once for the same profile and code: STS called once, all succeed", {
  file: FILE,
  timeoutMs: size(30_000, 150_000),
}, async ({ rng, checkTime }) => {
  const rounds = size(2, 12);
  const outcomes = { refreshed: 0, elsewhere: 0, valid: 0 };
  const totals = { runs: 0, stsCalls: 0 };
  for (let round = 0; round < rounds; round++) {
    checkTime();
    await using world = await setupE2e();
    if (rng.chance(0.5)) {
      await world.writeCredentials(
        world.sourceSection() + "\n[george]\naws_access_key_id = ASIAEXPIREDEXPIRED00\n" +
          "aws_secret_access_key = old\naws_session_token = old\n" +
          "aws_credential_expiration = 2001-01-01T00:00:00Z\n",
      );
    }
    const code = await world.fake.freshCode(world.serial);
    const results = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          spawnCli(["george", "--code", code], { env: world.env }).done.then((result) => {
            log.record(result, world.fake);
            return result;
          }),
      ),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const calls = world.fake.requests.filter((r) => r.action === "GetSessionToken");
    assert.deepEqual(calls.map((r) => r.outcome), ["ok"], "exactly one STS call");
    const refreshed = results.filter((r) => /is ready: MFA session valid until/.test(r.stdout));
    const elsewhere = results.filter((r) =>
      /was refreshed by another awsmfa run meanwhile; .* Your code was not used\./.test(r.stdout)
    );
    const valid = results.filter((r) => /already has an MFA session, valid until/.test(r.stdout));
    assert.equal(refreshed.length, 1, results.map((r) => r.stdout).join(""));
    assert.equal(refreshed.length + elsewhere.length + valid.length, 10);
    outcomes.refreshed += refreshed.length;
    outcomes.elsewhere += elsewhere.length;
    outcomes.valid += valid.length;

    const after = await world.readCredentials();
    if (botocoreAvailable()) {
      const [now] = await botocoreParse([after]);
      assert.ok(now.ok, "botocore reads the file");
      const george = now.record.george as Record<string, string>;
      assert.ok(new Set(world.fake.issuedSecrets()).has(george.aws_session_token));
    }
    assert.deepEqual(await tempFiles(`${world.home}/.aws`), []);
    log.addSecrets(world.fake);
    totals.runs += 10;
    totals.stsCalls += calls.length;
  }
  figure("concurrency-same-profile", { rounds, concurrentRuns: 10, ...totals, outcomes });
});

Deno.test("torture: no secret in any output of the concurrency suite", () => {
  figure("concurrency-secret-scan", log.assertNoSecrets());
});

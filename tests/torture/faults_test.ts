/**
 * STS fault torture: every way the fake STS can fail the one request, each
 * tried repeatedly. For each: a clear message (ours, one line of cause and
 * one of fix, no stack), the exit code of its class (5 network/service,
 * 4 authentication, 2 usage), the file unchanged, and exactly one request:
 * a request that may have consumed the code is never retried behind the
 * user's back (the fault is queued once, so a silent retry would succeed and
 * show as a second request and exit 0). Where the code may have been spent,
 * the message says so.
 */
import assert from "node:assert/strict";
import { type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import type { Fault } from "../support/fake_sts.ts";
import {
  assertCleanError,
  figure,
  OutputLog,
  type Rng,
  scenario,
  size,
  sleep,
  spawnCli,
  tempFiles,
} from "./support.ts";

const FILE = "tests/torture/faults_test.ts";
const log = new OutputLog();
const MAY_BE_USED = /The code may have been used up: wait for the next one/;

interface FaultCase {
  name: string;
  /** The fault(s) queued for the one request; `timeout` uses a delay past AWSMFA_TIMEOUT. */
  faults: (rng: Rng) => { faults: Fault[]; timeoutSeconds?: number };
  exit: 2 | 4 | 5;
  message: RegExp;
  /** Whether the message must say the code may have been used up. */
  mayBeUsed: boolean;
}

const AWS_ERROR = (status: number, code: string, message: string): Fault => ({
  kind: "error",
  status,
  code,
  message,
});

const CASES: FaultCase[] = [
  {
    name: "HTTP 500 InternalFailure",
    faults: () => ({ faults: [{ kind: "status", status: 500, code: "InternalFailure" }] }),
    exit: 5,
    message: /AWS STS failed to answer \(HTTP 500 InternalFailure\)/,
    mayBeUsed: true,
  },
  {
    name: "HTTP 503 ServiceUnavailable",
    faults: () => ({ faults: [{ kind: "status", status: 503, code: "ServiceUnavailable" }] }),
    exit: 5,
    message: /AWS STS failed to answer \(HTTP 503 ServiceUnavailable\)/,
    mayBeUsed: true,
  },
  {
    name: "throttling (400 Throttling)",
    faults: () => ({ faults: [{ kind: "throttle" }] }),
    exit: 5,
    message: /AWS STS is throttling requests \(Throttling\)\.\n {2}Wait .* the next code/,
    mayBeUsed: false,
  },
  {
    name: "slow answer past AWSMFA_TIMEOUT",
    faults: (rng) => {
      const timeoutSeconds = rng.pick([0.3, 0.5, 0.8]);
      return {
        faults: [{ kind: "delay", ms: timeoutSeconds * 1000 + rng.between(700, 2000) }],
        timeoutSeconds,
      };
    },
    exit: 5,
    message: /AWS STS did not answer within 0\.\d s/,
    mayBeUsed: true,
  },
  {
    name: "malformed XML body",
    faults: () => ({ faults: [{ kind: "malformed" }] }),
    exit: 5,
    message: /AWS STS at .* sent an answer awsmfa cannot read \(HTTP 200\)/,
    mayBeUsed: true,
  },
  {
    name: "truncated body (Content-Length longer than the body)",
    faults: () => ({ faults: [{ kind: "truncated" }] }),
    exit: 5,
    message: /AWS STS at .* sent an answer awsmfa cannot read|Could not reach AWS STS/,
    mayBeUsed: true,
  },
  {
    name: "empty 200 body",
    faults: () => ({ faults: [{ kind: "empty" }] }),
    exit: 5,
    message: /sent an answer awsmfa cannot read/,
    mayBeUsed: true,
  },
  {
    name: "connection reset",
    faults: () => ({ faults: [{ kind: "reset" }] }),
    exit: 5,
    message: /Lost the connection to AWS STS at .* after the request was sent/,
    mayBeUsed: true,
  },
  {
    name: "wrong content type: an HTML page (captive portal), 200",
    faults: () => ({ faults: [{ kind: "html" }] }),
    exit: 5,
    message: /sent an answer awsmfa cannot read/,
    mayBeUsed: true,
  },
  {
    name: "wrong content type: a proxy's HTML error page, 502",
    faults: () => ({ faults: [{ kind: "html", status: 502 }] }),
    exit: 5,
    message: /HTTP 502/,
    mayBeUsed: true,
  },
  {
    name: "a short delay, then HTTP 503",
    faults: (rng) => ({
      faults: [
        { kind: "delay", ms: rng.between(10, 150) },
        { kind: "status", status: 503, code: "ServiceUnavailable" },
      ],
    }),
    exit: 5,
    message: /HTTP 503/,
    mayBeUsed: true,
  },
  {
    name: "403 AccessDenied: wrong or reused code",
    faults: () => ({
      faults: [AWS_ERROR(
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
      )],
    }),
    exit: 4,
    message: /AWS rejected the MFA code: it is wrong or was already used/,
    mayBeUsed: false,
  },
  {
    name: "403 InvalidClientTokenId",
    faults: () => ({
      faults: [AWS_ERROR(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      )],
    }),
    exit: 4,
    message: /AWS does not recognise access key AKIA…/,
    mayBeUsed: false,
  },
  {
    name: "403 SignatureDoesNotMatch",
    faults: () => ({
      faults: [AWS_ERROR(403, "SignatureDoesNotMatch", "The request signature we calculated …")],
    }),
    exit: 4,
    message: /AWS refused the signature/,
    mayBeUsed: false,
  },
  {
    name: "403 RegionDisabledException",
    faults: () => ({
      faults: [AWS_ERROR(
        403,
        "RegionDisabledException",
        "STS is not activated in this region for account:123456789012.",
      )],
    }),
    exit: 4,
    message: /AWS refused GetSessionToken \(RegionDisabledException\)/,
    mayBeUsed: false,
  },
  {
    name: "400 ValidationError",
    faults: () => ({
      faults: [AWS_ERROR(400, "ValidationError", "1 validation error detected: …")],
    }),
    exit: 2,
    message: /AWS refused the request: 1 validation error/,
    mayBeUsed: false,
  },
];

/** One run against a queued fault; checks everything the issue asks of it. */
async function tryFault(world: E2eWorld, rng: Rng, fault: FaultCase): Promise<void> {
  const before = await world.readCredentials();
  const { faults, timeoutSeconds } = fault.faults(rng);
  for (const f of faults) world.fake.fault(f);
  const requestsBefore = world.fake.requests.length;
  const verbose = rng.chance(0.3);
  const result = await spawnCli(
    ["george", "--code", await world.fake.freshCode(world.serial), ...(verbose ? ["-v"] : [])],
    { env: { ...world.env, AWSMFA_TIMEOUT: String(timeoutSeconds ?? 5) } },
  ).done;
  world.fake.clearFaults();
  // A request the client gave up on is still in the fake's delay: let it finish
  // (it would take the next case's fault when it wakes up).
  const deadline = Date.now() + 5_000;
  while (world.fake.requests.some((r) => r.status === 0 && r.outcome === "ok")) {
    assert.ok(Date.now() < deadline, "the fake finished every request");
    await sleep(20);
  }
  log.record(result, world.fake);
  const what = `${fault.name}${verbose ? " (--verbose)" : ""}`;
  assert.equal(
    result.code,
    fault.exit,
    `${what}: exit ${result.code}\n${result.stdout}${result.stderr}`,
  );
  assert.equal(result.stdout, "", what);
  assertCleanError(result, what);
  // The last line of our message (the fix) and the cause line before it.
  const ours = result.stderr.slice(result.stderr.lastIndexOf("\nawsmfa: ") + 1);
  assert.match(ours, fault.message, what);
  if (fault.exit === 5) assert.match(ours, /\n {2}\S/, `${what}: the message comes with a fix`);
  if (fault.mayBeUsed) assert.match(ours, MAY_BE_USED, what);
  assert.equal(world.fake.requests.length - requestsBefore, 1, `${what}: exactly one request`);
  assert.equal(await world.readCredentials(), before, `${what}: the file is unchanged`);
  assert.deepEqual(await tempFiles(`${world.home}/.aws`), [], what);
}

scenario("every STS fault: clear message, its exit code, file unchanged, never retried", {
  file: FILE,
  timeoutMs: size(45_000, 300_000),
}, async ({ rng, checkTime }) => {
  const repeats = size(1, 10);
  await using world = await setupE2e();
  await world.writeCredentials(
    "# faults ✓\r\n" + world.sourceSection().replaceAll("\n", "\r\n") +
      "[george]\r\naws_access_key_id = ASIAEXPIREDEXPIRED00\r\naws_secret_access_key = old\r\n" +
      "aws_session_token = old\r\naws_credential_expiration = 2001-01-01T00:00:00Z\r\n",
  );
  const tried: Record<string, number> = {};
  for (let i = 0; i < repeats; i++) {
    for (const fault of CASES) {
      checkTime();
      await tryFault(world, rng, fault);
      tried[fault.name] = (tried[fault.name] ?? 0) + 1;
    }
  }
  // Control: a slow answer within the time limit works, and so does the next run.
  world.fake.fault({ kind: "delay", ms: 300 });
  const slow = await spawnCli(["george", "--code", await world.fake.freshCode(world.serial)], {
    env: { ...world.env, AWSMFA_TIMEOUT: "3" },
  }).done;
  log.record(slow, world.fake);
  assert.equal(slow.code, 0, slow.stderr);
  log.addSecrets(world.fake);
  figure("faults", {
    kinds: CASES.length,
    runs: Object.values(tried).reduce((a, b) => a + b, 0),
    exitCodes: Object.fromEntries(CASES.map((c) => [c.name, c.exit])),
  });
});

scenario("TLS failures and an unreachable endpoint: exit 5, no request, file unchanged", {
  file: FILE,
  timeoutMs: size(30_000, 120_000),
}, async ({ checkTime }) => {
  const repeats = size(1, 5);
  await using world = await setupE2e({ tls: true });
  await using other = await setupE2e({ tls: true });
  const before = await world.readCredentials();
  const { AWS_CA_BUNDLE: _, ...untrusted } = world.env;
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const cases: Array<{ name: string; env: Record<string, string>; message: RegExp }> = [
    { name: "no CA bundle for a self-signed CA", env: untrusted, message: /trusted TLS/ },
    {
      name: "the wrong CA bundle",
      env: { ...world.env, AWS_CA_BUNDLE: other.fake.caCertPath! },
      message: /trusted TLS/,
    },
    {
      name: "plain HTTP spoken to a TLS port",
      env: { ...untrusted, AWS_ENDPOINT_URL_STS: world.fake.url.replace("https:", "http:") },
      message: /Could not reach AWS STS|cannot read/,
    },
    {
      name: "connection refused",
      env: { ...world.env, AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${closedPort}` },
      message: new RegExp(`Could not reach AWS STS at http://127\\.0\\.0\\.1:${closedPort}`),
    },
  ];
  let runs = 0;
  for (let i = 0; i < repeats; i++) {
    for (const c of cases) {
      checkTime();
      const result = await spawnCli(
        ["george", "--code", await world.fake.freshCode(world.serial)],
        { env: { ...c.env, AWSMFA_TIMEOUT: "3" } },
      ).done;
      log.record(result, world.fake);
      runs++;
      assert.equal(result.code, 5, `${c.name}: ${result.stderr}`);
      assertCleanError(result, c.name);
      assert.match(result.stderr, c.message, c.name);
      assert.equal(world.fake.requests.length, 0, `${c.name}: no request got through`);
      assert.equal(await world.readCredentials(), before, c.name);
    }
  }
  log.addSecrets(world.fake);
  log.addSecrets(other.fake);
  figure("faults-transport", { kinds: cases.length, runs });
});

Deno.test("torture: no secret in any output of the fault suite", () => {
  figure("faults-secret-scan", log.assertNoSecrets());
});

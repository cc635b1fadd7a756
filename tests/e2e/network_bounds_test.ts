// What the user sees when the other side misbehaves: an answer that never ends or is too large,
// credentials no one should write, a time limit out of range, and a request that never left this
// machine told apart from one that may have spent the code. Each run must end by itself (the
// runner's own 30 s limit kills it otherwise, which fails the exit-code assertion), exit with its
// class and leave the credentials file byte for byte as it was.

import assert from "node:assert/strict";
import net from "node:net";
import { type E2eWorld, setupE2e } from "../support/e2e_env.ts";
import type { CliResult } from "../support/cli_runner.ts";
import type { Fault } from "../support/fake_sts.ts";

const MAY_BE_USED = /The code may have been used up: wait for the next one/;
const STILL_GOOD = /The request was not sent, so the code was not used/;

/** One login with a fresh code and `env`; checks exit 5 and the file untouched. */
async function failingLogin(
  world: E2eWorld,
  env: Record<string, string>,
  what: string,
): Promise<CliResult> {
  const before = await world.readCredentials();
  const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)], {
    env,
  });
  assert.equal(result.signal, null, `${what}: ended by itself`);
  assert.equal(result.code, 5, `${what}: ${result.stderr}`);
  assert.equal(result.stdout, "", what);
  assert.equal(await world.readCredentials(), before, `${what}: the file is untouched`);
  assert.doesNotMatch(result.stderr, /internal error|Warning|at .*\.ts:\d+/, what);
  return result;
}

async function withFault(world: E2eWorld, fault: Fault, env: Record<string, string> = {}) {
  world.fake.fault(fault);
  try {
    return await failingLogin(world, { AWSMFA_TIMEOUT: "2", ...env }, fault.kind);
  } finally {
    world.fake.clearFaults();
  }
}

Deno.test("network bounds: an answer that never ends, fast or trickling, ends at the size cap or the time limit", async () => {
  await using world = await setupE2e();
  const fast = await withFault(world, { kind: "endless" });
  assert.match(
    fast.stderr,
    /AWS STS at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 1 MiB/,
  );
  assert.match(fast.stderr, MAY_BE_USED);

  const trickle = await withFault(world, { kind: "endless", intervalMs: 100 });
  assert.match(trickle.stderr, /AWS STS did not finish its answer within 2 s/);
  assert.match(trickle.stderr, MAY_BE_USED);
});

Deno.test("network bounds: a 2 MiB chunked body and a 30 MB session token are refused unread", async () => {
  await using world = await setupE2e();
  const huge = await withFault(world, { kind: "huge", bytes: 2 * 1024 * 1024 });
  assert.match(huge.stderr, /sent an answer larger than 1 MiB/);
  const token = await withFault(world, { kind: "credentials", sessionToken: "A".repeat(30e6) });
  assert.match(token.stderr, /sent an answer larger than 1 MiB/);
});

Deno.test("network bounds: IAM (setup's ListMFADevices) is bounded the same way", async () => {
  await using world = await setupE2e();
  const { listMfaDevices } = await import("../../lib/aws/api/iam.ts");
  world.fake.fault({ kind: "endless", intervalMs: 100 });
  await assert.rejects(
    listMfaDevices(world.user, {
      region: "us-east-1",
      endpoint: world.fake.url,
      sourceSection: "georgemfa",
      timeoutMs: 1000,
    }),
    (error: Error & { exitCode?: number }) => {
      assert.equal(error.exitCode, 5);
      assert.match(error.message, /AWS IAM did not finish its answer within 1 s/);
      return true;
    },
  );
  world.fake.fault({ kind: "huge", bytes: 3 * 1024 * 1024 });
  await assert.rejects(
    listMfaDevices(world.user, {
      region: "us-east-1",
      endpoint: world.fake.url,
      sourceSection: "georgemfa",
    }),
    /AWS IAM at .* sent an answer larger than 1 MiB/,
  );
});

Deno.test("network bounds: credentials no one should write are refused as AWS's fault (exit 5), values unshown", async () => {
  await using world = await setupE2e();
  const token = "FwoGZXIvYXdzE" + "Q".repeat(300);
  const cases: Array<[Fault, RegExp]> = [
    [
      { kind: "credentials", expiration: "2020-01-01T00:00:00Z" },
      /the Expiration .* is in the past/,
    ],
    [{ kind: "credentials", sessionToken: `${token}\n${token}` }, /session token has a line break/],
    [
      { kind: "credentials", sessionToken: "A".repeat(20_000) },
      /session token is 20000 characters/,
    ],
    [
      { kind: "credentials", secretAccessKey: `"${token.slice(0, 38)}"` },
      /secret access key has a/,
    ],
    [{ kind: "credentials", accessKeyId: "ASIA EXAMPLE 12345" }, /access key id has a space/],
  ];
  for (const [fault, message] of cases) {
    const result = await withFault(world, fault);
    assert.match(result.stderr, /answered GetSessionToken with credentials awsmfa will not write/);
    assert.match(result.stderr, message);
    assert.match(result.stderr, MAY_BE_USED);
    assert.ok(!result.stderr.includes(token.slice(-40)), "the value is not shown");
  }
});

Deno.test("network bounds: a session that expires within a minute is written and said plainly", async () => {
  await using world = await setupE2e();
  // 45 s after the answer (not after the test started: a slow machine must not make it past).
  world.fake.fault({ kind: "credentials", expiresInMs: 45_000 });
  const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /Profile george is ready, but its MFA session expires within a minute/,
  );
  assert.match(
    await world.readCredentials(),
    /aws_credential_expiration = \d{4}-\d\d-\d\dT[\d:]{8}Z/,
  );
});

Deno.test("network bounds: AWSMFA_TIMEOUT out of range or malformed is a usage error before any request", async () => {
  await using world = await setupE2e();
  const before = await world.readCredentials();
  for (const value of ["1e9", "100000", "0", "abc"]) {
    const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)], {
      env: { AWSMFA_TIMEOUT: value },
    });
    assert.equal(result.code, 2, `${value}: ${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(
        `^awsmfa: AWSMFA_TIMEOUT is '${value}', not a number of seconds from 0\\.1 to 600\\.`,
      ),
    );
    assert.doesNotMatch(result.stderr, /Warning|Overflow/i);
    assert.equal(await world.readCredentials(), before);
  }
  assert.equal(world.fake.requests.length, 0, "nothing was sent");
});

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("network bounds: not sent (refused, DNS, TLS, proxy) says the code is still good and what to check", async () => {
  await using world = await setupE2e({ tls: true });
  const port = closedPort();
  const cases: Array<[string, Record<string, string>, RegExp, RegExp]> = [
    [
      "connection refused",
      { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` },
      new RegExp(`Could not reach AWS STS at http://127\\.0\\.0\\.1:${port}: .*Connection refused`),
      /endpoint override \(AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL\)/,
    ],
    [
      "DNS failure",
      { AWS_ENDPOINT_URL_STS: "https://sts.nonexistent.invalid" },
      /Could not reach AWS STS at https:\/\/sts\.nonexistent\.invalid: .*dns error/,
      /Check DNS/,
    ],
    ["untrusted certificate", { AWS_CA_BUNDLE: "" }, /trusted TLS connection/, /AWS_CA_BUNDLE/],
    [
      "proxy refused",
      { HTTPS_PROXY: `http://127.0.0.1:${port}` },
      /Could not reach AWS STS at https:\/\/localhost:\d+: /,
      /HTTPS_PROXY/,
    ],
  ];
  for (const [what, env, message, advice] of cases) {
    const result = await failingLogin(world, { ...env, AWSMFA_TIMEOUT: "5" }, what);
    assert.match(result.stderr, message, what);
    assert.match(result.stderr, advice, what);
    assert.match(result.stderr, STILL_GOOD, what);
    assert.doesNotMatch(result.stderr, MAY_BE_USED, what);
  }
  assert.equal(world.fake.requests.length, 0, "no request reached the fake");
});

Deno.test("network bounds: sent and unanswered (silence, reset) says the code may be spent", async () => {
  await using world = await setupE2e();
  // A server that accepts, reads the request and never answers.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("data", () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const quiet = await failingLogin(world, {
      AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`,
      AWSMFA_TIMEOUT: "1",
    }, "silence");
    assert.match(quiet.stderr, /AWS STS did not answer within 1 s/);
    assert.match(quiet.stderr, MAY_BE_USED);
    assert.doesNotMatch(quiet.stderr, STILL_GOOD);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
  const reset = await withFault(world, { kind: "reset" });
  assert.match(reset.stderr, /Lost the connection to AWS STS at .* after the request was sent/);
  assert.match(reset.stderr, MAY_BE_USED);
  assert.doesNotMatch(reset.stderr, STILL_GOOD);
});

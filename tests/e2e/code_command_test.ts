/**
 * Codes from a command (`--code-command`, `mfa_process`) end to end: run
 * through /bin/sh with a time limit; its failure, silence, ambiguity or
 * slowness is reported with its stderr, and nothing is written.
 */
import assert from "node:assert/strict";
import { spawnCli } from "../support/cli_runner.ts";
import { setupE2e } from "../support/e2e_env.ts";
import { killSurvivors, survivors, waitForPids } from "../support/processes.ts";

const unix = Deno.build.os !== "windows";

Deno.test({
  name: "code command: --code-command and mfa_process supply the code (ykman-style output)",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e();
    const code = await world.fake.freshCode(world.serial);
    const viaFlag = await world.run([
      "george",
      "--code-command",
      `echo 'Touch your YubiKey...' >&2; printf 'aws:george  ${code}\\n'`,
    ]);
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    assert.match(viaFlag.stdout, /Profile george is ready/);
    assert.doesNotMatch(viaFlag.stderr, /Touch/, "a working command's stderr is not echoed");

    const next = await world.fake.freshCode(world.serial);
    await world.writeCredentials(world.sourceSection() + `mfa_process = echo ${next}\n`);
    const viaSetting = await world.run(["george"]);
    assert.equal(viaSetting.code, 0, viaSetting.stderr);
    assert.deepEqual(world.fake.requests.map((r) => r.outcome), ["ok", "ok"]);
  },
});

Deno.test({
  name: "code command: a failing command exits 4 with its stderr and exit code; nothing written",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e({ withSource: false });
    const before = world.sourceSection() + "mfa_process = echo 'op: not signed in' >&2; exit 3\n";
    await world.writeCredentials(before);
    const result = await world.run(["george"]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(
      result.stderr,
      /code command from mfa_process in \[georgemfa\] failed with exit code 3\.\nop: not signed in/,
    );
    assert.match(result.stderr, /Run it yourself to see why: echo/);
    assert.equal(await world.readCredentials(), before);
    assert.equal(world.fake.requests.length, 0);
  },
});

Deno.test({
  name: "code command: no code, or several codes, in its output is refused",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e();
    const before = await world.readCredentials();
    const none = await world.run([
      "george",
      "--code-command",
      "echo 'no accounts match' >&2; echo nothing",
    ]);
    assert.equal(none.code, 4);
    assert.match(none.stderr, /--code-command printed no 6-digit code\.\nno accounts match/);

    const several = await world.run([
      "george",
      "--code-command",
      "printf 'aws  123456\\nother  654321\\n'",
    ]);
    assert.equal(several.code, 4);
    assert.match(several.stderr, /printed 2 different 6-digit codes/);
    assert.match(several.stderr, /--single/);

    const empty = await world.run(["george", "--code-command", " "]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /--code-command is empty/);
    assert.equal(await world.readCredentials(), before);
    assert.equal(world.fake.requests.length, 0);
  },
});

Deno.test({
  name:
    "code command: a slow command is stopped at AWSMFA_CODE_TIMEOUT, even with a child holding its output",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e();
    const before = await world.readCredentials();
    const result = await world.run([
      "george",
      "--code-command",
      "echo 'waiting for touch' >&2; sleep 20; echo 123456",
    ], { env: { AWSMFA_CODE_TIMEOUT: "1" } });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /did not finish within 1 s\.\nwaiting for touch/);
    assert.match(result.stderr, /AWSMFA_CODE_TIMEOUT/);
    assert.equal(result.signal, null, "awsmfa ended by itself, before the test's own limit");
    assert.equal(await world.readCredentials(), before);
    assert.equal(world.fake.requests.length, 0);

    const bad = await world.run(["george", "--code-command", "echo 123456"], {
      env: { AWSMFA_CODE_TIMEOUT: "soon" },
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /AWSMFA_CODE_TIMEOUT is 'soon'/);
    // Out of range: refused before the command runs (1e9 seconds overflowed the timer).
    for (const value of ["1e9", "0", "3601"]) {
      const out = await world.run(["george", "--code-command", "echo 123456"], {
        env: { AWSMFA_CODE_TIMEOUT: value },
      });
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, new RegExp(`AWSMFA_CODE_TIMEOUT is '${value}', .* 0\\.1 to 3600`));
      assert.doesNotMatch(out.stderr, /TimeoutOverflowWarning/);
    }
  },
});

Deno.test({
  name: "code command: one that ignores SIGTERM is killed after the grace period; awsmfa returns",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e();
    const before = await world.readCredentials();
    const pids = `${world.home}/pids`;
    try {
      const result = await world.run([
        "george",
        "--code-command",
        `trap '' TERM; echo 'waiting for touch' >&2; echo $$ > ${pids}; exec sleep 311`,
      ], { env: { AWSMFA_CODE_TIMEOUT: "1" }, timeoutMs: 30_000 });
      assert.equal(
        result.code,
        4,
        `exit ${result.code} (signal ${result.signal}): ${result.stderr}`,
      );
      assert.match(result.stderr, /--code-command timed out: it did not finish within 1 s/);
      assert.match(result.stderr, /\nwaiting for touch\n/);
      assert.match(result.stderr, /AWSMFA_CODE_TIMEOUT=60/);
      assert.match(result.stderr, /Run it yourself to see where it waits: trap/);
      assert.deepEqual(await survivors(pids, "sleep 311"), []);
      assert.equal(await world.readCredentials(), before);
      assert.equal(world.fake.requests.length, 0);
    } finally {
      await killSurvivors(pids, "sleep 311");
    }
  },
});

Deno.test({
  name: "code command: on time-out, the processes it started in the background end too",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e();
    const pids = `${world.home}/pids`;
    try {
      const result = await world.run([
        "george",
        "--code-command",
        `sleep 312 & echo $! >> ${pids}; (trap '' TERM; exec sleep 313) & echo $! >> ${pids}; ` +
        `echo $$ >> ${pids}; sleep 314 & echo $! >> ${pids}; wait $!`,
      ], { env: { AWSMFA_CODE_TIMEOUT: "1" }, timeoutMs: 30_000 });
      assert.deepEqual(await survivors(pids, "sleep 31"), []);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /timed out/);
    } finally {
      await killSurvivors(pids, "sleep 31");
    }
  },
});

Deno.test({
  name: "code command: one that prints without end is stopped at 64 KiB, not read into memory",
  ignore: !unix,
  async fn() {
    await using world = await setupE2e();
    const before = await world.readCredentials();
    const result = await world.run(["george", "--code-command", "yes 123456"], {
      env: { AWSMFA_CODE_TIMEOUT: "25" },
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /--code-command printed more than 64 KiB and was stopped\./);
    assert.equal(await world.readCredentials(), before);
    assert.equal(world.fake.requests.length, 0);
  },
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test({
    name: `code command: ${signal} to awsmfa while it runs ends it and its children; exit 130`,
    ignore: !unix,
    async fn() {
      await using world = await setupE2e();
      const before = await world.readCredentials();
      const pids = `${world.home}/pids`;
      const cli = spawnCli([
        "george",
        "--code-command",
        `sleep 315 & echo $! >> ${pids}; echo $$ >> ${pids}; sleep 316 & echo $! >> ${pids}; wait $!`,
      ], { env: world.env, timeoutMs: 30_000 });
      try {
        assert.ok(await waitForPids(pids, 3), "the code command did not start");
        cli.child.kill(signal);
        const result = await cli.done;
        assert.equal(result.code, 130, `exit ${result.code} (signal ${result.signal})`);
        assert.equal(result.signal, null);
        assert.match(result.stderr, /Cancelled; nothing was written/);
        assert.deepEqual(await survivors(pids, "sleep 31"), []);
        assert.equal(await world.readCredentials(), before);
      } finally {
        cli.kill();
        await cli.done;
        await killSurvivors(pids, "sleep 31");
      }
    },
  });
}

Deno.test("code command: --code and --code-command together is a usage error", async () => {
  await using world = await setupE2e();
  const result = await world.run(["george", "--code", "123456", "--code-command", "echo 1"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /either --code or --code-command/);
});

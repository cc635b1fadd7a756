/**
 * The MFA prompt at a real (pseudo-)terminal: typing, Backspace, Ctrl-C,
 * asking again after a rejected code, and a piped stdin that does not matter.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir } from "../support/cli_runner.ts";
import { assertNoSecrets, setupE2e } from "../support/e2e_env.ts";
import { ptyAvailable, startPty } from "../support/pty.ts";

const available = ptyAvailable();

function env(world: { env: Record<string, string> }): Record<string, string> {
  return { ...world.env, DENO_DIR: denoDir(), NO_COLOR: "1" };
}

Deno.test({
  name: "prompt: type with a typo, Backspace, Enter; the session is written",
  ignore: !available,
  async fn() {
    await using world = await setupE2e();
    const code = await world.fake.freshCode(world.serial);
    const pty = startPty([...cliCommand(), "george"], { ...env(world), HOME: world.home });
    await pty.waitFor("MFA code for george: ______");
    await pty.send(code.slice(0, 3) + "9\x7f" + code.slice(3));
    await pty.waitFor(`MFA code for george: ${code}`);
    await pty.send("\r");
    assert.equal(await pty.exit(), 0, pty.output());
    assert.match(pty.output(), /Profile george is ready/);
    assert.match(await world.readCredentials(), /\[george\]\naws_access_key_id = ASIA/);
    assertNoSecrets(world.fake, pty.output());
  },
});

Deno.test({
  name: "prompt: Ctrl-C cancels with exit 130 and writes nothing",
  ignore: !available,
  async fn() {
    await using world = await setupE2e();
    const before = await world.readCredentials();
    const pty = startPty([...cliCommand(), "george"], { ...env(world), HOME: world.home });
    await pty.waitFor("MFA code for george:");
    await pty.send("12\x03");
    assert.equal(await pty.exit(), 130);
    assert.match(pty.output(), /Cancelled; nothing was written/);
    assert.equal(await world.readCredentials(), before);
    assert.equal(world.fake.requests.length, 0);
  },
});

Deno.test({
  name: "prompt: a rejected code asks again, refuses the same code, accepts the next",
  ignore: !available,
  async fn() {
    await using world = await setupE2e();
    const good = await world.fake.freshCode(world.serial);
    const wrong = String((Number(good) + 7) % 1_000_000).padStart(6, "0");
    const pty = startPty([...cliCommand(), "george"], { ...env(world), HOME: world.home });
    await pty.waitFor("MFA code for george:");
    await pty.send(wrong + "\r");
    await pty.waitFor("Wait for the next code (1/3)");
    await pty.waitFor(/\(1\/3\)[^]*MFA code for george: ______/);
    await pty.send(wrong + "\r");
    await pty.waitFor("That is the code AWS just rejected");
    await pty.send(good + "\r");
    assert.equal(await pty.exit(), 0, pty.output());
    assert.match(pty.output(), /Profile george is ready/);
    assert.deepEqual(world.fake.requests.map((r) => r.outcome), ["AccessDenied", "ok"]);
  },
});

Deno.test({
  name: "prompt: asks on the terminal even when stdin is a pipe",
  ignore: !available,
  async fn() {
    await using world = await setupE2e();
    const code = await world.fake.freshCode(world.serial);
    const command = [...cliCommand(), "george"].map((w) => `'${w}'`).join(" ");
    const pty = startPty(["/bin/sh", "-c", `echo not-a-code | ${command}`], {
      ...env(world),
      HOME: world.home,
    });
    await pty.waitFor("MFA code for george:");
    await pty.send(code + "\r");
    assert.equal(await pty.exit(), 0, pty.output());
  },
});

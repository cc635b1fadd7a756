/**
 * The prompt on Windows when stdin is not the console (credential_process
 * under an SDK, exec --server): awsmfa opens the console itself, CONIN$ and
 * CONOUT$. A CI runner has no one to type a code, so the test runs awsmfa
 * detached from any console (Deno's `detached` is DETACHED_PROCESS there)
 * with stdin redirected, and checks that awsmfa tried the console and says
 * so, instead of giving up because stdin is a pipe. Windows only: elsewhere
 * /dev/tty is covered by the pty tests.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir } from "../support/cli_runner.ts";
import { assertNoSecrets, setupE2e } from "../support/e2e_env.ts";

Deno.test("windows: with stdin redirected and no console, the prompt names CONIN$", {
  ignore: Deno.build.os !== "windows",
}, async () => {
  await using world = await setupE2e();
  const [command, ...prefix] = cliCommand();
  const child = new Deno.Command(command, {
    args: [...prefix, "credential-process", "george"],
    env: { ...world.env, PATH: Deno.env.get("PATH") ?? "", DENO_DIR: denoDir(), NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  // Were a console found after all, awsmfa would wait at its prompt: end it, and fail below.
  const timer = setTimeout(() => child.kill(), 60_000);
  await child.stdin.close();
  const output = await child.output();
  clearTimeout(timer);
  const stderr = new TextDecoder().decode(output.stderr);
  assertNoSecrets(world.fake, stderr);
  assert.equal(output.code, 2, `awsmfa did not refuse (a console was found?):\n${stderr}`);
  assert.match(
    stderr,
    /^awsmfa: No MFA code given, and there is no terminal to ask for one \(no console: CONIN\$ and CONOUT\$ cannot be opened: .+\)\.\n/,
  );
});

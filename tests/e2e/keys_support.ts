/**
 * What the end-to-end tests of `awsmfa keys` share: the round trip store →
 * login → restore against the fake STS for any keystore, and the check
 * that a refused command changed nothing and called nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "../support/cli_runner.ts";
import { assertNoSecrets, type E2eWorld } from "../support/e2e_env.ts";

/** A credentials file with comments and another profile around `[georgemfa]`. */
export function startingFile(world: E2eWorld): string {
  return "# my keys\n" + world.sourceSection() +
    "region = eu-west-1\n\n; work\n[work]\nregion = eu-west-2\n";
}

/** `text` without the session awsmfa appends as `[george]`. */
export function withoutSession(text: string): string {
  return text.replace(/\n\[george\]\n(?:aws_[a-z_]+ = .*\n){4}$/, "");
}

/**
 * Stores the keys of george in `backend`, logs in with them (the fake STS
 * checks that the request is signed with the long-term key), reads them
 * through env and credential-process after a clear, restores them, and
 * checks the file is byte for byte what it was, but for the session.
 */
export async function roundTrip(
  world: E2eWorld,
  backend: string,
  env: Record<string, string>,
): Promise<void> {
  const original = startingFile(world);
  await world.writeCredentials(original);
  const run = (args: string[]) => world.run(args, { env });

  const store = await run(["keys", "store", "george", "--backend", backend]);
  assert.equal(store.code, 0, store.stderr);
  assert.equal(
    store.stdout,
    `Moved the long-term keys of george (${short(world)}) from [georgemfa] into the ` +
      `${backend} keystore; [georgemfa] now has awsmfa_keystore = ${backend}.\n`,
  );
  const stored = await world.readCredentials();
  assert.ok(!stored.includes(world.user.accessKeyId), "the key id left the file");
  assert.ok(!stored.includes(world.user.secretAccessKey), "the secret left the file");
  assert.equal(
    stored,
    original.replace(
      /aws_access_key_id = .*\naws_secret_access_key = .*\n/,
      `awsmfa_keystore = ${backend}\n`,
    ),
  );

  const list = await run(["keys", "list"]);
  assert.equal(list.stdout, `PROFILE  LONG-TERM KEYS\ngeorge   ${backend} keystore\n`);

  const login = await run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /^Profile george is ready/);
  assert.deepEqual(
    world.fake.requests.map((r) => [r.action, r.outcome, r.accessKeyId]),
    [["GetSessionToken", "ok", world.user.accessKeyId]],
    "signed with the long-term key from the keystore",
  );
  const status = JSON.parse((await run(["status", "--json"])).stdout);
  assert.equal(status.profiles[0].keystore, backend);

  for (const command of ["env", "credential-process"]) {
    assert.equal((await run(["clear", "george"])).code, 0);
    const code = await world.fake.freshCode(world.serial);
    const result = await runSessionPrinter(world, [command, "george", "--code", code], env);
    assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    assert.match(result.stdout, /ASIA/);
  }
  assert.equal(world.fake.requests.filter((r) => r.outcome === "ok").length, 3);

  const restore = await run(["keys", "restore", "george"]);
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(
    restore.stdout,
    `Moved the long-term keys of george (${short(world)}) from the ${backend} keystore back ` +
      "into [georgemfa].\n",
  );
  assert.equal(withoutSession(await world.readCredentials()), original);
  const again = await run(["keys", "restore", "george"]);
  assert.equal(
    again.stdout,
    `The long-term keys of george (${short(world)}) are in [georgemfa] of the credentials ` +
      "file already.\n",
  );
}

/**
 * Runs a command whose stdout is the session (env, credential-process,
 * exec): stderr holds no secret, stdout none of the long-term keys.
 */
export async function runSessionPrinter(
  world: E2eWorld,
  args: string[],
  env: Record<string, string>,
) {
  const result = await runCli(args, { env: { ...world.env, ...env } });
  assertNoSecrets(world.fake, result.stderr);
  assert.ok(!result.stdout.includes(world.user.secretAccessKey), "no long-term secret on stdout");
  return result;
}

/** The key id as awsmfa prints it: AKIA…WXYZ. */
export function short(world: E2eWorld): string {
  const id = world.user.accessKeyId;
  return `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/**
 * Runs `args`, and checks it was refused with exit 3 and `message` (and
 * `fix`) on stderr, no AWS call, and the credentials file byte-identical.
 */
export async function assertRefused(
  world: E2eWorld,
  args: string[],
  options: { env: Record<string, string>; message: string | RegExp; fix?: RegExp },
): Promise<void> {
  const before = await world.readCredentials();
  const calls = world.fake.requests.length;
  const result = await world.run(args, { env: options.env });
  assert.equal(result.code, 3, `${args.join(" ")}: ${result.stderr}`);
  const [first, ...rest] = result.stderr.split("\n");
  if (typeof options.message === "string") {
    assert.equal(first, `awsmfa: ${options.message}`, result.stderr);
  } else {
    assert.match(first, options.message);
  }
  if (options.fix) assert.match(rest.join("\n"), options.fix);
  assert.equal(world.fake.requests.length, calls, "no AWS call");
  assert.equal(await world.readCredentials(), before, "the file is byte-identical");
}

/**
 * Bugs the torture suites found, each pinned by the smallest case that
 * showed it (run in-process through `run(argv, context)`).
 */
import assert from "node:assert/strict";
import { parseArgs } from "../../lib/cli/args.ts";
import { run } from "../../lib/cli/main.ts";
import { realContext } from "../../lib/core/context.ts";
import { UsageError } from "../../lib/core/errors.ts";

/** Runs the CLI in this process with a fake home and captured output. */
async function runInProcess(argv: string[], credentials?: string) {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-regression-" });
  if (credentials !== undefined) {
    await Deno.mkdir(`${home}/.aws`);
    await Deno.writeTextFile(`${home}/.aws/credentials`, credentials, { mode: 0o600 });
  }
  let stdout = "";
  let stderr = "";
  try {
    const code = await run(argv, {
      ...realContext(),
      env: (name) => name === "HOME" ? home : undefined,
      environment: () => ({ HOME: home }),
      homeDir: () => home,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      stderrIsTerminal: false,
      stdoutIsTerminal: false,
      verbose: false,
    });
    return { code, stdout, stderr };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

Deno.test("regression: profile names that are Object.prototype keys are profiles, not commands (was exit 70)", async () => {
  for (const name of PROTOTYPE_NAMES) {
    const result = await runInProcess([name, "--code", "123456"]);
    assert.equal(result.code, 3, `${name}: ${result.stderr}`);
    assert.match(result.stderr, /^awsmfa: There is no credentials file/);
    const help = await runInProcess(["help", name]);
    assert.equal(help.code, 0, `help ${name}: ${help.stderr}`);
    assert.match(help.stdout, /^awsmfa: MFA session credentials/);
  }
});

Deno.test("regression: flags named like Object.prototype keys are unknown flags (was exit 70 or silently accepted)", async () => {
  for (const name of PROTOTYPE_NAMES) {
    assert.throws(
      () => parseArgs([`--${name}`, "x"], { code: { type: "string" } }),
      (error) => error instanceof UsageError && error.message === `Unknown flag '--${name}'.`,
    );
    const result = await runInProcess(["george", `--${name}`, "x", "--code", "123456"]);
    assert.equal(result.code, 2, `--${name}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^awsmfa: Unknown flag '--${name}'\\.`));
  }
});

Deno.test("regression: a target with an ASIA key but no token is a broken session to replace, not long-term keys", async () => {
  const { loadIni } = await import("../../lib/aws/shared_files.ts");
  const { readStoredSession } = await import("../../lib/aws/stored_session.ts");
  const doc = loadIni(
    new TextEncoder().encode("[george]\naws_access_key_id = ASIAOLDOLDOLDOLDOLD0\n"),
    "credentials",
  );
  assert.deepEqual(readStoredSession(doc, "george"), {
    kind: "session",
    accessKeyId: "ASIAOLDOLDOLDOLDOLD0",
    expiration: undefined,
  });
  const longTerm = loadIni(
    new TextEncoder().encode("[george]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
    "credentials",
  );
  assert.equal(readStoredSession(longTerm, "george").kind, "long-term");
});

Deno.test("regression: a region that is not a region name is refused with its source (was exit 5, 'Could not reach AWS STS')", async () => {
  const { chooseRegion } = await import("../../lib/aws/endpoints.ts");
  const { ConfigError } = await import("../../lib/core/errors.ts");
  for (const bad of ["x y", "us_east_1", "a..b", "-us", "eu-west-1 # prod", "日本"]) {
    assert.throws(
      () => chooseRegion({ flag: bad }),
      (e) => e instanceof UsageError && e.message === `--region '${bad}' is not a region name.`,
    );
    assert.throws(() => chooseRegion({ env: bad }), UsageError);
    assert.throws(() => chooseRegion({ profile: bad }), ConfigError);
  }
  assert.equal(chooseRegion({ flag: "us-gov-west-1" }).region, "us-gov-west-1");
  const result = await runInProcess(
    ["george", "--region", "x y", "--code", "123456"],
    "[georgemfa]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n" +
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" +
      "mfa_serial = arn:aws:iam::123456789012:mfa/george\n",
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^awsmfa: --region 'x y' is not a region name\.\n {2}Use a region/);
});

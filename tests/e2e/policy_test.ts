/** `awsmfa policy` end to end: valid JSON on stdout, ready for `aws iam create-policy`. */
import assert from "node:assert/strict";
import { ROOT, runCli } from "../support/cli_runner.ts";
import { skip } from "../support/skips.ts";

Deno.test("policy: prints the policy JSON with the max age in seconds", async () => {
  const result = await runCli(["policy", "--max-age", "4h"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const policy = JSON.parse(result.stdout);
  assert.equal(policy.Version, "2012-10-17");
  assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), [
    "DenyAllWhenMFAIsNotPresent",
    "DenyAllWhenMFAIsOlderThanFourHours",
  ]);
  assert.deepEqual(policy.Statement[0].NotAction, ["iam:ListMFADevices", "sts:GetSessionToken"]);
  assert.deepEqual(policy.Statement[0].Condition, {
    BoolIfExists: { "aws:MultiFactorAuthPresent": false },
  });
  assert.deepEqual(policy.Statement[1].Condition, {
    NumericGreaterThanIfExists: { "aws:MultiFactorAuthAge": "14400" },
  });

  const byDefault = await runCli(["policy"]);
  assert.equal(byDefault.stdout, result.stdout, "4 h is the default");
  const ninety = JSON.parse((await runCli(["policy", "--max-age", "90m"])).stdout);
  assert.deepEqual(ninety.Statement[1].Condition, {
    NumericGreaterThanIfExists: { "aws:MultiFactorAuthAge": "5400" },
  });
  assert.equal(ninety.Statement[1].Sid, "DenyAllWhenMFAIsOlderThanOneHourThirtyMinutes");
  const withRole = JSON.parse((await runCli(["policy", "--allow-assume-role"])).stdout);
  assert.ok(withRole.Statement[0].NotAction.includes("sts:AssumeRole"));
});

Deno.test("policy: the README's sample policy is what 'awsmfa policy' prints, byte for byte, and its text agrees", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const quickStart = readme.slice(readme.indexOf("**1. Enforce MFA**"));
  const block = /^```json\n([^]*?)^```$/m.exec(quickStart);
  assert.ok(block, "the Quick start shows the policy in a json block");
  const printed = await runCli(["policy"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(block[1], printed.stdout);

  // The text before and after the block: what it denies, the age in both units, that the age
  // (not the session's expiry) decides, and how to match --duration / duration_seconds to it.
  const text = (quickStart.slice(0, block.index) +
    quickStart.slice(block.index + block[0].length).split("**2.")[0]).replace(/\s+/g, " ");
  assert.match(text, /`awsmfa policy` prints it/);
  assert.match(text, /`iam:ListMFADevices` and `sts:GetSessionToken`/);
  assert.match(text, /older than 4 hours/);
  assert.match(text, /`14400`/);
  assert.match(text, /not by the session's expiry/);
  assert.match(text, /`duration_seconds = 14400`/);
  assert.match(text, /`--duration 4h`/);

  const reference = readme.slice(readme.indexOf("### `awsmfa policy"));
  assert.match(reference.split("\n### ")[0].replace(/\s+/g, " "), /\(default 4h, 15m to 36h\)/);
  const help = await runCli(["policy", "--help"]);
  assert.match(help.stdout, /--max-age TIME .*\(default 4h\)/);
  assert.doesNotMatch(help.stdout + readme, /"NumericGreaterThan"/);
});

Deno.test("policy: a bad --max-age or an argument is a usage error (exit 2) with nothing on stdout", async () => {
  for (const args of [["--max-age", "forever"], ["--max-age", "5m"], ["george"]]) {
    const result = await runCli(["policy", ...args]);
    assert.equal(result.code, 2, args.join(" "));
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^awsmfa: (--max-age|Policy takes no arguments)/);
  }
});

Deno.test("policy: botocore's model for iam:CreatePolicy accepts the output", async () => {
  const result = await runCli(["policy", "--max-age", "90m"]);
  const script = [
    "import botocore.session, sys",
    "from botocore.validate import validate_parameters",
    "model = botocore.session.get_session().get_service_model('iam')",
    "shape = model.operation_model('CreatePolicy').input_shape",
    "validate_parameters({'PolicyName': 'RequireMFA', 'PolicyDocument': sys.stdin.read()}, shape)",
    "print('valid')",
  ].join("\n");
  let output: Deno.CommandOutput;
  try {
    const child = new Deno.Command("python3", {
      args: ["-c", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(result.stdout));
    await writer.close();
    output = await child.output();
  } catch {
    skip("python3", "the botocore model check");
    return;
  }
  const stderr = new TextDecoder().decode(output.stderr);
  if (/No module named .botocore/.test(stderr)) {
    skip("botocore", "the botocore model check");
    return;
  }
  assert.equal(new TextDecoder().decode(output.stdout), "valid\n", stderr);
});

/** `awsmfa policy` end to end: valid JSON on stdout, ready for `aws iam create-policy`. */
import assert from "node:assert/strict";
import { runCli } from "../support/cli_runner.ts";

Deno.test("policy: prints the policy JSON with the max age in seconds", async () => {
  const result = await runCli(["policy", "--max-age", "4h"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const policy = JSON.parse(result.stdout);
  assert.equal(policy.Version, "2012-10-17");
  assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), [
    "DenyAllWithoutMFA",
    "DenyMFASessionsOlderThanMaxAge",
  ]);
  assert.deepEqual(policy.Statement[0].NotAction, ["iam:ListMFADevices", "sts:GetSessionToken"]);
  assert.deepEqual(policy.Statement[1].Condition, {
    NumericGreaterThan: { "aws:MultiFactorAuthAge": "14400" },
  });

  const byDefault = JSON.parse((await runCli(["policy"])).stdout);
  assert.equal(
    byDefault.Statement[1].Condition.NumericGreaterThan["aws:MultiFactorAuthAge"],
    "43200",
  );
  const withRole = JSON.parse((await runCli(["policy", "--allow-assume-role"])).stdout);
  assert.ok(withRole.Statement[0].NotAction.includes("sts:AssumeRole"));
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
    console.warn("!!! python3 is not installed: skipping the botocore model check");
    return;
  }
  const stderr = new TextDecoder().decode(output.stderr);
  if (/No module named .botocore/.test(stderr)) {
    console.warn("!!! botocore is not installed: skipping the botocore model check");
    return;
  }
  assert.equal(new TextDecoder().decode(output.stdout), "valid\n", stderr);
});

/**
 * Many accounts, one code, end to end: after one `awsmfa george` (one code),
 * the AWS CLI assumes the roles of `[profile admin]` (source_profile =
 * george) and `[profile deploy]` (through admin) from the session, against
 * the fake STS, with no code of their own; status lists them and doctor
 * finds nothing to fix.
 */
import assert from "node:assert/strict";
import { setupE2e } from "../support/e2e_env.ts";
import { awsProgram, childEnv } from "../support/os_env.ts";
import { skip } from "../support/skips.ts";

Deno.test("role chain: one code, then the AWS CLI assumes each role from the MFA session", async () => {
  await using world = await setupE2e();
  const admin = world.fake.addRole({ roleName: "admin", requireMfa: true });
  const deploy = world.fake.addRole({ roleName: "deploy" });
  await Deno.writeTextFile(
    world.configPath,
    `[profile admin]\nrole_arn = ${admin.arn}\nsource_profile = george\n` +
      `[profile deploy]\nrole_arn = ${deploy.arn}\nsource_profile = admin\n` +
      "duration_seconds = 3600\n",
  );
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);

  const callerOf = async (profile: string): Promise<string | undefined> => {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(awsProgram(), {
        args: ["sts", "get-caller-identity", "--profile", profile],
        env: childEnv({ ...world.env, AWS_DEFAULT_REGION: "us-east-1" }),
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch {
      skip("aws", "the AWS CLI assuming roles from the session");
      return undefined;
    }
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    return JSON.parse(new TextDecoder().decode(output.stdout)).Arn;
  };
  const adminArn = await callerOf("admin");
  if (adminArn === undefined) return;
  assert.match(adminArn, /:assumed-role\/admin\//);
  assert.match((await callerOf("deploy"))!, /:assumed-role\/deploy\//);
  const calls = world.fake.requests.map((r) => [r.action, r.outcome]);
  assert.deepEqual(calls.filter(([action]) => action === "GetSessionToken"), [
    ["GetSessionToken", "ok"],
  ], "one code, one GetSessionToken");
  // admin, then deploy from admin's role session (the AWS CLI keeps admin's in ~/.aws/cli/cache).
  assert.equal(calls.filter(([a, o]) => a === "AssumeRole" && o === "ok").length, 2);

  const status = await world.run(["status"]);
  assert.match(status.stdout, /^ {2}admin\s+\d+:role\/admin\s+from george$/m);
  assert.match(status.stdout, /^ {4}deploy\s+\d+:role\/deploy\s+from admin$/m);
  const doctor = await world.run(["doctor"]);
  assert.equal(doctor.code, 0, doctor.stdout);
  assert.match(doctor.stdout, /^ok {4}\[profile admin\]: assumes .* with george's MFA session/m);
});

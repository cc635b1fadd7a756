/** `awsmfa doctor` end to end against the fake STS/IAM: what it finds and how it says so. */
import assert from "node:assert/strict";
import { setupE2e } from "../support/e2e_env.ts";

Deno.test("doctor: a good setup: every check ok, exit 0, nothing written", async () => {
  await using world = await setupE2e();
  const before = await world.readCredentials();
  const result = await world.run(["doctor"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const out = result.stdout;
  assert.match(out, /^ok {4}.*\.aws\/credentials: the AWS CLI can read it\.$/m);
  assert.match(out, /^ok {4}.*\.aws\/config does not exist \(it is optional\)\.$/m);
  assert.match(out, /^ok {4}.*credentials is private \(mode 600\)\.$/m);
  assert.match(out, /^ok {4}No AWS credentials in the environment/m);
  assert.match(
    out,
    /^ok {4}\[georgemfa\]: long-term keys AKIA…\w{4}, MFA device arn:aws:iam::\d+:mfa\/george\.$/m,
  );
  assert.match(out, /^ok {4}The clock is within \d+ s of AWS's\.$/m);
  assert.match(out, /^ok {4}\[georgemfa\]: the keys AKIA…\w{4} are active/m);
  assert.doesNotMatch(out, /^FIX/m);
  assert.match(out, /\nAll good\.\n$/);
  assert.deepEqual(world.fake.requests.map((r) => [r.action, r.accessKeyId]), [
    ["GetCallerIdentity", undefined],
    ["ListMFADevices", world.user.accessKeyId],
  ]);
  assert.equal(await world.readCredentials(), before);
});

Deno.test("doctor: names each problem with its fix; exit 1", async () => {
  await using world = await setupE2e({ withSource: false });
  const cn = world.fake.addUser({ userName: "li", partition: "aws-cn" });
  await world.writeCredentials(
    world.sourceSection().replace(":mfa/", ":user/") + "\n" +
      `[limfa]\naws_access_key_id = ${cn.accessKeyId}\n` +
      `aws_secret_access_key = ${cn.secretAccessKey}\n` +
      `mfa_serial = ${cn.mfaDevices[0].serialNumber}\n` +
      "\n[annamfa]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n" +
      "\n[bob]\naws_access_key_id = AKIAIOSFODNN7EXAMPL2\naws_secret_access_key = y\n[bobmfa]\n",
  );
  await Deno.chmod(world.credentialsPath, 0o644);
  await Deno.writeTextFile(world.configPath, "[profile li]\nregion = eu-west-1\n");
  world.fake.skewMs = -10 * 60_000;
  const result = await world.run(["doctor"], {
    env: { AWS_SESSION_TOKEN: "x", AWS_PROFILE: "li" },
  });
  assert.equal(result.code, 1, result.stderr);
  const out = result.stdout;
  assert.match(
    out,
    /^FIX {3}.*credentials is readable by other users \(mode 644\): run 'chmod 600 /m,
  );
  assert.match(
    out,
    /^FIX {3}AWS_SESSION_TOKEN is set in your environment: .*unset AWS_ACCESS_KEY_ID/m,
  );
  assert.match(out, /^note {2}AWS_PROFILE=li: commands without --profile use profile li\.$/m);
  assert.match(
    out,
    /^FIX {3}\[georgemfa\]: mfa_serial is a user ARN \(arn:aws:iam::\d+:user\/george\), not an MFA device: use arn:aws:iam::\d+:mfa\/george/m,
  );
  assert.match(
    out,
    /^FIX {3}\[limfa\]: Region eu-west-1 \(from the profile\) is in partition aws, but the MFA device arn:aws-cn:\S+ is in aws-cn; set a region of aws-cn \(e\.g\. cn-north-1\) for li\.$/m,
  );
  assert.match(
    out,
    /^FIX {3}\[annamfa\] has long-term keys \(AKIA…MPLE\) but no mfa_serial: run 'awsmfa setup anna'/m,
  );
  assert.match(out, /^FIX {3}\[bobmfa\] in .* has no aws_access_key_id, aws_secret_access_key\./m);
  assert.match(out, /^FIX {3}\[bob\] holds long-term keys where awsmfa writes the session/m);
  assert.match(out, /^FIX {3}This computer's clock is 10 min ahead of AWS's \(/m);
  assert.match(out, /^note {2}The keys were not checked: AWS refuses signed requests until/m);
  assert.match(out, /\d+ problems to fix \(the lines marked FIX\)\.\n$/);
  for (const line of out.trimEnd().split("\n").slice(0, -1)) {
    assert.match(line, /^(ok {4}|FIX {3}|note {2})\S/, `one finding per line: ${line}`);
  }
});

Deno.test("doctor PROFILE: a file the AWS CLI rejects (with its line), a missing source, a device not the user's", async () => {
  await using world = await setupE2e({ withSource: false });
  await world.writeCredentials("[a]\nx = 1\nnot a key line\n");
  const broken = await world.run(["doctor", "george", "--offline"]);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /^FIX {3}.*credentials line 3: .*fix that line\.$/m);

  await world.writeCredentials(
    "[george]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n",
  );
  const missing = await world.run(["doctor", "george", "--offline"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stdout,
    /^FIX {3}\[georgemfa\] does not exist \(your keys are still in \[george\]\): run 'awsmfa setup george'\.$/m,
  );
  assert.match(missing.stdout, /^note {2}--offline: the clock and the keys were not checked\.$/m);
  assert.equal(world.fake.requests.length, 0);

  const other = world.fake.addUser({ userName: "other", devices: ["u2f", "virtual"] });
  await world.writeCredentials(
    world.sourceSection().replace(world.serial, other.mfaDevices[1].serialNumber),
  );
  const wrong = await world.run(["doctor", "george"]);
  assert.equal(wrong.code, 1);
  assert.match(
    wrong.stdout,
    /^FIX {3}\[georgemfa\]: mfa_serial arn:\S+:mfa\/other is not one of this user's MFA devices \(arn:\S+:mfa\/george\)/m,
  );

  await world.writeCredentials(
    world.sourceSection().replace(world.serial, other.mfaDevices[0].serialNumber),
  );
  const u2f = await world.run(["doctor", "george", "--offline"]);
  assert.match(u2f.stdout, /^FIX {3}\[georgemfa\]: mfa_serial is a U2F\/FIDO security key/m);
});

Deno.test("doctor: inactive or unknown keys, keys of another partition", async () => {
  await using world = await setupE2e({ withSource: false });
  const cn = world.fake.addUser({ userName: "li", partition: "aws-cn" });
  world.user.active = false;
  await world.writeCredentials(
    world.sourceSection() + "\n" +
      `[limfa]\naws_access_key_id = ${cn.accessKeyId}\n` +
      `aws_secret_access_key = ${cn.secretAccessKey}\n` +
      `mfa_serial = ${cn.mfaDevices[0].serialNumber}\n`,
  );
  const result = await world.run(["doctor"]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stdout,
    /^FIX {3}\[georgemfa\]: AWS does not recognise access key AKIA…\w{4} from \[georgemfa\]: it is wrong, deleted or inactive\. Check aws_access_key_id/m,
  );
  assert.match(result.stdout, /^ok {4}\[limfa\]: the keys AKIA…\w{4} are active/m);
  assert.match(result.stdout, /\n1 problem to fix/);
});

Deno.test("doctor: AWS unreachable is a finding, not a crash", async () => {
  await using world = await setupE2e();
  const result = await world.run(["doctor"], {
    env: { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9", AWS_ENDPOINT_URL_IAM: "http://127.0.0.1:9" },
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stdout,
    /^FIX {3}Clock not checked: Could not reach AWS STS at http:\/\/127\.0\.0\.1:9/m,
  );
  assert.match(
    result.stdout,
    /^FIX {3}\[georgemfa\]: Could not reach AWS IAM at http:\/\/127\.0\.0\.1:9.*\(AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL\)/m,
  );
  assert.match(
    result.stdout,
    /^note {2}AWS_ENDPOINT_URL_STS=http:\/\/127\.0\.0\.1:9: AWS calls go there\.$/m,
  );
});

Deno.test("doctor: --help and usage", async () => {
  await using world = await setupE2e();
  const help = await world.run(["doctor", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /awsmfa doctor \[PROFILE\]/);
  assert.match(help.stdout, /--offline/);
  assert.match(help.stdout, /Examples:\n\s+awsmfa doctor /);
  const tooMany = await world.run(["doctor", "a", "b"]);
  assert.equal(tooMany.code, 2);
});

Deno.test("doctor: the role profiles drawing on the session, each problem on a line with its fix", async () => {
  await using world = await setupE2e();
  await Deno.writeTextFile(
    world.configPath,
    "[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = george\n" +
      "[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deploy\n" +
      "source_profile = admin\nduration_seconds = 7200\n" +
      "[profile raw]\nrole_arn = arn:aws:iam::210987654321:role/Raw\nsource_profile = georgemfa\n" +
      "[profile typo]\nrole_arn = arn:aws:iam::210987654321:role/T\nsource_profile = gorge\n" +
      "[profile a]\nrole_arn = arn:aws:iam::210987654321:role/A\nsource_profile = b\n" +
      "[profile b]\nrole_arn = arn:aws:iam::210987654321:role/B\nsource_profile = a\n",
  );
  const result = await world.run(["doctor"]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const out = result.stdout;
  assert.match(
    out,
    /^ok {4}\[profile admin\]: assumes arn:aws:iam::210987654321:role\/Admin with george's MFA session: no code of its own\.$/m,
  );
  assert.match(
    out,
    /^note {2}\[profile deploy\]: assumes arn:aws:iam::210987654321:role\/Deploy through admin \(role chaining\) with george's MFA session; each role session lasts at most 1 h\.$/m,
  );
  assert.match(
    out,
    /^FIX {3}\[profile deploy\]: duration_seconds = 7200, but a role assumed with a session lasts at most 1 h \(role chaining\): STS refuses it\. Set duration_seconds = 3600 or remove it\.$/m,
  );
  assert.match(
    out,
    /^FIX {3}\[profile raw\]: source_profile = georgemfa is george's long-term keys, so the role is assumed without MFA: set source_profile = george \(its MFA session\)\.$/m,
  );
  assert.match(
    out,
    /^FIX {3}\[profile typo\]: source_profile = gorge names no profile of \S+config or \S+credentials; the AWS CLI refuses it: set it to your MFA profile \(george\)\.$/m,
  );
  assert.match(
    out,
    /^FIX {3}\[profile a\]: source_profile goes round in a circle \(a → b → a\); the AWS CLI refuses it: point one of them at your MFA profile \(george\)\.$/m,
  );
  assert.equal(out.match(/circle/g)?.length, 1, "the circle is said once");
  assert.match(out, /^4 problems to fix \(the lines marked FIX\)\.$/m);

  // doctor PROFILE: the roles drawn from that profile's session (or its keys) only.
  const one = await world.run(["doctor", "george", "--offline"]);
  assert.match(one.stdout, /\[profile admin\]/);
  assert.match(one.stdout, /\[profile raw\]/);
  assert.doesNotMatch(one.stdout, /\[profile (typo|a)\]/);
});

Deno.test("doctor: every line of the MFA and role profiles another SDK reads differently, with its line and fix", async () => {
  await using world = await setupE2e({ withSource: false });
  const source = world.sourceSection().trimEnd().split("\n");
  await world.writeCredentials(
    [
      source[0], //                                              1 [georgemfa]
      "  " + source[1], //                                       2 indented key
      source[2], //                                              3
      source[3].replace(" = ", ": "), //                          4 ':' separator
      "output = json # Ireland", //                               5 inline comment
      "[george]", //                                             6
      "output = json", //                                        7
      "  [prod]", //                                             8 indented header
      "AWS_DEFAULT_REGION = x", //                                9 upper-case key
      "aws_security_token = old", //                             10
      'role_session_name = "me"\rcli_pager = less', //           11 bare CR
      "[other]", //                                              13: not checked
      "Region = eu-west-1 # not checked",
      "",
    ].join("\n"),
  );
  await Deno.writeTextFile(
    world.configPath,
    "[profile admin]\n  region = eu-west-1\nrole_arn = arn:aws:iam::210987654321:role/Admin\n" +
      "source_profile = george\n",
  );
  const result = await world.run(["doctor", "--offline"]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const fixes = result.stdout.split("\n").filter((line) => /^FIX .* line \d+ /.test(line));
  const where = fixes.map((line) =>
    /^FIX {3}\S+\/\.aws\/(\w+) line (\d+) \(\[([^\]]+)\]\): /.exec(line)?.slice(1).join(" ")
  );
  assert.deepEqual(where, [
    "credentials 2 georgemfa",
    "credentials 4 georgemfa",
    "credentials 5 georgemfa",
    "credentials 8 george",
    "credentials 9 george",
    "credentials 10 george",
    "credentials 11 george",
    "credentials 11 george",
    "config 2 profile admin",
  ]);
  const text = fixes.join("\n");
  assert.match(
    text,
    /line 2 .*aws_access_key_id is indented: botocore and the JavaScript SDK read it as a key, the Go SDK does not .* Remove the indentation\.$/m,
  );
  assert.match(
    text,
    /line 4 .*mfa_serial is followed by ':': the JavaScript SDK reads only '=' there, and misses the key\. Write 'mfa_serial = …'\.$/m,
  );
  assert.match(
    text,
    /line 5 .*the line of output holds '#' or ';': botocore keeps it and what follows in the value, the Go and JavaScript SDKs cut it off as a comment\. Put the comment on a line of its own\.$/m,
  );
  assert.match(
    text,
    /line 8 .*the indented \[prod\] is part of the value of output for botocore \(and the Go SDK\), but the JavaScript SDK reads it as the start of section \[prod\]\./m,
  );
  assert.match(
    text,
    /line 9 .*the key AWS_DEFAULT_REGION is not in lower case: .* Write aws_default_region\.$/m,
  );
  assert.match(
    text,
    /line 10 .*aws_security_token is the session token for botocore only: the Go and JavaScript SDKs read aws_session_token\. Rename it to aws_session_token\.$/m,
  );
  assert.match(
    text,
    /line 11 .*the value of role_session_name is in quotes: botocore keeps them, the Go SDK removes them\. Remove the quotes\.$/m,
  );
  assert.match(
    text,
    /line 11 .*ends with a bare CR .* Save the file with LF \(or CRLF\) line endings\.$/m,
  );
  assert.match(text, /config line 2 \(\[profile admin\]\): region is indented: /m);
  assert.equal(
    result.stdout.split("\n").filter((l) => l.startsWith("FIX")).length,
    fixes.length,
  );
  assert.doesNotMatch(result.stdout, /\bold\b|json|Ireland|"me"/, "no value of the file is shown");

  // The files awsmfa itself writes: after setup and a login, nothing to report.
  await world.writeCredentials(
    `[george]\naws_access_key_id = ${world.user.accessKeyId}\n` +
      `aws_secret_access_key = ${world.user.secretAccessKey}\n`,
  );
  await Deno.writeTextFile(
    world.configPath,
    "[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = george\n",
  );
  const setup = await world.run([
    "setup",
    "george",
    "--serial",
    world.serial,
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  assert.match(await world.readCredentials(), /^aws_session_token = /m, "setup logged in");
  const clean = await world.run(["doctor", "--offline"]);
  assert.equal(clean.code, 0, clean.stdout);
  assert.match(
    clean.stdout,
    /^ok {4}\S+credentials: the Go and JavaScript SDKs read \[george\] \[georgemfa\] as the AWS CLI does\.$/m,
  );
  assert.match(
    clean.stdout,
    /^ok {4}\S+config: the Go and JavaScript SDKs read \[profile admin\] as the AWS CLI does\.$/m,
  );
});

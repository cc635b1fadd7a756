/**
 * `awsmfa PROFILE` end to end: the real CLI as a subprocess, a throw-away
 * HOME, and the fake STS checking signatures and TOTP codes.
 */
import assert from "node:assert/strict";
import { botocoreSection, setupE2e } from "../support/e2e_env.ts";
import { skip } from "../support/skips.ts";
import { awsProgram, childEnv } from "../support/os_env.ts";

const FLOW = "[georgemfa]";

async function sessionOf(path: string, section = "george") {
  const text = await Deno.readTextFile(path);
  const start = text.indexOf(`[${section}]`);
  assert.notEqual(start, -1, `no [${section}] in:\n${text}`);
  const block = text.slice(start).split(/\n(?=\[)/)[0];
  const get = (key: string) => new RegExp(`^${key} = (.*)$`, "m").exec(block)?.[1];
  return {
    accessKeyId: get("aws_access_key_id"),
    secretAccessKey: get("aws_secret_access_key"),
    sessionToken: get("aws_session_token"),
    expiration: get("aws_credential_expiration"),
  };
}

Deno.test("login: writes the session into [george], keeps every other byte, and the AWS CLI reads it", async () => {
  await using world = await setupE2e();
  const original = "# my keys\r\n" + world.sourceSection().replaceAll("\n", "\r\n") +
    "\r\n; other profile\r\n[work]\r\nregion=eu-west-1\r\n";
  await world.writeCredentials(original);
  const code = await world.fake.freshCode(world.serial);
  const result = await world.run(["george", "--code", code]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^Profile george is ready: MFA session valid until .* \(in 12 h\)\.\n$/,
  );
  assert.equal(result.stderr, "");

  const text = await world.readCredentials();
  assert.ok(text.startsWith(original), "the original bytes stay as they were");
  assert.match(text.slice(original.length), /^\r\n\[george\]\r\naws_access_key_id = ASIA/);
  const session = await sessionOf(world.credentialsPath);
  assert.match(session.expiration ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const hours = (Date.parse(session.expiration!) - Date.now()) / 3600_000;
  assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
  assert.equal((await Deno.stat(world.credentialsPath)).mode! & 0o777, 0o600);
  assert.deepEqual(
    world.fake.requests.map((r) => [r.action, r.outcome]),
    [["GetSessionToken", "ok"]],
  );

  const parsed = await botocoreSection(world.credentialsPath, "george");
  if (parsed === undefined) {
    skip("botocore", "the reference-parser check");
  } else {
    assert.equal(parsed.aws_session_token, session.sessionToken);
    assert.equal(parsed.aws_access_key_id, session.accessKeyId);
  }
});

Deno.test("login: the AWS CLI calls STS with what awsmfa wrote", async () => {
  await using world = await setupE2e();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  let aws: Deno.CommandOutput;
  try {
    aws = await new Deno.Command(awsProgram(), {
      args: ["sts", "get-caller-identity", "--profile", "george", "--endpoint-url", world.fake.url],
      env: childEnv({ HOME: world.home, AWS_DEFAULT_REGION: "us-east-1" }),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch {
    skip("aws", "the interop check with the AWS CLI");
    return;
  }
  const stderr = new TextDecoder().decode(aws.stderr);
  assert.ok(aws.success, stderr);
  const identity = JSON.parse(new TextDecoder().decode(aws.stdout));
  assert.equal(identity.Arn, world.user.arn);
  assert.deepEqual(world.fake.requests.at(-1), {
    action: "GetCallerIdentity",
    accessKeyId: (await sessionOf(world.credentialsPath)).accessKeyId,
    outcome: "ok",
    status: 200,
  });
});

Deno.test("login: a valid session is kept without asking; --force renews it", async () => {
  await using world = await setupE2e();
  assert.equal(
    (await world.run(["george", "--code", await world.fake.freshCode(world.serial)])).code,
    0,
  );
  const first = await sessionOf(world.credentialsPath);
  const before = await world.readCredentials();

  const skip = await world.run(["george"]);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, /already has an MFA session, valid until .*in 1[12] h/);
  assert.equal(await world.readCredentials(), before);
  assert.equal(world.fake.requests.length, 1);

  const soon = await world.run(["george", "--min-remaining", "13h"]);
  assert.equal(soon.code, 2, "renewal needed, and no code and no terminal: a usage error");
  assert.match(soon.stderr, /No MFA code given.*\n.*--code 123456/);

  const forced = await world.run([
    "george",
    "--force",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  const second = await sessionOf(world.credentialsPath);
  assert.notEqual(second.sessionToken, first.sessionToken);
  assert.equal(world.fake.requests.length, 2);
});

Deno.test("login: --profile, AWS_PROFILE and --source-profile choose the sections", async () => {
  await using world = await setupE2e({ withSource: false });
  await world.writeCredentials(
    world.sourceSection("prod-long-term").replace("[prod-long-termmfa]", "[prod-long-term]"),
  );
  const viaFlag = await world.run([
    "--profile",
    "prod",
    "--source-profile",
    "prod-long-term",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  assert.ok((await sessionOf(world.credentialsPath, "prod")).sessionToken);

  await world.writeCredentials(world.sourceSection("dev"));
  const viaEnv = await world.run(["--code", await world.fake.freshCode(world.serial)], {
    env: { AWS_PROFILE: "dev" },
  });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.match(viaEnv.stdout, /Profile dev is ready/);
});

Deno.test("login: --code - reads the code from stdin; AWS_SHARED_CREDENTIALS_FILE with ~ is honoured", async () => {
  await using world = await setupE2e({ withSource: false });
  await Deno.mkdir(`${world.home}/elsewhere`);
  await Deno.writeTextFile(`${world.home}/elsewhere/creds`, world.sourceSection());
  const code = await world.fake.freshCode(world.serial);
  const result = await world.run(["george", "--code", "-"], {
    stdin: `${code}\n`,
    env: { AWS_SHARED_CREDENTIALS_FILE: "~/elsewhere/creds" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.ok((await sessionOf(`${world.home}/elsewhere/creds`)).sessionToken);
});

Deno.test("login: wrong and reused codes are refused by AWS (exit 4), the file untouched", async () => {
  await using world = await setupE2e();
  const before = await world.readCredentials();
  const code = await world.fake.freshCode(world.serial);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
  const refused = await world.run(["george", "--code", wrong]);
  assert.equal(refused.code, 4);
  assert.match(refused.stderr, /rejected the MFA code: it is wrong or was already used/);
  assert.match(refused.stderr, /works once/);
  assert.equal(await world.readCredentials(), before);

  assert.equal((await world.run(["george", "--code", code])).code, 0);
  const reused = await world.run(["george", "--force", "--code", code]);
  assert.equal(reused.code, 4);
  assert.match(reused.stderr, /already used/);
});

Deno.test("login: codes that are not six digits never reach AWS (exit 2)", async () => {
  await using world = await setupE2e();
  for (const bad of ["12345", "1234567", "12a456", "", "abcdef"]) {
    const result = await world.run(["george", "--code", bad]);
    assert.equal(result.code, 2, `${bad}: ${result.stderr}`);
    assert.match(result.stderr, /MFA code/);
  }
  const empty = await world.run(["george", "--code", "-"], { stdin: "" });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /stdin was empty/);
  assert.equal(world.fake.requests.length, 0);
});

Deno.test("login: a :user/ ARN as mfa_serial is named as the likely mistake", async () => {
  await using world = await setupE2e({ withSource: false });
  await world.writeCredentials(world.sourceSection().replace(":mfa/", ":user/"));
  const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(result.code, 4);
  assert.match(
    result.stderr,
    /could not validate the code with MFA device arn:aws:iam::\d+:user\/george/,
  );
  assert.match(
    result.stderr,
    /user ARN .* not an MFA device: use the device's ARN, e\.g\. arn:aws:iam::\d+:mfa\/george/,
  );
});

Deno.test("login: unknown key, wrong secret and a skewed clock each name cause and fix", async () => {
  await using world = await setupE2e({ withSource: false });
  const source = world.sourceSection();

  await world.writeCredentials(source.replace(world.user.accessKeyId, "AKIAZZZZZZZZZZZZZZZZ"));
  const unknown = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(unknown.code, 4);
  assert.match(unknown.stderr, /does not recognise access key AKIA…ZZZZ from \[georgemfa\]/);

  await world.writeCredentials(source.replace(world.user.secretAccessKey, "x".repeat(40)));
  const secret = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(secret.code, 4);
  assert.match(secret.stderr, /aws_secret_access_key in \[georgemfa\] does not belong/);

  await world.writeCredentials(source);
  world.fake.skewMs = -40 * 60_000;
  const skew = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(skew.code, 4);
  assert.match(skew.stderr, /clock is off by 40 min: it is ahead of AWS's clock/);
  assert.equal(await world.readCredentials(), source);
});

Deno.test("login: temporary keys in the source and long-term keys in the target are refused before any call", async () => {
  await using world = await setupE2e({ withSource: false });
  const temporary = world.sourceSection() + "aws_session_token = FQoGZXIvYXdzEXAMPLE\n";
  await world.writeCredentials(temporary);
  const source = await world.run(["george", "--code", "123456"]);
  assert.equal(source.code, 3);
  assert.match(source.stderr, /\[georgemfa\] holds temporary credentials.*long-term keys/);

  const longTerm = world.sourceSection() +
    "\n[george]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = abc\n";
  await world.writeCredentials(longTerm);
  const target = await world.run(["george", "--code", "123456"]);
  assert.equal(target.code, 3);
  assert.match(target.stderr, /\[george\] .* holds long-term keys .* will not overwrite them/);
  assert.match(target.stderr, /awsmfa setup george/);
  assert.equal(await world.readCredentials(), longTerm);
  assert.equal(world.fake.requests.length, 0);
});

Deno.test("login: missing file, section, keys; a file the AWS CLI rejects: exit 3 with the fix, nothing written", async () => {
  await using world = await setupE2e({ withSource: false });
  const missingFile = await world.run(["george", "--code", "123456"]);
  assert.equal(missingFile.code, 3);
  assert.match(missingFile.stderr, /no credentials file at .*\.aws\/credentials/);
  assert.match(missingFile.stderr, /\[georgemfa\]\n\s+aws_access_key_id = AKIA…/);

  await world.writeCredentials("[other]\nregion = x\n");
  const noSection = await world.run(["george", "--code", "123456"]);
  assert.equal(noSection.code, 3);
  assert.match(noSection.stderr, /has no section \[georgemfa\]/);
  assert.match(noSection.stderr, /mfa_serial = arn:aws:iam::123456789012:mfa\/george/);

  await world.writeCredentials("[georgemfa]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
  const noKeys = await world.run(["george", "--code", "123456"]);
  assert.equal(noKeys.code, 3);
  assert.match(noKeys.stderr, /\[georgemfa\] in .* has no aws_secret_access_key\./);

  const duplicate = world.sourceSection() + "[work]\nx = 1\n[work]\ny = 2\n";
  await world.writeCredentials(duplicate);
  const rejected = await world.run(["george", "--code", "123456"]);
  assert.equal(rejected.code, 3);
  assert.match(rejected.stderr, /credentials line 7: .*work/);
  assert.equal(await world.readCredentials(), duplicate);
  assert.equal(world.fake.requests.length, 0);
});

Deno.test("login: --duration is validated before any call and sets the session length", async () => {
  await using world = await setupE2e();
  for (const bad of ["10m", "37h", "soon"]) {
    const result = await world.run(["george", "--duration", bad, "--code", "123456"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--duration/);
  }
  assert.equal(world.fake.requests.length, 0);
  const ok = await world.run([
    "george",
    "--duration",
    "4h",
    "--code",
    await world.fake.freshCode(world.serial),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /\(in 4 h\)/);

  await world.writeCredentials(world.sourceSection() + "duration_seconds = 7200\n");
  const fromFile = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.match(fromFile.stdout, /\(in 2 h\)/);
});

Deno.test("login: network failures and faults exit 5 with the file untouched", async () => {
  await using world = await setupE2e();
  const before = await world.readCredentials();
  const cases: Array<[Parameters<typeof world.fake.fault>[0], RegExp]> = [
    [{ kind: "status", status: 503, code: "ServiceUnavailable" }, /HTTP 503 ServiceUnavailable/],
    [{ kind: "status", status: 500, code: "InternalFailure" }, /HTTP 500 InternalFailure/],
    [{ kind: "throttle" }, /throttling/],
    [{ kind: "malformed" }, /cannot read/],
    [{ kind: "html" }, /cannot read/],
    [{ kind: "reset" }, /Lost the connection to AWS STS at .* after the request was sent/],
    [{ kind: "delay", ms: 5_000 }, /did not answer within 1 s/],
  ];
  for (const [fault, message] of cases) {
    world.fake.fault(fault);
    const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)], {
      env: { AWSMFA_TIMEOUT: "1" },
    });
    assert.equal(result.code, 5, `${fault.kind}: ${result.stderr}`);
    assert.match(result.stderr, message, fault.kind);
    assert.equal(await world.readCredentials(), before, fault.kind);
    world.fake.clearFaults();
  }
  const unreachable = await world.run(["george", "--code", "123456"], {
    env: { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" },
  });
  assert.equal(unreachable.code, 5);
  assert.match(unreachable.stderr, /Could not reach AWS STS at http:\/\/127\.0\.0\.1:9/);
});

Deno.test("login: AWS variables in the environment are warned about", async () => {
  await using world = await setupE2e();
  const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)], {
    env: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: AWS_ACCESS_KEY_ID is set .* instead of profile george/);
});

Deno.test("login: the serial's partition picks the region (China)", async () => {
  await using world = await setupE2e({ withSource: false });
  const cn = world.fake.addUser({ userName: "li", partition: "aws-cn" });
  const serial = cn.mfaDevices[0].serialNumber;
  await world.writeCredentials(
    `${FLOW.replace("george", "li")}\naws_access_key_id = ${cn.accessKeyId}\n` +
      `aws_secret_access_key = ${cn.secretAccessKey}\nmfa_serial = ${serial}\n`,
  );
  const result = await world.run(["li", "--verbose", "--code", await world.fake.freshCode(serial)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /region cn-north-1 \(partition default\)/);
});

Deno.test("login: HTTPS with a custom CA bundle, through a CONNECT proxy", async () => {
  await using world = await setupE2e({ tls: true });
  const { startConnectProxy } = await import("../support/connect_proxy.ts");
  const proxy = await startConnectProxy();
  try {
    const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)], {
      env: { HTTPS_PROXY: proxy.url },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(proxy.connects >= 1, "the request went through the proxy");

    const untrusted = await world.run([
      "george",
      "--force",
      "--code",
      await world.fake.freshCode(world.serial),
    ], {
      env: { AWS_CA_BUNDLE: "" },
    });
    assert.equal(untrusted.code, 5, untrusted.stderr);
    assert.match(untrusted.stderr, /trusted TLS connection/);
    assert.match(untrusted.stderr, /AWS_CA_BUNDLE/);
  } finally {
    await proxy.close();
  }
});

Deno.test("login: a profile after -- is the profile, with or without 'login'; a second one is a usage error", async () => {
  await using world = await setupE2e();
  const plain = await world.run([
    "--code",
    await world.fake.freshCode(world.serial),
    "--",
    "george",
  ]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^Profile george is ready/);

  const login = await world.run(["login", "--force", "--code", "-", "--", "george"], {
    stdin: `${await world.fake.freshCode(world.serial)}\n`,
  });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /^Profile george is ready/);
  assert.equal(world.fake.requests.length, 2);

  const before = await world.readCredentials();
  for (const args of [["login", "--", "george", "bob"], ["george", "--", "bob"]]) {
    const extra = await world.run(args);
    assert.equal(extra.code, 2, `${args.join(" ")}: ${extra.stderr}`);
    assert.equal(
      extra.stderr,
      "awsmfa: Too many arguments: bob.\n  Give at most one profile: awsmfa login [PROFILE] [flags].\n",
    );
  }
  const status = await world.run(["status", "--", "george"]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^george: valid/);
  assert.equal(await world.readCredentials(), before);
  assert.equal(world.fake.requests.length, 2);
});

Deno.test("login: with a valid session, a malformed flag is still refused (exit 2) and nothing is sent", async () => {
  await using world = await setupE2e();
  const login = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(login.code, 0, login.stderr);
  const before = await world.readCredentials();
  const cases: Array<[string[], RegExp]> = [
    [["--code", "12345"], /^awsmfa: The MFA code must be 6 digits; got 5 \(from --code\)\.\n/],
    [["--code=1234567"], /^awsmfa: The MFA code must be 6 digits; got 7 \(from --code\)\.\n/],
    [["-c", "12a456"], /\(from --code\)/],
    [
      ["--duration", "899"],
      /^awsmfa: --duration is 899 s; GetSessionToken accepts 900 to 129600 s/,
    ],
    [["--duration", "37h"], /^awsmfa: --duration is 133200 s; GetSessionToken accepts 900/],
    [
      ["--duration", "13h", "--role-arn", "arn:aws:iam::123456789012:role/admin"],
      /^awsmfa: --duration is 46800 s; AssumeRole accepts 900 to 43200 s/,
    ],
    [["--role-arn", "not-an-arn"], /^awsmfa: --role-arn 'not-an-arn' is not a role ARN: /],
    [["--region", "eu west 1"], /^awsmfa: --region 'eu west 1' is not a region name/],
    [["--code", "123456", "--code-command", "echo 1"], /either --code or --code-command/],
    [["--code-command="], /--code-command is empty/],
    [["--source-profile", "[bad"], /^awsmfa: Source section '\[bad' cannot be used as a section/],
    [["--min-remaining", "soon"], /^awsmfa: --min-remaining 'soon' is not a duration\./],
  ];
  for (const [flags, expected] of cases) {
    const result = await world.run(["george", ...flags]);
    assert.equal(result.code, 2, `${flags.join(" ")}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, expected, flags.join(" "));
    assert.equal(result.stdout, "");
  }
  for (const command of ["env", "credential-process"]) {
    const result = await world.run([command, "george", "--code", "12345"]);
    assert.equal(result.code, 2, `${command}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stdout, "", "no session handed out");
  }
  const fine = await world.run(["george", "--code", "123 456", "--duration", "4h"]);
  assert.equal(fine.code, 0, fine.stderr);
  assert.match(fine.stdout, /already has an MFA session/);
  assert.equal(await world.readCredentials(), before);
  assert.equal(world.fake.requests.length, 1);
});

// The fake STS/IAM server is only worth its name if real clients accept it and it refuses what
// AWS refuses, with AWS's words. These tests hold it to botocore (the `aws` CLI), the JS SDK,
// RFC 6238, and the error texts of /work/shared/sts-facts.md.

import assert from "node:assert/strict";
import net from "node:net";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { IAMClient, ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { type FakeSts, type FakeUser, startFakeSts } from "./fake_sts.ts";
import {
  parseAmzDate,
  parseSigV4,
  type SigningCredentials,
  signingKey,
  signRequestV4,
  toHex,
  verifySigV4Signature,
} from "./sigv4_verify.ts";
import { base32Decode, base32Encode, hotpCode, totpCode } from "./totp.ts";
import { startConnectProxy } from "./connect_proxy.ts";
import { skip } from "./skips.ts";
import { awsProgram, childEnv } from "./os_env.ts";

// ---------------------------------------------------------------------------------------------
// Texts from sts-facts.md, copied verbatim (note the double space in UNKNOWN_SERIAL).

const INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code.";
const UNKNOWN_SERIAL = "MultiFactorAuthentication failed, unable to validate MFA code.  " +
  "Please verify your MFA serial number is valid and associated with this user.";
const MISSING_PART =
  "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.";
const SESSION_CREDS = "Cannot call GetSessionToken with session credentials";
const INVALID_TOKEN = "The security token included in the request is invalid.";
const MISMATCH_PREFIX =
  "The request signature we calculated does not match the signature you provided.";

// ---------------------------------------------------------------------------------------------
// Helpers

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  code?: string;
  message?: string;
  type?: string;
  requestId?: string;
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m?.[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The user's secret with its first character changed (always to a different one). */
function wrongSecret(user: FakeUser): string {
  const first = user.secretAccessKey[0] === "x" ? "y" : "x";
  return first + user.secretAccessKey.slice(1);
}

function credsOf(user: FakeUser): SigningCredentials {
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
}

const SERVICE: Record<string, string> = { ListMFADevices: "iam", GetUser: "iam" };
const VERSION: Record<string, string> = { sts: "2011-06-15", iam: "2010-05-08" };

/** A signed Query API call made by hand with `fetch`, so each field can be chosen. */
async function call(
  sts: FakeSts,
  credentials: SigningCredentials | undefined,
  params: Record<string, string>,
  options: { service?: string; timeMs?: number; method?: "GET" | "POST" } = {},
): Promise<Answer> {
  const service = options.service ?? SERVICE[params.Action] ?? "sts";
  const form = new URLSearchParams({ Version: VERSION[SERVICE[params.Action] ?? "sts"], ...params })
    .toString();
  const method = options.method ?? "POST";
  const url = method === "GET" ? `${sts.url}/?${form}` : `${sts.url}/`;
  const body = method === "GET" ? undefined : form;
  let headers: Record<string, string> = method === "GET"
    ? {}
    : { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  if (credentials) {
    headers = await signRequestV4({
      method,
      url,
      headers,
      body,
      credentials,
      region: "us-east-1",
      service,
      timeMs: options.timeMs,
    });
    delete headers.host;
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text,
    code: tag(text, "Code"),
    message: tag(text, "Message"),
    type: tag(text, "Type"),
    requestId: tag(text, "RequestId"),
  };
}

async function sessionFor(sts: FakeSts, user: FakeUser, mfa = true): Promise<SigningCredentials> {
  const serial = user.mfaDevices[0].serialNumber;
  const params: Record<string, string> = { Action: "GetSessionToken" };
  if (mfa) Object.assign(params, { SerialNumber: serial, TokenCode: await sts.freshCode(serial) });
  const answer = await call(sts, credsOf(user), params);
  assert.equal(answer.status, 200, answer.body);
  return {
    accessKeyId: tag(answer.body, "AccessKeyId")!,
    secretAccessKey: tag(answer.body, "SecretAccessKey")!,
    sessionToken: tag(answer.body, "SessionToken")!,
  };
}

function assertError(answer: Answer, status: number, code: string, message?: string): void {
  assert.equal(answer.status, status, answer.body);
  assert.equal(answer.code, code, answer.body);
  if (message !== undefined) assert.equal(answer.message, message);
}

const AWS_AVAILABLE = await new Deno.Command(awsProgram(), {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((o) => o.success, () => false);
if (!AWS_AVAILABLE) skip("aws", "the fake STS's cross-checks with the AWS CLI (botocore)");

/** Runs the real `aws` CLI against the fake with only the given credentials. */
async function aws(
  sts: FakeSts,
  args: string[],
  credentials: SigningCredentials,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa_fake_sts_aws_" });
  try {
    const env: Record<string, string> = {
      HOME: home,
      AWS_CONFIG_FILE: `${home}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_MAX_ATTEMPTS: "1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    for (const name of ["PYENV_ROOT", "PYENV_VERSION", "LANG"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
    const out = await new Deno.Command(awsProgram(), {
      args: [...args, "--endpoint-url", sts.url, "--output", "json"],
      env: childEnv(env),
      clearEnv: true,
      stdin: "null",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

// ---------------------------------------------------------------------------------------------
// TOTP and base32

Deno.test("totp: RFC 6238 SHA-1 test vectors (8 digits, and their 6-digit truncation)", async () => {
  const secret = new TextEncoder().encode("12345678901234567890");
  const vectors: Array<[number, string]> = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [seconds, expected] of vectors) {
    assert.equal(await totpCode(secret, seconds * 1000, 8), expected, `T=${seconds}`);
    assert.equal(
      await totpCode(secret, seconds * 1000),
      expected.slice(2),
      `T=${seconds}, 6 digits`,
    );
  }
  // RFC 4226 appendix D: HOTP of the same key for counters 0..2.
  assert.deepEqual(
    await Promise.all([0, 1, 2].map((c) => hotpCode(secret, c))),
    ["755224", "287082", "359152"],
  );
});

Deno.test("totp: base32 follows RFC 4648 and tolerates what authenticator apps tolerate", () => {
  const enc = new TextEncoder();
  const vectors: Array<[string, string]> = [
    ["", ""],
    ["f", "MY======"],
    ["fo", "MZXQ===="],
    ["foo", "MZXW6==="],
    ["foob", "MZXW6YQ="],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI======"],
  ];
  for (const [plain, encoded] of vectors) {
    assert.equal(base32Encode(enc.encode(plain)), encoded);
    assert.equal(new TextDecoder().decode(base32Decode(encoded)), plain);
  }
  assert.equal(base32Encode(enc.encode("foobar"), false), "MZXW6YTBOI");
  assert.equal(new TextDecoder().decode(base32Decode("mzxw 6ytb-oi")), "foobar");
  assert.throws(() => base32Decode("MZ1W"), SyntaxError);
});

// ---------------------------------------------------------------------------------------------
// SigV4 primitives against AWS's published examples

Deno.test("sigv4: signing key and get-vanilla signature match AWS's documented examples", async () => {
  const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  assert.equal(
    toHex(await signingKey(secret, "20120215", "us-east-1", "iam")),
    "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
  );
  // The "get-vanilla" case of AWS's SigV4 test suite.
  const request = {
    method: "GET",
    path: "/",
    query: "",
    headers: [["Host", "example.amazonaws.com"], ["X-Amz-Date", "20150830T123600Z"]] as Array<
      [string, string]
    >,
    body: new Uint8Array(),
  };
  const authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/" +
    "aws4_request, SignedHeaders=host;x-amz-date, " +
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  const signed = {
    ...request,
    headers: [...request.headers, ["Authorization", authorization]],
  } as typeof request;
  const parsed = parseSigV4(signed);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(await verifySigV4Signature(signed, parsed, secret), undefined);
  const wrong = await verifySigV4Signature(signed, parsed, secret.replace("K7", "K8"));
  assert.equal(wrong?.code, "SignatureDoesNotMatch");
});

// ---------------------------------------------------------------------------------------------
// Real clients: the JS SDK and botocore

Deno.test("sdk: @aws-sdk/client-sts and client-iam are accepted end to end", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser({ userName: "alice", devices: ["virtual", "u2f"] });
  const role = sts.addRole({ roleName: "admin", requireMfa: true, maxSessionDuration: 7200 });
  const serial = user.mfaDevices[0].serialNumber;
  const client = new STSClient({
    endpoint: sts.url,
    region: "us-east-1",
    credentials: credsOf(user),
    maxAttempts: 1,
  });
  try {
    const me = await client.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:iam::${sts.accountId}:user/alice`);
    assert.equal(me.Account, sts.accountId);
    assert.equal(me.UserId, user.userId);

    const before = Date.now();
    const got = await client.send(
      new GetSessionTokenCommand({
        SerialNumber: serial,
        TokenCode: await sts.freshCode(serial),
        DurationSeconds: 3600,
      }),
    );
    const c = got.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey!.length, 40);
    assert.ok(c.SessionToken!.length >= 300, `token length ${c.SessionToken!.length}`);
    assert.match(c.SessionToken!, /^[A-Za-z0-9+/]+=*$/);
    const expires = c.Expiration!.getTime();
    assert.ok(Math.abs(expires - (before + 3_600_000)) < 5_000, c.Expiration!.toISOString());
    assert.equal(expires % 1000, 0, "Expiration has whole seconds");

    const session = {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
    const asSession = new STSClient({
      endpoint: sts.url,
      region: "eu-west-1",
      credentials: session,
      maxAttempts: 1,
    });
    const iam = new IAMClient({
      endpoint: sts.url,
      region: "us-east-1",
      credentials: session,
      maxAttempts: 1,
    });
    try {
      assert.equal((await asSession.send(new GetCallerIdentityCommand({}))).Arn, user.arn);
      const assumed = await asSession.send(
        new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: "alice@laptop" }),
      );
      assert.equal(
        assumed.AssumedRoleUser?.Arn,
        `arn:aws:sts::${sts.accountId}:assumed-role/admin/alice@laptop`,
      );
      assert.equal(assumed.AssumedRoleUser?.AssumedRoleId, `${role.roleId}:alice@laptop`);
      const devices = await iam.send(new ListMFADevicesCommand({}));
      assert.deepEqual(
        devices.MFADevices?.map((d) => d.SerialNumber),
        user.mfaDevices.map((d) => d.serialNumber),
      );
      assert.equal(devices.IsTruncated, false);
      await assert.rejects(
        asSession.send(new GetSessionTokenCommand({})),
        (e: Error) => e.name === "AccessDenied" && e.message === SESSION_CREDS,
      );
    } finally {
      asSession.destroy();
      iam.destroy();
    }

    // The same code twice: refused the second time.
    const code = await sts.freshCode(serial);
    await client.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }));
    await assert.rejects(
      client.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code })),
      (e: Error) => e.name === "AccessDenied" && e.message === INVALID_CODE,
    );
  } finally {
    client.destroy();
  }
});

Deno.test("sdk: a wrong secret is SignatureDoesNotMatch; a skewed server clock is corrected by its Date header", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const wrong = new STSClient({
    endpoint: sts.url,
    region: "us-east-1",
    credentials: { ...credsOf(user), secretAccessKey: wrongSecret(user) },
    maxAttempts: 1,
  });
  try {
    await assert.rejects(
      wrong.send(new GetCallerIdentityCommand({})),
      (e: Error) => e.name === "SignatureDoesNotMatch" && e.message.startsWith(MISMATCH_PREFIX),
    );
  } finally {
    wrong.destroy();
  }
  // The SDK treats "Signature expired" as clock skew: it reads the Date header and retries with
  // its clock corrected. That only works if the fake's Date carries its (skewed) time.
  sts.skewMs = 20 * 60_000;
  const skewed = new STSClient({
    endpoint: sts.url,
    region: "us-east-1",
    credentials: credsOf(user),
    maxAttempts: 2,
  });
  try {
    assert.equal((await skewed.send(new GetCallerIdentityCommand({}))).Arn, user.arn);
  } finally {
    skewed.destroy();
  }
  assert.deepEqual(sts.requests.slice(-2).map((r) => r.outcome), ["SignatureDoesNotMatch", "ok"]);
});

Deno.test({
  name: "aws cli: botocore's SigV4 is accepted for sts and iam, and refused when wrong",
  ignore: !AWS_AVAILABLE,
  async fn() {
    await using sts = await startFakeSts();
    const user = sts.addUser({ userName: "bob" });
    const serial = user.mfaDevices[0].serialNumber;
    const code = await sts.freshCode(serial);
    const [identity, token, devices, badSecret, unknownKey] = await Promise.all([
      aws(sts, ["sts", "get-caller-identity"], credsOf(user)),
      aws(
        sts,
        ["sts", "get-session-token", "--serial-number", serial, "--token-code", code],
        credsOf(user),
      ),
      aws(sts, ["iam", "list-mfa-devices"], credsOf(user)),
      aws(sts, ["sts", "get-caller-identity"], {
        ...credsOf(user),
        secretAccessKey: wrongSecret(user),
      }),
      aws(sts, ["sts", "get-caller-identity"], {
        ...credsOf(user),
        accessKeyId: "AKIAAAAAAAAAAAAAAAAA",
      }),
    ]);
    assert.equal(identity.code, 0, identity.stderr);
    assert.equal(JSON.parse(identity.stdout).Arn, user.arn);
    assert.equal(token.code, 0, token.stderr);
    const credentials = JSON.parse(token.stdout).Credentials;
    assert.match(credentials.AccessKeyId, /^ASIA/);
    assert.match(credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+00:00)$/);
    assert.equal(devices.code, 0, devices.stderr);
    assert.equal(JSON.parse(devices.stdout).MFADevices[0].SerialNumber, serial);
    assert.notEqual(badSecret.code, 0);
    assert.match(
      badSecret.stderr,
      /\(SignatureDoesNotMatch\).*The request signature we calculated/,
    );
    assert.notEqual(unknownKey.code, 0);
    assert.ok(unknownKey.stderr.includes(`(InvalidClientTokenId)`), unknownKey.stderr);
    assert.ok(unknownKey.stderr.includes(INVALID_TOKEN), unknownKey.stderr);

    const session = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    };
    sts.skewMs = -30 * 60_000;
    const [asSession, reused, late] = await Promise.all([
      aws(sts, ["sts", "get-caller-identity"], session),
      aws(
        sts,
        ["sts", "get-session-token", "--serial-number", serial, "--token-code", code],
        credsOf(user),
      ),
      aws(sts, ["sts", "get-caller-identity"], credsOf(user)),
    ]);
    // With the server half an hour behind, every one of them is refused as not yet current.
    for (const refused of [asSession, reused, late]) {
      assert.match(
        refused.stderr,
        /\(SignatureDoesNotMatch\).*Signature not yet current: \d{8}T\d{6}Z is still later than/,
      );
    }
    // Twenty minutes ahead: expired, in the format of sts-facts.md (botocore does not retry it).
    sts.skewMs = 20 * 60_000;
    const expired = await aws(sts, ["sts", "get-caller-identity"], credsOf(user));
    assert.match(
      expired.stderr,
      /\(SignatureDoesNotMatch\).*: Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)/,
    );
    sts.skewMs = 0;
    const [asSession2, reused2] = await Promise.all([
      aws(sts, ["sts", "get-caller-identity"], session),
      aws(
        sts,
        ["sts", "get-session-token", "--serial-number", serial, "--token-code", code],
        credsOf(user),
      ),
    ]);
    assert.equal(asSession2.code, 0, asSession2.stderr);
    assert.equal(JSON.parse(asSession2.stdout).Arn, user.arn);
    assert.ok(reused2.stderr.includes(INVALID_CODE), reused2.stderr);
  },
});

// ---------------------------------------------------------------------------------------------
// Authentication errors, with AWS's texts

Deno.test("auth: missing, unknown, inactive, mismatched and stale signatures", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const gci = { Action: "GetCallerIdentity" };

  assertError(await call(sts, undefined, gci), 403, "MissingAuthenticationToken");
  assertError(
    await call(sts, { ...credsOf(user), accessKeyId: "AKIAZZZZZZZZZZZZZZZZ" }, gci),
    403,
    "InvalidClientTokenId",
    INVALID_TOKEN,
  );
  const wrong = await call(sts, {
    ...credsOf(user),
    secretAccessKey: wrongSecret(user),
  }, gci);
  assertError(wrong, 403, "SignatureDoesNotMatch");
  assert.ok(wrong.message!.startsWith(MISMATCH_PREFIX));

  // Signed for the wrong service.
  const scoped = await call(sts, credsOf(user), gci, { service: "iam" });
  assertError(
    scoped,
    403,
    "SignatureDoesNotMatch",
    "Credential should be scoped to correct service: 'sts'. ",
  );

  // Thirty minutes late, as in sts-facts.md's example.
  const signedAt = Date.UTC(2026, 10, 29, 10, 15);
  sts.skewMs = signedAt + 30 * 60_000 - Date.now();
  const stale = await call(sts, credsOf(user), gci, { timeMs: signedAt });
  assertError(stale, 403, "SignatureDoesNotMatch");
  const m =
    /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)$/
      .exec(stale.message!);
  assert.ok(m, stale.message);
  assert.equal(m[1], "20261129T101500Z");
  const serverTime = Date.parse(stale.headers.get("date")!);
  assert.ok(
    Math.abs(serverTime - (Date.now() + sts.skewMs)) < 2000,
    "Date header carries the skew",
  );
  // "(NOW - 5 min.)": NOW is the server's time, and the bound is five minutes before it.
  assert.ok(Math.abs(parseAmzDate(m[3]) - (Date.now() + sts.skewMs)) < 2000, m[3]);
  assert.equal(parseAmzDate(m[3]) - parseAmzDate(m[2]), 5 * 60_000);
  // Four minutes off is still fine.
  sts.skewMs = 4 * 60_000;
  assert.equal((await call(sts, credsOf(user), gci)).status, 200);
  sts.skewMs = 0;

  user.active = false;
  assertError(await call(sts, credsOf(user), gci), 403, "InvalidClientTokenId", INVALID_TOKEN);
  user.active = true;
  assert.deepEqual(
    sts.requests.map((r) => r.outcome),
    [
      "MissingAuthenticationToken",
      "InvalidClientTokenId",
      "SignatureDoesNotMatch",
      "SignatureDoesNotMatch",
      "SignatureDoesNotMatch",
      "ok",
      "InvalidClientTokenId",
    ],
  );
});

Deno.test("auth: session credentials need their exact token, and expire", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const session = await sessionFor(sts, user);
  const gci = { Action: "GetCallerIdentity" };
  assert.equal(tag((await call(sts, session, gci)).body, "Arn"), user.arn);
  assertError(
    await call(sts, { ...session, sessionToken: undefined }, gci),
    403,
    "InvalidClientTokenId",
    INVALID_TOKEN,
  );
  assertError(
    await call(sts, { ...session, sessionToken: session.sessionToken!.slice(0, -4) + "AAA=" }, gci),
    403,
    "InvalidClientTokenId",
  );
  // A long-term key with a session token is no valid pair either.
  assertError(
    await call(sts, { ...credsOf(user), sessionToken: session.sessionToken }, gci),
    403,
    "InvalidClientTokenId",
  );
  sts.expireSessions();
  assertError(await call(sts, session, gci), 400, "ExpiredToken");
  assert.ok(sts.issuedSecrets().includes(session.sessionToken!));
  assert.ok(sts.issuedSecrets().includes(session.secretAccessKey));
  assert.ok(sts.issuedSecrets().includes(user.secretAccessKey));
});

// ---------------------------------------------------------------------------------------------
// GetSessionToken

Deno.test("GetSessionToken: validation errors in AWS's shape", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const serial = user.mfaDevices[0].serialNumber;
  const gst = (extra: Record<string, string>) =>
    call(sts, credsOf(user), { Action: "GetSessionToken", ...extra });
  assertError(
    await gst({ SerialNumber: serial, TokenCode: "12" }),
    400,
    "ValidationError",
    "1 validation error detected: Value '12' at 'tokenCode' failed to satisfy constraint: " +
      "Member must have length greater than or equal to 6",
  );
  assertError(
    await gst({ SerialNumber: serial, TokenCode: "12a456" }),
    400,
    "ValidationError",
    "1 validation error detected: Value '12a456' at 'tokenCode' failed to satisfy constraint: " +
      "Member must satisfy regular expression pattern: [\\d]*",
  );
  assertError(
    await gst({ DurationSeconds: "899" }),
    400,
    "ValidationError",
    "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: " +
      "Member must have value greater than or equal to 900",
  );
  const two = await gst({ DurationSeconds: "129601", SerialNumber: serial, TokenCode: "1234567" });
  assertError(
    two,
    400,
    "ValidationError",
    "2 validation errors detected: Value '129601' at 'durationSeconds' failed to satisfy " +
      "constraint: Member must have value less than or equal to 129600; Value '1234567' at " +
      "'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 6",
  );
  assert.equal(two.type, "Sender");
  assert.equal(two.requestId, two.headers.get("x-amzn-requestid"));
  assert.match(
    two.body,
    /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
  );
});

Deno.test("GetSessionToken: MFA errors for missing, foreign, wrong and reused codes", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser({ userName: "carol", devices: ["virtual", "u2f", "virtual"] });
  const other = sts.addUser({ userName: "dave" });
  const [virtual, u2f, second] = user.mfaDevices;
  assert.match(virtual.serialNumber, new RegExp(`^arn:aws:iam::${sts.accountId}:mfa/carol$`));
  assert.match(u2f.serialNumber, /:u2f\/user\/carol\//);
  assert.match(second.serialNumber, /:mfa\/carol-2$/);
  const gst = (extra: Record<string, string>) =>
    call(sts, credsOf(user), { Action: "GetSessionToken", ...extra });
  const code = () => sts.currentCode(virtual.serialNumber);

  assertError(await gst({ SerialNumber: virtual.serialNumber }), 403, "AccessDenied", MISSING_PART);
  assertError(await gst({ TokenCode: await code() }), 403, "AccessDenied", MISSING_PART);
  const foreign = [
    other.mfaDevices[0].serialNumber,
    `arn:aws:iam::${sts.accountId}:user/carol`,
    virtual.serialNumber.replace("arn:aws:", "arn:aws-cn:"),
    u2f.serialNumber,
  ];
  for (const serial of foreign) {
    assertError(
      await gst({ SerialNumber: serial, TokenCode: "123456" }),
      403,
      "AccessDenied",
      UNKNOWN_SERIAL,
    );
  }
  const good = await code();
  const wrongCode = String((Number(good) + 500_000) % 1_000_000).padStart(6, "0");
  assertError(
    await gst({ SerialNumber: virtual.serialNumber, TokenCode: wrongCode }),
    403,
    "AccessDenied",
    INVALID_CODE,
  );
  // The second device has its own key: the first one's code is wrong for it.
  assertError(
    await gst({ SerialNumber: second.serialNumber, TokenCode: good }),
    403,
    "AccessDenied",
    INVALID_CODE,
  );

  assert.equal((await gst({ SerialNumber: virtual.serialNumber, TokenCode: good })).status, 200);
  assertError(
    await gst({ SerialNumber: virtual.serialNumber, TokenCode: good }),
    403,
    "AccessDenied",
    INVALID_CODE,
  );

  // The window is one step either way: a code two steps old is refused, one step old is not.
  // (Keep clear of a step boundary of the wall clock, which would age the codes by one more.)
  const intoStep = sts.totpTimeMs() % 30_000;
  if (intoStep > 27_000) await new Promise((r) => setTimeout(r, 30_100 - intoStep));
  const old = await code();
  await sts.freshCode(virtual.serialNumber);
  const previous = await code();
  await sts.freshCode(virtual.serialNumber);
  assert.equal(
    (await gst({ SerialNumber: virtual.serialNumber, TokenCode: previous })).status,
    200,
  );
  if (old !== good && old !== previous) {
    assertError(
      await gst({ SerialNumber: virtual.serialNumber, TokenCode: old }),
      403,
      "AccessDenied",
      INVALID_CODE,
    );
  }
  // freshCode hands out codes that work, many in a row.
  for (let i = 0; i < 3; i++) {
    const fresh = await sts.freshCode(second.serialNumber);
    assert.match(fresh, /^\d{6}$/);
    assert.equal((await gst({ SerialNumber: second.serialNumber, TokenCode: fresh })).status, 200);
  }
});

Deno.test("GetSessionToken: durations, root's one-hour cap, session credentials refused", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const root = sts.addUser({ root: true });
  assert.equal(root.arn, `arn:aws:iam::${sts.accountId}:root`);
  assert.equal(
    root.mfaDevices[0].serialNumber,
    `arn:aws:iam::${sts.accountId}:mfa/root-account-mfa-device`,
  );
  // Asserts the answer's Expiration lies `seconds` after the call: bracketed by the clock before
  // and after it, so a slow machine cannot push it out of range (the answer has whole seconds).
  const expectDuration = async (u: FakeUser, extra: Record<string, string>, seconds: number) => {
    const before = Date.now();
    const answer = await call(sts, credsOf(u), { Action: "GetSessionToken", ...extra });
    const after = Date.now();
    assert.equal(answer.status, 200, answer.body);
    const text = tag(answer.body, "Expiration")!;
    assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expires = Date.parse(text) / 1000;
    const [low, high] = [Math.floor(before / 1000) + seconds, Math.ceil(after / 1000) + seconds];
    assert.ok(low <= expires && expires <= high, `${text}: not ${seconds} s after the call`);
  };
  await expectDuration(user, {}, 43200);
  await expectDuration(user, { DurationSeconds: "129600" }, 129600);
  await expectDuration(user, { DurationSeconds: "900" }, 900);
  await expectDuration(root, {}, 3600);
  const serial = root.mfaDevices[0].serialNumber;
  await expectDuration(root, {
    DurationSeconds: "7200",
    SerialNumber: serial,
    TokenCode: await sts.freshCode(serial),
  }, 3600);
  const session = await sessionFor(sts, user);
  assertError(
    await call(sts, session, { Action: "GetSessionToken" }),
    403,
    "AccessDenied",
    SESSION_CREDS,
  );
});

// ---------------------------------------------------------------------------------------------
// AssumeRole, GetCallerIdentity, ListMFADevices

Deno.test("AssumeRole: MFA, ExternalId, durations, chaining, and the caller it makes", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser({ userName: "erin" });
  const serial = user.mfaDevices[0].serialNumber;
  const guarded = sts.addRole({
    roleName: "guarded",
    requireMfa: true,
    externalId: "ext-42",
    maxSessionDuration: 7200,
  });
  const open = sts.addRole({ roleName: "open" });
  const assume = (creds: SigningCredentials, extra: Record<string, string>) =>
    call(sts, creds, { Action: "AssumeRole", RoleSessionName: "s1", ...extra });
  const denied = (arn: string) =>
    `User: ${user.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`;

  assertError(
    await assume(credsOf(user), { RoleArn: guarded.arn, ExternalId: "ext-42" }),
    403,
    "AccessDenied",
    denied(guarded.arn),
  );
  assertError(
    await assume(credsOf(user), {
      RoleArn: guarded.arn,
      SerialNumber: serial,
      TokenCode: await sts.freshCode(serial),
    }),
    403,
    "AccessDenied",
    denied(guarded.arn),
  );
  const missingRole = guarded.arn.replace("guarded", "nope");
  assertError(
    await assume(credsOf(user), { RoleArn: missingRole }),
    403,
    "AccessDenied",
    denied(missingRole),
  );
  assertError(
    await assume(credsOf(user), {
      RoleArn: guarded.arn,
      ExternalId: "ext-42",
      SerialNumber: serial,
      TokenCode: "000000x",
    }),
    400,
    "ValidationError",
  );
  assertError(
    await assume(credsOf(user), {
      RoleArn: guarded.arn,
      ExternalId: "ext-42",
      SerialNumber: serial,
      TokenCode: await sts.freshCode(serial),
      DurationSeconds: "7201",
    }),
    400,
    "ValidationError",
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
  );
  const beforeOk = Date.now();
  const ok = await assume(credsOf(user), {
    RoleArn: guarded.arn,
    ExternalId: "ext-42",
    SerialNumber: serial,
    TokenCode: await sts.freshCode(serial),
    DurationSeconds: "7200",
  });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(tag(ok.body, "Arn"), `arn:aws:sts::${sts.accountId}:assumed-role/guarded/s1`);
  const okExpires = Date.parse(tag(ok.body, "Expiration")!) / 1000;
  assert.ok(okExpires >= Math.floor(beforeOk / 1000) + 7200, "7200 s after the call, at least");
  assert.ok(okExpires <= Math.ceil(Date.now() / 1000) + 7200, "7200 s after the call, at most");
  const roleCreds = {
    accessKeyId: tag(ok.body, "AccessKeyId")!,
    secretAccessKey: tag(ok.body, "SecretAccessKey")!,
    sessionToken: tag(ok.body, "SessionToken")!,
  };
  const who = await call(sts, roleCreds, { Action: "GetCallerIdentity" });
  assert.equal(tag(who.body, "Arn"), `arn:aws:sts::${sts.accountId}:assumed-role/guarded/s1`);
  assert.equal(tag(who.body, "UserId"), `${guarded.roleId}:s1`);

  // Role chaining: at most one hour.
  assertError(
    await assume(roleCreds, { RoleArn: open.arn, DurationSeconds: "3601" }),
    400,
    "ValidationError",
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
  );
  assert.equal((await assume(roleCreds, { RoleArn: open.arn })).status, 200);
  // Role credentials have no user to list devices of.
  assertError(
    await call(sts, roleCreds, { Action: "ListMFADevices" }),
    400,
    "ValidationError",
    "Must specify userName when calling with non-User credentials",
  );
  assertError(
    await assume(credsOf(user), { RoleArn: open.arn, RoleSessionName: "a" }),
    400,
    "ValidationError",
    "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: " +
      "Member must have length greater than or equal to 2",
  );
  // With MFA-backed session credentials the MFA condition holds without a new code.
  const session = await sessionFor(sts, user);
  assert.equal((await assume(session, { RoleArn: guarded.arn, ExternalId: "ext-42" })).status, 200);
  const root = sts.addUser({ root: true });
  assertError(
    await assume(credsOf(root), { RoleArn: open.arn }),
    403,
    "AccessDenied",
    "Roles may not be assumed by root accounts.",
  );
});

Deno.test("ListMFADevices: own devices, pagination, MFA-less sessions refused, other users denied", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser({ userName: "frank", devices: 3 });
  const answer = await call(sts, credsOf(user), { Action: "ListMFADevices" }, { method: "GET" });
  assert.equal(answer.status, 200, answer.body);
  assert.match(
    answer.body,
    /^<ListMFADevicesResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/,
  );
  assert.equal(tag(answer.body, "IsTruncated"), "false");
  assert.equal([...answer.body.matchAll(/<SerialNumber>/g)].length, 3);
  const page = await call(sts, credsOf(user), { Action: "ListMFADevices", MaxItems: "2" });
  assert.equal(tag(page.body, "IsTruncated"), "true");
  const rest = await call(sts, credsOf(user), {
    Action: "ListMFADevices",
    Marker: tag(page.body, "Marker")!,
  });
  assert.equal([...rest.body.matchAll(/<SerialNumber>/g)].length, 1);

  const noMfa = await sessionFor(sts, user, false);
  const refused = await call(sts, noMfa, { Action: "ListMFADevices" });
  assertError(refused, 403, "AccessDenied");
  assert.match(refused.body, /xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"/);
  const withMfa = await sessionFor(sts, user);
  assert.equal(
    (await call(sts, withMfa, { Action: "ListMFADevices", UserName: "frank" })).status,
    200,
  );
  assertError(
    await call(sts, credsOf(user), { Action: "ListMFADevices", UserName: "grace" }),
    403,
    "AccessDenied",
  );
  // IAM actions must be signed for iam, STS ones for sts.
  assertError(
    await call(sts, credsOf(user), { Action: "ListMFADevices" }, { service: "sts" }),
    403,
    "SignatureDoesNotMatch",
    "Credential should be scoped to correct service: 'iam'. ",
  );
});

Deno.test("query API: GET works like POST; unknown actions and versions are InvalidAction", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const get = await call(sts, credsOf(user), { Action: "GetCallerIdentity" }, { method: "GET" });
  assert.equal(tag(get.body, "Arn"), user.arn);
  assert.equal(get.headers.get("content-type"), "text/xml");
  assert.match(get.headers.get("x-amzn-requestid")!, /^[0-9a-f-]{36}$/);
  assert.equal(tag(get.body, "RequestId"), get.headers.get("x-amzn-requestid"));
  assertError(
    await call(sts, credsOf(user), { Action: "GetFlightTicket" }),
    400,
    "InvalidAction",
    "Could not find operation GetFlightTicket for version 2011-06-15",
  );
  assertError(
    await call(sts, credsOf(user), { Action: "GetCallerIdentity", Version: "2010-05-08" }),
    400,
    "InvalidAction",
  );
});

// ---------------------------------------------------------------------------------------------
// Faults, seen from a plain fetch client

Deno.test("faults: 5xx, throttling, HTML, empty and malformed bodies", async () => {
  await using sts = await startFakeSts();
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const post = () =>
    fetch(sts.url, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

  sts.fault({ kind: "status", status: 503, code: "ServiceUnavailable" }, { times: 2 });
  sts.fault({ kind: "status", status: 500, code: "InternalFailure" });
  sts.fault({ kind: "throttle" });
  sts.fault({ kind: "html" });
  sts.fault({ kind: "empty" });
  sts.fault({ kind: "malformed" });
  sts.fault({
    kind: "error",
    status: 403,
    code: "RegionDisabledException",
    message:
      "STS is not activated in this region for account:1. Your account administrator can activate STS in this region using the IAM Console.",
  });
  const seen: Array<[number, string, string]> = [];
  for (let i = 0; i < 9; i++) {
    const res = await post();
    const text = await res.text();
    seen.push([
      res.status,
      res.headers.get("content-type") ?? "",
      tag(text, "Code") ?? text.slice(0, 15),
    ]);
    if (i === 6) {
      // Not well-formed XML: an unclosed root and a stray "<".
      assert.ok(!text.includes("</GetCallerIdentityResponse>") && text.includes("<<"), text);
    }
  }
  assert.deepEqual(seen, [
    [503, "text/xml", "ServiceUnavailable"],
    [503, "text/xml", "ServiceUnavailable"],
    [500, "text/xml", "InternalFailure"],
    [400, "text/xml", "Throttling"],
    [200, "text/html; charset=utf-8", "<!DOCTYPE html>"],
    [200, "text/xml", ""],
    [200, "text/xml", "<GetCallerIdent"],
    [403, "text/xml", "RegionDisabledException"],
    [403, "text/xml", "MissingAuthenticationToken"],
  ]);
  assert.deepEqual(sts.requests.map((r) => r.outcome), [
    "ServiceUnavailable",
    "ServiceUnavailable",
    "InternalFailure",
    "Throttling",
    "fault:html",
    "fault:empty",
    "fault:malformed",
    "RegionDisabledException",
    "MissingAuthenticationToken",
  ]);
});

Deno.test("faults: the SDK sees malformed XML as an error, and 503 as retryable", async () => {
  await using sts = await startFakeSts();
  const user = sts.addUser();
  const client = new STSClient({
    endpoint: sts.url,
    region: "us-east-1",
    credentials: credsOf(user),
    maxAttempts: 2,
  });
  try {
    sts.fault({ kind: "malformed" });
    await assert.rejects(client.send(new GetCallerIdentityCommand({})), /XML parse error/);
    assert.equal(sts.requests.length, 1, "a body that does not parse is not retried");
    sts.fault({ kind: "status", status: 503, code: "ServiceUnavailable" });
    assert.equal((await client.send(new GetCallerIdentityCommand({}))).Arn, user.arn);
  } finally {
    client.destroy();
  }
  assert.equal(sts.requests.at(-1)?.outcome, "ok");
  assert.equal(sts.requests.at(-2)?.outcome, "ServiceUnavailable");
});

Deno.test("faults: reset cuts the connection, truncated breaks the body, delay waits", async () => {
  await using sts = await startFakeSts();
  sts.fault({ kind: "reset" });
  await assert.rejects(
    fetch(sts.url, { method: "POST", body: "Action=GetCallerIdentity" }),
    (e: Error) => /reset|closed/i.test(String((e as { cause?: unknown }).cause ?? e.message)),
  );

  sts.fault({ kind: "truncated" });
  const res = await fetch(sts.url, { method: "POST", body: "Action=GetSessionToken" });
  assert.equal(res.status, 200);
  assert.ok(Number(res.headers.get("content-length")) > 100);
  await assert.rejects(res.text());

  sts.fault({ kind: "delay", ms: 400 });
  const start = performance.now();
  const slow = await fetch(sts.url, { method: "POST", body: "Action=GetCallerIdentity" });
  await slow.body?.cancel();
  assert.ok(performance.now() - start >= 380, `answered after ${performance.now() - start} ms`);
  assert.equal(slow.status, 403, "after the delay it answers normally");
  // A raw socket sees the reset as such: no bytes, then ECONNRESET.
  sts.fault({ kind: "reset" });
  const port = Number(new URL(sts.url).port);
  const error = await new Promise<string>((resolve) => {
    const socket = net.connect(
      port,
      "127.0.0.1",
      () => socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
    );
    let got = 0;
    socket.on("data", (d) => got += d.length);
    socket.on("error", (e: Error & { code?: string }) => resolve(`${e.code} after ${got} bytes`));
    socket.on("close", () => resolve(`close after ${got} bytes`));
  });
  assert.equal(error, "ECONNRESET after 0 bytes");
});

Deno.test("faults: close() cuts a pending delay short", async () => {
  const sts = await startFakeSts();
  sts.fault({ kind: "delay", ms: 30_000 });
  const pending = fetch(sts.url, { method: "POST", body: "Action=GetCallerIdentity" });
  const rejected = assert.rejects(pending);
  await new Promise((r) => setTimeout(r, 100));
  // Far less than the 30 s delay: close() did not wait for it.
  const start = performance.now();
  await sts.close();
  await rejected;
  assert.ok(performance.now() - start < 20_000);
  await assert.rejects(fetch(sts.url));
});

// ---------------------------------------------------------------------------------------------
// TLS, the CONNECT proxy, and the standalone server

Deno.test("tls: served with a throw-away CA; reached through HTTPS_PROXY from a subprocess", async () => {
  await using tlsSts = await startFakeSts({ tls: true });
  await using plainSts = await startFakeSts();
  await using proxy = await startConnectProxy();
  assert.match(tlsSts.url, /^https:\/\/localhost:\d+$/);
  const caPath = tlsSts.caCertPath!;
  const pem = await Deno.readTextFile(caPath);
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);

  // In process: trusted with the CA, refused without it.
  const client = Deno.createHttpClient({ caCerts: [pem] });
  try {
    const res = await fetch(tlsSts.url, {
      method: "POST",
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      client,
    });
    assert.equal(tag(await res.text(), "Code"), "MissingAuthenticationToken");
  } finally {
    client.close();
  }
  await assert.rejects(fetch(tlsSts.url, { method: "POST" }));

  const script = `
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const code = async (r) => /<Code>(.*?)<\\/Code>/.exec(await r.text())[1];
    const viaEnvCa = await fetch(Deno.env.get("TLS_URL"), { method: "POST", body });
    const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(Deno.env.get("CA_PATH"))] });
    const viaClientCa = await fetch(Deno.env.get("TLS_URL"), { method: "POST", body, client });
    const plain = await fetch(Deno.env.get("PLAIN_URL"), { method: "POST", body });
    console.log(JSON.stringify([await code(viaEnvCa), await code(viaClientCa), await code(plain)]));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    env: {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: "",
      no_proxy: "",
      DENO_CERT: caPath,
      TLS_URL: tlsSts.url,
      CA_PATH: caPath,
      PLAIN_URL: plainSts.url,
    },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [
    "MissingAuthenticationToken",
    "MissingAuthenticationToken",
    "MissingAuthenticationToken",
  ]);
  assert.ok(proxy.connects >= 1, `connects: ${proxy.connects}`);
  assert.ok(proxy.requests >= 1, `plain proxied requests: ${proxy.requests}`);
  assert.ok(proxy.targets.includes(new URL(tlsSts.url).host), proxy.targets.join());
  assert.equal(tlsSts.requests.length, 3, "one in process, two through the tunnel");
  assert.equal(plainSts.requests.length, 1);

  await tlsSts.close();
  await assert.rejects(Deno.stat(caPath), Deno.errors.NotFound);
});

Deno.test("proxy: refuses to reach anything but loopback", async () => {
  await using proxy = await startConnectProxy();
  const port = Number(new URL(proxy.url).port);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(
      port,
      "127.0.0.1",
      () => socket.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
    );
    let text = "";
    socket.on("data", (d) => text += d.toString());
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
  assert.match(answer, /^HTTP\/1\.1 403 /);
  assert.equal(proxy.connects, 0);
});

Deno.test("standalone: fake_sts_main prints one JSON line and serves codes from the wall clock", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fake_sts_main.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      line += value;
    }
    const info = JSON.parse(line);
    assert.deepEqual(Object.keys(info).sort(), [
      "accessKeyId",
      "secretAccessKey",
      "serialNumber",
      "totpSecretBase32",
      "url",
    ]);
    assert.match(info.totpSecretBase32, /^[A-Z2-7]{64}$/);
    const code = await totpCode(base32Decode(info.totpSecretBase32), Date.now());
    const sts = { url: info.url } as FakeSts;
    const creds = { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey };
    const answer = await call(sts, creds, {
      Action: "GetSessionToken",
      SerialNumber: info.serialNumber,
      TokenCode: code,
    });
    assert.equal(answer.status, 200, answer.body);
    const again = await call(sts, creds, {
      Action: "GetSessionToken",
      SerialNumber: info.serialNumber,
      TokenCode: code,
    });
    assertError(again, 403, "AccessDenied", INVALID_CODE);
  } finally {
    child.kill("SIGTERM");
    await reader.cancel();
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    assert.equal(stderr, "", "the fake logs nothing");
    assert.equal(status.code, 0);
  }
});

import assert from "node:assert/strict";
import {
  AuthError,
  ConfigError,
  InvalidCodeError,
  NetworkError,
  UsageError,
} from "../lib/errors.ts";
import { type CallContext, describeCallFailure, shortKeyId } from "../lib/sts_errors.ts";
import { classifySdkError } from "../lib/sts.ts";

const context: CallContext = {
  operation: "GetSessionToken",
  endpoint: "https://sts.us-east-1.amazonaws.com",
  sourceSection: "georgemfa",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  serialNumber: "arn:aws:iam::123456789012:mfa/george",
  now: Date.parse("2026-11-29T10:45:00Z"),
  usedCode: true,
};

function service(code: string, message: string, httpStatus = 403, serverDate?: string) {
  return describeCallFailure({ kind: "service", code, message, httpStatus, serverDate }, context);
}

Deno.test("sts errors: a wrong or reused code is an InvalidCodeError that says codes are single-use", () => {
  const error = service(
    "AccessDenied",
    "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
  );
  assert.ok(error instanceof InvalidCodeError);
  assert.equal(error.exitCode, 4);
  assert.match(error.fix ?? "", /works once.*next code/);
});

Deno.test("sts errors: an unknown serial names the device; a :user/ ARN is called out", () => {
  const message =
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";
  const error = service("AccessDenied", message);
  assert.ok(error instanceof AuthError);
  assert.match(error.message, /arn:aws:iam::123456789012:mfa\/george/);
  const user = describeCallFailure({ kind: "service", code: "AccessDenied", message }, {
    ...context,
    serialNumber: "arn:aws:iam::123456789012:user/george",
  });
  assert.match(
    user.fix ?? "",
    /user ARN.*not an MFA device.*arn:aws:iam::123456789012:mfa\/george/,
  );
  const u2f = describeCallFailure({ kind: "service", code: "AccessDenied", message }, {
    ...context,
    serialNumber: "arn:aws:iam::123456789012:u2f/user/george/key-ABC",
  });
  assert.match(u2f.fix ?? "", /U2F\/FIDO.*cannot be used/);
});

Deno.test("sts errors: invalid key, wrong secret and session credentials name the section and key", () => {
  const invalid = service(
    "InvalidClientTokenId",
    "The security token included in the request is invalid.",
  );
  assert.ok(invalid instanceof AuthError);
  assert.match(invalid.message, /AKIA…MPLE from \[georgemfa\].*wrong, deleted or inactive/);
  const secret = service(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided.",
  );
  assert.match(secret.message, /aws_secret_access_key in \[georgemfa\]/);
  const temporary = service("AccessDenied", "Cannot call GetSessionToken with session credentials");
  assert.ok(temporary instanceof ConfigError);
  assert.equal(temporary.exitCode, 3);
});

Deno.test("sts errors: clock skew shows the measured offset", () => {
  const error = service(
    "SignatureDoesNotMatch",
    "Signature expired: 20261129T101500Z is now earlier than 20261129T103000Z (20261129T104500Z - 15 min.)",
    403,
    "Sun, 29 Nov 2026 10:15:00 GMT",
  );
  assert.ok(error instanceof AuthError);
  assert.match(error.message, /clock is off by 30 min: it is ahead of AWS's clock/);
  assert.match(error.fix ?? "", /time sync/);
});

Deno.test("sts errors: throttling, faults, timeouts, TLS and garbage are network errors (exit 5)", () => {
  const throttled = service("Throttling", "Rate exceeded", 400);
  const fault = service("ServiceUnavailable", "Service unavailable", 503);
  assert.ok(throttled instanceof NetworkError && fault instanceof NetworkError);
  assert.match(fault.fix ?? "", /code may have been used up/);
  const timeout = describeCallFailure({ kind: "timeout", timeoutMs: 10_000 }, context);
  assert.match(timeout.message, /did not answer within 10 s/);
  const tls = describeCallFailure({
    kind: "tls",
    detail: "invalid peer certificate: UnknownIssuer",
  }, context);
  assert.match(tls.fix ?? "", /AWS_CA_BUNDLE/);
  const garbage = describeCallFailure(
    { kind: "unreadable", detail: "bad xml", httpStatus: 200 },
    context,
  );
  assert.ok(garbage instanceof NetworkError);
  assert.equal(garbage.exitCode, 5);
});

Deno.test("sts errors: a duration AWS refuses is a usage error", () => {
  const error = service(
    "ValidationError",
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    400,
  );
  assert.ok(error instanceof UsageError);
  assert.match(error.message, /longer than the role's maximum session duration/);
  assert.match(error.fix!, /--duration \(or duration_seconds in \[georgemfa\]\).*1 hour/);

  const chained = service(
    "ValidationError",
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by " +
      "role chaining.",
    400,
  );
  assert.ok(chained instanceof UsageError);
  assert.match(chained.message, /temporary credentials lasts 1 hour at most/);

  const range = service("ValidationError", "1 validation error detected: durationSeconds", 400);
  assert.match(range.message, /AWS refused the duration/);
});

Deno.test("classifySdkError sorts SDK errors by what the user can do", () => {
  const sdkError = Object.assign(
    new Error("The security token included in the request is invalid."),
    {
      name: "InvalidClientTokenId",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
    },
  );
  assert.deepEqual(classifySdkError(sdkError, 10_000, "x"), {
    kind: "service",
    code: "InvalidClientTokenId",
    message: "The security token included in the request is invalid.",
    httpStatus: 403,
    serverDate: "x",
  });
  assert.equal(
    classifySdkError(Object.assign(new Error("t"), { name: "TimeoutError" }), 1).kind,
    "timeout",
  );
  assert.equal(
    classifySdkError(new TypeError("error sending request: connection reset"), 1).kind,
    "network",
  );
  assert.equal(
    classifySdkError(new TypeError("invalid peer certificate: UnknownIssuer"), 1).kind,
    "tls",
  );
});

Deno.test("shortKeyId keeps only the ends of a key id", () => {
  assert.equal(shortKeyId("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
});

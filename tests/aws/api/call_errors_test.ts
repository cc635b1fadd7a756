import assert from "node:assert/strict";
import {
  AuthError,
  ConfigError,
  InvalidCodeError,
  NetworkError,
  UsageError,
} from "../../../lib/core/errors.ts";
import { type CallContext, describeCallFailure } from "../../../lib/aws/api/call_errors.ts";
import { classifySdkError } from "../../../lib/aws/api/sts.ts";

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

/** A fetch failure as Deno reports it: `fetch failed`, caused by the HTTP client's error. */
function fetchFailure(cause: string): TypeError {
  return new TypeError("fetch failed", { cause: new Error(cause) });
}

Deno.test("classifySdkError: Deno's connect-stage failures were not sent; later ones may have been", () => {
  const notSent = [
    "error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)",
    "error sending request for url (https://sts.nonexistent.invalid/): client error (Connect): dns error: failed to lookup address information: Name or service not known",
    "error sending request for url (https://sts.amazonaws.com/): client error (Connect): unsuccessful tunnel",
    "Fetch failed: Requests to port 9 are blocked",
  ];
  for (const cause of notSent) {
    const failure = classifySdkError(fetchFailure(cause), 1000);
    assert.equal(failure.kind, "network", cause);
    assert.equal(failure.kind === "network" && failure.sent, false, cause);
  }
  assert.deepEqual(classifySdkError(fetchFailure(notSent[0]), 1000), {
    kind: "network",
    detail: "tcp connect error: Connection refused (os error 111)",
    sent: false,
  });
  assert.deepEqual(
    classifySdkError(
      fetchFailure(
        "error sending request for url (https://localhost:4/): client error (Connect): invalid peer certificate: UnknownIssuer",
      ),
      1000,
    ),
    { kind: "tls", detail: "invalid peer certificate: UnknownIssuer" },
  );
  const sent = [
    "Connection reset by peer (os error 104)",
    "error sending request from 127.0.0.1:5 for http://127.0.0.1:6/ (127.0.0.1:6): client error (SendRequest): connection closed before message completed",
    "peer closed connection without sending TLS close_notify: https://docs.rs/rustls/latest/rustls/manual/_03_howto/index.html#unexpected-eof",
  ];
  for (const cause of sent) {
    const failure = classifySdkError(fetchFailure(cause), 1000);
    assert.equal(failure.kind, "network", cause);
    assert.equal(failure.kind === "network" && failure.sent, true, cause);
  }
  assert.equal(
    classifySdkError(new TypeError("error reading a body from connection"), 1).kind,
    "unreadable",
  );
  const abort = Object.assign(new Error("Request aborted"), {
    name: "AbortError",
    cause: new DOMException("The operation was aborted due to timeout", "TimeoutError"),
  });
  assert.deepEqual(classifySdkError(abort, 2000), { kind: "timeout", timeoutMs: 2000 });
});

Deno.test("sts errors: not sent says the code is still good and what to check; sent says it may be spent", () => {
  const NOT_USED = /The request was not sent, so the code was not used: it is still good/;
  const notSent = describeCallFailure(
    { kind: "network", detail: "dns error: failed to lookup address information", sent: false },
    context,
  );
  assert.ok(notSent instanceof NetworkError);
  assert.equal(
    notSent.message,
    "Could not reach AWS STS at https://sts.us-east-1.amazonaws.com: dns error: failed to lookup " +
      "address information",
  );
  assert.match(
    notSent.fix ?? "",
    /DNS.*HTTPS_PROXY\/NO_PROXY.*AWS_CA_BUNDLE.*AWS_ENDPOINT_URL_STS/,
  );
  assert.match(notSent.fix ?? "", NOT_USED);
  assert.doesNotMatch(notSent.fix ?? "", /used up/);
  const tls = describeCallFailure({ kind: "tls", detail: "UnknownIssuer" }, context);
  assert.match(tls.fix ?? "", NOT_USED);

  const lost = describeCallFailure(
    { kind: "network", detail: "Connection reset by peer (os error 104)", sent: true },
    context,
  );
  assert.match(lost.message, /^Lost the connection to AWS STS at .* after the request was sent/);
  assert.match(lost.fix ?? "", /code may have been used up/);
  assert.doesNotMatch(lost.fix ?? "", NOT_USED);

  // Without a code at stake (ListMFADevices), neither is said.
  const iam = describeCallFailure({ kind: "network", detail: "refused", sent: false }, {
    ...context,
    operation: "ListMFADevices",
    usedCode: false,
  });
  assert.match(iam.message, /^Could not reach AWS IAM/);
  assert.match(iam.fix ?? "", /AWS_ENDPOINT_URL_IAM/);
  assert.doesNotMatch(iam.fix ?? "", /code/);
});

Deno.test("sts errors: an endless or huge answer, and credentials unfit to write, are network errors that may have spent the code", () => {
  const slow = describeCallFailure({ kind: "timeout", timeoutMs: 2000, answering: true }, context);
  assert.match(slow.message, /^AWS STS did not finish its answer within 2 s/);
  const large = describeCallFailure({ kind: "too-large", limitBytes: 1024 * 1024 }, context);
  assert.ok(large instanceof NetworkError);
  assert.match(large.message, /sent an answer larger than 1 MiB; awsmfa stopped reading it\./);
  assert.match(large.fix ?? "", /code may have been used up/);
  const invalid = describeCallFailure(
    { kind: "invalid-credentials", detail: "the session token has a line break" },
    context,
  );
  assert.ok(invalid instanceof NetworkError);
  assert.equal(invalid.exitCode, 5);
  assert.match(
    invalid.message,
    /answered GetSessionToken with credentials awsmfa will not write: the session token has a line break\. Nothing was written\./,
  );
  assert.match(invalid.fix ?? "", /code may have been used up/);
});

Deno.test("sts errors: the duration messages name AWS's limits word for word", () => {
  const tooLong = service(
    "ValidationError",
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    400,
  );
  assert.equal(
    tooLong.fix,
    "Ask for less with --duration (or duration_seconds in [georgemfa]), e.g. --duration 1h: a " +
      "role allows 1 hour unless an administrator raised its maximum (up to 12 h: aws iam " +
      "update-role --max-session-duration 43200).",
  );
  const chained = service("ValidationError", "... role chaining ...", 400);
  assert.equal(chained.message, "A role assumed with temporary credentials lasts 1 hour at most.");
  assert.equal(chained.fix, "Put long-term keys (AKIA…) in [georgemfa], or use --duration 1h.");
  const both = service(
    "AccessDenied",
    "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
  );
  assert.equal(both.fix, "Set mfa_serial in [georgemfa] and pass a 6-digit code.");
});

Deno.test("sts errors: a code named like an object's own property is just an unknown code", () => {
  for (const code of ["toString", "constructor", "__proto__"]) {
    const error = service(code, "odd", 400);
    assert.ok(error instanceof AuthError);
    assert.equal(error.message, `AWS refused GetSessionToken (${code}): odd`);
  }
});

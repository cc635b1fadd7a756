/** lib/errors.ts: the one error printer never prints a secret. */
import assert from "node:assert/strict";
import { AuthError, formatError, NetworkError, redactSecrets } from "../lib/errors.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const PLAIN_SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCd";
const TOKEN = "FwoGZXIvYXdzE" +
  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD".repeat(8) +
  "==";

Deno.test("redactSecrets: secret keys and session tokens go, wherever they are", () => {
  for (const secret of [SECRET, PLAIN_SECRET, TOKEN]) {
    for (
      const text of [secret, `bad ${secret}`, `'${secret}'`, `x=${secret}\n`, `<a>${secret}</a>`]
    ) {
      const redacted = redactSecrets(text);
      assert.ok(!redacted.includes(secret), redacted);
      assert.match(redacted, /<redacted (secret|token)>/);
    }
  }
  assert.equal(
    redactSecrets(`a ${SECRET} b ${TOKEN} c`),
    "a <redacted secret> b <redacted token> c",
  );
});

Deno.test("redactSecrets: access key IDs, ARNs, paths, URLs, digests and prose stay", () => {
  const keep = [
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAXXXXXXXXXXXXXXXX and AKIA…MPLE",
    "arn:aws:iam::123456789012:mfa/george",
    "/home/george/.aws/credentials line 7: DuplicateSectionError",
    "https://sts.us-east-1.amazonaws.com/?Action=GetSessionToken",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709", // SHA-1: no upper case
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // SHA-256
    "The request signature we calculated does not match the signature you provided.",
    "2026-11-29T10:15:00Z",
    "x".repeat(99),
  ];
  for (const text of keep) assert.equal(redactSecrets(text), text);
});

Deno.test("formatError: message, fix, cause and stack are all redacted", () => {
  const cause = new Error(`body: <SecretAccessKey>${SECRET}</SecretAccessKey>`);
  const error = new NetworkError(`AWS said ${TOKEN}`, { fix: `Try ${SECRET}`, cause });
  for (const verbose of [false, true]) {
    const text = formatError(error, { verbose });
    assert.ok(!text.includes(SECRET) && !text.includes(TOKEN), text);
    assert.match(text, /^awsmfa: AWS said <redacted token>\n {2}Try <redacted secret>/);
  }
  assert.match(
    formatError(error, { verbose: true }),
    /cause: Error: body: <SecretAccessKey><redacted secret><\/SecretAccessKey>/,
  );
  const internal = new TypeError(`oops ${SECRET}`);
  for (const verbose of [false, true]) {
    const text = formatError(internal, { verbose });
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /^awsmfa: internal error: TypeError: oops <redacted secret>/);
  }
  assert.equal(
    formatError(new AuthError("AWS does not recognise access key AKIA…MPLE from [georgemfa]")),
    "awsmfa: AWS does not recognise access key AKIA…MPLE from [georgemfa]",
  );
});

/** lib/core/errors.ts: the one error printer never prints a secret. */
import assert from "node:assert/strict";
import {
  AuthError,
  formatError,
  NetworkError,
  redactSecrets,
  registerSecrets,
} from "../../lib/core/errors.ts";

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

/** `secret` as servers and libraries write it: URL-, JSON- and XML-escaped, and mixed. */
function escapedForms(secret: string): string[] {
  const each = (escape: (c: string, code: number) => string) =>
    secret.replace(/[+/=]/g, (c) => escape(c, c.charCodeAt(0)));
  const hex = (code: number) => code.toString(16);
  return [
    secret,
    encodeURIComponent(secret),
    each((_, code) => `%${hex(code)}`), // lower-case hex
    each((_, code) => `%25${hex(code).toUpperCase()}`), // URL-encoded twice
    each((c) => c === "/" ? "\\/" : c), // JSON's optional \/
    each((_, code) => `\\u00${hex(code)}`),
    each((_, code) => `\\u00${hex(code).toUpperCase()}`),
    each((_, code) => `&#${code};`),
    each((_, code) => `&#x${hex(code).toUpperCase()};`),
    each((_, code) => `&#x${hex(code)};`),
    each((_, code) => `&amp;#${code};`), // a character reference, XML-escaped again
    each((c, code) => c === "+" ? "%2B" : c === "/" ? "\\/" : `&#${code};`), // mixed
  ];
}

Deno.test("redactSecrets: every escaped form of a known secret goes, the text around it stays", () => {
  // Known secrets need no particular shape: this one has no digit and no upper case.
  const known = "xpz+qrst/uvwkqa/bcdfhjklmn+pqrs/tvwxyzbc";
  const token = "IQoJb3JpZ2luX2VjEJr//+/////////wEaCXVzLWVhc3QtMSJHMEUCIQD".repeat(6) + "==";
  for (const secret of [known, SECRET, PLAIN_SECRET, token]) {
    for (const form of escapedForms(secret)) {
      for (
        const [text, kept] of [
          [form, []],
          [`SecretAccessKey=${form}&Action=GetSessionToken`, ["SecretAccessKey=", "&Action="]],
          [`{"SecretAccessKey":"${form}"}`, ['{"SecretAccessKey":"', '"}']],
          [`<Key>${form}</Key>`, ["<Key>", "</Key>"]],
        ] as const
      ) {
        const redacted = redactSecrets(text, { secrets: [known, token] });
        assert.ok(!redacted.includes(form), `${form} in ${redacted}`);
        assert.match(redacted, /<redacted (secret|token)>/);
        for (const part of kept) assert.ok(redacted.includes(part), `${part} in ${redacted}`);
      }
    }
  }
  assert.equal(
    redactSecrets(`a ${encodeURIComponent(known)} b`, { secrets: [known] }),
    "a <redacted secret> b",
  );
  assert.equal(
    redactSecrets(`t=${encodeURIComponent(token)}.`, { secrets: [token] }),
    "t=<redacted token>.",
  );
});

Deno.test("redactSecrets: registered secrets are hidden by every printer; short values are not secrets", () => {
  const secret = "kqpz+mnbv/cxzl+kjhg/fdsa+poiu/ytre+wqlk";
  registerSecrets([secret, "short+/"]);
  assert.equal(redactSecrets(`x ${secret.replaceAll("/", "%2f")} y`), "x <redacted secret> y");
  assert.equal(redactSecrets("short+/ stays"), "short+/ stays");
  const later = "lmno+pqrs/tuvw+xyzl/mnop+qrst/uvwx+yzab";
  let asked = 0;
  registerSecrets(() => {
    asked++;
    return [later];
  });
  assert.equal(asked, 0, "a lazy source is asked only when something is printed");
  const error = new NetworkError(`AWS said ${encodeURIComponent(later)}`, {
    fix: `Try ${secret.replaceAll("+", "&#43;")}`,
    cause: new Error(`body {"k":"${later.replaceAll("/", "\\/")}"}`),
  });
  const text = formatError(error, { verbose: true });
  assert.equal(
    text,
    "awsmfa: AWS said <redacted secret>\n  Try <redacted secret>\n" +
      '  cause: Error: body {"k":"<redacted secret>"}',
  );
  assert.ok(asked > 0);
});

Deno.test("redactSecrets: unknown secrets and tokens are found under their escapes too", () => {
  for (const secret of [SECRET, TOKEN]) {
    for (const form of escapedForms(secret)) {
      const redacted = redactSecrets(`said: ${form}`, { secrets: [] });
      assert.match(redacted, /^said: <redacted (secret|token)>$/, form);
    }
  }
});

Deno.test("redactSecrets: user and password leave URLs, plain or escaped", () => {
  const cases: Array<[string, string]> = [
    ["https://george:hunter2@proxy.example:3128", "https://***@proxy.example:3128"],
    [
      "proxy http://george:p@ss@10.0.0.1:8080/x refused",
      "proxy http://***@10.0.0.1:8080/x refused",
    ],
    ["HTTPS_PROXY=http://token@proxy/", "HTTPS_PROXY=http://***@proxy/"],
    ["(https://u:p@sts.example.com/?Action=X)", "(https://***@sts.example.com/?Action=X)"],
    ['{"url":"https:\\/\\/u:p4ss@host\\/a"}', '{"url":"https:\\/\\/***@host\\/a"}'],
    ["u=https%3A%2F%2Fu%3Ap4ss%40host%2Fa", "u=https%3A%2F%2F***%40host%2Fa"],
  ];
  for (const [text, expected] of cases) assert.equal(redactSecrets(text), expected);
  for (
    const keep of [
      "http://127.0.0.1:8080/path?user=george@example.com",
      "george@example.com",
      "https://sts.us-east-1.amazonaws.com",
      "arn:aws:iam::123456789012:mfa/george@work",
    ]
  ) {
    assert.equal(redactSecrets(keep), keep);
  }
});

/**
 * No secret shows in any form: AWS echoing the secret key URL-encoded,
 * JSON-escaped or as XML character references, and credentials inside proxy
 * or endpoint URLs, are hidden in what awsmfa prints, with and without
 * `--verbose`.
 */
import assert from "node:assert/strict";
import { setupE2e } from "../support/e2e_env.ts";

/** Every spelling of `secret` a server or a library might use. */
function encodedForms(secret: string): string[] {
  const url = encodeURIComponent(secret);
  return [
    secret,
    url,
    url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    secret.replaceAll("/", "\\/"),
    secret.replace(/[+/=]/g, (c) => `&#${c.charCodeAt(0)};`),
    secret.replace(/[+/=]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
  ];
}

/** `text` with URL escapes, JSON escapes and XML references decoded (repeatedly). */
function decoded(text: string): string {
  let previous;
  do {
    previous = text;
    text = text
      .replace(/%([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
      .replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
      .replaceAll("\\/", "/")
      .replace(/&#[xX]([0-9A-Fa-f]+);/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
      .replace(/&#([0-9]+);/g, (_, dec) => String.fromCharCode(Number(dec)))
      .replaceAll("&amp;", "&");
  } while (text !== previous);
  return text;
}

function assertHidden(secret: string, ...texts: string[]): void {
  for (const text of texts) {
    for (const form of encodedForms(secret)) {
      assert.ok(!text.includes(form), `output shows the secret as ${form}:\n${text}`);
    }
    assert.ok(!decoded(text).includes(secret), `output shows the secret, encoded:\n${text}`);
  }
}

Deno.test("redaction: AWS echoing the secret key URL-encoded, JSON- or XML-escaped shows none of it", async () => {
  await using world = await setupE2e();
  const secret = world.user.secretAccessKey;
  assert.match(secret, /\+/); // the fake's keys have a '+' and a '/' to encode
  assert.match(secret, /\//);
  for (const verbose of [[], ["--verbose"]]) {
    world.fake.fault({ kind: "echo-secret" });
    const code = await world.fake.freshCode(world.serial);
    const result = await world.run(["george", "--code", code, ...verbose]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /^awsmfa: AWS denied GetSessionToken: Request rejected: /m);
    assert.match(result.stderr, /<redacted secret>/);
    assertHidden(secret, result.stdout, result.stderr);
  }
});

Deno.test("redaction: --verbose shows proxy and endpoint URLs without their user and password", async () => {
  await using world = await setupE2e();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const password = "Pr0xyPassw0rd";
  const withCredentials = (url: string) => {
    const parsed = new URL(url);
    parsed.username = "someuser";
    parsed.password = password;
    return parsed.href;
  };
  const closed = `http://127.0.0.1:${closedPort}/`;
  const cases: Array<[Record<string, string>, number, RegExp]> = [
    // Through a proxy that is not there (the fake is plain HTTP: HTTP_PROXY and ALL_PROXY apply).
    [{ HTTP_PROXY: withCredentials(closed) }, 5, /^awsmfa: Could not reach AWS STS/m],
    [{ ALL_PROXY: withCredentials(closed) }, 5, /^awsmfa: Could not reach AWS STS/m],
    // An endpoint override with a user and password, answering, then not.
    [{ AWS_ENDPOINT_URL_STS: withCredentials(world.fake.url) }, 0, /endpoint http:\/\/\*\*\*@127/],
    [{ AWS_ENDPOINT_URL_STS: withCredentials(closed) }, 5, /reach AWS STS at http:\/\/\*\*\*@127/],
  ];
  for (const [env, exitCode, pattern] of cases) {
    const code = await world.fake.freshCode(world.serial);
    const result = await world.run(["george", "--force", "--code", code, "--verbose"], { env });
    assert.equal(result.code, exitCode, result.stderr);
    assert.match(result.stderr, /^awsmfa: source \[georgemfa\]/);
    assert.match(result.stderr, pattern);
    const output = result.stdout + result.stderr;
    assert.ok(!decoded(output).includes(password), output);
    assert.ok(!output.includes("someuser"), output);
    assertHidden(world.user.secretAccessKey, result.stdout, result.stderr);
  }
});

Deno.test("redaction: doctor names endpoint overrides without their user and password", async () => {
  await using world = await setupE2e();
  const endpoint = new URL(world.fake.url);
  endpoint.username = "someuser";
  endpoint.password = "EndpointPassw0rd";
  const result = await world.run(["doctor", "george"], {
    env: { AWS_ENDPOINT_URL_STS: endpoint.href },
  });
  assert.match(result.stdout, /AWS_ENDPOINT_URL_STS=http:\/\/\*\*\*@127\.0\.0\.1:\d+\/: /);
  assert.ok(!/someuser|EndpointPassw0rd/.test(result.stdout + result.stderr), result.stdout);
});

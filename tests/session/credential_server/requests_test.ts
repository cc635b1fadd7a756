/**
 * The credentials server's requests (lib/session/credential_server/requests.ts):
 * which requests are served, and the bodies. Pure: no sockets.
 */
import assert from "node:assert/strict";
import {
  constantTimeEqual,
  credentialsBody,
  errorBody,
  judgeRequest,
  type ServedSession,
  type ServerIdentity,
} from "../../../lib/session/credential_server/requests.ts";

const IDENTITY: ServerIdentity = { port: 4711, path: "/p4th", token: "t0ken-abc" };
const GOOD = {
  method: "GET",
  host: "127.0.0.1:4711",
  target: "/p4th",
  authorization: "t0ken-abc",
};

Deno.test("judgeRequest: serves GET to the path with the token and a loopback Host", () => {
  assert.deepEqual(judgeRequest(GOOD, IDENTITY), { kind: "serve" });
  assert.equal(judgeRequest({ ...GOOD, host: "localhost:4711" }, IDENTITY).kind, "serve");
  assert.equal(judgeRequest({ ...GOOD, host: "127.0.0.1" }, IDENTITY).kind, "serve");
});

Deno.test("judgeRequest: refuses every other request with its status", () => {
  const status = (change: Partial<typeof GOOD>) => {
    const verdict = judgeRequest({ ...GOOD, ...change }, IDENTITY);
    return verdict.kind === "refuse" ? verdict.status : 200;
  };
  assert.equal(status({ host: "evil.example:4711" }), 403, "DNS rebinding");
  assert.equal(status({ host: "127.0.0.1.evil.example:4711" }), 403);
  assert.equal(status({ host: "127.0.0.1:4712" }), 403, "another port");
  assert.equal(status({ host: null as unknown as string }), 403, "no Host");
  for (const method of ["POST", "PUT", "DELETE", "HEAD", "OPTIONS", "get"]) {
    assert.equal(status({ method }), 405, method);
  }
  assert.equal(status({ target: "/" }), 404);
  assert.equal(status({ target: "/p4th?x=1" }), 404);
  assert.equal(status({ target: "/p4th/" }), 404);
  assert.equal(status({ authorization: null as unknown as string }), 401);
  assert.equal(status({ authorization: "t0ken-abd" }), 403);
  assert.equal(status({ authorization: "t0ken-ab" }), 403);
  assert.equal(status({ authorization: "t0ken-abcd" }), 403);
  assert.equal(status({ authorization: "Bearer t0ken-abc" }), 403);
  assert.equal(status({ authorization: "" }), 403);
});

Deno.test("constantTimeEqual: equal only for the same bytes", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("", ""), true);
  for (const other of ["", "ab", "abd", "abcd", "ABC", "abc\0"]) {
    assert.equal(constantTimeEqual(other, "abc"), false, JSON.stringify(other));
  }
  assert.equal(constantTimeEqual("abc", ""), false);
});

const SESSION: ServedSession = {
  accessKeyId: "ASIAOLD0000000000000",
  secretAccessKey: "old/secret+key",
  sessionToken: "old-token",
  expiration: new Date("2026-01-01T12:00:00.000Z"),
};

Deno.test("credentialsBody: the container-credentials JSON, Expiration in RFC 3339", () => {
  assert.deepEqual(JSON.parse(credentialsBody(SESSION)), {
    AccessKeyId: "ASIAOLD0000000000000",
    SecretAccessKey: "old/secret+key",
    Token: "old-token",
    Expiration: "2026-01-01T12:00:00Z",
  });
  assert.deepEqual(JSON.parse(errorBody("NotFound", "No.")), { Code: "NotFound", Message: "No." });
});

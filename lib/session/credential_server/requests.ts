/**
 * The request side of the credentials server (pure): which requests get the
 * session and which are refused, and the bodies of both answers, in the
 * container-credentials format the AWS SDKs and the AWS CLI read. No socket
 * here; `serve.ts` feeds it.
 *
 * @module
 */
import { formatRfc3339 } from "../../core/durations.ts";

/** What identifies the server to its clients: where it listens and the secret they must send. */
export interface ServerIdentity {
  /** The port on 127.0.0.1. */
  port: number;
  /** The unguessable path, with its leading `/`. */
  path: string;
  /** The value the Authorization header must have. */
  token: string;
}

/** The parts of a request the server looks at. */
export interface CredentialRequest {
  method: string;
  /** The Host header, or null without one. */
  host: string | null;
  /** The path and query of the request target, e.g. `/abc?x=1`. */
  target: string;
  /** The Authorization header, or null without one. */
  authorization: string | null;
}

/** A refusal: the HTTP status and the error body's code and message. */
export interface Refusal {
  kind: "refuse";
  status: 401 | 403 | 404 | 405;
  code: string;
  message: string;
}

/** Whether to serve the session or refuse. */
export type RequestVerdict = { kind: "serve" } | Refusal;

/** The host names a client on this machine reaches the server by (not an attacker's DNS name). */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost"];

/**
 * Judges a request, in this order: the Host header must name the loopback
 * address (a web page whose DNS name was rebound to 127.0.0.1 sends its own
 * name: 403), the method must be GET (405), the path the server's (404), and
 * the Authorization header the token (missing: 401, different: 403; compared
 * in constant time).
 */
export function judgeRequest(request: CredentialRequest, identity: ServerIdentity): RequestVerdict {
  if (!isLoopbackHost(request.host, identity.port)) {
    return refuse(403, "InvalidHost", "The Host header must be 127.0.0.1 and this port.");
  }
  if (request.method !== "GET") {
    return refuse(405, "MethodNotAllowed", "Only GET is allowed.");
  }
  if (!constantTimeEqual(request.target, identity.path)) {
    return refuse(404, "NotFound", "There is nothing at this path.");
  }
  if (request.authorization === null) {
    return refuse(401, "MissingAuthorization", "The Authorization header is missing.");
  }
  if (!constantTimeEqual(request.authorization, identity.token)) {
    return refuse(403, "InvalidAuthorization", "The Authorization header is not this server's.");
  }
  return { kind: "serve" };
}

function refuse(status: Refusal["status"], code: string, message: string): Refusal {
  return { kind: "refuse", status, code, message };
}

/** Whether `host` is `127.0.0.1` or `localhost`, with `port` or no port. */
export function isLoopbackHost(host: string | null, port: number): boolean {
  if (host === null) return false;
  const match = /^([^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!match || !LOOPBACK_HOSTS.includes(match[1])) return false;
  return match[2] === undefined || Number(match[2]) === port;
}

const encoder = new TextEncoder();

/**
 * Whether `given` equals `expected`, in a time that depends only on the
 * length of `expected` (not on where they first differ).
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i % (a.length || 1)] ?? 0) ^ b[i];
  return difference === 0;
}

/** A session, as the server hands it out. */
export interface ServedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * The 200 body: `AccessKeyId`, `SecretAccessKey`, `Token` and `Expiration`
 * (RFC 3339, UTC), as botocore's and the JS SDK's container providers read it.
 */
export function credentialsBody(session: ServedSession): string {
  return JSON.stringify({
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    Token: session.sessionToken,
    Expiration: formatRfc3339(session.expiration),
  });
}

/** An error body, `{"Code", "Message"}` as the JS SDK reads it (botocore shows it as is). */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ Code: code, Message: message });
}

/**
 * A deliberately small HTTP/1.1 server on raw `node:net` / `node:tls` sockets, private to the
 * fake STS. Owning the bytes on the wire lets the fake do what a well-behaved framework will not:
 * reset a connection (a real TCP RST), announce a longer body than it sends, stall, or stream a
 * body without end.
 *
 * @module
 */

import net from "node:net";
import tls from "node:tls";
import { Buffer } from "node:buffer";
import type { ReceivedRequest } from "./sigv4_verify.ts";

/** A parsed request, with its raw request target. */
export interface HttpRequest extends ReceivedRequest {
  /** The request target as sent: origin form (`/path?query`) or absolute form. */
  target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  httpVersion: string;
}

/** What to do with a request. */
export type HttpOutcome =
  | { kind: "reply"; status: number; headers: Array<[string, string]>; body: Uint8Array }
  /** Cut the connection with a TCP RST, no response at all. */
  | { kind: "reset" }
  /** Send the head with `declaredLength` as `Content-Length`, then only `body`, then close. */
  | {
    kind: "truncated";
    status: number;
    headers: Array<[string, string]>;
    body: Uint8Array;
    declaredLength: number;
  }
  /**
   * Send the head with `Transfer-Encoding: chunked`, then `chunk` again and again (waiting
   * `intervalMs` between chunks, if given): `totalBytes` in all and the last chunk, or, without
   * `totalBytes`, until either side closes the connection.
   */
  | {
    kind: "stream";
    status: number;
    headers: Array<[string, string]>;
    chunk: Uint8Array;
    totalBytes?: number;
    intervalMs?: number;
  };

/** A request handler; it must not throw (a throw becomes a bare 500). */
export type HttpHandler = (request: HttpRequest) => Promise<HttpOutcome>;

/** A running server. */
export interface HttpServer {
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;
const MAX_BODY = 1024 * 1024;
const CRLF2 = Buffer.from("\r\n\r\n");

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** The reason phrase for a status code. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Unknown";
}

/** Serialises a response head. */
export function responseHead(status: number, headers: Array<[string, string]>): Buffer {
  const lines = [`HTTP/1.1 ${status} ${reasonPhrase(status)}`];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  return Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
}

class ParseError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Parsed {
  request: HttpRequest;
  consumed: number;
  keepAlive: boolean;
}

/** Resolves when `socket` can take more bytes, or has closed. */
function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/** Resolves after `ms`, or as soon as `socket` closes. */
function paused(socket: net.Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.on("close", done);
  });
}

/** Writes a chunked body of `outcome.chunk` repeated (see {@link HttpOutcome}), minding backpressure. */
async function streamChunks(
  socket: net.Socket,
  outcome: Extract<HttpOutcome, { kind: "stream" }>,
  isClosed: () => boolean,
): Promise<void> {
  socket.write(responseHead(outcome.status, [
    ...outcome.headers,
    ["Transfer-Encoding", "chunked"],
    ["Connection", "close"],
  ]));
  const frame = Buffer.concat([
    Buffer.from(`${outcome.chunk.length.toString(16)}\r\n`, "latin1"),
    outcome.chunk,
    Buffer.from("\r\n", "latin1"),
  ]);
  let sent = 0;
  while (!isClosed() && (outcome.totalBytes === undefined || sent < outcome.totalBytes)) {
    sent += outcome.chunk.length;
    if (!socket.write(frame)) await drained(socket);
    if (outcome.intervalMs !== undefined) await paused(socket, outcome.intervalMs);
  }
  if (!isClosed()) socket.end("0\r\n\r\n");
}

/** Parses a chunked body; `undefined` while incomplete. */
function parseChunked(buf: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let pos = start;
  let total = 0;
  while (true) {
    const lineEnd = buf.indexOf("\r\n", pos, "latin1");
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.subarray(pos, lineEnd).toString("latin1").split(";")[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new ParseError(400, "bad chunk size");
    total += size;
    if (total > MAX_BODY) throw new ParseError(413, "body too large");
    pos = lineEnd + 2;
    if (size === 0) {
      // Trailer fields, then an empty line.
      const trailerEnd = buf.indexOf("\r\n", pos, "latin1");
      if (trailerEnd < 0) return undefined;
      if (trailerEnd === pos) return { body: Buffer.concat(parts), end: pos + 2 };
      const end = buf.indexOf(CRLF2, pos);
      if (end < 0) return undefined;
      return { body: Buffer.concat(parts), end: end + 4 };
    }
    if (buf.length < pos + size + 2) return undefined;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/**
 * Tries to parse one request at the start of `buf`. Returns `undefined` while more bytes are
 * needed, and `"continue"` when the head asks for `100 Continue` before sending its body.
 */
function parseRequest(
  buf: Buffer,
): Parsed | { needBody: true; expectContinue: boolean } | undefined {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd < 0) {
    if (buf.length > MAX_HEAD) throw new ParseError(431, "head too large");
    return undefined;
  }
  const lines = buf.subarray(0, headEnd).toString("latin1").split("\r\n");
  const requestLine = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0]);
  if (!requestLine) throw new ParseError(400, "bad request line");
  const [, method, target, httpVersion] = requestLine;
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ParseError(400, "bad header line");
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const get = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const bodyStart = headEnd + 4;
  let body: Buffer;
  let end: number;
  const transferEncoding = get("transfer-encoding");
  if (transferEncoding !== undefined && /chunked/i.test(transferEncoding)) {
    const chunked = parseChunked(buf, bodyStart);
    if (!chunked) {
      return { needBody: true, expectContinue: /100-continue/i.test(get("expect") ?? "") };
    }
    body = chunked.body;
    end = chunked.end;
  } else {
    const lengthText = get("content-length") ?? "0";
    if (!/^\d+$/.test(lengthText)) throw new ParseError(400, "bad content-length");
    const length = Number(lengthText);
    if (length > MAX_BODY) throw new ParseError(413, "body too large");
    if (buf.length < bodyStart + length) {
      return { needBody: true, expectContinue: /100-continue/i.test(get("expect") ?? "") };
    }
    body = buf.subarray(bodyStart, bodyStart + length);
    end = bodyStart + length;
  }
  const connection = (get("connection") ?? "").toLowerCase();
  const keepAlive = httpVersion === "HTTP/1.1"
    ? !connection.includes("close")
    : connection.includes("keep-alive");
  let path = target;
  let query = "";
  if (/^https?:\/\//i.test(target)) {
    const url = new URL(target);
    path = url.pathname;
    query = url.search.replace(/^\?/, "");
  } else {
    const q = target.indexOf("?");
    if (q >= 0) {
      path = target.slice(0, q);
      query = target.slice(q + 1);
    }
  }
  return {
    request: {
      method,
      target,
      httpVersion,
      path,
      query,
      headers,
      body: new Uint8Array(body),
    },
    consumed: end,
    keepAlive,
  };
}

/** Starts the server on `hostname:port` (port 0 picks a free one), with TLS if given. */
export async function startHttpServer(
  options: { hostname: string; port: number; tls?: { cert: string; key: string } },
  handler: HttpHandler,
): Promise<HttpServer> {
  const sockets = new Set<net.Socket>();

  function onConnection(socket: net.Socket): void {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer: Buffer = Buffer.alloc(0);
    let busy = false;
    let continued = false;
    let closed = false;
    socket.on("close", () => closed = true);

    function write(bytes: Uint8Array): void {
      if (!closed && !socket.destroyed) socket.write(bytes);
    }

    async function pump(): Promise<void> {
      if (busy || closed) return;
      let parsed;
      try {
        parsed = parseRequest(buffer);
      } catch (err) {
        const status = err instanceof ParseError ? err.status : 400;
        const body = Buffer.from(reasonPhrase(status));
        write(responseHead(status, [
          ["Content-Type", "text/plain"],
          ["Content-Length", String(body.length)],
          ["Connection", "close"],
        ]));
        write(body);
        socket.end();
        return;
      }
      if (parsed === undefined) return;
      if ("needBody" in parsed) {
        if (parsed.expectContinue && !continued) {
          continued = true;
          write(Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"));
        }
        return;
      }
      busy = true;
      continued = false;
      buffer = buffer.subarray(parsed.consumed);
      let outcome: HttpOutcome;
      try {
        outcome = await handler(parsed.request);
      } catch {
        outcome = { kind: "reply", status: 500, headers: [], body: new Uint8Array() };
      }
      if (closed) return;
      if (outcome.kind === "reset") {
        socket.resetAndDestroy();
        return;
      }
      if (outcome.kind === "truncated") {
        write(responseHead(outcome.status, [
          ...outcome.headers,
          ["Content-Length", String(outcome.declaredLength)],
        ]));
        write(outcome.body);
        socket.end();
        return;
      }
      if (outcome.kind === "stream") {
        await streamChunks(socket, outcome, () => closed || socket.destroyed);
        return;
      }
      const keepAlive = parsed.keepAlive;
      write(responseHead(outcome.status, [
        ...outcome.headers,
        ["Content-Length", String(outcome.body.length)],
        ["Connection", keepAlive ? "keep-alive" : "close"],
      ]));
      write(outcome.body);
      if (!keepAlive) {
        socket.end();
        return;
      }
      busy = false;
      await pump();
    }

    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      void pump();
    });
  }

  const server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onConnection)
    : net.createServer(onConnection);
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/**
 * A small HTTP proxy for tests, on 127.0.0.1: `CONNECT` tunnelling (what clients do for
 * `https://` through `HTTPS_PROXY`) and plain absolute-URI forwarding (`http://` through
 * `HTTP_PROXY`). It forwards only to loopback addresses and refuses anything else with 403.
 *
 * @module
 */

import net from "node:net";
import { Buffer } from "node:buffer";

/** A running proxy. */
export interface ConnectProxy extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`, for `HTTPS_PROXY` / `HTTP_PROXY`. */
  readonly url: string;
  /** How many CONNECT tunnels were opened. */
  readonly connects: number;
  /** How many plain (absolute-URI) requests were forwarded. */
  readonly requests: number;
  /** Every `host:port` asked for, in order (tunnels and plain requests alike). */
  readonly targets: ReadonlyArray<string>;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function splitHostPort(authority: string, defaultPort: number): [string, number] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) return ["", 0];
  return [m[1], m[2] ? Number(m[2]) : defaultPort];
}

function dialHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" ? "127.0.0.1" : bare;
}

/** Starts the proxy on a free port of 127.0.0.1. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  const targets: string[] = [];
  let connects = 0;
  let requests = 0;

  function track(socket: net.Socket): void {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  function refuse(client: net.Socket, status: number, text: string): void {
    const body = `${text}\n`;
    client.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  function splice(client: net.Socket, upstream: net.Socket): void {
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  function onConnection(client: net.Socket): void {
    track(client);
    let buffer = Buffer.alloc(0);
    function onData(chunk: Buffer): void {
      buffer = Buffer.concat([buffer, chunk]);
      const headEnd = buffer.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        if (buffer.length > MAX_HEAD) refuse(client, 431, "Request Header Fields Too Large");
        return;
      }
      client.off("data", onData);
      client.pause();
      const head = buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
      const rest = buffer.subarray(headEnd + 4);
      const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(head[0]);
      if (!m) return refuse(client, 400, "Bad Request");
      const [, method, target] = m;
      if (method === "CONNECT") {
        const [host, port] = splitHostPort(target, 443);
        targets.push(target);
        if (!host || !isLoopback(host)) return refuse(client, 403, "Forbidden");
        const upstream = net.connect(port, dialHost(host));
        track(upstream);
        upstream.once("error", () => refuse(client, 502, "Bad Gateway"));
        upstream.once("connect", () => {
          connects++;
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          if (rest.length > 0) upstream.write(rest);
          splice(client, upstream);
          client.resume();
        });
        return;
      }
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        return refuse(client, 400, "Bad Request");
      }
      if (url.protocol !== "http:") return refuse(client, 400, "Bad Request");
      targets.push(url.host);
      if (!isLoopback(url.hostname)) return refuse(client, 403, "Forbidden");
      const headers = head.slice(1).filter((line) =>
        !/^(proxy-connection|proxy-authorization|connection|keep-alive)\s*:/i.test(line)
      );
      headers.push("Connection: close");
      const upstream = net.connect(Number(url.port || 80), dialHost(url.hostname));
      track(upstream);
      upstream.once("error", () => refuse(client, 502, "Bad Gateway"));
      upstream.once("connect", () => {
        requests++;
        const line = `${method} ${url.pathname}${url.search} HTTP/1.1`;
        upstream.write([line, ...headers].join("\r\n") + "\r\n\r\n");
        if (rest.length > 0) upstream.write(rest);
        splice(client, upstream);
        client.resume();
      });
    }
    client.on("data", onData);
  }

  const server = net.createServer(onConnection);
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    get connects() {
      return connects;
    },
    get requests() {
      return requests;
    },
    targets,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * A tiny npm registry on 127.0.0.1 for tests that need Deno to resolve and
 * download npm packages without the network: one package, in the versions
 * asked for, each a real tarball with its sha1 and sha512 integrity. Point
 * Deno at it with `NPM_CONFIG_REGISTRY` (see {@link FakeNpm.env}).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** A running fake registry. */
export interface FakeNpm extends AsyncDisposable {
  /** The registry URL, ending in `/`. */
  url: string;
  /** The package it serves. */
  name: string;
  /** The environment that sends Deno's npm requests here and nowhere else. */
  env: Record<string, string>;
  /** Requests received, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a registry serving `name` in `versions` (each a one-file ES module). */
export async function startFakeNpm(
  name: string,
  versions: readonly string[],
): Promise<FakeNpm> {
  const tarballs = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const version of versions) {
    tarballs.set(`/${name}/-/${name}-${version}.tgz`, await packageTarball(name, version));
  }
  const requests: string[] = [];
  let url = "";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    requests.push(`${request.method} ${path}`);
    const tarball = tarballs.get(path);
    if (tarball) return new Response(tarball);
    if (decodeURIComponent(path) === `/${name}`) {
      return Response.json(packument(url, name, tarballs));
    }
    return new Response("not found", { status: 404 });
  });
  url = `http://127.0.0.1:${server.addr.port}/`;
  const close = async () => {
    await server.shutdown();
  };
  return {
    url,
    name,
    requests,
    env: {
      NPM_CONFIG_REGISTRY: url,
      // Anything not meant for this registry goes to a closed port and fails.
      HTTPS_PROXY: "http://127.0.0.1:1",
      HTTP_PROXY: "http://127.0.0.1:1",
      NO_PROXY: "127.0.0.1",
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function packument(url: string, name: string, tarballs: Map<string, Uint8Array>) {
  const versions: Record<string, unknown> = {};
  for (const [path, bytes] of tarballs) {
    const version = path.slice(path.lastIndexOf(`${name}-`) + name.length + 1, -".tgz".length);
    versions[version] = {
      name,
      version,
      main: "mod.js",
      dist: {
        tarball: `${url}${path.slice(1)}`,
        shasum: createHash("sha1").update(bytes).digest("hex"),
        integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      },
    };
  }
  const latest = Object.keys(versions).at(-1)!;
  return { name, "dist-tags": { latest }, versions };
}

/** A gzipped tar with `package/package.json` and `package/mod.js`. */
async function packageTarball(name: string, version: string): Promise<Uint8Array<ArrayBuffer>> {
  const files: [string, string][] = [
    ["package/package.json", JSON.stringify({ name, version, main: "mod.js", type: "module" })],
    ["package/mod.js", `export const version = ${JSON.stringify(version)};\n`],
  ];
  const parts: Uint8Array[] = [];
  for (const [path, text] of files) {
    const body = new TextEncoder().encode(text);
    parts.push(tarHeader(path, body.length), body, new Uint8Array((512 - body.length % 512) % 512));
  }
  parts.push(new Uint8Array(1024));
  const tar = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    tar.set(part, offset);
    offset += part.length;
  }
  const gzipped = new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gzipped).arrayBuffer());
}

/** A ustar header for a regular file. */
function tarHeader(path: string, size: number): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0") + "\0";
  put(path, 0);
  put(octal(0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(0, 12), 136);
  put("        ", 148); // the checksum field counts as spaces while summing
  put("0", 156);
  put("ustar\u000000", 257);
  const sum = header.reduce((n, byte) => n + byte, 0);
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return header;
}

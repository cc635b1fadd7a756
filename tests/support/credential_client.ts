/**
 * The command `exec --server` runs in the e2e tests: a client of the
 * credentials server that prints what it got as one JSON line. Modes:
 *
 * - `probe OTHER_TOKEN`: the well-formed request, then each kind the server
 *   must refuse (no token, a wrong one, another server's, another Host, other
 *   methods), over raw TCP so that the Host header is exactly what is sent.
 * - `renewal DIR`: waits for DIR/asked (the refresh has started and is held
 *   by the test's mfa_process), asks four times at once, creates DIR/go (the
 *   code is released), asks until the key changes, then four times at once.
 *
 * Every wait is bounded.
 *
 * @module
 */
const url = new URL(Deno.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")!);
const token = Deno.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")!;

interface Reply {
  status: number;
  body: string;
}

/** One HTTP/1.1 request over a fresh connection, sent byte for byte as given. */
async function raw(
  method: string,
  options: { host?: string; authorization?: string; path?: string } = {},
): Promise<Reply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(url.port) });
  const lines = [`${method} ${options.path ?? url.pathname} HTTP/1.1`];
  lines.push(`Host: ${options.host ?? url.host}`);
  if (options.authorization !== undefined) lines.push(`Authorization: ${options.authorization}`);
  lines.push("Connection: close", "", "");
  await conn.write(new TextEncoder().encode(lines.join("\r\n")));
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  while (text.length < 65536) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  conn.close();
  const [head, ...rest] = text.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), body: rest.join("\r\n\r\n") };
}

async function get(): Promise<string> {
  const response = await fetch(url, { headers: { authorization: token } });
  const body = await response.json();
  if (response.status !== 200) {
    throw new Error(`status ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.AccessKeyId;
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      await Deno.stat(path);
      return;
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path} did not appear within 30 s`);
}

/** The SHA-256 of `text` in hex: shows which secret was served without printing it. */
async function digest(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function probe(otherToken: string): Promise<Record<string, Reply>> {
  const good = await raw("GET", { authorization: token });
  const served = JSON.parse(good.body);
  return {
    // The served secrets as digests: this output is checked for leaks like any other.
    good: {
      status: good.status,
      body: JSON.stringify({
        ...served,
        SecretAccessKey: await digest(served.SecretAccessKey),
        Token: await digest(served.Token),
      }),
    },
    missing: await raw("GET"),
    wrong: await raw("GET", {
      authorization: token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"),
    }),
    replayed: await raw("GET", { authorization: otherToken }),
    rebound: await raw("GET", { authorization: token, host: `attacker.example:${url.port}` }),
    post: await raw("POST", { authorization: token }),
    put: await raw("PUT", { authorization: token }),
    delete: await raw("DELETE", { authorization: token }),
    path: await raw("GET", { authorization: token, path: "/" }),
  };
}

async function renewal(dir: string): Promise<{ first: string[]; second: string[] }> {
  await waitFor(`${dir}/asked`);
  const first = await Promise.all([get(), get(), get(), get()]);
  await Deno.writeTextFile(`${dir}/go`, "");
  for (let i = 0; i < 300 && (await get()) === first[0]; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const second = await Promise.all([get(), get(), get(), get()]);
  return { first, second };
}

const [mode, argument] = Deno.args;
const result = mode === "probe" ? await probe(argument) : await renewal(argument);
console.log(JSON.stringify(result));

/**
 * The network edge of the credentials server: listens on 127.0.0.1 on a free
 * port, answers each request with `requests.ts`'s verdict and the renewal's
 * answer, and keeps a timer armed for the renewal's next refresh. Nothing is
 * decided here.
 *
 * @module
 */
import { registerSecrets } from "../../core/errors.ts";
import { credentialsBody, errorBody, judgeRequest, type ServerIdentity } from "./requests.ts";
import { createRenewal, type Renewal, type RenewalOptions } from "./renewal.ts";

/** A running credentials server. */
export interface CredentialServer {
  /** `http://127.0.0.1:PORT/PATH`, for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly url: string;
  /** The Authorization value, for AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  readonly token: string;
  /** The refresh in progress, if any (resolves when it ends, never rejects). */
  refreshInProgress(): Promise<void> | undefined;
  /** Stops listening (the port is closed when it resolves) and disarms the timer. */
  close(): Promise<void>;
}

/** The longest delay setTimeout takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A random URL-safe string of `bytes` random bytes. */
function randomText(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/**
 * Starts the server with the renewal policy of `options`, a fresh random
 * path and token (the token is registered as a secret, so no message can
 * print it), and a timer that starts each refresh when it is due.
 */
export function startCredentialServer(
  options: Omit<RenewalOptions, "onChange">,
): CredentialServer {
  const timer = { rearm: () => {}, stop: () => {} };
  const renewal = createRenewal({ ...options, onChange: () => timer.rearm() });
  const path = "/" + randomText(18);
  const token = randomText(32);
  registerSecrets([token]);
  // The port is known once listening; no request is handled before.
  const identity: ServerIdentity = { port: 0, path, token };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    onError: () => new Response(errorBody("InternalError", "The server failed."), { status: 500 }),
  }, async (request) => {
    const url = new URL(request.url);
    const verdict = judgeRequest({
      method: request.method,
      host: request.headers.get("host"),
      target: url.pathname + url.search,
      authorization: request.headers.get("authorization"),
    }, identity);
    if (verdict.kind === "refuse") {
      const headers: Record<string, string> = { ...JSON_HEADERS };
      if (verdict.status === 405) headers.allow = "GET";
      return new Response(errorBody(verdict.code, verdict.message), {
        status: verdict.status,
        headers,
      });
    }
    const answer = await renewal.answer();
    if (answer.kind === "credentials") {
      return new Response(credentialsBody(answer.session), { headers: JSON_HEADERS });
    }
    return new Response(errorBody("CredentialsUnavailable", answer.message), {
      status: 503,
      headers: JSON_HEADERS,
    });
  });
  identity.port = server.addr.port;
  Object.assign(timer, armTimer(renewal, options.now));
  return {
    url: `http://127.0.0.1:${server.addr.port}${path}`,
    token,
    refreshInProgress: () => renewal.inProgress(),
    async close() {
      timer.stop();
      await server.shutdown();
    },
  };
}

/**
 * Keeps one timer set for `renewal.nextWakeup()`; re-arms it after each tick
 * and whenever `rearm` is called (the renewal's `onChange`).
 */
function armTimer(renewal: Renewal, now: () => number): { stop(): void; rearm(): void } {
  let id: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const rearm = () => {
    if (id !== undefined) clearTimeout(id);
    id = undefined;
    const at = renewal.nextWakeup();
    if (stopped || at === undefined) return;
    const timer = setTimeout(() => {
      id = undefined;
      renewal.tick();
      rearm();
    }, Math.min(Math.max(at - now(), 0), MAX_TIMER_MS));
    Deno.unrefTimer(timer);
    id = timer;
  };
  rearm();
  return {
    rearm,
    stop() {
      stopped = true;
      if (id !== undefined) clearTimeout(id);
    },
  };
}

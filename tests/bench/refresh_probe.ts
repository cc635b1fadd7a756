/**
 * A probe preloaded into a real awsmfa run (`deno run --preload tests/bench/refresh_probe.ts …
 * main.ts george --force --code C`): it wraps the few calls that mark the steps of a refresh
 * (the reads of the credentials and config files, the check that the file is writable, the
 * lock, the SDK's first use of WebCrypto, the request, the rename that replaces the file) and, when the run ends,
 * writes every call with its time to the file named by `BENCH_PROBE_OUT`. `refresh_split.ts` turns
 * the events into the split of a refresh. The program itself is not changed: the same modules load
 * in the same order, and the wrappers only note the time.
 *
 * It imports nothing (a `node:` import, for `process.cpuUsage`, would cost the run 4 ms and
 * change what is measured; the thread's CPU time in /proc moves by scheduler ticks, too coarse
 * here), so it notes wall time only: `performance.timeOrigin + performance.now()`, ms since the
 * epoch, so that the parent can tell how long Deno took to start before this module ran.
 *
 * @module
 */

/** One noted call. */
export interface ProbeEvent {
  /**
   * `start` (this module runs), then the wrapped calls by name (`readFile`, `open`, `openSync`,
   * `remove`, `rename`, `importKey`, `fetch`), `fetched` (the answer's head came) and `end`.
   */
  op: string;
  /** The path or URL, when the call has one. */
  arg?: string;
  /** For the file calls: whether they open it to write (or create) or only to read. */
  access?: "read" | "write";
  /** ms since the epoch. */
  t: number;
}

const events: ProbeEvent[] = [];
const out = Deno.env.get("BENCH_PROBE_OUT");

function note(op: string, arg?: unknown, options?: unknown): void {
  const o = (options ?? {}) as Deno.OpenOptions;
  events.push({
    op,
    arg: arg === undefined ? undefined : String(arg instanceof Request ? arg.url : arg),
    access: /^(open|readFile)/.test(op)
      ? o.write || o.append || o.create || o.createNew ? "write" : "read"
      : undefined,
    t: performance.timeOrigin + performance.now(),
  });
}

note("start");

// deno-lint-ignore no-explicit-any
function wrap(target: any, name: string, op = name, after?: string): void {
  const original = target[name];
  target[name] = function (this: unknown, ...args: unknown[]) {
    note(op, args[0], args[1]);
    const result = original.apply(this, args);
    if (after && result instanceof Promise) {
      return result.then((value: unknown) => {
        note(after, args[0]);
        return value;
      });
    }
    return result;
  };
}

wrap(Deno, "readFile");
wrap(Deno, "open");
wrap(Deno, "openSync");
wrap(Deno, "rename");
wrap(Deno, "remove");
wrap(crypto.subtle, "importKey");
wrap(globalThis, "fetch", "fetch", "fetched");

globalThis.addEventListener("unload", () => {
  note("end");
  if (out) Deno.writeTextFileSync(out, JSON.stringify(events));
});

/**
 * Running a short-lived helper command with limits: a time limit, a size
 * limit on what it prints, and, whenever awsmfa stops it (time-out, too much
 * output, awsmfa's own SIGINT/SIGTERM/SIGHUP), the end of everything it
 * started, not only of the process awsmfa spawned.
 *
 * How the "everything" is found. On POSIX the command starts in a new
 * session, hence a process group of its own (`Deno.Command`'s `detached`,
 * which calls `setsid()` in the child before `exec`; it works the same in a
 * `deno compile` executable and needs no FFI). Stopping it is
 * `kill(-pgid, SIGTERM)`, a grace period, then `kill(-pgid, SIGKILL)`: this
 * reaches the background jobs of a shell even after the shell has exited and
 * they were re-parented to init, and a process that ignores SIGTERM. The
 * alternatives were weaker: walking the process tree (`/proc`, `ps -o ppid`)
 * misses what was re-parented and races with new children; `setpgid`
 * through `Deno.dlopen` would need `--allow-ffi` and could only be called by
 * the parent, racing the child's `exec`; `setsid(1)` does not exist on macOS;
 * a `sh -c 'set -m; …'` wrapper depends on the shell. Only a process that
 * leaves the group itself (its own `setsid`, as daemons such as gpg-agent
 * do) escapes, which is what such a process asks for.
 *
 * What it costs: the command has no controlling terminal (no `/dev/tty`) and
 * Ctrl-C at the terminal no longer reaches it directly; awsmfa listens for
 * SIGINT, SIGTERM and SIGHUP while it runs and stops the group itself.
 *
 * Windows has no process groups of that kind: the tree is ended with
 * `taskkill /T /F /PID`, which finds the descendants through their parent
 * (one whose parent has already exited is missed). That branch is not tested
 * here (no Windows machine).
 *
 * When the command ends by itself, what it left in the background is left
 * alone (an agent that caches an unlock between runs is legitimate); awsmfa
 * waits a moment for its output pipes, then goes on.
 *
 * @module
 */

/** How a run ended. */
export type ChildEnd =
  /** The command exited by itself (success or not). */
  | { kind: "exited"; status: Deno.CommandStatus }
  /** The time limit passed; the command and its group were stopped. */
  | { kind: "timed-out" }
  /** Stdout grew past its limit; the command and its group were stopped. */
  | { kind: "output-limit" }
  /** awsmfa got a signal (or the abort signal fired); the command and its group were stopped. */
  | { kind: "cancelled"; signal: Deno.Signal };

/** What a run printed and how it ended. */
export interface ChildResult {
  end: ChildEnd;
  /** The start of stdout (at most `maxStdoutBytes`). */
  stdout: string;
  /** The end of stderr (at most `maxStderrBytes`). */
  stderr: string;
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  /** How long the command may run, in ms. */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL when stopping it, in ms (default {@link DEFAULT_GRACE_MS}). */
  graceMs?: number;
  /** The most stdout kept; more stops the command (default {@link DEFAULT_OUTPUT_LIMIT}). */
  maxStdoutBytes?: number;
  /** The most stderr kept, its end (default {@link DEFAULT_OUTPUT_LIMIT}). */
  maxStderrBytes?: number;
  /** Stops the command, as a signal to awsmfa would (reported as SIGINT). */
  signal?: AbortSignal;
}

/** Time between SIGTERM and SIGKILL when a command is stopped. */
export const DEFAULT_GRACE_MS = 2_000;
/** 64 KiB: far more than any helper that prints a code or a line of text needs. */
export const DEFAULT_OUTPUT_LIMIT = 64 * 1024;
/** How long to wait for the output pipes after the command has ended (a background job may hold them). */
const PIPE_GRACE_MS = 250;
/** How often to look whether a stopped group has ended. */
const POLL_MS = 25;

const windows = Deno.build.os === "windows";

/** The command line that runs `command` through the platform shell. */
export function shellCommand(command: string): string[] {
  return windows ? ["cmd.exe", "/d", "/s", "/c", command] : ["/bin/sh", "-c", command];
}

/**
 * Runs `argv` with stdin empty and its output captured, within the limits of
 * `options` (see the module doc). Throws only when it cannot be started.
 */
export async function runChild(argv: string[], options: RunChildOptions): Promise<ChildResult> {
  const [program, ...args] = argv;
  // The listeners go in before the command starts: a signal that came before
  // would end awsmfa by default and leave the command's group running.
  let early: Deno.Signal | undefined;
  let onSignal = (signal: Deno.Signal): void => {
    early ??= signal;
  };
  const removeListeners = listenForSignals((signal) => onSignal(signal));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: !windows,
    }).spawn();
  } catch (error) {
    removeListeners();
    throw error;
  }
  let exited = false;
  let stopped: Exclude<ChildEnd, { kind: "exited" }> | undefined;
  let terminated: Promise<void> | undefined;
  const stop = (end: Exclude<ChildEnd, { kind: "exited" }>) => {
    if (exited || stopped) return;
    stopped = end;
    terminated = terminateTree(child, { graceMs: options.graceMs });
  };
  const stdout = capture(child.stdout, {
    limit: options.maxStdoutBytes ?? DEFAULT_OUTPUT_LIMIT,
    keep: "start",
    onOverflow: () => stop({ kind: "output-limit" }),
  });
  const stderr = capture(child.stderr, {
    limit: options.maxStderrBytes ?? DEFAULT_OUTPUT_LIMIT,
    keep: "end",
  });
  const timer = setTimeout(() => stop({ kind: "timed-out" }), options.timeoutMs);
  const onAbort = () => stop({ kind: "cancelled", signal: "SIGINT" });
  options.signal?.addEventListener("abort", onAbort);
  if (options.signal?.aborted) onAbort();
  onSignal = (signal) => stop({ kind: "cancelled", signal });
  if (early) onSignal(early);
  let status: Deno.CommandStatus;
  try {
    status = await child.status;
    exited = true;
    await terminated;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    removeListeners();
  }
  await settle([stdout.done, stderr.done], PIPE_GRACE_MS);
  await Promise.all([stdout.cancel(), stderr.cancel()]);
  return {
    end: stopped ?? { kind: "exited", status },
    stdout: stdout.text(),
    stderr: stderr.text(),
  };
}

/** Calls `onSignal` on SIGINT, SIGTERM, SIGHUP (SIGINT, SIGBREAK on Windows); returns the undo. */
function listenForSignals(onSignal: (signal: Deno.Signal) => void): () => void {
  const signals: Deno.Signal[] = windows ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP"];
  const handlers = signals.map((signal) => {
    const handler = () => onSignal(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  };
}

/**
 * Ends `child` and everything in its process group: SIGTERM, then SIGKILL
 * once `graceMs` has passed with any of them left (Windows: `taskkill /T /F`).
 * Resolves once SIGKILL is sent or the group is empty; never throws.
 */
export async function terminateTree(
  child: Pick<Deno.ChildProcess, "pid" | "kill">,
  options: { graceMs?: number } = {},
): Promise<void> {
  if (windows) return await taskkillTree(child);
  if (!signalGroup(child.pid, "SIGTERM")) return;
  const deadline = Date.now() + (options.graceMs ?? DEFAULT_GRACE_MS);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!signalGroup(child.pid, 0)) return;
  }
  signalGroup(child.pid, "SIGKILL");
}

/** Sends `signal` to the process group `pgid`; false when the group no longer exists. */
function signalGroup(pgid: number, signal: Deno.Signal | 0): boolean {
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: nobody left. EPERM (every member left changed its user): nothing more we may do.
    return false;
  }
}

/** Windows: ends the process and its descendants (`taskkill /T /F`), bounded in time. */
async function taskkillTree(child: Pick<Deno.ChildProcess, "pid" | "kill">): Promise<void> {
  try {
    await new Deno.Command("taskkill", {
      args: ["/T", "/F", "/PID", String(child.pid)],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(5_000),
    }).output();
  } catch { /* no taskkill: the process alone, below */ }
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
}

/** Waits for all of `promises`, or `ms`, whichever comes first. */
async function settle(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(promises),
    new Promise((resolve) => timer = setTimeout(resolve, ms)),
  ]);
  clearTimeout(timer);
}

/** Options of {@link capture}. */
interface CaptureOptions {
  /** The most bytes kept. */
  limit: number;
  /** Keep the first `limit` bytes (the rest is read and dropped) or the last ones. */
  keep: "start" | "end";
  /** Called once, when more than `limit` bytes have arrived. */
  onOverflow?: () => void;
}

/** Reads a stream in the background, keeping at most `limit` bytes; kept when it is cancelled. */
export function capture(stream: ReadableStream<Uint8Array>, options: CaptureOptions): {
  done: Promise<void>;
  text(): string;
  cancel(): Promise<void>;
} {
  let kept = new Uint8Array(0);
  let overflowed = false;
  const reader = stream.getReader();
  const take = (chunk: Uint8Array) => {
    const joined = new Uint8Array(kept.length + chunk.length);
    joined.set(kept);
    joined.set(chunk, kept.length);
    if (joined.length > options.limit && !overflowed) {
      overflowed = true;
      options.onOverflow?.();
    }
    kept = options.keep === "start"
      ? joined.subarray(0, options.limit)
      : joined.subarray(Math.max(0, joined.length - options.limit));
  };
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        if (options.keep === "start" && overflowed) continue;
        take(value);
      }
    } catch { /* cancelled */ }
  })();
  return {
    done,
    text: () => new TextDecoder().decode(kept),
    cancel: async () => {
      await reader.cancel().catch(() => {});
      await done;
    },
  };
}

/**
 * The file Windows would run for `program`, as its shell finds it: a name
 * without a directory is looked up on PATH, and a name without an extension
 * is tried with each of PATHEXT's (`aws` is `aws.cmd` where pip installed the
 * AWS CLI; `Deno.Command` alone tries `.exe` only). Elsewhere, and when
 * nothing matches, `program` itself (the spawn then reports it missing).
 */
export function findProgram(
  program: string,
  options: {
    os?: typeof Deno.build.os;
    env?: (name: string) => string | undefined;
    isFile?: (path: string) => boolean;
  } = {},
): string {
  const os = options.os ?? Deno.build.os;
  if (os !== "windows") return program;
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const isFile = options.isFile ?? isRegularFile;
  const hasDir = /[\\/:]/.test(program);
  const hasExt = /\.[^.\\/]+$/.test(program);
  const exts = hasExt ? [""] : (env("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").split(";")
    .filter(Boolean);
  const dirs = hasDir ? [""] : (env("PATH") ?? "").split(";").filter(Boolean);
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = `${dir === "" ? "" : dir.replace(/[\\/]$/, "") + "\\"}${program}${ext}`;
      if (isFile(candidate)) return candidate;
    }
  }
  return program;
}

function isRegularFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

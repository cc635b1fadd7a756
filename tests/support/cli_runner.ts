/**
 * Runs the awsmfa CLI as a subprocess, the way users do: `deno run main.ts`
 * with the permissions the task grants, or the executable named by
 * `AWSMFA_BIN` (a compiled build). The environment is cleared to what the
 * test gives, plus PATH (and what Windows needs: tests/support/os_env.ts) and
 * Deno's cache.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { childEnv } from "./os_env.ts";

/** What a run printed and how it ended (see {@link RunResult}). */
export type CliResult = RunResult;

/** Options for {@link runCli}: those of {@link spawnCli}, with a 30 s time limit by default. */
export type RunCliOptions = SpawnOptions;

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The permissions `deno task awsmfa` grants, read from deno.json so they cannot drift. */
export function taskPermissions(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const task: string = config.tasks.awsmfa;
  return task.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}

/** Deno's cache directory, so a run with a throw-away HOME does not download anything. */
export function denoDir(): string {
  const explicit = Deno.env.get("DENO_DIR");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? "";
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (Deno.build.os === "darwin") return `${home}/Library/Caches/deno`;
  if (Deno.build.os === "windows") return `${Deno.env.get("LOCALAPPDATA")}\\deno`;
  return `${xdg ?? `${home}/.cache`}/deno`;
}

/** The command line that starts awsmfa, without its arguments. */
export function cliCommand(): string[] {
  const bin = Deno.env.get("AWSMFA_BIN");
  if (bin) return [bin];
  return [Deno.execPath(), "run", "--quiet", ...taskPermissions(), `${ROOT}main.ts`];
}

/** What one CLI run printed and how it ended. */
export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run, in ms. */
  ms: number;
}

/** Options of {@link spawnCli}. */
export interface SpawnOptions {
  /** The environment (on top of PATH, DENO_DIR and NO_COLOR; nothing else is inherited). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; stdin is empty otherwise. */
  stdin?: string;
  cwd?: string;
  /** Run through `sh -c 'umask MASK; exec ...'`. */
  umask?: string;
  /** SIGKILL after this long (default 60 s). */
  timeoutMs?: number;
}

/** A running CLI: kill it whenever, then await `done`. */
export interface SpawnedCli {
  child: Deno.ChildProcess;
  /** Resolves when the process has exited and its output is collected. */
  done: Promise<RunResult>;
  /** Sends SIGKILL (no-op once it exited). */
  kill(): void;
  /** What it has printed on stderr so far. */
  stderrSoFar(): string;
  /**
   * Resolves once it has printed `awsmfa: test pause at POINT` (it runs with
   * `AWSMFA_TEST_PAUSE=POINT`: lib/core/test_pause.ts); rejects with what it printed
   * when it exits first or `timeoutMs` (default 30 s) passes.
   */
  paused(point: string, timeoutMs?: number): Promise<void>;
}

/** Starts the CLI exactly as the e2e runner does (`AWSMFA_BIN` honoured). */
export function spawnCli(args: string[], options: SpawnOptions = {}): SpawnedCli {
  let [command, ...prefix] = cliCommand();
  if (options.umask !== undefined) {
    prefix = ["-c", `umask ${options.umask}; exec "$@"`, "sh", command, ...prefix];
    command = "/bin/sh";
  }
  const env = childEnv({ DENO_DIR: denoDir(), NO_COLOR: "1", ...options.env });
  const start = performance.now();
  const child = new Deno.Command(command, {
    args: [...prefix, ...args],
    env,
    clearEnv: true,
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const timer = setTimeout(kill, options.timeoutMs ?? 60_000);
  const output = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output[into] += decoder.decode(chunk, { stream: true });
    output[into] += decoder.decode();
  };
  const reading = Promise.all([collect(child.stdout, "stdout"), collect(child.stderr, "stderr")]);
  let exited = false;
  const done = (async () => {
    const writer = child.stdin.getWriter();
    try {
      if (options.stdin !== undefined) {
        await writer.write(new TextEncoder().encode(options.stdin));
      }
      await writer.close();
    } catch { /* it may exit (or be killed) before reading */ }
    const status = await child.status;
    await reading;
    exited = true;
    clearTimeout(timer);
    return {
      code: status.code,
      signal: status.signal,
      stdout: output.stdout,
      stderr: output.stderr,
      ms: performance.now() - start,
    };
  })();
  const paused = async (point: string, timeoutMs = 30_000) => {
    const line = `awsmfa: test pause at ${point}\n`;
    const deadline = performance.now() + timeoutMs;
    while (!output.stderr.includes(line)) {
      if (exited || performance.now() > deadline) {
        const why = exited ? "it exited first" : `not within ${timeoutMs} ms`;
        throw new Error(`awsmfa never paused at ${point} (${why}); stderr:\n${output.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  return { child, done, kill, stderrSoFar: () => output.stderr, paused };
}

/** Runs awsmfa with `args` and resolves to what it printed. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return spawnCli(args, { ...options, timeoutMs: options.timeoutMs ?? 30_000 }).done;
}

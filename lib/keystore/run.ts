/**
 * Runs a keystore's command-line tool the one safe way: the secret only on
 * stdin (never in argv, never in the environment: the child's environment is
 * ours without the variables that hold secrets), a time limit after which the
 * tool is killed, and a cap on what is read from its output.
 *
 * Why not lib/terminal/child.ts, which runs code commands: that one starts
 * its command in a session of its own (no controlling terminal) so that it
 * can stop the whole process group. A keystore tool must keep the terminal:
 * `pass` runs gpg, whose pinentry may ask for the key's passphrase there. So
 * this runner kills the tool itself on a time-out, and a helper it started
 * (a gpg-agent) is left to its own life, as gpg means it to be.
 *
 * @module
 */
import { type KeystoreError, KeystoreFailedError } from "./errors.ts";

/** How a run ended. */
export type ToolOutcome =
  | { kind: "exited"; code: number; stdout: string; stderr: string }
  /** The program is not installed (or not on PATH). */
  | { kind: "missing" }
  /** Killed after the time limit; `stderr` is what it had said. */
  | { kind: "timeout"; stderr: string }
  /** Killed for writing more than the cap. */
  | { kind: "overflow" };

/** Options of a {@link ToolRunner} call. */
export interface RunToolOptions {
  /** Written to the tool's stdin, which is then closed (`null` stdin otherwise). */
  stdin?: string;
  /** The time limit in ms (default {@link DEFAULT_TOOL_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** The child's whole environment (default: ours); secrets are removed from it. */
  environment?: Record<string, string>;
}

/** Runs a tool; {@link runTool} is the real one, tests pass fakes. */
export type ToolRunner = (
  program: string,
  args: string[],
  options?: RunToolOptions,
) => Promise<ToolOutcome>;

/**
 * How long a keystore tool may take by default: long enough for a desktop
 * prompt (unlock the keyring, allow access, type the GPG passphrase), bounded.
 */
export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;

/** The most read from each of stdout and stderr (a secret is under 1 KiB). */
export const MAX_TOOL_OUTPUT = 64 * 1024;

/** How long to wait for the pipes once the tool has ended or been killed. */
const PIPE_GRACE_MS = 250;

/** Variables that may hold a secret: never passed to a child. */
const SECRET_VARIABLES = new Set([
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWSMFA_FILE_PASSPHRASE",
]);

/** `environment` without the variables that may hold a secret. */
export function childEnvironment(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(([name]) => !SECRET_VARIABLES.has(name.toUpperCase())),
  );
}

/** Runs `program args…` as described in the module documentation. */
export async function runTool(
  program: string,
  args: string[],
  options: RunToolOptions = {},
): Promise<ToolOutcome> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      clearEnv: true,
      env: childEnvironment(options.environment ?? Deno.env.toObject()),
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { kind: "missing" };
    throw error;
  }
  let ended: "timeout" | "overflow" | undefined;
  const kill = (why: "timeout" | "overflow") => {
    ended ??= why;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const stdout = collect(child.stdout, () => kill("overflow"));
  const stderr = collect(child.stderr, () => kill("overflow"));
  const timer = setTimeout(() => kill("timeout"), options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS);
  try {
    if (options.stdin !== undefined) await writeStdin(child, options.stdin);
    const status = await child.status;
    await settle([stdout.done, stderr.done]);
    if (ended === "timeout") return { kind: "timeout", stderr: stderr.text() };
    if (ended === "overflow") return { kind: "overflow" };
    return { kind: "exited", code: status.code, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    clearTimeout(timer);
    await Promise.all([stdout.cancel(), stderr.cancel()]);
  }
}

async function writeStdin(child: Deno.ChildProcess, text: string): Promise<void> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
  } catch {
    // The tool exited without reading (or was killed): its status says why.
  }
}

/** Waits for the pipes to close, but not for a grandchild that keeps them open. */
async function settle(pipes: Promise<void>[]): Promise<void> {
  let grace: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(pipes),
    new Promise((resolve) => grace = setTimeout(resolve, PIPE_GRACE_MS)),
  ]);
  clearTimeout(grace);
}

/** Reads a stream in the background up to {@link MAX_TOOL_OUTPUT}; calls `onOverflow` past it. */
function collect(stream: ReadableStream<Uint8Array>, onOverflow: () => void): {
  done: Promise<void>;
  text(): string;
  cancel(): Promise<void>;
} {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        size += value.length;
        if (size > MAX_TOOL_OUTPUT) return onOverflow();
        chunks.push(value);
      }
    } catch { /* cancelled */ }
  })();
  return {
    done,
    text: () => new TextDecoder().decode(concat(chunks)),
    cancel: () => reader.cancel().catch(() => {}),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The last lines of a tool's stderr, for a message (at most 5 lines, 500 characters). */
export function stderrTail(stderr: string): string {
  const text = stderr.trim().split(/\r?\n/).slice(-5).join("\n");
  return text.length > 500 ? `…${text.slice(-500)}` : text;
}

/** How one backend words the failures of its tool (see {@link toolFailure}). */
export interface ToolFailureWords {
  backend: string;
  tool: string;
  profile: string | undefined;
  /** The error when the tool is not installed. */
  missing: () => KeystoreError;
  /** The fix when the tool did not answer in time (a prompt may be waiting somewhere). */
  timeoutFix: string;
  /** What the tool stores: "entry" or "item", for the output cap's message. */
  stores: string;
  /** The specific error its words mean, if they mean one; `said` is the end of its stderr. */
  classify?: (said: string, code: number) => KeystoreError | undefined;
}

/**
 * The error for a tool run that did not succeed: not installed, no answer in
 * time, too much output, or an exit its words explain; else the exit code and
 * the end of what it said.
 */
export function toolFailure(outcome: ToolOutcome, words: ToolFailureWords): KeystoreError {
  const { backend, tool, profile } = words;
  if (outcome.kind === "missing") return words.missing();
  if (outcome.kind === "timeout") {
    return new KeystoreFailedError(backend, `${tool} did not answer in time.`, {
      profile,
      fix: words.timeoutFix,
    });
  }
  if (outcome.kind === "overflow") {
    return new KeystoreFailedError(
      backend,
      `${tool} wrote more than an ${words.stores} can hold.`,
      {
        profile,
      },
    );
  }
  const said = stderrTail(outcome.stderr);
  const specific = words.classify?.(said, outcome.code);
  if (specific) return specific;
  const detail = `${tool} exited with code ${outcome.code}${said ? `: ${said}` : "."}`;
  return new KeystoreFailedError(backend, detail, { profile });
}

/**
 * The edges a command touches besides files and network: environment,
 * home directory, standard streams, clock. Commands receive a {@link Context}
 * so tests can give them fakes; {@link realContext} is the only place that
 * reads them from Deno.
 *
 * @module
 */
import { redactSecrets } from "./errors.ts";

/** Which standard streams are terminals. */
export interface TerminalStreams {
  /** Whether standard input is a terminal (the prompt can read it; Ctrl-C reaches a child too). */
  stdinIsTerminal: boolean;
  /** Whether standard output is a terminal (colours). */
  stdoutIsTerminal: boolean;
  /** Whether standard error is a terminal (prompts go there). */
  stderrIsTerminal: boolean;
}

/**
 * Asks Deno which standard streams are terminals: the one place that does.
 * Commands read the answer from their {@link Context}.
 */
export function terminalStreams(): TerminalStreams {
  return {
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}

/** What a command may read from and write to outside its files. */
export interface Context extends TerminalStreams {
  /** An environment variable, or undefined. Empty strings count as unset. */
  env(name: string): string | undefined;
  /** Every environment variable, for a child process's environment. */
  environment(): Record<string, string>;
  /**
   * The user's home directory, where the AWS CLI and SDKs look for `.aws`:
   * HOME (on Windows USERPROFILE first, as Python, Node and Go read it there),
   * else the other, else HOMEDRIVE+HOMEPATH.
   */
  homeDir(): string | undefined;
  /** Writes text to standard output as is. */
  stdout(text: string): void;
  /** Writes text to standard error, secrets and URL passwords hidden (`redactSecrets`). */
  stderr(text: string): void;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Whether `--verbose` was given. */
  verbose: boolean;
}

const encoder = new TextEncoder();

/** The home directory from the environment, as the AWS CLI and SDKs find it on `os`. */
export function homeDirectory(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os,
): string | undefined {
  const drive = env("HOMEDRIVE");
  const path = env("HOMEPATH");
  const [first, second] = os === "windows" ? ["USERPROFILE", "HOME"] : ["HOME", "USERPROFILE"];
  return env(first) ?? env(second) ?? (drive && path ? drive + path : undefined);
}

/** The context of this process. */
export function realContext(options: { verbose?: boolean } = {}): Context {
  return {
    env(name) {
      const value = Deno.env.get(name);
      return value === "" ? undefined : value;
    },
    environment: () => Deno.env.toObject(),
    homeDir: () => homeDirectory((name) => Deno.env.get(name) || undefined, Deno.build.os),
    stdout(text) {
      writeAll(Deno.stdout, encoder.encode(text));
    },
    stderr(text) {
      writeAll(Deno.stderr, encoder.encode(redactSecrets(text)));
    },
    now: () => Date.now(),
    ...terminalStreams(),
    verbose: options.verbose ?? false,
  };
}

function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += stream.writeSync(bytes.subarray(offset));
    } catch (error) {
      // A closed pipe (e.g. `awsmfa status | head -1`) is not worth a crash.
      if (error instanceof Deno.errors.BrokenPipe) return;
      throw error;
    }
  }
}

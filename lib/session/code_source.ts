/**
 * Where the MFA code comes from: `--code`, one line of stdin (`--code -`), a
 * command (`--code-command`, `mfa_process`), or the terminal prompt. Each
 * failure says how to pass a code instead.
 *
 * @module
 */
import {
  type ChildResult,
  DEFAULT_OUTPUT_LIMIT,
  runChild,
  shellCommand,
} from "../terminal/child.ts";
import { type TerminalStreams, terminalStreams } from "../core/context.ts";
import { AuthError, CancelledError, UsageError } from "../core/errors.ts";
import { CODE_LENGTH, findCodes, normalizeCode } from "../core/mfa_code.ts";
import {
  missingTerminalReason,
  openTerminal,
  promptCode,
  type Terminal,
} from "../terminal/terminal.ts";
import { timeLimitMs } from "../core/time_limits.ts";

/** How to get the code. */
export type CodeSource =
  | { kind: "given"; code: string }
  | { kind: "stdin" }
  | { kind: "command"; command: string; origin: string; timeoutMs?: number }
  | { kind: "prompt" };

/** How long a code command may run by default (a YubiKey may wait for a touch). */
export const DEFAULT_CODE_COMMAND_TIMEOUT_MS = 30_000;

/** Options of {@link chooseCodeSource}. */
export interface ChooseCodeSourceOptions {
  /** `--code` (`-` for stdin). */
  code?: string;
  /** `--code-command`. */
  codeCommand?: string;
  /** `mfa_process` of the source section. */
  mfaProcess?: string;
  /** The source section, for messages. */
  section: string;
  /** `AWSMFA_CODE_TIMEOUT`: seconds a code command may run (default 30). */
  commandTimeout?: string;
}

/** Chooses the source from `--code`, `--code-command` and the section's `mfa_process`. */
export function chooseCodeSource(options: ChooseCodeSourceOptions): CodeSource {
  if (options.code !== undefined && options.codeCommand !== undefined) {
    throw new UsageError("Give either --code or --code-command, not both.");
  }
  if (options.code === "-") return { kind: "stdin" };
  if (options.code !== undefined) return { kind: "given", code: checkCode(options.code, "--code") };
  const command = options.codeCommand ?? (options.mfaProcess || undefined);
  if (command === undefined) return { kind: "prompt" };
  if (command.trim() === "") {
    throw new UsageError("--code-command is empty.", {
      fix: "Give the command that prints the code, e.g. --code-command 'ykman oath accounts " +
        "code --single aws'.",
    });
  }
  return {
    kind: "command",
    command,
    origin: options.codeCommand !== undefined
      ? "--code-command"
      : `mfa_process in [${options.section}]`,
    timeoutMs: commandTimeoutMs(options.commandTimeout),
  };
}

function commandTimeoutMs(text: string | undefined): number | undefined {
  return text === undefined ? undefined : timeLimitMs("AWSMFA_CODE_TIMEOUT", text);
}

function checkCode(input: string, origin: string): string {
  const result = normalizeCode(input);
  if ("problem" in result) {
    throw new UsageError(`${result.problem.replace(/\.$/, "")} (from ${origin}).`, {
      fix: `Pass the ${CODE_LENGTH}-digit code your MFA device shows now, e.g. --code 123456.`,
    });
  }
  return result.code;
}

/** Options for {@link CodeReader.read}. */
export interface ReadCodeOptions {
  /** The prompt label, e.g. `MFA code for george: `. */
  label: string;
  /** Runs once the user is being asked (or right away for other sources). */
  onWaiting?: () => void;
}

/** Reads codes from one source; a prompt can be asked again after a rejection. */
export interface CodeReader {
  /** Whether asking again makes sense (only at a terminal). */
  readonly interactive: boolean;
  /** The next code. */
  read(options: ReadCodeOptions): Promise<string>;
  /** Says something to the user where the prompt is (terminal) or on stderr. */
  say(text: string): void;
  /** Releases the terminal. */
  close(): void;
}

/**
 * Opens a reader for `source`; `stderr` is where non-prompt messages go,
 * `streams` (the context) says which standard streams are terminals.
 */
export async function openCodeReader(
  source: CodeSource,
  stderr: (text: string) => void,
  streams: Pick<TerminalStreams, "stdinIsTerminal" | "stderrIsTerminal"> = terminalStreams(),
): Promise<CodeReader> {
  const plain = (read: () => Promise<string>): CodeReader => ({
    interactive: false,
    read: (options) => {
      options.onWaiting?.();
      return read();
    },
    say: (text) => stderr(text + "\n"),
    close: () => {},
  });
  switch (source.kind) {
    case "given":
      return plain(() => Promise.resolve(source.code));
    case "stdin":
      return plain(async () => checkCode(await readStdinLine(), "stdin"));
    case "command":
      return plain(() =>
        runCodeCommand(source.command, { origin: source.origin, timeoutMs: source.timeoutMs })
      );
    case "prompt": {
      const terminal = await openTerminal(streams);
      if (!terminal) {
        const why = missingTerminalReason();
        throw new UsageError(
          `No MFA code given, and there is no terminal to ask for one${why ? ` (${why})` : ""}.`,
          {
            fix: "Pass it with --code 123456, pipe it with --code - (one line on stdin), or set " +
              "mfa_process (or --code-command) to a command that prints it.",
          },
        );
      }
      return promptReader(terminal);
    }
  }
}

function promptReader(terminal: Terminal): CodeReader {
  return {
    interactive: true,
    read: (options) => promptCode(terminal, options.label, { onShown: options.onWaiting }),
    say: (text) => terminal.write(text + "\n"),
    close: () => terminal.close(),
  };
}

/** Reads one line from stdin (without its line ending); cancelled at end of input with nothing. */
export async function readStdinLine(
  stdin: ReadableStream<Uint8Array> = Deno.stdin.readable,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = stdin.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const newline = text.search(/\r|\n/);
      if (newline !== -1) return text.slice(0, newline);
      if (text.length > 4096) break;
    }
  } finally {
    reader.releaseLock();
  }
  if (text === "") {
    throw new UsageError("--code - reads the code from stdin, but stdin was empty.", {
      fix: "Pipe the code in, e.g. echo 123456 | awsmfa george --code -",
    });
  }
  return text;
}

/** Options for {@link runCodeCommand}. */
export interface RunCodeCommandOptions {
  /** Where the command came from, for messages. */
  origin: string;
  /** Time limit; {@link DEFAULT_CODE_COMMAND_TIMEOUT_MS} by default. */
  timeoutMs?: number;
}

/**
 * Runs `command` through the platform shell (`/bin/sh -c`, `cmd.exe /d /s /c`)
 * and takes the 6-digit code from its output (a group of exactly six digits;
 * several different ones are refused). Its failure (exit code), its silence
 * and its time-out are errors that show the end of its stderr. It runs in a
 * process group of its own, without the terminal (lib/terminal/child.ts): on time-out,
 * too much output or awsmfa's SIGINT/SIGTERM/SIGHUP, the command and
 * everything it started are stopped (SIGTERM, SIGKILL 2 s later).
 */
export async function runCodeCommand(
  command: string,
  options: RunCodeCommandOptions,
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CODE_COMMAND_TIMEOUT_MS;
  let result: ChildResult;
  try {
    result = await runChild(shellCommand(command), { timeoutMs });
  } catch (error) {
    throw new UsageError(
      `Cannot run the code command from ${options.origin}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return codeFromRun(result, { command, origin: options.origin, timeoutMs });
}

/** What {@link codeFromRun} says about the command. */
export interface CodeCommandFacts {
  /** The command, as the user gave it. */
  command: string;
  /** Where it came from, e.g. `--code-command`. */
  origin: string;
  /** Its time limit. */
  timeoutMs: number;
}

/**
 * The code in a code command's output, or the error for how it ended: the
 * time-out, too much output, a failure (with the end of its stderr), no code
 * or several codes.
 */
export function codeFromRun(result: ChildResult, facts: CodeCommandFacts): string {
  const { command, origin } = facts;
  const { end, stdout } = result;
  const errorText = result.stderr.trim();
  const shown = errorText ? `\n${errorText.split(/\r?\n/).slice(-5).join("\n")}` : "";
  if (end.kind === "cancelled") throw new CancelledError();
  if (end.kind === "timed-out") {
    throw new AuthError(
      `The code command from ${origin} timed out: it did not finish within ${
        facts.timeoutMs / 1000
      } s.${shown}`,
      {
        fix: `Run it yourself to see where it waits: ${command}\nA hardware key may be waiting ` +
          "for a touch: give it more time with AWSMFA_CODE_TIMEOUT=60 (seconds), or use a " +
          "command that answers faster.",
      },
    );
  }
  if (end.kind === "output-limit") {
    throw new AuthError(
      `The code command from ${origin} printed more than ${
        DEFAULT_OUTPUT_LIMIT / 1024
      } KiB and was stopped.`,
      { fix: `It must print the current code, e.g. 123456. Run it yourself to check: ${command}` },
    );
  }
  if (!end.status.success) {
    if (end.status.signal === "SIGINT") throw new CancelledError();
    throw new AuthError(
      `The code command from ${origin} failed with exit code ${end.status.code}.${shown}`,
      { fix: `Run it yourself to see why: ${command}` },
    );
  }
  return onlyCode(stdout, { command, origin, shown });
}

function onlyCode(
  stdout: string,
  { command, origin, shown }: { command: string; origin: string; shown: string },
): string {
  const codes = findCodes(stdout);
  if (codes.size === 0) {
    throw new AuthError(
      `The code command from ${origin} printed no ${CODE_LENGTH}-digit code.${shown}`,
      {
        fix: `It must print the current code, e.g. 123456. Run it yourself to check: ${command}`,
      },
    );
  }
  if (codes.size > 1) {
    throw new AuthError(
      `The code command from ${origin} printed ${codes.size} different ${CODE_LENGTH}-digit codes.`,
      {
        fix: "Make it print only the code for AWS, e.g. 'ykman oath accounts code --single " +
          `NAME'. Run it yourself to check: ${command}`,
      },
    );
  }
  return [...codes][0];
}

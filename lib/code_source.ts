/**
 * Where the MFA code comes from: `--code`, one line of stdin (`--code -`), a
 * command (`--code-command`, `mfa_process`), or the terminal prompt. Each
 * failure says how to pass a code instead.
 *
 * @module
 */
import { AuthError, CancelledError, UsageError } from "./errors.ts";
import { normalizeCode } from "./prompt.ts";
import { openTerminal, promptCode, type Terminal } from "./terminal.ts";

/** How to get the code. */
export type CodeSource =
  | { kind: "given"; code: string }
  | { kind: "stdin" }
  | { kind: "command"; command: string; origin: string }
  | { kind: "prompt" };

/** Chooses the source from `--code`, `--code-command` and the section's `mfa_process`. */
export function chooseCodeSource(
  options: { code?: string; codeCommand?: string; mfaProcess?: string; section: string },
): CodeSource {
  if (options.code !== undefined && options.codeCommand !== undefined) {
    throw new UsageError("Give either --code or --code-command, not both.");
  }
  if (options.code === "-") return { kind: "stdin" };
  if (options.code !== undefined) return { kind: "given", code: checkCode(options.code, "--code") };
  if (options.codeCommand !== undefined) {
    return { kind: "command", command: options.codeCommand, origin: "--code-command" };
  }
  if (options.mfaProcess) {
    return {
      kind: "command",
      command: options.mfaProcess,
      origin: `mfa_process in [${options.section}]`,
    };
  }
  return { kind: "prompt" };
}

function checkCode(input: string, origin: string): string {
  const result = normalizeCode(input);
  if ("problem" in result) {
    throw new UsageError(`${result.problem.replace(/\.$/, "")} (from ${origin}).`, {
      fix: "Pass the 6-digit code your MFA device shows now, e.g. --code 123456.",
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

/** Opens a reader for `source`; `stderr` is where non-prompt messages go. */
export async function openCodeReader(
  source: CodeSource,
  stderr: (text: string) => void,
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
      return plain(() => runCodeCommand(source.command, { origin: source.origin }));
    case "prompt": {
      const terminal = await openTerminal();
      if (!terminal) {
        throw new UsageError("No MFA code given, and there is no terminal to ask for one.", {
          fix: "Pass it with --code 123456, pipe it with --code - (one line on stdin), or set " +
            "mfa_process (or --code-command) to a command that prints it.",
        });
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
  /** Time limit; 30 s by default (a YubiKey may wait for a touch). */
  timeoutMs?: number;
}

/**
 * Runs `command` through the platform shell and takes the 6-digit code from
 * its output (the first group of exactly six digits). Its failure, its
 * silence and its time-out are errors that show its stderr.
 */
export async function runCodeCommand(
  command: string,
  options: RunCodeCommandOptions,
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const [shell, ...shellArgs] = Deno.build.os === "windows"
    ? ["cmd.exe", "/d", "/s", "/c"]
    : ["/bin/sh", "-c"];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(shell, {
      args: [...shellArgs, command],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).output();
  } catch (error) {
    throw new UsageError(
      `Cannot run the code command from ${options.origin}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  const shown = stderr ? `\n${stderr.split("\n").slice(-5).join("\n")}` : "";
  if (controller.signal.aborted) {
    throw new AuthError(
      `The code command from ${options.origin} did not finish within ${
        timeoutMs / 1000
      } s.${shown}`,
      {
        fix: "Check that the command runs on its own (a hardware key may be waiting for a touch).",
      },
    );
  }
  if (!output.success) {
    if (output.signal === "SIGINT") throw new CancelledError();
    throw new AuthError(
      `The code command from ${options.origin} failed with exit code ${output.code}.${shown}`,
      { fix: `Run it yourself to see why: ${command}` },
    );
  }
  const stdout = new TextDecoder().decode(output.stdout);
  const match = /(?<!\d)\d{6}(?!\d)/.exec(stdout);
  if (!match) {
    throw new AuthError(
      `The code command from ${options.origin} printed no 6-digit code.${shown}`,
      {
        fix: `It must print the current code, e.g. 123456. Run it yourself to check: ${command}`,
      },
    );
  }
  return match[0];
}

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
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!(seconds > 0)) {
    throw new UsageError(`AWSMFA_CODE_TIMEOUT is '${text}', not a number of seconds.`, {
      fix: "Set it to the seconds a code command may take, e.g. AWSMFA_CODE_TIMEOUT=60, or " +
        "unset it (30 s).",
    });
  }
  return seconds * 1000;
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
      return plain(() =>
        runCodeCommand(source.command, { origin: source.origin, timeoutMs: source.timeoutMs })
      );
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
  /** Time limit; {@link DEFAULT_CODE_COMMAND_TIMEOUT_MS} by default. */
  timeoutMs?: number;
}

/** How long to wait for the output pipes once the command has ended. */
const PIPE_GRACE_MS = 250;

/**
 * Runs `command` through the platform shell (`/bin/sh -c`, `cmd.exe /d /s /c`)
 * and takes the 6-digit code from its output (a group of exactly six digits;
 * several different ones are refused). Its failure (exit code), its silence
 * and its time-out are errors that show the end of its stderr. On time-out
 * the shell is killed and awsmfa does not wait for anything it left running.
 */
export async function runCodeCommand(
  command: string,
  options: RunCodeCommandOptions,
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CODE_COMMAND_TIMEOUT_MS;
  const [shell, ...shellArgs] = Deno.build.os === "windows"
    ? ["cmd.exe", "/d", "/s", "/c"]
    : ["/bin/sh", "-c"];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(shell, {
      args: [...shellArgs, command],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new UsageError(
      `Cannot run the code command from ${options.origin}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
  }, timeoutMs);
  let status: Deno.CommandStatus;
  try {
    status = await child.status;
  } finally {
    clearTimeout(timer);
  }
  // A process the shell started in the background may keep the pipes open.
  let grace: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all([stdout.done, stderr.done]),
    new Promise((resolve) => grace = setTimeout(resolve, PIPE_GRACE_MS)),
  ]);
  clearTimeout(grace);
  await Promise.all([stdout.cancel(), stderr.cancel()]);

  const errorText = stderr.text().trim();
  const shown = errorText ? `\n${errorText.split(/\r?\n/).slice(-5).join("\n")}` : "";
  if (timedOut) {
    throw new AuthError(
      `The code command from ${options.origin} did not finish within ${
        timeoutMs / 1000
      } s.${shown}`,
      {
        fix: "Check that the command runs on its own (a hardware key may be waiting for a " +
          "touch); AWSMFA_CODE_TIMEOUT sets the limit in seconds.",
      },
    );
  }
  if (!status.success) {
    if (status.signal === "SIGINT") throw new CancelledError();
    throw new AuthError(
      `The code command from ${options.origin} failed with exit code ${status.code}.${shown}`,
      { fix: `Run it yourself to see why: ${command}` },
    );
  }
  const codes = new Set(stdout.text().match(/(?<!\d)\d{6}(?!\d)/g) ?? []);
  if (codes.size === 0) {
    throw new AuthError(
      `The code command from ${options.origin} printed no 6-digit code.${shown}`,
      {
        fix: `It must print the current code, e.g. 123456. Run it yourself to check: ${command}`,
      },
    );
  }
  if (codes.size > 1) {
    throw new AuthError(
      `The code command from ${options.origin} printed ${codes.size} different 6-digit codes.`,
      {
        fix: "Make it print only the code for AWS, e.g. 'ykman oath accounts code --single " +
          `NAME'. Run it yourself to check: ${command}`,
      },
    );
  }
  return [...codes][0];
}

/** Reads a stream in the background; what arrived is kept when it is cancelled. */
function collect(stream: ReadableStream<Uint8Array>): {
  done: Promise<void>;
  text(): string;
  cancel(): Promise<void>;
} {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        chunks.push(value);
      }
    } catch { /* cancelled */ }
  })();
  return {
    done,
    text: () => {
      const decoder = new TextDecoder();
      return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") +
        decoder.decode();
    },
    cancel: async () => {
      await reader.cancel().catch(() => {});
      await done;
    },
  };
}

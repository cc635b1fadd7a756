/**
 * The terminal edge of the code prompt: opens the controlling terminal (even
 * when stdin is a pipe: `/dev/tty` on Unix, the console's `CONIN$` and
 * `CONOUT$` on Windows), switches it to raw mode, feeds its bytes to the
 * pure state machine in `code_prompt.ts` and redraws the line; always restores
 * the terminal.
 *
 * @module
 */
import { type TerminalStreams, terminalStreams } from "../core/context.ts";
import { CancelledError } from "../core/errors.ts";
import { decodeKeys, initialPromptState, reducePrompt, renderPrompt } from "./code_prompt.ts";

/** A raw-capable terminal: where keys come from and the prompt goes. */
export interface Terminal {
  read(buffer: Uint8Array): Promise<number | null>;
  write(text: string): void;
  setRaw(on: boolean): void;
  close(): void;
}

const encoder = new TextEncoder();

/** The console's own devices on Windows (the `\\.\` form is never taken as a file name). */
export const WINDOWS_CONSOLE = { input: "\\\\.\\CONIN$", output: "\\\\.\\CONOUT$" } as const;

/** Why the last {@link openTerminal} found none, for messages; "" when it found one. */
let missingReason = "";

/** Terminals in raw mode now, for {@link restoreTerminals}. */
const rawTerminals = new Set<Terminal>();

/**
 * Opens the user's terminal: standard input when it is one, else the
 * terminal itself (`/dev/tty` on Unix, `CONIN$`/`CONOUT$` on Windows), so a
 * piped stdin does not matter. Undefined when there is none (CI, cron, a
 * detached process); {@link missingTerminalReason} then says why. `streams`
 * says which standard streams are terminals: the command's context.
 */
export async function openTerminal(
  streams: Pick<TerminalStreams, "stdinIsTerminal" | "stderrIsTerminal"> = terminalStreams(),
): Promise<Terminal | undefined> {
  missingReason = "";
  // Standard input first: it needs no special permission and works on every OS.
  // Not when stderr is a pipe (credential_process under the AWS CLI and SDKs,
  // which capture it): the prompt would be invisible, so use the terminal itself.
  if (streams.stdinIsTerminal && (streams.stderrIsTerminal || Deno.build.os === "windows")) {
    return tracked({
      read: (buffer) => Deno.stdin.read(buffer),
      write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
      setRaw: (on) => Deno.stdin.setRaw(on),
      close: () => {},
    });
  }
  return Deno.build.os === "windows" ? await openWindowsConsole() : await openTty();
}

/** `/dev/tty`, the controlling terminal (Deno grants it only with --allow-all, which awsmfa has). */
async function openTty(): Promise<Terminal | undefined> {
  let tty: Deno.FsFile;
  try {
    tty = await Deno.open("/dev/tty", { read: true, write: true });
  } catch (error) {
    missingReason = `/dev/tty: ${osMessage(error)}`;
    return undefined;
  }
  if (!tty.isTerminal()) {
    tty.close();
    missingReason = "/dev/tty is not a terminal";
    return undefined;
  }
  return tracked({
    read: (buffer) => tty.read(buffer),
    write: (text) => void tty.writeSync(encoder.encode(text)),
    setRaw: (on) => tty.setRaw(on),
    close: () => tty.close(),
  });
}

/**
 * The console of this process on Windows, as dax and aws-vault open it:
 * `CONIN$` for the keys (read and write access: setting its mode needs both)
 * and `CONOUT$` for the prompt. A process without a console (a service, a
 * detached process) cannot open them.
 */
async function openWindowsConsole(): Promise<Terminal | undefined> {
  let input: Deno.FsFile | undefined;
  try {
    input = await Deno.open(WINDOWS_CONSOLE.input, { read: true, write: true });
    const output = await Deno.open(WINDOWS_CONSOLE.output, { read: true, write: true });
    return tracked({
      read: (buffer) => input!.read(buffer),
      write: (text) => void output.writeSync(encoder.encode(text)),
      setRaw: (on) => input!.setRaw(on),
      close: () => {
        input!.close();
        output.close();
      },
    });
  } catch (error) {
    input?.close();
    missingReason = `no console: CONIN$ and CONOUT$ cannot be opened: ${osMessage(error)}`;
    return undefined;
  }
}

/** An error's text without Deno's `: open 'PATH'` tail. */
function osMessage(error: unknown): string {
  return (error as Error).message.replace(/: open '[^']*'$/, "");
}

/**
 * Why the last {@link openTerminal} found no terminal, e.g. `/dev/tty: No
 * such device or address (os error 6)` or `no console: CONIN$ and CONOUT$
 * cannot be opened: …`; "" when it found one.
 */
export function missingTerminalReason(): string {
  return missingReason;
}

/** Keeps track of when `terminal` is in raw mode, for {@link restoreTerminals}. */
function tracked(terminal: Terminal): Terminal {
  const wrapped: Terminal = {
    read: terminal.read,
    write: terminal.write,
    setRaw(on) {
      terminal.setRaw(on);
      if (on) rawTerminals.add(wrapped);
      else rawTerminals.delete(wrapped);
    },
    close() {
      rawTerminals.delete(wrapped);
      terminal.close();
    },
  };
  return wrapped;
}

/**
 * Takes every terminal awsmfa put in raw mode back to normal, for a process
 * that must exit while a prompt is still waiting (it ends the line too).
 */
export function restoreTerminals(): void {
  for (const terminal of rawTerminals) {
    try {
      terminal.setRaw(false);
      terminal.write("\n");
    } catch { /* gone already */ }
  }
  rawTerminals.clear();
}

/**
 * Asks for a 6-digit code on `terminal` and resolves to it. `onShown` runs
 * right after the prompt is first drawn (the caller starts slow work there).
 * Throws {@link CancelledError} on Ctrl-C, Ctrl-D or end of input.
 */
export async function promptCode(
  terminal: Terminal,
  label: string,
  options: { onShown?: () => void } = {},
): Promise<string> {
  let state = initialPromptState();
  terminal.setRaw(true);
  try {
    terminal.write(renderPrompt(label, state));
    options.onShown?.();
    const buffer = new Uint8Array(64);
    while (state.status === "typing") {
      const n = await terminal.read(buffer);
      if (n === null) {
        state = reducePrompt(state, { kind: "cancel" });
        break;
      }
      for (const key of decodeKeys(buffer.subarray(0, n))) state = reducePrompt(state, key);
      terminal.write(renderPrompt(label, state));
    }
  } finally {
    terminal.setRaw(false);
    terminal.write("\n");
  }
  if (state.status === "cancelled") throw new CancelledError();
  return state.digits;
}

/**
 * The terminal edge of the code prompt: opens the controlling terminal (even
 * when stdin is a pipe), switches it to raw mode, feeds its bytes to the
 * pure state machine in `prompt.ts` and redraws the line; always restores
 * the terminal.
 *
 * @module
 */
import { CancelledError } from "./errors.ts";
import { decodeKeys, initialPromptState, reducePrompt, renderPrompt } from "./prompt.ts";

/** A raw-capable terminal: where keys come from and the prompt goes. */
export interface Terminal {
  read(buffer: Uint8Array): Promise<number | null>;
  write(text: string): void;
  setRaw(on: boolean): void;
  close(): void;
}

const encoder = new TextEncoder();

/**
 * Opens the user's terminal: standard input when it is one, else `/dev/tty`
 * on Unix (so a piped stdin does not matter). Undefined when there is none
 * (CI, cron, a detached process).
 */
export async function openTerminal(): Promise<Terminal | undefined> {
  // Standard input first: it needs no special permission and works on every OS.
  // Not when stderr is a pipe (credential_process under the AWS CLI and SDKs,
  // which capture it): the prompt would be invisible, so use /dev/tty.
  if (Deno.stdin.isTerminal() && (Deno.stderr.isTerminal() || Deno.build.os === "windows")) {
    return {
      read: (buffer) => Deno.stdin.read(buffer),
      write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
      setRaw: (on) => Deno.stdin.setRaw(on),
      close: () => {},
    };
  }
  if (Deno.build.os === "windows") return undefined;
  // stdin is a pipe: ask the controlling terminal itself. (Deno grants /dev/tty
  // only with --allow-all, which awsmfa runs with: --allow-run is as strong.)
  let tty: Deno.FsFile;
  try {
    tty = await Deno.open("/dev/tty", { read: true, write: true });
  } catch {
    return undefined;
  }
  if (!tty.isTerminal()) {
    tty.close();
    return undefined;
  }
  return {
    read: (buffer) => tty.read(buffer),
    write: (text) => void tty.writeSync(encoder.encode(text)),
    setRaw: (on) => tty.setRaw(on),
    close: () => tty.close(),
  };
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

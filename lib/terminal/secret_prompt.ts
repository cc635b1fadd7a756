/**
 * Asking for a passphrase on the terminal with nothing echoed: a pure state
 * machine over the terminal's raw bytes ({@link reduceSecret}, which keeps
 * UTF-8 as typed), and its driver on a {@link Terminal} ({@link promptSecret}).
 *
 * @module
 */
import { CancelledError } from "../core/errors.ts";
import type { Terminal } from "./terminal.ts";

/** The longest passphrase accepted, in bytes (a paste of a book is a mistake). */
export const MAX_SECRET_BYTES = 1024;

/** Where a passphrase prompt is. */
export interface SecretPromptState {
  /** The bytes typed so far (UTF-8). */
  bytes: number[];
  status: "typing" | "done" | "cancelled";
  /** Escape-sequence bytes still to skip (arrows and function keys are not part of it). */
  skipping: "no" | "escape" | "csi";
}

/** The state before the first key. */
export function initialSecretState(): SecretPromptState {
  return { bytes: [], status: "typing", skipping: "no" };
}

/**
 * The state after the raw `input`: Enter ends it, Ctrl-C or Ctrl-D cancels,
 * Backspace removes the last character (all of its UTF-8 bytes), Ctrl-U
 * clears; escape sequences and other control bytes are ignored.
 */
export function reduceSecret(state: SecretPromptState, input: Uint8Array): SecretPromptState {
  let { bytes, status, skipping } = state;
  bytes = [...bytes];
  for (const byte of input) {
    if (status !== "typing") break;
    if (skipping === "escape") {
      skipping = byte === 0x5b || byte === 0x4f ? "csi" : "no";
      continue;
    }
    if (skipping === "csi") {
      if (byte >= 0x40 && byte <= 0x7e) skipping = "no";
      continue;
    }
    if (byte === 0x1b) skipping = "escape";
    else if (byte === 0x03 || byte === 0x04) status = "cancelled";
    else if (byte === 0x0d || byte === 0x0a) status = "done";
    else if (byte === 0x15) bytes = [];
    else if (byte === 0x7f || byte === 0x08) {
      while (bytes.length > 0 && (bytes.at(-1)! & 0xc0) === 0x80) bytes.pop();
      bytes.pop();
    } else if (byte >= 0x20 && bytes.length < MAX_SECRET_BYTES) {
      bytes.push(byte);
    }
  }
  return { bytes, status, skipping };
}

/** The passphrase a finished state holds. */
export function secretText(state: SecretPromptState): string {
  return new TextDecoder().decode(new Uint8Array(state.bytes));
}

/**
 * Shows `label` on `terminal`, reads a line with nothing echoed and
 * resolves to it; always takes the terminal out of raw mode. Throws
 * {@link CancelledError} on Ctrl-C, Ctrl-D or end of input.
 */
export async function promptSecret(terminal: Terminal, label: string): Promise<string> {
  let state = initialSecretState();
  terminal.setRaw(true);
  try {
    terminal.write(label);
    const buffer = new Uint8Array(256);
    while (state.status === "typing") {
      const n = await terminal.read(buffer);
      if (n === null) {
        state = { ...state, status: "cancelled" };
        break;
      }
      state = reduceSecret(state, buffer.subarray(0, n));
    }
  } finally {
    terminal.setRaw(false);
    terminal.write("\n");
  }
  if (state.status === "cancelled") throw new CancelledError();
  return secretText(state);
}

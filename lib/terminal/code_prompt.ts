/**
 * The MFA code prompt as a pure key-handling state machine: bytes from a raw
 * terminal become keys, keys update the state, the state renders to one
 * line. No terminal here; `terminal.ts` drives it. What a code is: `core/mfa_code.ts`.
 *
 * @module
 */
import { CODE_LENGTH } from "../core/mfa_code.ts";

/** A key the prompt understands. */
export type Key =
  | { kind: "char"; char: string }
  | { kind: "backspace" }
  | { kind: "clear" }
  | { kind: "enter" }
  | { kind: "cancel" };

/** The prompt's state. */
export interface CodePromptState {
  /** The digits typed so far (at most {@link CODE_LENGTH}). */
  readonly digits: string;
  /** `typing` until Enter with a full code (`submitted`) or Ctrl-C/Ctrl-D (`cancelled`). */
  readonly status: "typing" | "submitted" | "cancelled";
  /** A short hint shown after the input, e.g. why a key was refused. */
  readonly hint?: string;
}

/** The state of a fresh prompt. */
export function initialPromptState(): CodePromptState {
  return { digits: "", status: "typing" };
}

/**
 * Decodes raw terminal bytes (one read may hold several keys, e.g. a paste)
 * into keys. Escape sequences (arrows, function keys) are dropped.
 */
export function decodeKeys(bytes: Uint8Array): Key[] {
  const keys: Key[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x1b) {
      // ESC [ ... final byte, or ESC O x: skip the whole sequence.
      if (bytes[i + 1] === 0x5b) {
        i += 2;
        while (i < bytes.length && (bytes[i] < 0x40 || bytes[i] > 0x7e)) i++;
      } else if (bytes[i + 1] === 0x4f) {
        i += 2;
      }
      continue;
    }
    if (byte === 0x03 || byte === 0x04) keys.push({ kind: "cancel" });
    else if (byte === 0x7f || byte === 0x08) keys.push({ kind: "backspace" });
    else if (byte === 0x15) keys.push({ kind: "clear" });
    else if (byte === 0x0d || byte === 0x0a) {
      keys.push({ kind: "enter" });
      if (byte === 0x0d && bytes[i + 1] === 0x0a) i++;
    } else if (byte >= 0x20 && byte < 0x7f) {
      keys.push({ kind: "char", char: String.fromCharCode(byte) });
    } else if (byte >= 0x80) {
      // A multi-byte character: one non-digit key for the whole sequence.
      while (i + 1 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80) i++;
      keys.push({ kind: "char", char: "\ufffd" });
    }
  }
  return keys;
}

/** The state after `key`. A finished prompt ignores further keys. */
export function reducePrompt(state: CodePromptState, key: Key): CodePromptState {
  if (state.status !== "typing") return state;
  switch (key.kind) {
    case "cancel":
      return { ...state, status: "cancelled", hint: undefined };
    case "backspace":
      return { digits: state.digits.slice(0, -1), status: "typing" };
    case "clear":
      return { digits: "", status: "typing" };
    case "enter":
      return state.digits.length === CODE_LENGTH
        ? { digits: state.digits, status: "submitted" }
        : { ...state, hint: `enter all ${CODE_LENGTH} digits` };
    case "char":
      if (key.char === " " || key.char === "-") return state; // "123 456" as some apps show it
      if (key.char < "0" || key.char > "9") return { ...state, hint: "digits only" };
      if (state.digits.length >= CODE_LENGTH) {
        return { ...state, hint: `${CODE_LENGTH} digits; press Enter` };
      }
      return { digits: state.digits + key.char, status: "typing" };
  }
}

/**
 * The prompt line: label, the digits typed, placeholders for the rest, and
 * the hint. Starts with a carriage return and erase-line so it redraws in place.
 */
export function renderPrompt(label: string, state: CodePromptState): string {
  const typed = state.digits + "_".repeat(CODE_LENGTH - state.digits.length);
  const hint = state.hint ? `  (${state.hint})` : "";
  return `\r\x1b[2K${label}${typed}${hint}`;
}

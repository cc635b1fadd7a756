/** The hidden passphrase prompt's state machine (lib/terminal/secret_prompt.ts). */
import assert from "node:assert/strict";
import {
  initialSecretState,
  MAX_SECRET_BYTES,
  promptSecret,
  reduceSecret,
  secretText,
} from "../../lib/terminal/secret_prompt.ts";
import type { Terminal } from "../../lib/terminal/terminal.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("reduceSecret: UTF-8 kept, Backspace removes a whole character, Ctrl-U clears, escapes skipped", () => {
  let state = reduceSecret(initialSecretState(), bytes("pässw\x1b[Dort"));
  assert.equal(secretText(state), "pässwort");
  state = reduceSecret(state, bytes("\x7f\x7f\x7f\x7f\x7f\x7f\x7f"));
  assert.equal(secretText(state), "p");
  state = reduceSecret(state, bytes("x\x15é€\x7f\r"));
  assert.equal(state.status, "done");
  assert.equal(secretText(state), "é");
  assert.equal(reduceSecret(initialSecretState(), bytes("ab\x03")).status, "cancelled");
  const long = reduceSecret(initialSecretState(), new Uint8Array(MAX_SECRET_BYTES + 10).fill(0x61));
  assert.equal(long.bytes.length, MAX_SECRET_BYTES);
});

Deno.test("promptSecret: echoes nothing, restores the terminal, Ctrl-D cancels", async () => {
  const fake = (input: string[]) => {
    const written: string[] = [];
    const raw: boolean[] = [];
    const terminal: Terminal = {
      read: (buffer) => {
        const next = input.shift();
        if (next === undefined) return Promise.resolve(null);
        buffer.set(bytes(next));
        return Promise.resolve(bytes(next).length);
      },
      write: (text) => void written.push(text),
      setRaw: (on) => void raw.push(on),
      close: () => {},
    };
    return { terminal, written, raw };
  };
  const typed = fake(["secret ", "words\r"]);
  assert.equal(await promptSecret(typed.terminal, "Passphrase: "), "secret words");
  assert.deepEqual(typed.written, ["Passphrase: ", "\n"]);
  assert.deepEqual(typed.raw, [true, false]);
  const ended = fake(["abc"]);
  await assert.rejects(promptSecret(ended.terminal, "P: "), /Cancelled/);
  assert.deepEqual(ended.raw, [true, false]);
});

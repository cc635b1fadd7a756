import assert from "node:assert/strict";
import {
  type CodePromptState,
  decodeKeys,
  initialPromptState,
  reducePrompt,
  renderPrompt,
} from "../../lib/terminal/code_prompt.ts";

function type(text: string, state: CodePromptState = initialPromptState()): CodePromptState {
  for (const key of decodeKeys(new TextEncoder().encode(text))) state = reducePrompt(state, key);
  return state;
}

Deno.test("prompt: six digits and Enter submit the code", () => {
  const state = type("123456\r");
  assert.equal(state.status, "submitted");
  assert.equal(state.digits, "123456");
});

Deno.test("prompt: Enter before six digits keeps typing with a hint", () => {
  const state = type("123\r");
  assert.equal(state.status, "typing");
  assert.equal(state.digits, "123");
  assert.match(state.hint ?? "", /6 digits/);
});

Deno.test("prompt: letters are refused, spaces and dashes skipped", () => {
  const state = type("12a3 4-5");
  assert.equal(state.digits, "12345");
  assert.equal(state.status, "typing");
  assert.equal(type("x").hint, "digits only");
});

Deno.test("prompt: Backspace (DEL and BS) and Ctrl-U edit", () => {
  assert.equal(type("1234\x7f\x7f").digits, "12");
  assert.equal(type("1234\b").digits, "123");
  assert.equal(type("1234\x15").digits, "");
  assert.equal(type("\x7f\x7f").digits, "");
});

Deno.test("prompt: a seventh digit is refused", () => {
  const state = type("1234567");
  assert.equal(state.digits, "123456");
  assert.match(state.hint ?? "", /press Enter/);
});

Deno.test("prompt: Ctrl-C and Ctrl-D cancel; later keys are ignored", () => {
  assert.equal(type("12\x03").status, "cancelled");
  assert.equal(type("12\x04").status, "cancelled");
  const done = type("123456\r789");
  assert.equal(done.digits, "123456");
});

Deno.test("prompt: escape sequences (arrows) and multibyte characters are not digits", () => {
  const state = type("1\x1b[D2\x1bOA3é4");
  assert.equal(state.digits, "1234");
});

Deno.test("prompt: CRLF is one Enter; a pasted code with newline submits", () => {
  assert.deepEqual(decodeKeys(new TextEncoder().encode("\r\n")), [{ kind: "enter" }]);
  assert.equal(type("654321\n").status, "submitted");
});

Deno.test("prompt: render redraws the line with placeholders and the hint", () => {
  assert.equal(renderPrompt("Code: ", type("12")), "\r\x1b[2KCode: 12____");
  assert.match(renderPrompt("Code: ", type("1x")), /\(digits only\)$/);
});

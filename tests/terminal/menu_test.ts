/** The MFA device menu: its pure state machine, and its terminal driver with a fake terminal. */
import assert from "node:assert/strict";
import { CancelledError } from "../../lib/core/errors.ts";
import {
  decodeMenuKeys,
  initialMenuState,
  type MenuItem,
  type MenuKey,
  type MenuState,
  reduceMenu,
  renderMenu,
} from "../../lib/terminal/menu.ts";
import { chooseFromMenu } from "../../lib/terminal/menu_terminal.ts";
import type { Terminal } from "../../lib/terminal/terminal.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const ITEMS: MenuItem[] = [
  { label: "arn:aws:iam::1:mfa/phone" },
  { label: "arn:aws:iam::1:u2f/user/g/key", disabled: "security key" },
  { label: "arn:aws:iam::1:mfa/yubikey" },
];

function press(state: MenuState, ...keys: MenuKey[]): MenuState {
  return keys.reduce(reduceMenu, state);
}

Deno.test("decodeMenuKeys: arrows (CSI and SS3), k/j, digits, Enter, and the ways to cancel", () => {
  assert.deepEqual(decodeMenuKeys(bytes("\x1b[A\x1b[B\x1bOA\x1bOB")), [
    { kind: "up" },
    { kind: "down" },
    { kind: "up" },
    { kind: "down" },
  ]);
  assert.deepEqual(decodeMenuKeys(bytes("kj2\r\n\r")), [
    { kind: "up" },
    { kind: "down" },
    { kind: "number", number: 2 },
    { kind: "enter" },
    { kind: "enter" },
  ]);
  for (const cancel of ["\x03", "\x04", "q", "\x1b"]) {
    assert.deepEqual(decodeMenuKeys(bytes(cancel)), [{ kind: "cancel" }], JSON.stringify(cancel));
  }
  assert.deepEqual(decodeMenuKeys(bytes("\x1b[1;5C0x")), [
    { kind: "other" },
    { kind: "other" },
    { kind: "other" },
  ]);
});

Deno.test("reduceMenu: the cursor skips items that cannot be chosen and wraps around", () => {
  const start = initialMenuState(ITEMS);
  assert.equal(start.cursor, 0);
  assert.equal(press(start, { kind: "down" }).cursor, 2, "skips the security key");
  assert.equal(press(start, { kind: "down" }, { kind: "down" }).cursor, 0, "wraps");
  assert.equal(press(start, { kind: "up" }).cursor, 2, "wraps upwards");
  const firstDisabled = initialMenuState([{ label: "a", disabled: "no" }, { label: "b" }]);
  assert.equal(firstDisabled.cursor, 1);
});

Deno.test("reduceMenu: Enter or a number chooses; a disabled number or Enter says why", () => {
  const start = initialMenuState(ITEMS);
  const entered = press(start, { kind: "down" }, { kind: "enter" });
  assert.deepEqual([entered.status, entered.cursor], ["chosen", 2]);
  const numbered = press(start, { kind: "number", number: 3 });
  assert.deepEqual([numbered.status, numbered.cursor], ["chosen", 2]);
  const refused = press(start, { kind: "number", number: 2 });
  assert.deepEqual([refused.status, refused.cursor, refused.hint], ["choosing", 0, "security key"]);
  const outOfRange = press(start, { kind: "number", number: 7 });
  assert.equal(outOfRange.hint, "choose 1 to 3");
  const other = press(start, { kind: "other" });
  assert.match(other.hint!, /use ↑\/↓ or a number/);
  assert.equal(press(other, { kind: "down" }).hint, undefined, "moving clears the hint");
  const allDisabled = initialMenuState([{ label: "k", disabled: "security key" }]);
  assert.deepEqual(press(allDisabled, { kind: "enter" }).status, "choosing");
});

Deno.test("reduceMenu: cancel, and a finished menu ignores keys", () => {
  const cancelled = press(initialMenuState(ITEMS), { kind: "cancel" });
  assert.equal(cancelled.status, "cancelled");
  assert.equal(press(cancelled, { kind: "enter" }), cancelled);
  const chosen = press(initialMenuState(ITEMS), { kind: "enter" });
  assert.equal(press(chosen, { kind: "down" }), chosen);
});

Deno.test("renderMenu: title, numbered items with the cursor, reasons, help and hint", () => {
  const state = press(initialMenuState(ITEMS), { kind: "number", number: 2 });
  assert.deepEqual(renderMenu("Which MFA device?", state), [
    "Which MFA device?",
    "> 1) arn:aws:iam::1:mfa/phone",
    "  2) arn:aws:iam::1:u2f/user/g/key  (security key)",
    "  3) arn:aws:iam::1:mfa/yubikey",
    "  ↑/↓ or 1-3, Enter to choose, Ctrl-C to cancel  (security key)",
  ]);
  assert.deepEqual(
    renderMenu("Use it?", initialMenuState([{ label: "a" }])).at(-1),
    "  Enter to choose, Ctrl-C to cancel",
  );
});

function fakeTerminal(input: string[]): Terminal & { written: string; raw: boolean[] } {
  const chunks = input.map(bytes);
  const terminal = {
    written: "",
    raw: [] as boolean[],
    read(buffer: Uint8Array) {
      const chunk = chunks.shift();
      if (!chunk) return Promise.resolve(null);
      buffer.set(chunk);
      return Promise.resolve(chunk.length);
    },
    write(text: string) {
      terminal.written += text;
    },
    setRaw(on: boolean) {
      terminal.raw.push(on);
    },
    close() {},
  };
  return terminal;
}

Deno.test("chooseFromMenu: draws, redraws in place, restores the terminal, resolves to the index", async () => {
  const terminal = fakeTerminal(["\x1b[B", "\r"]);
  assert.equal(await chooseFromMenu(terminal, "Which?", ITEMS), 2);
  assert.deepEqual(terminal.raw, [true, false]);
  assert.ok(terminal.written.startsWith("\r\x1b[JWhich?\r\n> 1) "));
  assert.ok(terminal.written.includes("\x1b[4A\r\x1b[JWhich?"), "moves up over the 5 lines drawn");
  assert.ok(terminal.written.includes("> 3) arn:aws:iam::1:mfa/yubikey"));
  assert.ok(terminal.written.endsWith("\r\n"));
});

Deno.test("chooseFromMenu: Ctrl-C and end of input cancel, the terminal restored", async () => {
  for (const input of [["\x03"], []]) {
    const terminal = fakeTerminal(input);
    await assert.rejects(chooseFromMenu(terminal, "Which?", ITEMS), CancelledError);
    assert.deepEqual(terminal.raw, [true, false]);
  }
});

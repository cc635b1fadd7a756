/**
 * The terminal edge of the pick-one menu: raw mode, keys to the pure state
 * machine in `menu.ts`, the menu redrawn in place; the terminal is always
 * restored.
 *
 * @module
 */
import { CancelledError } from "../core/errors.ts";
import { decodeMenuKeys, initialMenuState, type MenuItem, reduceMenu, renderMenu } from "./menu.ts";
import type { Terminal } from "./terminal.ts";

/**
 * Shows `items` under `title` on `terminal` and resolves to the index of the
 * one chosen. Throws {@link CancelledError} on Ctrl-C, Esc, `q` or end of input.
 */
export async function chooseFromMenu(
  terminal: Terminal,
  title: string,
  items: readonly MenuItem[],
): Promise<number> {
  let state = initialMenuState(items);
  let drawn = 0;
  const draw = () => {
    const lines = renderMenu(title, state);
    const up = drawn > 1 ? `\x1b[${drawn - 1}A` : "";
    terminal.write(`${up}\r\x1b[J${lines.join("\r\n")}`);
    drawn = lines.length;
  };
  terminal.setRaw(true);
  try {
    draw();
    const buffer = new Uint8Array(64);
    while (state.status === "choosing") {
      const n = await terminal.read(buffer);
      if (n === null) {
        state = reduceMenu(state, { kind: "cancel" });
        break;
      }
      for (const key of decodeMenuKeys(buffer.subarray(0, n))) state = reduceMenu(state, key);
      draw();
    }
  } finally {
    terminal.setRaw(false);
    terminal.write("\r\n");
  }
  if (state.status === "cancelled") throw new CancelledError();
  return state.cursor;
}

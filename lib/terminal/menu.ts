/**
 * A pick-one terminal menu as a pure state machine (like the code prompt in
 * `code_prompt.ts`): raw terminal bytes become keys, keys update the state, the
 * state renders to lines. Items can be shown but not choosable (a U2F key,
 * with the reason). `menu_terminal.ts` drives it.
 *
 * @module
 */

/** One line of the menu. */
export interface MenuItem {
  label: string;
  /** Why it cannot be chosen; undefined when it can. */
  disabled?: string;
}

/** A key the menu understands. */
export type MenuKey =
  | { kind: "up" }
  | { kind: "down" }
  | { kind: "number"; number: number }
  | { kind: "enter" }
  | { kind: "cancel" }
  | { kind: "other" };

/** The menu's state. */
export interface MenuState {
  readonly items: readonly MenuItem[];
  /** The highlighted item. */
  readonly cursor: number;
  /** `choosing` until Enter or a number picks an item (`chosen`), or Ctrl-C (`cancelled`). */
  readonly status: "choosing" | "chosen" | "cancelled";
  /** A short hint, e.g. why an item cannot be chosen. */
  readonly hint?: string;
}

/** A fresh menu with the first choosable item highlighted. */
export function initialMenuState(items: readonly MenuItem[]): MenuState {
  const first = items.findIndex((item) => !item.disabled);
  return { items, cursor: Math.max(0, first), status: "choosing" };
}

/**
 * Decodes raw terminal bytes into menu keys: arrows (and `k`/`j`), digits,
 * Enter, and Ctrl-C, Ctrl-D, Esc or `q` to cancel.
 */
export function decodeMenuKeys(bytes: Uint8Array): MenuKey[] {
  const keys: MenuKey[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x1b) {
      const next = bytes[i + 1];
      if (next === 0x5b || next === 0x4f) {
        // ESC [ ... final byte, or ESC O x.
        let j = i + 2;
        while (j < bytes.length && (bytes[j] < 0x40 || bytes[j] > 0x7e)) j++;
        const final = bytes[j];
        keys.push(
          final === 0x41 ? { kind: "up" } : final === 0x42 ? { kind: "down" } : { kind: "other" },
        );
        i = j;
      } else {
        keys.push({ kind: "cancel" }); // a lone Esc
      }
      continue;
    }
    if (byte === 0x03 || byte === 0x04 || byte === 0x71) keys.push({ kind: "cancel" });
    else if (byte === 0x0d || byte === 0x0a) {
      keys.push({ kind: "enter" });
      if (byte === 0x0d && bytes[i + 1] === 0x0a) i++;
    } else if (byte >= 0x31 && byte <= 0x39) keys.push({ kind: "number", number: byte - 0x30 });
    else if (byte === 0x6b) keys.push({ kind: "up" });
    else if (byte === 0x6a) keys.push({ kind: "down" });
    else keys.push({ kind: "other" });
  }
  return keys;
}

/** The state after `key`. A finished menu ignores further keys. */
export function reduceMenu(state: MenuState, key: MenuKey): MenuState {
  if (state.status !== "choosing") return state;
  const { items } = state;
  switch (key.kind) {
    case "cancel":
      return { ...state, status: "cancelled", hint: undefined };
    case "up":
    case "down": {
      const step = key.kind === "up" ? -1 : 1;
      for (let n = 1; n <= items.length; n++) {
        const index = (state.cursor + step * n + items.length * n) % items.length;
        if (!items[index].disabled) return { ...state, cursor: index, hint: undefined };
      }
      return state;
    }
    case "number": {
      const index = key.number - 1;
      if (index >= items.length) return { ...state, hint: `choose 1 to ${items.length}` };
      if (items[index].disabled) return { ...state, hint: items[index].disabled };
      return { ...state, cursor: index, status: "chosen", hint: undefined };
    }
    case "enter":
      if (items[state.cursor]?.disabled || items.length === 0) {
        return { ...state, hint: items[state.cursor]?.disabled ?? "nothing to choose" };
      }
      return { ...state, status: "chosen", hint: undefined };
    case "other":
      return { ...state, hint: "use ↑/↓ or a number, then Enter" };
  }
}

/**
 * The menu as lines: the title, one line per item (`> ` marks the cursor;
 * items that cannot be chosen say why), and the help line with any hint.
 */
export function renderMenu(title: string, state: MenuState): string[] {
  const lines = [title];
  state.items.forEach((item, index) => {
    const marker = index === state.cursor && state.status !== "cancelled" ? ">" : " ";
    const note = item.disabled ? `  (${item.disabled})` : "";
    lines.push(`${marker} ${index + 1}) ${item.label}${note}`);
  });
  const keys = state.items.length > 1
    ? `↑/↓ or 1-${Math.min(9, state.items.length)}, Enter to choose, Ctrl-C to cancel`
    : "Enter to choose, Ctrl-C to cancel";
  lines.push(`  ${keys}${state.hint ? `  (${state.hint})` : ""}`);
  return lines;
}

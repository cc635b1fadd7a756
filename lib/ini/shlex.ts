/**
 * Python's `shlex.split(s)` (POSIX mode, no comments), which botocore uses to
 * split `[profile NAME]` headers.
 *
 * @module
 */

const WHITESPACE = " \t\r\n";

/** The words of `s` as `shlex.split` gives them, or `null` where it raises. */
export function shlexSplit(s: string): string[] | null {
  const words: string[] = [];
  let state: string | null = " ";
  let i = 0;
  for (;;) {
    let token = "";
    let quoted = false;
    let escaped = " ";
    for (;;) {
      const ch = i < s.length ? s[i++] : "";
      if (state === null) break;
      if (state === " ") {
        if (ch === "") {
          state = null;
          break;
        } else if (WHITESPACE.includes(ch)) {
          if (token !== "" || quoted) break;
        } else if (ch === "\\") {
          escaped = "a";
          state = "\\";
        } else if (ch === "'" || ch === '"') {
          state = ch;
        } else {
          token = ch;
          state = "a";
        }
      } else if (state === "'" || state === '"') {
        quoted = true;
        if (ch === "") return null; // No closing quotation
        if (ch === state) state = "a";
        else if (ch === "\\" && state === '"') {
          escaped = state;
          state = "\\";
        } else token += ch;
      } else if (state === "\\") {
        if (ch === "") return null; // No escaped character
        if ((escaped === "'" || escaped === '"') && ch !== "\\" && ch !== escaped) token += "\\";
        token += ch;
        state = escaped;
      } else { // "a"
        if (ch === "") {
          state = null;
          break;
        } else if (WHITESPACE.includes(ch)) {
          state = " ";
          if (token !== "" || quoted) break;
        } else if (ch === "'" || ch === '"') {
          state = ch;
        } else if (ch === "\\") {
          escaped = "a";
          state = "\\";
        } else token += ch;
      }
    }
    if (token === "" && !quoted) return words;
    words.push(token);
  }
}

/** Quotes `word` so that {@link shlexSplit} gives it back as one word. */
export function shlexQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (!word.includes("'")) return `'${word}'`;
  return `"${word.replace(/[\\"]/g, "\\$&")}"`;
}

/**
 * Character classes of the reference parser (Python's configparser and
 * str methods), which differ from JavaScript's: Python counts U+001C..U+001F
 * and U+0085 as whitespace and U+FEFF as not.
 *
 * @module
 */

/** Whether the UTF-16 code unit is whitespace for Python's `str.strip()` and `\s`. */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c && c <= 0x1f;
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Python's `s.strip()`. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Whether `s` starts or ends with Python whitespace. */
export function hasOuterSpace(s: string): boolean {
  return s.length > 0 && (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(s.length - 1)));
}

/** Whether `s` contains Python whitespace anywhere. */
export function hasSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isSpace(s.charCodeAt(i))) return true;
  return false;
}

/**
 * The line breaks of Python's `str.splitlines()` that can occur inside one
 * line of the file (the file itself is split at CR and LF only).
 */
// deno-lint-ignore no-control-regex -- these are the breaks Python splits at
const INNER_BREAKS = /[\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Python's `s.splitlines()` for a string without CR or LF. */
export function splitInnerLines(s: string): string[] {
  return INNER_BREAKS.test(s) ? s.split(INNER_BREAKS) : [s];
}

/** Python's `str.lower()` (full Unicode lower-casing, as JavaScript's). */
export function pyLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c >= 0x80) return s.toLowerCase();
  }
  return s;
}

/** The 0-based index of the first unpaired UTF-16 surrogate in `s`, or -1. */
export function loneSurrogateIndex(s: string, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

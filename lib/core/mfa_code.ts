/**
 * The MFA code rule, once (pure): STS takes a `TokenCode` of six digits. What
 * a typed, pasted or piped code may look like, and how a code is found in a
 * code command's output.
 *
 * It lives in core, not in aws/ with the other AWS rules, because the code
 * prompt (terminal/, a layer below aws/) needs it as much as the code sources
 * (session/) and the STS error messages (aws/api/) do; and not in the prompt's
 * module, which is the key-handling state machine and nothing else.
 *
 * @module
 */

/** The length of an MFA code: STS's `TokenCode` is six digits (AWS STS API Reference). */
export const CODE_LENGTH = 6;

const WHOLE_CODE = new RegExp(`^\\d{${CODE_LENGTH}}$`);
const CODE_IN_TEXT = new RegExp(`(?<!\\d)\\d{${CODE_LENGTH}}(?!\\d)`, "g");

/**
 * Checks a code given with `--code` or on stdin: surrounding whitespace and
 * inner spaces and dashes (`123 456`, as some apps show it) are dropped; the
 * rest must be exactly {@link CODE_LENGTH} digits. Returns the code or a
 * message saying what is wrong.
 */
export function normalizeCode(input: string): { code: string } | { problem: string } {
  const code = input.trim().replace(/[ -]/g, "");
  if (WHOLE_CODE.test(code)) return { code };
  if (code === "") return { problem: "The MFA code is empty." };
  if (/\D/.test(code)) {
    return {
      problem: `The MFA code must be ${CODE_LENGTH} digits; '${
        truncate(input.trim())
      }' has other characters.`,
    };
  }
  return { problem: `The MFA code must be ${CODE_LENGTH} digits; got ${code.length}.` };
}

/**
 * The different codes in a command's output: each group of exactly
 * {@link CODE_LENGTH} digits that is not part of a longer number.
 */
export function findCodes(output: string): Set<string> {
  return new Set(output.match(CODE_IN_TEXT) ?? []);
}

function truncate(text: string): string {
  return text.length > 20 ? text.slice(0, 20) + "…" : text;
}

/**
 * The environment variables that set a time limit, and their bounds (pure):
 * one home for `AWSMFA_TIMEOUT` (each AWS call) and `AWSMFA_CODE_TIMEOUT`
 * (a code command). A value outside its bounds is refused with a usage error
 * before anything is sent or run, never passed on to a timer (which would
 * overflow, or wait for days).
 *
 * @module
 */
import { UsageError } from "./errors.ts";

/** What one time-limit variable sets and the values it takes. */
export interface TimeLimitVariable {
  /** What the seconds are, for the fix: "the seconds to wait for AWS". */
  what: string;
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  /** A sensible value to show in the fix. */
  example: number;
}

/** Every variable that sets a time limit. */
export const TIME_LIMIT_VARIABLES = {
  AWSMFA_TIMEOUT: {
    what: "the seconds to wait for AWS",
    defaultSeconds: 10,
    minSeconds: 0.1,
    maxSeconds: 600,
    example: 20,
  },
  AWSMFA_CODE_TIMEOUT: {
    what: "the seconds a code command may take",
    defaultSeconds: 30,
    minSeconds: 0.1,
    maxSeconds: 3600,
    example: 60,
  },
} as const satisfies Record<string, TimeLimitVariable>;

/** The name of a time-limit variable. */
export type TimeLimitName = keyof typeof TIME_LIMIT_VARIABLES;

/** Plain decimal seconds: `20`, `0.5`, `.5` (no exponent, sign, unit or hex). */
const SECONDS = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * The limit variable `name` sets, in ms: its default when `text` (the
 * variable's value) is undefined. Throws a {@link UsageError} naming the
 * variable, the value and the allowed range when `text` is not plain seconds
 * within the bounds.
 */
export function timeLimitMs(name: TimeLimitName, text: string | undefined): number {
  const limit: TimeLimitVariable = TIME_LIMIT_VARIABLES[name];
  if (text === undefined) return limit.defaultSeconds * 1000;
  const trimmed = text.trim();
  const seconds = SECONDS.test(trimmed) ? Number(trimmed) : NaN;
  if (!(seconds >= limit.minSeconds && seconds <= limit.maxSeconds)) {
    const range = `${limit.minSeconds} to ${limit.maxSeconds}`;
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new UsageError(`${name} is '${shown}', not a number of seconds from ${range}.`, {
      fix: `Set it to ${limit.what} (${range}), e.g. ${name}=${limit.example}, or unset it ` +
        `(${limit.defaultSeconds} s).`,
    });
  }
  return Math.round(seconds * 1000);
}

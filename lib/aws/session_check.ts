/**
 * Whether the credentials an STS answer carries are fit to write (pure):
 * each value within AWS's documented length and alphabet (generously: AWS
 * says tokens are typically under 4 KB but may grow), the expiration a real
 * time in the future and no later than STS's longest session. What is wrong
 * is described without ever showing the value.
 *
 * @module
 */
import type { SessionCredentials } from "./stored_session.ts";
import { formatRelative, formatRfc3339 } from "../core/durations.ts";
import { LATEST_EXPIRATION_SECONDS, SESSION_TOKEN_SECONDS } from "./limits.ts";

/** The credentials part of an STS answer, as the SDK parses it. */
export interface StsCredentials {
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SessionToken?: string;
  Expiration?: Date;
}

/** The length and alphabet of one credential value. */
interface ValueRule {
  /** How the value is named in messages. */
  name: string;
  min: number;
  max: number;
  /** Every character allowed, as a character class body. */
  alphabet: RegExp;
  /** The alphabet in words, for messages. */
  alphabetText: string;
}

/** The rules for each value; AccessKeyId is AWS's own (16 to 128 of `[\w]`). */
export const CREDENTIAL_RULES = {
  accessKeyId: {
    name: "access key id",
    min: 16,
    max: 128,
    alphabet: /^\w*$/,
    alphabetText: "letters, digits and _",
  },
  secretAccessKey: {
    name: "secret access key",
    min: 16,
    max: 128,
    alphabet: /^[A-Za-z0-9+/=]*$/,
    alphabetText: "A-Z, a-z, 0-9, +, / and =",
  },
  sessionToken: {
    name: "session token",
    min: 16,
    max: 16_384,
    alphabet: /^[A-Za-z0-9+/=]*$/,
    alphabetText: "A-Z, a-z, 0-9, +, / and =",
  },
} as const satisfies Record<string, ValueRule>;

/** The longest session STS issues (GetSessionToken, 36 h), plus 5 minutes of clock skew. */
export const MAX_SESSION_MS = LATEST_EXPIRATION_SECONDS * 1000;

/** The outcome of {@link checkSessionCredentials}. */
export type SessionCheck =
  | { ok: true; session: SessionCredentials }
  /**
   * `problem` names the value and what is wrong with it, never the value; `absent` when the
   * answer holds no credentials at all (not an STS answer: an HTML page, an empty body).
   */
  | { ok: false; problem: string; absent?: true };

/** Checks `credentials` as STS returned them at `options.now` (ms). */
export function checkSessionCredentials(
  credentials: StsCredentials | undefined,
  options: { now: number },
): SessionCheck {
  if (
    !credentials?.AccessKeyId && !credentials?.SecretAccessKey && !credentials?.SessionToken &&
    !credentials?.Expiration
  ) {
    return { ok: false, problem: "the answer holds no credentials", absent: true };
  }
  const values = {
    accessKeyId: credentials?.AccessKeyId,
    secretAccessKey: credentials?.SecretAccessKey,
    sessionToken: credentials?.SessionToken,
  };
  for (const key of ["accessKeyId", "secretAccessKey", "sessionToken"] as const) {
    const problem = valueProblem(values[key], CREDENTIAL_RULES[key]);
    if (problem) return { ok: false, problem };
  }
  const expiration = credentials?.Expiration;
  const problem = expirationProblem(expiration, options.now);
  if (problem) return { ok: false, problem };
  return {
    ok: true,
    session: {
      accessKeyId: values.accessKeyId!,
      secretAccessKey: values.secretAccessKey!,
      sessionToken: values.sessionToken!,
      expiration: expiration!,
    },
  };
}

function valueProblem(value: string | undefined, rule: ValueRule): string | undefined {
  if (!value) return `the ${rule.name} is missing`;
  if (value.length < rule.min || value.length > rule.max) {
    return `the ${rule.name} is ${value.length} characters long, not ${rule.min} to ${rule.max}`;
  }
  if (!rule.alphabet.test(value)) {
    return `the ${rule.name} has ${oddCharacter(value, rule.alphabet)}, not only ` +
      rule.alphabetText;
  }
  return undefined;
}

/** The first character outside `alphabet`, in words (never the character itself). */
function oddCharacter(value: string, alphabet: RegExp): string {
  const odd = [...value].find((c) => !alphabet.test(c)) ?? "";
  if (odd === "\n" || odd === "\r") return "a line break";
  if (odd === " " || odd === "\t") return "a space";
  if (/[\p{Cc}\p{Cf}]/u.test(odd)) return "a control character";
  if (odd === '"' || odd === "'") return "a quote";
  return "another character";
}

function expirationProblem(expiration: Date | undefined, now: number): string | undefined {
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) {
    return "the Expiration is missing or not a time";
  }
  const time = expiration.getTime();
  const shown = `${formatRfc3339(expiration)} (${formatRelative(time, now)})`;
  if (time <= now) return `the Expiration ${shown} is in the past`;
  if (time - now > MAX_SESSION_MS) {
    return `the Expiration ${shown} is later than any session STS issues (${
      SESSION_TOKEN_SECONDS.max / 3600
    } h)`;
  }
  return undefined;
}

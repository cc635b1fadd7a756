/**
 * Every bound AWS sets on what awsmfa asks for, and every margin awsmfa
 * keeps, each once (pure constants, and {@link checkDuration}, the one check of
 * a session length against them): import them, never type the number again. Each says where AWS documents it (see also
 * `../shared/sts-facts.md` in the project notes).
 *
 * The test server (tests/support/fake_sts.ts) keeps its own copy of AWS's
 * numbers on purpose: it stands for AWS, so a wrong bound here shows up as a
 * refusal there.
 *
 * @module
 */
import { ConfigError, UsageError } from "../core/errors.ts";

/**
 * GetSessionToken's `DurationSeconds` for an IAM user: 900 to 129600 s (15 min
 * to 36 h), 43200 (12 h) when absent. AWS STS API Reference, GetSessionToken.
 */
export const SESSION_TOKEN_SECONDS = { min: 900, max: 129_600, default: 43_200 } as const;

/**
 * The root user's GetSessionToken sessions last at most 1 h (a longer
 * `DurationSeconds` is cut to 1 h). AWS STS API Reference, GetSessionToken.
 */
export const ROOT_SESSION_MAX_SECONDS = 3_600;

/**
 * AssumeRole's `DurationSeconds`: 900 s up to the role's maximum session
 * duration, which is 1 to 12 h (so never above 43200), 3600 when absent. AWS STS
 * API Reference, AssumeRole (DurationSeconds).
 */
export const ASSUME_ROLE_SECONDS = { min: 900, max: 43_200, default: 3_600 } as const;

/**
 * A role assumed with temporary credentials (role chaining) lasts 1 h at
 * most, whatever its maximum. AWS STS API Reference, AssumeRole; IAM User
 * Guide, roles terms and concepts (role chaining).
 */
export const CHAINED_ROLE_MAX_SECONDS = 3_600;

/**
 * How far the computer's clock may be from AWS's before a signed request is
 * refused (`SignatureDoesNotMatch`, `Signature expired`): 5 min. AWS Signature
 * Version 4: a request's time stamp must be within 5 minutes of AWS's time.
 */
export const CLOCK_SKEW_SECONDS = 300;

/**
 * The latest `Expiration` an STS answer may carry: the longest session
 * (GetSessionToken, 36 h) plus the clock skew AWS tolerates.
 */
export const LATEST_EXPIRATION_SECONDS = SESSION_TOKEN_SECONDS.max + CLOCK_SKEW_SECONDS;

/**
 * awsmfa's margin: a stored session with more than this left is used as is
 * (login, credential-process, env, exec skip the refresh; `--min-remaining`
 * changes it), and `status` calls a session with less "expiring soon". awsmfa's
 * own choice (the same 15 minutes as botocore's {@link SDK_REFRESH_MARGIN_SECONDS}).
 */
export const REFRESH_MARGIN_SECONDS = 15 * 60;

/**
 * botocore asks its credential provider for new credentials 15 min before they
 * expire (advisory; 10 min mandatory): the credentials server renews before
 * that. botocore `credentials.py`, `_advisory_refresh_timeout`.
 */
export const SDK_REFRESH_MARGIN_SECONDS = 15 * 60;

/**
 * `awsmfa policy --max-age`: the age of the MFA sign-in a session may have,
 * within GetSessionToken's session lengths ({@link SESSION_TOKEN_SECONDS}),
 * 4 h when absent.
 */
export const MFA_MAX_AGE_SECONDS = {
  min: SESSION_TOKEN_SECONDS.min,
  max: SESSION_TOKEN_SECONDS.max,
  default: 14_400,
} as const;

/**
 * An MFA device's `SerialNumber` as STS accepts it: 9 to 256 characters of
 * `[\w+=/:,.@-]` (an ARN such as `arn:aws:iam::123456789012:mfa/NAME`, or a
 * hardware token's serial number). AWS STS API Reference, GetSessionToken.
 */
export const MFA_SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;

/**
 * `seconds` when the call accepts it; else a usage error for `--duration`,
 * or a file error for `duration_seconds` in `section` when given.
 */
export function checkDuration(
  seconds: number,
  options: { role: boolean; section?: string },
): number {
  const limits = options.role ? ASSUME_ROLE_SECONDS : SESSION_TOKEN_SECONDS;
  if (seconds >= limits.min && seconds <= limits.max) return seconds;
  const where = options.section === undefined
    ? "--duration"
    : `duration_seconds in [${options.section}]`;
  const message = `${where} is ${seconds} s; ${
    options.role ? "AssumeRole" : "GetSessionToken"
  } accepts ${limits.min} to ${limits.max} s.`;
  const fix = `Use a value from ${limits.min} (${limits.min / 60}m) to ${limits.max} (${
    limits.max / 3600
  }h).`;
  throw options.section === undefined
    ? new UsageError(message, { fix })
    : new ConfigError(message, { fix });
}

/**
 * The IAM policy that makes MFA mandatory for a user's own access keys
 * (pure), as users of the original tool know it: without an MFA session,
 * everything but what awsmfa needs to get one is denied; a session whose MFA
 * sign-in is older than the maximum age is denied too (by the age of the
 * MFA, not by the session's expiry).
 *
 * @module
 */

/** What a session without MFA may still do: find the MFA device and get an MFA session. */
export const ALLOWED_WITHOUT_MFA = ["iam:ListMFADevices", "sts:GetSessionToken"] as const;

/** Options for {@link mfaPolicy}. */
export interface MfaPolicyOptions {
  /** Deny MFA sessions whose MFA is older than this (seconds). */
  maxAgeSeconds: number;
  /** Also allow `sts:AssumeRole` without MFA (awsmfa's `--role-arn` passes the code to AssumeRole). */
  allowAssumeRole?: boolean;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<{
    Sid: string;
    Effect: "Deny";
    NotAction: string[];
    Resource: "*";
    Condition: Record<string, Record<string, string | boolean>>;
  }>;
}

/** The policy document, ready for `aws iam create-policy --policy-document`. */
export function mfaPolicy(options: MfaPolicyOptions): PolicyDocument {
  const notAction: string[] = [...ALLOWED_WITHOUT_MFA];
  if (options.allowAssumeRole) notAction.push("sts:AssumeRole");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyAllWhenMFAIsNotPresent",
        Effect: "Deny",
        NotAction: notAction,
        Resource: "*",
        // Absent (long-term keys) counts as false.
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": false } },
      },
      {
        Sid: `DenyAllWhenMFAIsOlderThan${ageInWords(options.maxAgeSeconds)}`,
        Effect: "Deny",
        NotAction: notAction,
        Resource: "*",
        // Absent (no MFA sign-in to measure) counts as too old.
        Condition: {
          NumericGreaterThanIfExists: { "aws:MultiFactorAuthAge": String(options.maxAgeSeconds) },
        },
      },
    ],
  };
}

/**
 * The document as awsmfa prints it (and the README shows it): one line per
 * key of a statement, each value on that line.
 */
export function formatPolicy(policy: PolicyDocument): string {
  const statements = policy.Statement.map((statement) =>
    "    {\n" +
    Object.entries(statement).map(([key, value]) => `      ${inline(key)}: ${inline(value)}`)
      .join(",\n") +
    "\n    }"
  );
  return `{\n  "Version": ${inline(policy.Version)},\n  "Statement": [\n` +
    `${statements.join(",\n")}\n  ]\n}\n`;
}

/** JSON on one line: `["a", "b"]`, `{ "k": false }`. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${inline(key)}: ${inline(item)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

const ONES = ("Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen " +
  "Fourteen Fifteen Sixteen Seventeen Eighteen Nineteen").split(" ");
const TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty"];

/** `FourHours`, `OneHourThirtyMinutes`: a span up to 59 h for a Sid (letters only). */
function ageInWords(seconds: number): string {
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 3600), "Hour"],
    [Math.floor(seconds / 60) % 60, "Minute"],
    [seconds % 60, "Second"],
  ];
  return parts.filter(([count]) => count > 0)
    .map(([count, unit]) => `${numberInWords(count)}${unit}${count === 1 ? "" : "s"}`)
    .join("");
}

function numberInWords(n: number): string {
  if (n < 20) return ONES[n];
  return TENS[Math.floor(n / 10)] + (n % 10 === 0 ? "" : ONES[n % 10]);
}

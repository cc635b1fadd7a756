/**
 * The IAM policy that makes MFA mandatory for a user's own access keys
 * (pure): without an MFA session, everything but what awsmfa needs to get
 * one is denied; an MFA session older than the maximum age is denied too.
 *
 * @module
 */

/** What a session without MFA may still do: find the MFA device and get an MFA session. */
export const ALLOWED_WITHOUT_MFA = ["iam:ListMFADevices", "sts:GetSessionToken"] as const;

/** The bounds of `--max-age`: GetSessionToken's session lengths. */
export const MAX_AGE_LIMITS = { min: 900, max: 129_600, default: 43_200 } as const;

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
    Condition: Record<string, Record<string, string>>;
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
        Sid: "DenyAllWithoutMFA",
        Effect: "Deny",
        NotAction: notAction,
        Resource: "*",
        // Absent (long-term keys) counts as false.
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
      },
      {
        Sid: "DenyMFASessionsOlderThanMaxAge",
        Effect: "Deny",
        NotAction: notAction,
        Resource: "*",
        Condition: {
          NumericGreaterThan: { "aws:MultiFactorAuthAge": String(options.maxAgeSeconds) },
        },
      },
    ],
  };
}

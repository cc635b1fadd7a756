/**
 * The MFA-enforcing policy: its exact shape, and what it denies when a small
 * evaluator (IAM's rules for Deny, NotAction, BoolIfExists and
 * NumericGreaterThan) applies it to the requests awsmfa users make.
 */
import assert from "node:assert/strict";
import { parseMaxAge } from "../lib/commands/policy.ts";
import { UsageError } from "../lib/errors.ts";
import { mfaPolicy, type PolicyDocument } from "../lib/mfa_policy.ts";

/** The request context keys the policy looks at; undefined means absent. */
interface Request {
  action: string;
  mfaPresent?: boolean;
  mfaAgeSeconds?: number;
}

/** Whether any statement of `policy` denies `request` (IAM semantics for what it uses). */
function denies(policy: PolicyDocument, request: Request): boolean {
  const keys: Record<string, string | undefined> = {
    "aws:MultiFactorAuthPresent": request.mfaPresent === undefined
      ? undefined
      : String(request.mfaPresent),
    "aws:MultiFactorAuthAge": request.mfaAgeSeconds === undefined
      ? undefined
      : String(request.mfaAgeSeconds),
  };
  const matchesAction = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i")
      .test(request.action);
  return policy.Statement.some((statement) => {
    if (statement.NotAction.some(matchesAction)) return false;
    return Object.entries(statement.Condition).every(([operator, conditions]) =>
      Object.entries(conditions).every(([key, expected]) => {
        const actual = keys[key];
        switch (operator) {
          case "BoolIfExists":
            return actual === undefined || actual === expected;
          case "NumericGreaterThan":
            return actual !== undefined && Number(actual) > Number(expected);
          default:
            throw new Error(`the test evaluator does not know ${operator}`);
        }
      })
    );
  });
}

Deno.test("mfa policy: the document", () => {
  assert.deepEqual(mfaPolicy({ maxAgeSeconds: 14400 }), {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyAllWithoutMFA",
        Effect: "Deny",
        NotAction: ["iam:ListMFADevices", "sts:GetSessionToken"],
        Resource: "*",
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
      },
      {
        Sid: "DenyMFASessionsOlderThanMaxAge",
        Effect: "Deny",
        NotAction: ["iam:ListMFADevices", "sts:GetSessionToken"],
        Resource: "*",
        Condition: { NumericGreaterThan: { "aws:MultiFactorAuthAge": "14400" } },
      },
    ],
  });
  const withRole = mfaPolicy({ maxAgeSeconds: 900, allowAssumeRole: true });
  for (const statement of withRole.Statement) {
    assert.deepEqual(statement.NotAction, [
      "iam:ListMFADevices",
      "sts:GetSessionToken",
      "sts:AssumeRole",
    ]);
  }
});

Deno.test("mfa policy: long-term keys get only what awsmfa needs; MFA sessions until the max age", () => {
  const policy = mfaPolicy({ maxAgeSeconds: 4 * 3600 });
  // Long-term keys: the MFA keys are absent.
  assert.equal(denies(policy, { action: "s3:ListAllMyBuckets" }), true);
  assert.equal(denies(policy, { action: "iam:CreateAccessKey" }), true);
  assert.equal(denies(policy, { action: "sts:AssumeRole" }), true);
  assert.equal(denies(policy, { action: "sts:GetSessionToken" }), false);
  assert.equal(denies(policy, { action: "iam:ListMFADevices" }), false);
  // A session without MFA (GetSessionToken without a code).
  assert.equal(denies(policy, { action: "s3:ListAllMyBuckets", mfaPresent: false }), true);
  // MFA sessions, fresh and old.
  const fresh = { action: "s3:ListAllMyBuckets", mfaPresent: true, mfaAgeSeconds: 60 };
  assert.equal(denies(policy, fresh), false);
  assert.equal(denies(policy, { ...fresh, mfaAgeSeconds: 4 * 3600 }), false);
  assert.equal(denies(policy, { ...fresh, mfaAgeSeconds: 4 * 3600 + 1 }), true);
  // --allow-assume-role lets the long-term keys call AssumeRole (the role's trust checks MFA).
  const withRole = mfaPolicy({ maxAgeSeconds: 3600, allowAssumeRole: true });
  assert.equal(denies(withRole, { action: "sts:AssumeRole" }), false);
  assert.equal(denies(withRole, { action: "s3:GetObject" }), true);
});

Deno.test("mfa policy: --max-age takes 4h, 14400 or 90m within 15 min .. 36 h", () => {
  assert.equal(parseMaxAge(undefined), 43200);
  assert.equal(parseMaxAge("4h"), 14400);
  assert.equal(parseMaxAge("14400"), 14400);
  assert.equal(parseMaxAge("90m"), 5400);
  assert.equal(parseMaxAge("1h30m"), 5400);
  for (const bad of ["soon", "4 hours", "-1h", "", "10m", "37h", "0"]) {
    assert.throws(() => parseMaxAge(bad), UsageError, bad);
  }
  assert.throws(() => parseMaxAge("37h"), /--max-age is 37 h \(133200 s\); an MFA session lasts/);
  assert.throws(() => parseMaxAge("soon"), /--max-age 'soon' is not a duration/);
});

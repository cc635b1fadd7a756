/**
 * The MFA-enforcing policy: its exact shape, and what it denies when a small
 * evaluator (IAM's rules for Deny, NotAction, BoolIfExists and
 * NumericGreaterThanIfExists: an absent key matches) applies it to the
 * requests awsmfa users make.
 */
import assert from "node:assert/strict";
import { formatPolicy, mfaPolicy, type PolicyDocument } from "../../lib/aws/mfa_policy.ts";

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
            return actual === undefined || actual === String(expected);
          case "NumericGreaterThanIfExists":
            return actual === undefined || Number(actual) > Number(expected);
          default:
            throw new Error(`the test evaluator does not know ${operator}`);
        }
      })
    );
  });
}

Deno.test("mfa policy: the document is the one users of the original tool know", () => {
  assert.deepEqual(mfaPolicy({ maxAgeSeconds: 14400 }), {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyAllWhenMFAIsNotPresent",
        Effect: "Deny",
        NotAction: ["iam:ListMFADevices", "sts:GetSessionToken"],
        Resource: "*",
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": false } },
      },
      {
        Sid: "DenyAllWhenMFAIsOlderThanFourHours",
        Effect: "Deny",
        NotAction: ["iam:ListMFADevices", "sts:GetSessionToken"],
        Resource: "*",
        Condition: { NumericGreaterThanIfExists: { "aws:MultiFactorAuthAge": "14400" } },
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

Deno.test("mfa policy: the second statement's Sid names the age, in IAM's alphabet", () => {
  const sid = (maxAgeSeconds: number) => mfaPolicy({ maxAgeSeconds }).Statement[1].Sid;
  assert.equal(sid(900), "DenyAllWhenMFAIsOlderThanFifteenMinutes");
  assert.equal(sid(3600), "DenyAllWhenMFAIsOlderThanOneHour");
  assert.equal(sid(5400), "DenyAllWhenMFAIsOlderThanOneHourThirtyMinutes");
  assert.equal(sid(43200), "DenyAllWhenMFAIsOlderThanTwelveHours");
  assert.equal(sid(86400), "DenyAllWhenMFAIsOlderThanTwentyFourHours");
  assert.equal(sid(129600), "DenyAllWhenMFAIsOlderThanThirtySixHours");
  assert.equal(sid(3601), "DenyAllWhenMFAIsOlderThanOneHourOneSecond");
  for (let seconds = 900; seconds <= 129600; seconds += 997) {
    assert.match(sid(seconds), /^DenyAllWhenMFAIsOlderThan[A-Za-z]+$/);
  }
});

Deno.test("mfa policy: printed in the shape of the README, valid JSON of the same document", () => {
  const policy = mfaPolicy({ maxAgeSeconds: 14400 });
  const text = formatPolicy(policy);
  assert.deepEqual(JSON.parse(text), policy);
  assert.equal(
    text,
    `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllWhenMFAIsNotPresent",
      "Effect": "Deny",
      "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"],
      "Resource": "*",
      "Condition": { "BoolIfExists": { "aws:MultiFactorAuthPresent": false } }
    },
    {
      "Sid": "DenyAllWhenMFAIsOlderThanFourHours",
      "Effect": "Deny",
      "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"],
      "Resource": "*",
      "Condition": { "NumericGreaterThanIfExists": { "aws:MultiFactorAuthAge": "14400" } }
    }
  ]
}
`,
  );
  const withRole = mfaPolicy({ maxAgeSeconds: 900, allowAssumeRole: true });
  assert.deepEqual(JSON.parse(formatPolicy(withRole)), withRole);
  for (const line of formatPolicy(withRole).split("\n")) assert.ok(line.length <= 100, line);
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
  // IfExists: a request without an MFA age (no MFA sign-in to measure) is denied by its absence,
  // whatever aws:MultiFactorAuthPresent says.
  assert.equal(denies(policy, { action: "s3:ListAllMyBuckets", mfaPresent: true }), true);
  assert.equal(denies(policy, { action: "sts:GetSessionToken", mfaPresent: true }), false);
  // --allow-assume-role lets the long-term keys call AssumeRole (the role's trust checks MFA).
  const withRole = mfaPolicy({ maxAgeSeconds: 3600, allowAssumeRole: true });
  assert.equal(denies(withRole, { action: "sts:AssumeRole" }), false);
  assert.equal(denies(withRole, { action: "s3:GetObject" }), true);
});

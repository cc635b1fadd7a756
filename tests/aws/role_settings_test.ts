import assert from "node:assert/strict";
import { ConfigError, UsageError } from "../../lib/core/errors.ts";
import {
  checkRoleSetting,
  externalIdProblem,
  roleArnProblem,
  roleSessionNameProblem,
} from "../../lib/aws/role_settings.ts";

Deno.test("role settings: role ARNs of every partition, with and without a path, are accepted", () => {
  for (
    const arn of [
      "arn:aws:iam::123456789012:role/admin",
      "arn:aws-cn:iam::123456789012:role/admin",
      "arn:aws-us-gov:iam::123456789012:role/a",
      "arn:aws:iam::123456789012:role/team/ops/deploy+ci=1,x.y@z-w_",
      "arn:aws:iam::123456789012:role/" + "r".repeat(64),
    ]
  ) {
    assert.equal(roleArnProblem(arn), undefined, arn);
  }
});

Deno.test("role settings: a malformed role ARN is named by what is wrong with it", () => {
  const cases: Array<[string, RegExp]> = [
    ["arn:aws:iam::123456789012:role/ad\tmin", /contains a tab/],
    ["arn:aws:iam::123456789012:role/ad min", /contains a space/],
    [" arn:aws:iam::123456789012:role/admin", /contains a space/],
    ["arn:aws:iam::123456789012:role/admin\n", /contains a line break/],
    ["not-an-arn", /does not start with 'arn:'/],
    ["", /is empty/],
    ["arn:aws:iam::123456789012:user/george", /an IAM user's ARN, not a role's/],
    ["arn:aws:iam::123456789012:mfa/george", /an MFA device's ARN, not a role's/],
    ["arn:aws:iam::12345:role/admin", /account ID '12345' is not 12 digits/],
    ["arn:aws:s3:::bucket", /does not have the form arn:PARTITION:iam::ACCOUNT:role\/NAME/],
    ["arn:aws:iam::123456789012:role/", /has no role name/],
    ["arn:aws:iam::123456789012:role/a#b", /contains '#'/],
    ["arn:aws:iam::123456789012:role/" + "r".repeat(65), /role name is longer than 64/],
  ];
  for (const [arn, expected] of cases) {
    assert.match(roleArnProblem(arn) ?? "(accepted)", expected, JSON.stringify(arn));
  }
});

Deno.test("role settings: role_session_name is 2-64 of [\\w+=,.@-], external_id 2-1224 of [\\w+=,.@:/-]", () => {
  for (const name of ["ab", "george-laptop", "a+b=c,d.e@f_g", "x".repeat(64)]) {
    assert.equal(roleSessionNameProblem(name), undefined, name);
  }
  assert.match(roleSessionNameProblem("a") ?? "", /shorter than 2 characters/);
  assert.match(roleSessionNameProblem("x".repeat(65)) ?? "", /longer than 64 characters/);
  assert.match(roleSessionNameProblem("george laptop") ?? "", /contains a space/);
  assert.match(roleSessionNameProblem("a/b") ?? "", /contains '\/'/);
  assert.match(roleSessionNameProblem("a:b") ?? "", /contains ':'/);

  for (const id of ["ext-4711", "a:b/c", "x".repeat(1224)]) {
    assert.equal(externalIdProblem(id), undefined, id);
  }
  assert.match(externalIdProblem("x") ?? "", /shorter than 2 characters/);
  assert.match(externalIdProblem("x".repeat(1225)) ?? "", /longer than 1224 characters/);
  assert.match(externalIdProblem("ext\t1") ?? "", /contains a tab/);
  assert.match(externalIdProblem("ext#1") ?? "", /contains '#'/);
});

Deno.test("role settings: the error names the key, where it came from and the fix; exit 2 for a flag, 3 for a file", () => {
  const flag = catchError(() => checkRoleSetting("role_arn", "not-an-arn", { flag: "--role-arn" }));
  assert.ok(flag instanceof UsageError);
  assert.equal(
    flag.message,
    "--role-arn 'not-an-arn' is not a role ARN: it does not start with 'arn:'.",
  );
  assert.match(flag.fix ?? "", /--role-arn arn:aws:iam::123456789012:role\/NAME/);

  const own = catchError(() =>
    checkRoleSetting("role_arn", "arn:aws:iam::123456789012:user/george", {
      section: "georgemfa",
      path: "/h/.aws/credentials",
    })
  );
  assert.ok(own instanceof ConfigError);
  assert.equal(
    own.message,
    "role_arn in [georgemfa] of /h/.aws/credentials is not a role ARN: it is an IAM user's ARN, " +
      "not a role's ('arn:aws:iam::123456789012:user/george').",
  );
  assert.match(own.fix ?? "", /^Set role_arn in \[georgemfa\] to the role's ARN/);

  const inherited = catchError(() =>
    checkRoleSetting("role_arn", "arn:aws:iam::123456789012:role/ad\tmin", {
      section: "georgemfa",
      path: "/h/.aws/credentials",
      inherited: true,
    })
  );
  assert.ok(inherited instanceof ConfigError);
  assert.equal(
    inherited.message,
    "role_arn in [georgemfa] of /h/.aws/credentials, inherited from [DEFAULT], is not a role " +
      "ARN: it contains a tab ('arn:aws:iam::123456789012:role/ad\\tmin').",
  );
  assert.match(inherited.fix ?? "", /^Fix role_arn in \[DEFAULT\] \(every section inherits it\)/);

  const session = catchError(() =>
    checkRoleSetting("role_session_name", "george laptop", { section: "s", path: "p" })
  );
  assert.ok(session instanceof ConfigError);
  assert.equal(
    session.message,
    "role_session_name in [s] of p is not a valid session name: it contains a space " +
      "('george laptop').",
  );
  assert.match(session.fix ?? "", /2 to 64 letters, digits or \+=,\.@_-/);

  const external = catchError(() =>
    checkRoleSetting("external_id", "x", { section: "s", path: "p" })
  );
  assert.ok(external instanceof ConfigError);
  assert.equal(
    external.message,
    "external_id in [s] of p is not a valid external ID: it is shorter than 2 characters.",
  );
  assert.match(external.fix ?? "", /exactly as the role's owner gave it/);
});

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("no error thrown");
}

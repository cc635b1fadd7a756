/**
 * The settings of an AssumeRole call (`role_arn`, `role_session_name`,
 * `external_id`) checked against what STS accepts (pure), so that a typo is
 * named before the MFA code is asked for and spent: AWS would answer a
 * malformed role ARN with an access-denied message that blames the policy.
 *
 * @module
 */
import { ConfigError, UsageError } from "../core/errors.ts";

/** The keys checked here, as the credentials file spells them. */
export type RoleSettingKey = "role_arn" | "role_session_name" | "external_id";

/** Where a value came from: a flag, or a section of a file (maybe through `[DEFAULT]`). */
export type RoleSettingOrigin =
  | { flag: string }
  | {
    /** The section that uses the value, e.g. `georgemfa`. */
    section: string;
    /** The file, for the message. */
    path: string;
    /** The section has the key only through `[DEFAULT]`. */
    inherited?: boolean;
  };

/** STS: RoleArn is at most 2048 characters (any well-formed one has more than its minimum, 20). */
const ROLE_ARN_MAX = 2048;
/** IAM: a role name is 1–64 characters of `[\w+=,.@-]`. */
const ROLE_NAME = { max: 64, chars: /[\w+=,.@-]/ } as const;
/** IAM: a path is `/`, or `/` … `/` of printable ASCII without spaces. */
const ROLE_PATH_CHAR = /[\x21-\x7e]/;
/** STS: RoleSessionName is 2–64 of `[\w+=,.@-]`. */
const SESSION_NAME = { min: 2, max: 64, chars: /[\w+=,.@-]/ } as const;
/** STS: ExternalId is 2–1224 of `[\w+=,.@:/-]`. */
const EXTERNAL_ID = { min: 2, max: 1224, chars: /[\w+=,.@:/-]/ } as const;

/** A sample role ARN for messages. */
const SAMPLE_ROLE_ARN = "arn:aws:iam::123456789012:role/NAME";
/** The form of a role ARN, for messages. */
const ROLE_ARN_FORM = "arn:PARTITION:iam::ACCOUNT:role/NAME";

/** What is wrong with `value` as a role ARN, in a few words; undefined when nothing is. */
export function roleArnProblem(value: string): string | undefined {
  if (value === "") return "it is empty";
  const space = whitespaceIn(value);
  if (space) return `it contains ${space}`;
  if (!value.startsWith("arn:")) return "it does not start with 'arn:'";
  const match = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/.exec(value);
  if (!match || !/^aws[a-z-]*$/.test(match[1]) || match[2] !== "iam" || match[3] !== "") {
    return `it does not have the form ${ROLE_ARN_FORM}`;
  }
  const [, , , , account, resource] = match;
  if (/^user\//.test(resource)) return "it is an IAM user's ARN, not a role's";
  if (/^mfa\//.test(resource)) return "it is an MFA device's ARN, not a role's";
  if (!/^\d{12}$/.test(account)) return `the account ID '${account}' is not 12 digits`;
  if (!resource.startsWith("role/")) return "it names no role (role/NAME after the account ID)";
  const name = resource.slice(resource.lastIndexOf("/") + 1);
  if (name === "") return "it has no role name after the last '/'";
  const path = resource.slice("role".length, resource.length - name.length);
  const badPathChar = firstCharNotIn(path, ROLE_PATH_CHAR);
  if (badPathChar) return `its path contains ${badPathChar}`;
  const badNameChar = firstCharNotIn(name, ROLE_NAME.chars);
  if (badNameChar) return `the role name contains ${badNameChar}`;
  if (name.length > ROLE_NAME.max) {
    return `the role name is longer than ${ROLE_NAME.max} characters`;
  }
  if (value.length > ROLE_ARN_MAX) return `it is longer than ${ROLE_ARN_MAX} characters`;
  return undefined;
}

/** What is wrong with `value` as a RoleSessionName; undefined when nothing is. */
export function roleSessionNameProblem(value: string): string | undefined {
  return lengthAndCharsProblem(value, SESSION_NAME);
}

/** What is wrong with `value` as an ExternalId; undefined when nothing is. */
export function externalIdProblem(value: string): string | undefined {
  return lengthAndCharsProblem(value, EXTERNAL_ID);
}

const CHECKS: Record<RoleSettingKey, {
  problem: (value: string) => string | undefined;
  what: string;
  /** Whether the value may be shown (the external ID is the role owner's to share). */
  show: boolean;
  fix: string;
}> = {
  role_arn: {
    problem: roleArnProblem,
    what: "a role ARN",
    show: true,
    fix: `the role's ARN, as the role's page in the IAM console shows it`,
  },
  role_session_name: {
    problem: roleSessionNameProblem,
    what: "a valid session name",
    show: true,
    fix: "2 to 64 letters, digits or +=,.@_- (no spaces), e.g. your user name",
  },
  external_id: {
    problem: externalIdProblem,
    what: "a valid external ID",
    show: false,
    fix: "the external ID exactly as the role's owner gave it " +
      "(2 to 1224 letters, digits or +=,.@:/_-)",
  },
};

/**
 * Throws when `value` is not what STS accepts for `key`: a {@link UsageError}
 * for a flag, a {@link ConfigError} for a file value, naming the key, the
 * section it came from (and `[DEFAULT]` when inherited) and the fix.
 */
export function checkRoleSetting(
  key: RoleSettingKey,
  value: string,
  origin: RoleSettingOrigin,
): void {
  const check = CHECKS[key];
  const problem = check.problem(value);
  if (problem === undefined) return;
  const shown = check.show ? ` (${quote(value)})` : "";
  if ("flag" in origin) {
    throw new UsageError(
      `${origin.flag} ${quote(value)} is not ${check.what}: ${problem}.`,
      { fix: `Give ${check.fix}: ${origin.flag} ${SAMPLE_ROLE_ARN}.` },
    );
  }
  const where = `${key} in [${origin.section}] of ${origin.path}` +
    (origin.inherited ? ", inherited from [DEFAULT]," : "");
  const sample = key === "role_arn" ? `: ${key} = ${SAMPLE_ROLE_ARN}` : "";
  throw new ConfigError(`${where} is not ${check.what}: ${problem}${shown}.`, {
    fix: origin.inherited
      ? `Fix ${key} in [DEFAULT] (every section inherits it), or set ${key} in ` +
        `[${origin.section}] to override it, with ${check.fix}${sample}.`
      : `Set ${key} in [${origin.section}] to ${check.fix}${sample}.`,
  });
}

function lengthAndCharsProblem(
  value: string,
  limits: { min: number; max: number; chars: RegExp },
): string | undefined {
  const space = whitespaceIn(value);
  if (space) return `it contains ${space}`;
  const bad = firstCharNotIn(value, limits.chars);
  if (bad) return `it contains ${bad}`;
  if (value.length < limits.min) return `it is shorter than ${limits.min} characters`;
  if (value.length > limits.max) return `it is longer than ${limits.max} characters`;
  return undefined;
}

function whitespaceIn(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return "a line break";
  if (value.includes("\t")) return "a tab";
  if (/\s/.test(value)) return "a space";
  return undefined;
}

/** The first character of `value` that `allowed` (one character) does not match, described. */
function firstCharNotIn(value: string, allowed: RegExp): string | undefined {
  for (const char of value) {
    if (!allowed.test(char)) return describeChar(char);
  }
  return undefined;
}

function describeChar(char: string): string {
  if (/[\x21-\x7e]/.test(char)) return `'${char}'`;
  return `the character U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** `value` in quotes, control characters escaped, cut to 100 characters. */
function quote(value: string): string {
  const escaped = value.replace(/\p{Cc}/gu, (c) => {
    const named: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `'${escaped.length > 100 ? escaped.slice(0, 100) + "…" : escaped}'`;
}

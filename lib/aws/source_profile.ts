/**
 * The source section (`[georgemfa]`): its long-term keys and MFA settings as
 * awsmfa reads them, each checked, with the error that says exactly what to
 * add; and the rules for what a section holds itself. Pure.
 *
 * @module
 */
import { ConfigError } from "../core/errors.ts";
import type { IniDocument } from "../ini/document.ts";
import { checkRoleSetting, type RoleSettingKey } from "./role_settings.ts";
import { MFA_SERIAL_PATTERN, SESSION_TOKEN_SECONDS } from "./limits.ts";

/** The long-term keys and MFA settings of a source section. */
export interface SourceProfile {
  /** The section name, e.g. `georgemfa`. */
  section: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The MFA device ARN; undefined when the section has none (setup can find it). */
  mfaSerial?: string;
  durationSeconds?: number;
  region?: string;
  roleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  mfaProcess?: string;
}

/** A sample source section for messages: no secret, the user's names. */
export function sampleSourceSection(section: string, user = "george"): string {
  return `[${section}]\n` +
    "aws_access_key_id = AKIA…\n" +
    "aws_secret_access_key = …\n" +
    `mfa_serial = arn:aws:iam::123456789012:mfa/${user}`;
}

/** Where {@link readSourceProfile} reads, and how its messages name things. */
export interface ReadSourceOptions {
  path: string;
  target: string;
  requireSerial?: boolean;
  /** The keys when they are kept in a keystore (`awsmfa_keystore`), not in the section. */
  keys?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Reads the source section, with an error saying exactly what to add when
 * it or its keys are missing, or when it holds temporary credentials.
 */
export function readSourceProfile(
  doc: IniDocument,
  section: string,
  options: ReadSourceOptions,
): SourceProfile {
  const sample = sampleSourceSection(section, options.target);
  if (!doc.sections().includes(section)) {
    throw new ConfigError(`${options.path} has no section [${section}] with your long-term keys.`, {
      fix: `Add it (your access key for ${options.target}, and your MFA device's ARN):\n\n` +
        sample +
        `\n\nOr run 'awsmfa setup ${options.target}' to move the keys from [${options.target}].`,
    });
  }
  const get = sourceValues(doc, section, options.keys);
  checkKeys(get, section, options, sample);
  const serial = get("mfa_serial");
  if (serial !== undefined) checkSerial(serial, section);
  const role = (key: RoleSettingKey) => {
    const value = get(key);
    if (value === undefined) return undefined;
    checkRoleSetting(key, value, {
      section,
      path: options.path,
      inherited: !hasOwnKey(doc, section, key),
    });
    return value;
  };
  return {
    section,
    accessKeyId: get("aws_access_key_id")!,
    secretAccessKey: get("aws_secret_access_key")!,
    mfaSerial: serial,
    durationSeconds: durationSetting(get("duration_seconds"), section),
    region: get("region"),
    roleArn: role("role_arn"),
    roleSessionName: role("role_session_name"),
    externalId: role("external_id"),
    mfaProcess: get("mfa_process"),
  };
}

/** A section's non-empty values, the long-term keys from the keystore when it holds them. */
function sourceValues(
  doc: IniDocument,
  section: string,
  keys: ReadSourceOptions["keys"],
): (key: string) => string | undefined {
  const kept: Record<string, string> | undefined = keys && {
    aws_access_key_id: keys.accessKeyId,
    aws_secret_access_key: keys.secretAccessKey,
  };
  return (key) => {
    const value = kept && Object.hasOwn(kept, key) ? kept[key] : doc.get(section, key);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
}

/** Refuses a source without its keys (or serial), or with temporary credentials. */
function checkKeys(
  get: (key: string) => string | undefined,
  section: string,
  options: ReadSourceOptions,
  sample: string,
): void {
  const missing = ["aws_access_key_id", "aws_secret_access_key"].filter((key) => !get(key));
  if (options.requireSerial !== false && !get("mfa_serial")) missing.push("mfa_serial");
  if (missing.length > 0) {
    throw new ConfigError(`[${section}] in ${options.path} has no ${missing.join(", ")}.`, {
      fix: `The section needs these keys:\n\n${sample}` +
        (missing.includes("mfa_serial")
          ? `\n\n'awsmfa setup ${options.target}' can look the MFA device up for you.`
          : ""),
    });
  }
  if (get("aws_session_token") || get("aws_access_key_id")!.startsWith("ASIA")) {
    throw new ConfigError(
      `[${section}] holds temporary credentials (${
        get("aws_session_token") ? "an aws_session_token" : "an ASIA… key"
      }); GetSessionToken needs your long-term keys.`,
      {
        fix: `Put your IAM user's long-term access key (AKIA…) and secret in [${section}], ` +
          "without aws_session_token.",
      },
    );
  }
}

/** `duration_seconds` as a number (its bounds are checked where the call is chosen). */
function durationSetting(duration: string | undefined, section: string): number | undefined {
  if (duration === undefined) return undefined;
  if (!/^\d+$/.test(duration)) {
    throw new ConfigError(`duration_seconds in [${section}] is '${duration}', not a number.`, {
      fix: `Set it to a number of seconds from ${SESSION_TOKEN_SECONDS.min} to ` +
        `${SESSION_TOKEN_SECONDS.max}, e.g. duration_seconds = 14400.`,
    });
  }
  return Number(duration);
}

/**
 * Whether `key` is written in `section` itself, not only inherited from
 * `[DEFAULT]` (which botocore lets every section inherit).
 */
export function hasOwnKey(doc: IniDocument, section: string, key: string): boolean {
  if (doc.get(section, key) === undefined) return false;
  if (doc.get("DEFAULT", key) === undefined) return true;
  // delete() removes only a key the section has itself; on a copy, `doc` stays as it is.
  return doc.copy().delete(section, key);
}

/** Checks the shape of an MFA serial ({@link MFA_SERIAL_PATTERN}), naming the likely mistake. */
export function checkSerial(serial: string, section: string): void {
  if (!MFA_SERIAL_PATTERN.test(serial)) {
    throw new ConfigError(
      `mfa_serial in [${section}] is not a valid MFA device ARN: '${serial}'.`,
      {
        fix: "It looks like arn:aws:iam::123456789012:mfa/george (or a hardware token's serial " +
          "number, e.g. GAHT12345678); 'aws iam list-mfa-devices' shows yours.",
      },
    );
  }
}

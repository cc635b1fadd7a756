/**
 * What `awsmfa doctor` checks (the files, the keys, the clock; the role
 * profiles in doctor_roles.ts), as pure functions that turn what was read
 * (file text, modes, environment, AWS's answers) into findings: one line
 * each, in plain words, saying what to fix.
 *
 * @module
 */
import { chooseRegion, partitionOfArn } from "../aws/endpoints.ts";
import { describeCredentialVariables, loadIni } from "../aws/shared_files.ts";
import { readSourceProfile, type SourceProfile } from "../aws/source_profile.ts";
import { readStoredSession } from "../aws/stored_session.ts";
import type { ServerClock } from "../aws/api/client.ts";
import { AwsmfaError } from "../core/errors.ts";
import type { MfaDevice } from "../aws/api/iam.ts";
import type { IniDocument } from "../ini/mod.ts";
import type { MfaProfileRef } from "../aws/mfa_profiles.ts";
import { sdkDifferences } from "../aws/sdk_compat.ts";
import { type Finding, fix, note, ok } from "./doctor_findings.ts";
import { shortKeyId } from "../aws/access_keys.ts";
import { CLOCK_SKEW_SECONDS, SESSION_TOKEN_SECONDS } from "../aws/limits.ts";

/** Parses a file as the AWS CLI would; the finding names the first problem's line. */
export function checkFile(
  bytes: Uint8Array | null,
  options: { path: string; required: boolean },
): { doc?: IniDocument; finding: Finding } {
  const { path } = options;
  if (bytes === null) {
    return {
      finding: options.required
        ? fix(
          `There is no credentials file at ${path}: run 'awsmfa setup PROFILE' once your ` +
            "access key is in it ('aws configure --profile PROFILE').",
        )
        : ok(`${path} does not exist (it is optional).`),
    };
  }
  try {
    const doc = loadIni(bytes, path);
    return { doc, finding: ok(`${path}: the AWS CLI can read it.`) };
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    return {
      finding: fix(
        `${error.message.replace(/\.?$/, ".")} The AWS CLI rejects the file too: fix that line.`,
      ),
    };
  }
}

/**
 * The finding for a source section that keeps its keys in a keystore: ok
 * when the keystore gave them (reachable, unlocked, the item there), else
 * what it said, with the fix.
 */
export function checkKeystoreAnswer(
  section: string,
  backend: string,
  answer: { keys: { accessKeyId: string } } | { error: AwsmfaError },
): Finding {
  if ("error" in answer) {
    const { error } = answer;
    return fix(
      `[${section}] keeps its keys in the ${backend} keystore: ${error.message} ` +
        firstLine(error.fix),
    );
  }
  return ok(
    `[${section}]: long-term keys ${shortKeyId(answer.keys.accessKeyId)} in the ${backend} ` +
      "keystore (reachable, unlocked, the item is there).",
  );
}

/** Whether a credentials file's mode lets other users read it. */
export function checkPermissions(mode: number | null, path: string): Finding {
  if (mode === null) return note(`${path}: permissions not checked on this system.`);
  const bits = mode & 0o777;
  const octal = bits.toString(8).padStart(3, "0");
  if ((bits & 0o077) === 0) return ok(`${path} is private (mode ${octal}).`);
  return fix(
    `${path} is readable${bits & 0o022 ? " or writable" : ""} by other users (mode ${octal}): ` +
      `run 'chmod 600 ${path}'.`,
  );
}

/** AWS variables in the environment that change what the profiles do. */
export function checkEnvironment(env: (name: string) => string | undefined): Finding[] {
  const findings: Finding[] = [];
  const overriding = describeCredentialVariables(env, "any profile");
  if (overriding) {
    findings.push(fix(overriding));
  } else {
    findings.push(ok("No AWS credentials in the environment override your profiles."));
  }
  for (const name of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]) {
    const value = env(name);
    if (value !== undefined) {
      findings.push(note(`${name}=${value}: commands without --profile use profile ${value}.`));
    }
  }
  for (const name of ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM"]) {
    const value = env(name);
    if (value !== undefined) findings.push(note(`${name}=${value}: AWS calls go there.`));
  }
  return findings;
}

/** What the checks of one MFA profile need besides the document. */
export interface SourceCheckOptions {
  path: string;
  /** AWS_REGION, else AWS_DEFAULT_REGION. */
  envRegion?: string;
  /** The region the config file gives the profile (or its source). */
  configRegion?: string;
  /**
   * What the keystore said, when the section keeps its keys in one
   * (`awsmfa_keystore`): its finding, and the keys when it gave them.
   */
  keystore?: { finding: Finding; keys?: { accessKeyId: string; secretAccessKey: string } };
}

/** The result of {@link checkSourceSection}. */
export interface SourceCheck {
  findings: Finding[];
  /** The long-term keys, when they look usable (for the network checks). */
  keys?: { accessKeyId: string; secretAccessKey: string };
  /** The well-formed `mfa_serial`, if any. */
  serial?: string;
  /** The source section's own `region`. */
  sourceRegion?: string;
}

/**
 * Checks a source section and its target: long-term keys, a well-formed
 * serial (`:mfa/`, not `:user/` or a U2F key), the serial's partition against
 * the configured region, `duration_seconds`, and long-term keys left in the
 * target.
 */
export function checkSourceSection(
  doc: IniDocument,
  ref: MfaProfileRef,
  options: SourceCheckOptions,
): SourceCheck {
  const { profile, sourceSection } = ref;
  const where = `[${sourceSection}]`;
  const longTermTarget = readStoredSession(doc, profile).kind === "long-term";
  if (!doc.sections().includes(sourceSection)) {
    return {
      findings: [fix(
        `${where} does not exist` +
          (longTermTarget ? ` (your keys are still in [${profile}])` : "") +
          `: run 'awsmfa setup ${profile}'.`,
      )],
    };
  }
  const targetFinding = longTermTarget
    ? [fix(
      `[${profile}] holds long-term keys where awsmfa writes the session: run ` +
        `'awsmfa setup ${profile}'.`,
    )]
    : [];
  const keystore = options.keystore;
  if (keystore && !keystore.keys) return { findings: [keystore.finding, ...targetFinding] };
  let source: SourceProfile;
  try {
    source = readSourceProfile(doc, sourceSection, {
      path: options.path,
      target: profile,
      requireSerial: false,
      keys: keystore?.keys,
    });
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    return { findings: [fix(`${error.message} ${firstLine(error.fix)}`.trim()), ...targetFinding] };
  }
  const serial = checkSerialOf(source, profile);
  const findings = [
    ...(keystore ? [keystore.finding] : []),
    serial.finding,
    ...checkSourceSettings(source, { ...options, profile, serial: serial.serial }),
    ...targetFinding,
  ];
  const result: SourceCheck = { findings, keys: source, sourceRegion: source.region };
  if (serial.serial !== undefined) result.serial = serial.serial;
  return result;
}

/** The source's `mfa_serial`: the well-formed device, or what is wrong with it. */
function checkSerialOf(
  source: SourceProfile,
  profile: string,
): { finding: Finding; serial?: string } {
  const where = `[${source.section}]`;
  const key = shortKeyId(source.accessKeyId);
  const serial = source.mfaSerial;
  if (serial === undefined) {
    return {
      finding: fix(
        `${where} has long-term keys (${key}) but no mfa_serial: run 'awsmfa setup ${profile}' ` +
          "to find your MFA device.",
      ),
    };
  }
  if (/^arn:[^:]+:iam::[^:]*:user\//.test(serial)) {
    return {
      finding: fix(
        `${where}: mfa_serial is a user ARN (${serial}), not an MFA device: use ` +
          `${serial.replace(":user/", ":mfa/")} ('aws iam list-mfa-devices' shows it).`,
      ),
    };
  }
  if (/^arn:[^:]+:iam::[^:]*:u2f\//.test(serial)) {
    return {
      finding: fix(
        `${where}: mfa_serial is a U2F/FIDO security key (${serial}), which the CLI cannot ` +
          `use: run 'awsmfa setup ${profile}' to choose an authenticator app or TOTP token.`,
      ),
    };
  }
  if (/^arn:/.test(serial) && !/^arn:[^:]+:iam::\d{12}:mfa\/./.test(serial)) {
    return {
      finding: fix(
        `${where}: mfa_serial ${serial} is not an MFA device ARN ` +
          "(arn:aws:iam::123456789012:mfa/NAME).",
      ),
    };
  }
  return { finding: ok(`${where}: long-term keys ${key}, MFA device ${serial}.`), serial };
}

/** The region against the serial's partition, and `duration_seconds`. */
function checkSourceSettings(
  source: SourceProfile,
  options: SourceCheckOptions & { profile: string; serial?: string },
): Finding[] {
  const where = `[${source.section}]`;
  const findings: Finding[] = [];
  let warning: string | undefined;
  try {
    warning = chooseRegion({
      env: options.envRegion,
      profile: source.region ?? options.configRegion,
      arn: options.serial,
    }).warning;
  } catch (error) {
    // A region that is no region name: a finding, not the end of the report.
    if (!(error instanceof AwsmfaError)) throw error;
    findings.push(fix(`${where}: ${error.message} ${firstLine(error.fix)}`.trim()));
  }
  if (warning && options.serial) {
    const partition = partitionOfArn(options.serial)!;
    findings.push(fix(
      `${where}: ${warning.replace(/; using .*$/, "")}; set a region of ` +
        `${partition.name} (e.g. ${partition.defaultRegion}) for ${options.profile}.`,
    ));
  }
  const duration = source.durationSeconds;
  const { min, max } = SESSION_TOKEN_SECONDS;
  if (duration !== undefined && (duration < min || duration > max)) {
    findings.push(fix(
      `${where}: duration_seconds = ${duration} is outside ${min}..${max}; GetSessionToken will ` +
        "refuse it.",
    ));
  }
  return findings;
}

/**
 * The lines of `sections` (raw names) in a file that the Go or JavaScript
 * SDK reads differently from the AWS CLI: a fix each, with the line number;
 * one ok line when there is none.
 */
export function checkSdkCompat(
  text: string,
  options: { path: string; sections: ReadonlySet<string>; file: "credentials" | "config" },
): Finding[] {
  if (options.sections.size === 0) return [];
  const found = sdkDifferences(text, options);
  if (found.length === 0) {
    const which = [...options.sections].map((s) => `[${s}]`).join(" ");
    return [ok(`${options.path}: the Go and JavaScript SDKs read ${which} as the AWS CLI does.`)];
  }
  return found.map((d) => fix(`${options.path} line ${d.line} ([${d.section}]): ${d.text}`));
}

/** The first line of a fix, unless it only introduces what follows (`…:`). */
function firstLine(text: string | undefined): string {
  const line = text ? text.split("\n")[0] : "";
  return line.endsWith(":") ? "" : line;
}

/** The computer's clock against AWS's `Date` header. */
export function checkClock(clock: ServerClock, endpoint: string): Finding {
  const seconds = Math.round(clock.offsetMs / 1000);
  const direction = seconds >= 0 ? "ahead of" : "behind";
  const amount = Math.abs(seconds) < 120
    ? `${Math.abs(seconds)} s`
    : `${Math.round(Math.abs(seconds) / 60)} min`;
  if (Math.abs(clock.offsetMs) > CLOCK_SKEW_SECONDS * 1000) {
    return fix(
      `This computer's clock is ${amount} ${direction} AWS's (${endpoint}); AWS refuses ` +
        `requests over ${CLOCK_SKEW_SECONDS / 60} minutes off. Turn on automatic time sync.`,
    );
  }
  if (Math.abs(seconds) > 60) {
    return note(
      `This computer's clock is ${amount} ${direction} AWS's (AWS allows ${
        CLOCK_SKEW_SECONDS / 60
      } minutes).`,
    );
  }
  return ok(`The clock is within ${Math.max(1, Math.abs(seconds))} s of AWS's.`);
}

/** What ListMFADevices said about a source's keys (and its serial). */
export function checkKeysAnswer(
  ref: MfaProfileRef,
  answer: { devices: MfaDevice[]; serial?: string; accessKeyId: string } | {
    error: unknown;
    accessKeyId: string;
  },
): Finding {
  const where = `[${ref.sourceSection}]`;
  const key = shortKeyId(answer.accessKeyId);
  if ("error" in answer) {
    const error = answer.error;
    if (!(error instanceof AwsmfaError)) throw error;
    if (error.message.startsWith("AWS denied ListMFADevices")) {
      return note(
        `${where}: AWS knows the keys ${key}, but your policy does not allow ` +
          "iam:ListMFADevices, so the MFA device was not checked.",
      );
    }
    return fix(`${where}: ${error.message} ${firstLine(error.fix)}`.trim());
  }
  const { devices, serial } = answer;
  const usable = devices.filter((device) => device.kind === "totp");
  if (serial !== undefined && !devices.some((device) => device.serialNumber === serial)) {
    return fix(
      `${where}: mfa_serial ${serial} is not one of this user's MFA devices` +
        (usable.length > 0 ? ` (${usable.map((d) => d.serialNumber).join(", ")})` : "") +
        `: run 'awsmfa setup ${ref.profile} --serial ARN' with the right one.`,
    );
  }
  if (usable.length === 0) {
    return fix(
      `${where}: the keys ${key} are active, but the user has no MFA device the CLI can use` +
        (devices.length > 0 ? " (only U2F/FIDO security keys)" : "") +
        ": assign an authenticator app or TOTP token in the IAM console.",
    );
  }
  return ok(`${where}: the keys ${key} are active (AWS answered ListMFADevices).`);
}

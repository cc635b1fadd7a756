/**
 * The login flow, shared by every command that needs a valid session, in one
 * pass of named steps: read the file, skip while the stored session is valid,
 * choose (the source's keys, the role, the duration, the code's source, the
 * AWS call's settings), then exchange a code with STS under the file's lock
 * and write the session there.
 *
 * @module
 */
import {
  checkProfileName,
  describeCredentialVariables,
  editableIni,
  loadIniView,
  locateFiles,
} from "../aws/shared_files.ts";
import { sampleSourceSection, type SourceProfile } from "../aws/source_profile.ts";
import {
  longTermTargetError,
  readStoredSession,
  type SessionCredentials,
  STORED_SESSION_KEYS,
  validSession,
} from "../aws/stored_session.ts";
import type { AwsFiles } from "../aws/shared_files.ts";
import { sourceSectionOf } from "../aws/profile_names.ts";
import {
  ASSUME_ROLE_SECONDS,
  checkDuration,
  REFRESH_MARGIN_SECONDS,
  SESSION_TOKEN_SECONDS,
} from "../aws/limits.ts";
import type { CallSettings } from "../aws/api/call_settings.ts";
import type { Context } from "../core/context.ts";
import { ConfigError } from "../core/errors.ts";
import type { Fingerprint } from "../files/fingerprint.ts";
import type { IniDocument, IniView } from "../ini/mod.ts";
import { checkRoleSetting } from "../aws/role_settings.ts";
import { checkWritable, readFileIfExists } from "../files/safe_file.ts";
import type { ExchangeOutcome, ExchangePlan } from "./code_exchange.ts";

/** What the user asked for. */
export interface RefreshRequest {
  /** The target profile, e.g. `george`. */
  profile: string;
  /** The section with the long-term keys; `{profile}mfa` when absent. */
  sourceSection?: string;
  /** `--code` (`-` for stdin). */
  code?: string;
  /** `--code-command`. */
  codeCommand?: string;
  /** `--duration` in seconds, already parsed. */
  durationSeconds?: number;
  /** `--region`. */
  region?: string;
  /** `--role-arn`. */
  roleArn?: string;
  /** Skip while the stored session is valid for more than this (default 15 min). */
  minRemainingSeconds?: number;
  /** Renew even when the stored session is valid. */
  force?: boolean;
  /**
   * Take the file's lock before asking for the code and hold it until the
   * session is written, so that runs started together (an SDK calling
   * `credential_process` from several threads) ask once: the others wait,
   * then find the fresh session. Waits up to `PROMPT_LOCK_TIMEOUT_MS` (aws/shared_files.ts).
   */
  lockBeforeCode?: boolean;
}

/** What happened. */
export type RefreshOutcome =
  /** The stored session was valid long enough; nothing was done. */
  | { kind: "valid"; session: SessionCredentials }
  /** A new session was written, or another run's was found meanwhile (code_exchange.ts). */
  | ExchangeOutcome;

/** The keys the skip reads: the stored session, and the source's role (for `--duration`). */
const SKIP_KEYS = [...STORED_SESSION_KEYS, "aws_secret_access_key", "role_arn"];

/** Runs the login flow for `request`. */
export async function refreshSession(
  request: RefreshRequest,
  context: Context,
): Promise<RefreshOutcome> {
  const read = await readCredentials(request, context);
  await checkRequestFlags(request, { sourceSection: read.sourceSection, doc: read.view!, context });
  const stored = validSession(read.view!, read.profile, context.now() + read.minRemainingMs);
  if (stored && !request.force) return { kind: "valid", session: stored };
  const steps = await loadRefreshSteps();
  const plan = await choosePlan(read, request, { steps, stored, context });
  return await steps.exchangeCode(plan, context);
}

/** The file as read before the skip. */
interface ReadCredentials {
  profile: string;
  sourceSection: string;
  files: AwsFiles;
  minRemainingMs: number;
  /** Let go (`null`, `undefined`) once the document is parsed: 50 MB each for a 50 MB file. */
  bytes: Uint8Array | null;
  view: IniView | undefined;
}

/** Read: the names, the file, and the quick scan of the two sections the skip reads. */
async function readCredentials(
  request: RefreshRequest,
  context: Context,
): Promise<ReadCredentials> {
  const profile = checkProfileName(request.profile);
  const sourceSection = checkProfileName(
    request.sourceSection ?? sourceSectionOf(profile),
    "Source section",
  );
  const minRemainingMs = (request.minRemainingSeconds ?? REFRESH_MARGIN_SECONDS) * 1000;
  const files = locateFiles(context);
  const bytes = await readFileIfExists(files.credentials);
  if (bytes === null) {
    throw new ConfigError(`There is no credentials file at ${files.credentials}.`, {
      fix: `Create it (mode 600) with your long-term keys:\n\n${
        sampleSourceSection(sourceSection, profile)
      }`,
    });
  }
  // The skip reads two sections: the read-only quick scan, then the document only past it.
  const view = loadIniView(bytes, files.credentials, SKIP_KEYS, {
    sections: [profile, sourceSection],
  });
  return { profile, sourceSection, files, minRemainingMs, bytes, view };
}

/** What a refresh needs past the skip, loaded only then (one import: refresh_steps.ts). */
function loadRefreshSteps() {
  return import("./refresh_steps.ts");
}

type RefreshSteps = Awaited<ReturnType<typeof loadRefreshSteps>>;

/**
 * Choose: the source's keys, the role and the duration, a file the
 * write can replace (found out now, not after STS has taken the code), the
 * code's source, the MFA device (looked up when missing), the call's settings.
 */
async function choosePlan(
  read: ReadCredentials,
  request: RefreshRequest,
  options: { steps: RefreshSteps; stored: SessionCredentials | undefined; context: Context },
): Promise<ExchangePlan> {
  const { steps, context } = options;
  const { profile, sourceSection, files } = read;
  const readBefore = await parseForEdit(read, steps);
  if (readStoredSession(readBefore.doc, profile).kind === "long-term") {
    throw longTermTargetError(profile, sourceSection, files.credentials);
  }
  // From the keystore the section names, or from the file.
  const source = await steps.readSourceKeys(readBefore.doc, sourceSection, {
    path: files.credentials,
    target: profile,
    requireSerial: false,
    context,
  });
  const roleArn = request.roleArn ?? source.roleArn;
  const durationSeconds = chooseDuration(request, source, roleArn !== undefined);
  await checkWritable(files.credentials);
  const codeSource = steps.chooseCodeSource({
    code: request.code,
    codeCommand: request.codeCommand,
    mfaProcess: source.mfaProcess,
    section: sourceSection,
    commandTimeout: context.env("AWSMFA_CODE_TIMEOUT"),
  });
  // No mfa_serial: at a terminal, look the device up (iam:ListMFADevices) and save it.
  source.mfaSerial ??= await (await import("./mfa_discovery.ts")).offerDeviceDiscovery({
    profile,
    sourceSection,
    keys: source,
    sourceRegion: source.region,
    regionFlag: request.region,
    files,
  }, context);
  warnAboutEnvironment(context, profile);
  const call = await chooseCall(source, request, { read, steps, context });
  const plan: ExchangePlan = {
    profile,
    sourceSection,
    path: files.credentials,
    minRemainingMs: read.minRemainingMs,
    stored: options.stored,
    readBefore,
    source,
    serial: source.mfaSerial,
    roleArn,
    durationSeconds,
    codeSource,
    call,
    lockBeforeCode: request.lockBeforeCode ?? false,
  };
  if (context.verbose) context.stderr(describePlan(plan));
  return plan;
}

/**
 * The editable document of the file read before the skip, with the
 * fingerprint of its bytes; the bytes and the quick scan are let go first.
 */
async function parseForEdit(
  read: ReadCredentials,
  steps: RefreshSteps,
): Promise<{ doc: IniDocument; fingerprint: Fingerprint }> {
  const fingerprint = await steps.fingerprintOf(read.bytes!);
  read.bytes = null;
  const doc = editableIni(read.view!, read.files.credentials);
  read.view = undefined;
  return { doc, fingerprint };
}

/** The STS call's region, endpoint and time limit; its warning, if any, on stderr. */
async function chooseCall(
  source: SourceProfile,
  request: RefreshRequest,
  options: { read: ReadCredentials; steps: RefreshSteps; context: Context },
): Promise<CallSettings> {
  const { read, steps, context } = options;
  const call = await steps.resolveCallSettings("sts", {
    profile: read.profile,
    sourceSection: read.sourceSection,
    sourceRegion: source.region,
    mfaSerial: source.mfaSerial,
    regionFlag: request.region,
  }, { files: read.files, context });
  if (call.warning) context.stderr(`awsmfa: warning: ${call.warning}\n`);
  return call;
}

function describePlan(plan: ExchangePlan): string {
  const { call } = plan;
  return `awsmfa: source [${plan.sourceSection}], target [${plan.profile}], MFA device ` +
    `${plan.serial}, region ${call.region} (${call.regionSource}), endpoint ${call.endpoint}, ` +
    `duration ${plan.durationSeconds} s${plan.roleArn ? `, role ${plan.roleArn}` : ""}\n`;
}

/**
 * Checks the flags before the skip: a malformed flag is refused even while
 * the stored session is valid (the skip would hide the mistake until the day
 * a refresh is due). A duration is held against AssumeRole's limits when the
 * source section names a role; the rest of that section is checked later.
 */
async function checkRequestFlags(
  request: RefreshRequest,
  options: { sourceSection: string; doc: IniView; context: Context },
): Promise<void> {
  const { sourceSection, doc, context } = options;
  if (request.roleArn !== undefined) {
    checkRoleSetting("role_arn", request.roleArn, { flag: "--role-arn" });
  }
  if (request.durationSeconds !== undefined) {
    const role = request.roleArn !== undefined || !!doc.get(sourceSection, "role_arn");
    checkDuration(request.durationSeconds, { role });
  }
  // The modules that own these rules load only when the flags are given.
  if (request.region !== undefined) {
    (await import("../aws/endpoints.ts")).chooseRegion({ flag: request.region });
  }
  if (request.code !== undefined || request.codeCommand !== undefined) {
    (await import("./code_source.ts")).chooseCodeSource({
      code: request.code,
      codeCommand: request.codeCommand,
      section: sourceSection,
      commandTimeout: context.env("AWSMFA_CODE_TIMEOUT"),
    });
  }
}

function chooseDuration(request: RefreshRequest, source: SourceProfile, role: boolean): number {
  if (request.durationSeconds !== undefined) {
    return checkDuration(request.durationSeconds, { role });
  }
  if (source.durationSeconds === undefined) {
    return role ? ASSUME_ROLE_SECONDS.default : SESSION_TOKEN_SECONDS.default;
  }
  return checkDuration(source.durationSeconds, { role, section: source.section });
}

function warnAboutEnvironment(context: Context, profile: string): void {
  const warning = describeCredentialVariables((name) => context.env(name), `profile ${profile}`);
  if (warning) context.stderr(`awsmfa: warning: ${warning}\n`);
}

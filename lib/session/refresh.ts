/**
 * The login flow, shared by every command that needs a valid session:
 * read the files, skip while the stored session is valid, get a code, call
 * STS under the file's lock, write the session. One pass, no back and forth.
 *
 * @module
 */
import {
  checkProfileName,
  describeCredentialVariables,
  editableIni,
  loadIni,
  loadIniView,
  locateFiles,
  longTermTargetError,
  readSourceProfile,
  readStoredSession,
  sampleSourceSection,
  type SessionCredentials,
  SOURCE_SUFFIX,
  type SourceProfile,
  STORED_SESSION_KEYS,
  writeSession,
} from "../aws/shared_files.ts";
import type { Context } from "../core/context.ts";
import { ConfigError, InvalidCodeError, UsageError } from "../core/errors.ts";
import type { IniDocument, IniView } from "../ini/mod.ts";
import { checkRoleSetting } from "../aws/role_settings.ts";
import {
  checkWritable,
  type LockedFile,
  readFileIfExists,
  withFileLock,
} from "../files/safe_file.ts";

/** GetSessionToken's limits for IAM users, and our default. */
export const DURATION_LIMITS = { min: 900, max: 129_600, default: 43_200 } as const;
/** AssumeRole's limits (the role's own maximum may be lower) and default. */
export const ROLE_DURATION_LIMITS = { min: 900, max: 43_200, default: 3_600 } as const;
/** How long the stored session must still be valid to skip the refresh, by default. */
export const DEFAULT_MIN_REMAINING_SECONDS = 15 * 60;
/** How many codes the prompt accepts before giving up. */
const MAX_PROMPT_TRIES = 3;
/** How long to wait for another run holding the lock (it may be calling STS). */
const LOCK_TIMEOUT_MS = 30_000;
/** How long a `lockBeforeCode` run waits for another one (which may be waiting for its user). */
export const PROMPT_LOCK_TIMEOUT_MS = 120_000;

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
  /** Skip while the stored session is valid for more than this. */
  minRemainingSeconds?: number;
  /** Renew even when the stored session is valid. */
  force?: boolean;
  /**
   * Take the file's lock before asking for the code and hold it until the
   * session is written, so that runs started together (an SDK calling
   * `credential_process` from several threads) ask once: the others wait,
   * then find the fresh session. Waits up to {@link PROMPT_LOCK_TIMEOUT_MS}.
   */
  lockBeforeCode?: boolean;
}

/** What happened. */
export type RefreshOutcome =
  /** The stored session was valid long enough; nothing was done. */
  | { kind: "valid"; session: SessionCredentials }
  /** A new session was written. */
  | { kind: "refreshed"; session: SessionCredentials }
  /** Another run wrote a fresh session while this one waited; the code was not used. */
  | { kind: "refreshed-elsewhere"; session: SessionCredentials };

/** The keys the skip reads: the stored session, and the source's role (for `--duration`). */
const SKIP_KEYS = [...STORED_SESSION_KEYS, "aws_secret_access_key", "role_arn"];

/** Runs the login flow for `request`. */
export async function refreshSession(
  request: RefreshRequest,
  context: Context,
): Promise<RefreshOutcome> {
  const profile = checkProfileName(request.profile);
  const sourceSection = checkProfileName(
    request.sourceSection ?? profile + SOURCE_SUFFIX,
    "Source section",
  );
  const minRemainingMs = (request.minRemainingSeconds ?? DEFAULT_MIN_REMAINING_SECONDS) * 1000;
  const files = locateFiles(context);
  let bytes = await readFileIfExists(files.credentials);
  if (bytes === null) {
    throw new ConfigError(`There is no credentials file at ${files.credentials}.`, {
      fix: `Create it (mode 600) with your long-term keys:\n\n${
        sampleSourceSection(sourceSection, profile)
      }`,
    });
  }
  // The skip reads two sections: the read-only quick scan, then the document only past it.
  let view: IniView | undefined = loadIniView(bytes, files.credentials, SKIP_KEYS, {
    sections: [profile, sourceSection],
  });
  await checkRequestFlags(request, { sourceSection, doc: view, context });
  const validUntil = () => context.now() + minRemainingMs;
  const before = validSession(view, profile, validUntil());
  if (before && !request.force) return { kind: "valid", session: before };
  const doc = editableIni(view, files.credentials);
  // From here on the document holds the text: let the bytes and the scan go (50 MB for 50 MB).
  bytes = null;
  view = undefined;
  // Another run may write a fresh session while this one waits for the lock.
  const refreshedElsewhere = (current: IniDocument): RefreshOutcome | undefined => {
    const fresh = validSession(current, profile, validUntil());
    return fresh && fresh.sessionToken !== before?.sessionToken
      ? { kind: "refreshed-elsewhere", session: fresh }
      : undefined;
  };

  const stored = readStoredSession(doc, profile);
  if (stored.kind === "long-term") {
    throw longTermTargetError(profile, sourceSection, files.credentials);
  }
  const source = readSourceProfile(doc, sourceSection, {
    path: files.credentials,
    target: profile,
    requireSerial: false,
  });
  const roleArn = request.roleArn ?? source.roleArn;
  const durationSeconds = chooseDuration(request, source, roleArn !== undefined);
  // A file that cannot be replaced is found out now, not after STS has taken the code.
  await checkWritable(files.credentials);
  // Past the skip: what a refresh needs is loaded only now, so the skip path loads less.
  const [
    { chooseCodeSource, openCodeReader },
    { assumeRole, getSessionToken, preloadSdk },
    { callOptionsFor, resolveCallSettings },
  ] = await Promise.all([
    import("./code_source.ts"),
    import("../aws/api/sts.ts"),
    import("../aws/api/call_settings.ts"),
  ]);
  const codeSource = chooseCodeSource({
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
  const serial = source.mfaSerial;
  warnAboutEnvironment(context, profile);
  const call = await resolveCallSettings("sts", {
    profile,
    sourceSection,
    sourceRegion: source.region,
    mfaSerial: source.mfaSerial,
    regionFlag: request.region,
  }, { files, context });
  if (call.warning) context.stderr(`awsmfa: warning: ${call.warning}\n`);
  if (context.verbose) {
    context.stderr(
      `awsmfa: source [${sourceSection}], target [${profile}], MFA device ${serial}, ` +
        `region ${call.region} (${call.regionSource}), endpoint ${call.endpoint}, ` +
        `duration ${durationSeconds} s${roleArn ? `, role ${roleArn}` : ""}\n`,
    );
  }

  const lockOptions = {
    timeoutMs: request.lockBeforeCode ? PROMPT_LOCK_TIMEOUT_MS : LOCK_TIMEOUT_MS,
    onWait: (lockPath: string) =>
      context.stderr(`awsmfa: waiting for another awsmfa run to finish (lock ${lockPath})\n`),
    warn: (message: string) => context.stderr(`awsmfa: warning: ${message}\n`),
  };
  type WithLock = <T>(fn: (file: LockedFile) => Promise<T>) => Promise<T>;
  const exchangeCode = async (withLock: WithLock): Promise<RefreshOutcome> => {
    const reader = await openCodeReader(codeSource, context.stderr);
    try {
      let rejected: string | undefined;
      for (let attempt = 1;; attempt++) {
        const code = await reader.read({
          label: `MFA code for ${profile}: `,
          onWaiting: preloadSdk,
        });
        if (code === rejected) {
          reader.say(
            "That is the code AWS just rejected; each code works once. Wait for the next one.",
          );
          attempt--;
          continue;
        }
        try {
          return await withLock(async (file) => {
            const current = loadIni(await file.read(), files.credentials);
            const now = readStoredSession(current, profile);
            if (now.kind === "long-term") {
              throw longTermTargetError(profile, sourceSection, files.credentials);
            }
            const elsewhere = refreshedElsewhere(current);
            if (elsewhere) return elsewhere;
            const callOptions = callOptionsFor(call, { sourceSection, now: context.now });
            const session: SessionCredentials = roleArn
              ? await assumeRole(source, {
                roleArn,
                roleSessionName: source.roleSessionName ?? defaultSessionName(profile),
                serialNumber: serial,
                tokenCode: code,
                durationSeconds,
                externalId: source.externalId,
              }, callOptions)
              : await getSessionToken(source, {
                serialNumber: serial,
                tokenCode: code,
                durationSeconds,
              }, callOptions);
            writeSession(current, profile, session);
            await file.replace(new TextEncoder().encode(current.toString()));
            return { kind: "refreshed", session };
          });
        } catch (error) {
          if (!(error instanceof InvalidCodeError) || !reader.interactive) throw error;
          if (attempt >= MAX_PROMPT_TRIES) throw error;
          reader.say(`${error.message} Wait for the next code (${attempt}/${MAX_PROMPT_TRIES}).`);
          rejected = code;
        }
      }
    } finally {
      reader.close();
    }
  };
  if (!request.lockBeforeCode) {
    return await exchangeCode((fn) => withFileLock(files.credentials, fn, lockOptions));
  }
  return await withFileLock(files.credentials, async (held) => {
    const elsewhere = refreshedElsewhere(loadIni(await held.read(), files.credentials));
    return elsewhere ?? await exchangeCode((fn) => fn(held));
  }, lockOptions);
}

/** The stored session of `section` if it is valid until at least `until` (ms). */
export function validSession(
  doc: IniView,
  section: string,
  until: number,
): SessionCredentials | undefined {
  const stored = readStoredSession(doc, section);
  if (stored.kind !== "session" || !stored.expiration) return undefined;
  if (stored.expiration.getTime() <= until) return undefined;
  const text = (key: string) => {
    const value = doc.get(section, key);
    return typeof value === "string" ? value : "";
  };
  return {
    accessKeyId: stored.accessKeyId,
    secretAccessKey: text("aws_secret_access_key"),
    sessionToken: text("aws_session_token"),
    expiration: stored.expiration,
  };
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
    return role ? ROLE_DURATION_LIMITS.default : DURATION_LIMITS.default;
  }
  return checkDuration(source.durationSeconds, { role, section: source.section });
}

/**
 * `seconds` when the call accepts it; else a usage error for `--duration`,
 * or a file error for `duration_seconds` in `section` when given.
 */
function checkDuration(seconds: number, options: { role: boolean; section?: string }): number {
  const limits = options.role ? ROLE_DURATION_LIMITS : DURATION_LIMITS;
  if (seconds >= limits.min && seconds <= limits.max) return seconds;
  const where = options.section === undefined
    ? "--duration"
    : `duration_seconds in [${options.section}]`;
  const message = `${where} is ${seconds} s; ${
    options.role ? "AssumeRole" : "GetSessionToken"
  } accepts ${limits.min} to ${limits.max} s.`;
  const fix = `Use a value from ${limits.min} (15m) to ${limits.max} (${limits.max / 3600}h).`;
  throw options.section === undefined
    ? new UsageError(message, { fix })
    : new ConfigError(message, { fix });
}

function defaultSessionName(profile: string): string {
  const name = `awsmfa-${profile}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return name.length >= 2 ? name : "awsmfa";
}

function warnAboutEnvironment(context: Context, profile: string): void {
  const warning = describeCredentialVariables((name) => context.env(name), `profile ${profile}`);
  if (warning) context.stderr(`awsmfa: warning: ${warning}\n`);
}

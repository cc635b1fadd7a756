/**
 * The last steps of a login, past the skip: exchange a code with STS and
 * write the session, each code tried under the credentials file's lock (or
 * every code under one lock taken first: `lockBeforeCode`). Loaded by
 * `refresh.ts` only when a refresh is due.
 *
 * @module
 */
import {
  CREDENTIALS_LOCK_TIMEOUT_MS,
  type LockedCredentials,
  PROMPT_LOCK_TIMEOUT_MS,
  withLockedCredentials,
} from "../aws/shared_files.ts";
import { type SourceProfile } from "../aws/source_profile.ts";
import {
  longTermTargetError,
  readStoredSession,
  type SessionCredentials,
  validSession,
  writeSession,
} from "../aws/stored_session.ts";
import { assumeRole, getSessionToken, preloadSdk } from "../aws/api/sts.ts";
import { callOptionsFor, type CallSettings } from "../aws/api/call_settings.ts";
import type { Context } from "../core/context.ts";
import { InvalidCodeError } from "../core/errors.ts";
import type { Fingerprint } from "../files/fingerprint.ts";
import type { IniDocument } from "../ini/mod.ts";
import { type CodeSource, openCodeReader } from "./code_source.ts";

/** How many codes the prompt accepts before giving up. */
const MAX_PROMPT_TRIES = 3;

/** Everything chosen before the code is asked for. */
export interface ExchangePlan {
  /** The target section, e.g. `george`, and the source, e.g. `georgemfa`. */
  profile: string;
  sourceSection: string;
  /** The credentials file. */
  path: string;
  /** A session valid for less than this (ms) is not another run's fresh one. */
  minRemainingMs: number;
  /** The session stored before (valid, renewed by --force), to tell another run's from it. */
  stored: SessionCredentials | undefined;
  /** The document read before the lock, reused under it while the file is unchanged. */
  readBefore: { doc: IniDocument; fingerprint: Fingerprint };
  source: SourceProfile;
  serial: string;
  roleArn: string | undefined;
  durationSeconds: number;
  codeSource: CodeSource;
  call: CallSettings;
  /** Take the lock before the first code (see `RefreshRequest.lockBeforeCode`). */
  lockBeforeCode: boolean;
}

/** What the exchange did. */
export type ExchangeOutcome =
  /** A new session was written. */
  | { kind: "refreshed"; session: SessionCredentials }
  /** Another run wrote a fresh session while this one waited; the code was not used. */
  | { kind: "refreshed-elsewhere"; session: SessionCredentials };

/** Reads codes until STS takes one, and writes the session it gives. */
export async function exchangeCode(plan: ExchangePlan, context: Context): Promise<ExchangeOutcome> {
  const lockOptions = {
    context,
    timeoutMs: plan.lockBeforeCode ? PROMPT_LOCK_TIMEOUT_MS : CREDENTIALS_LOCK_TIMEOUT_MS,
    readBefore: plan.readBefore,
  };
  const exchange = (file: LockedCredentials, code: string) =>
    exchangeUnderLock(file, code, { plan, context });
  if (!plan.lockBeforeCode) {
    return await readCodes(
      plan,
      context,
      (code) => withLockedCredentials(plan.path, (file) => exchange(file, code), lockOptions),
    );
  }
  return await withLockedCredentials(plan.path, async (file) => {
    const elsewhere = refreshedElsewhere(await file.load(), plan, context);
    return elsewhere ?? await readCodes(plan, context, (code) => exchange(file, code));
  }, lockOptions);
}

/**
 * Reads a code and passes it to `tryCode`; at a prompt, a code AWS rejects
 * is asked for again (the same code is refused at once), up to
 * {@link MAX_PROMPT_TRIES} codes.
 */
async function readCodes(
  plan: ExchangePlan,
  context: Context,
  tryCode: (code: string) => Promise<ExchangeOutcome>,
): Promise<ExchangeOutcome> {
  const reader = await openCodeReader(plan.codeSource, context.stderr, context);
  try {
    let rejected: string | undefined;
    for (let attempt = 1;; attempt++) {
      const code = await reader.read({
        label: `MFA code for ${plan.profile}: `,
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
        return await tryCode(code);
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
}

/**
 * With the lock held: the file as it is now (another run may have written a
 * fresh session meanwhile: then the code is not spent), the STS call, the
 * session written into the target section, saved once.
 */
async function exchangeUnderLock(
  file: LockedCredentials,
  code: string,
  options: { plan: ExchangePlan; context: Context },
): Promise<ExchangeOutcome> {
  const { plan, context } = options;
  const doc = await file.load();
  if (readStoredSession(doc, plan.profile).kind === "long-term") {
    throw longTermTargetError(plan.profile, plan.sourceSection, plan.path);
  }
  const elsewhere = refreshedElsewhere(doc, plan, context);
  if (elsewhere) return elsewhere;
  const session = await callSts(plan, code, context);
  writeSession(doc, plan.profile, session);
  await file.save(doc);
  return { kind: "refreshed", session };
}

/** GetSessionToken, or AssumeRole when the plan names a role. */
async function callSts(
  plan: ExchangePlan,
  code: string,
  context: Context,
): Promise<SessionCredentials> {
  const options = callOptionsFor(plan.call, {
    sourceSection: plan.sourceSection,
    now: context.now,
  });
  const { source, serial, durationSeconds, roleArn } = plan;
  if (!roleArn) {
    return await getSessionToken(source, {
      serialNumber: serial,
      tokenCode: code,
      durationSeconds,
    }, options);
  }
  return await assumeRole(source, {
    roleArn,
    roleSessionName: source.roleSessionName ?? defaultSessionName(plan.profile),
    serialNumber: serial,
    tokenCode: code,
    durationSeconds,
    externalId: source.externalId,
  }, options);
}

/** The fresh session another run wrote while this one waited, if any. */
function refreshedElsewhere(
  doc: IniDocument,
  plan: ExchangePlan,
  context: Context,
): ExchangeOutcome | undefined {
  const fresh = validSession(doc, plan.profile, context.now() + plan.minRemainingMs);
  return fresh && fresh.sessionToken !== plan.stored?.sessionToken
    ? { kind: "refreshed-elsewhere", session: fresh }
    : undefined;
}

function defaultSessionName(profile: string): string {
  const name = `awsmfa-${profile}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return name.length >= 2 ? name : "awsmfa";
}

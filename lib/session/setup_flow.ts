/**
 * Setup's use case before the login: find the MFA device first, with the
 * long-term keys wherever they are (`[george]`, or already `[georgemfa]`),
 * then move the keys and record the device in ONE locked write that reads
 * the file again and re-checks what discovery relied on. A failure anywhere
 * (no usable device, an IAM or network error, a cancelled menu, a file
 * problem) leaves the file byte-identical, and its message says so.
 *
 * @module
 */
import { type AwsFiles, loadIni, locateFiles, withLockedCredentials } from "../aws/shared_files.ts";
import { checkDuration } from "../aws/limits.ts";
import type { Context } from "../core/context.ts";
import { AwsmfaError, CancelledError, ConfigError } from "../core/errors.ts";
import { chooseCodeSource } from "./code_source.ts";
import { type RefreshOutcome, refreshSession } from "./refresh.ts";
import { checkSerialFlag, findMfaDevice } from "./mfa_discovery.ts";
import { readFileIfExists } from "../files/safe_file.ts";
import {
  hasOwnLongTermKeys,
  keysInBothError,
  keystoreOf,
  type LongTermKeyPair,
} from "../aws/keystore_setting.ts";
import { openTerminal } from "../terminal/terminal.ts";
import { keysFromKeystore, openKeystore } from "./source_keys.ts";
import { storeKeys, usableKeystore } from "./keystore_keys.ts";
import {
  editForSetup,
  type MoveOutcome,
  type SetupPlan,
  type SetupSettings,
} from "./setup_move.ts";

/** What `awsmfa setup` asks for. */
export interface SetupRequest {
  /** The target profile, e.g. `george`. */
  profile: string;
  /** The source section, e.g. `georgemfa`. */
  sourceSection: string;
  /** `--serial`: the device to use, checked against the user's devices. */
  serial?: string;
  /** `--duration`, saved as `duration_seconds`. */
  durationSeconds?: number;
  /** `--region`. */
  regionFlag?: string;
}

/** What setup did to the credentials file. */
export interface SetupResult {
  /** The key move (`already` when the source section held the keys). */
  move: MoveOutcome;
  /** The MFA device now in `mfa_serial`. */
  serial: string;
  /** Whether `mfa_serial` was written (it was missing or another device was chosen). */
  serialSaved: boolean;
  /**
   * The keystore holding the long-term keys, if one does: `moved` when setup
   * put them there (`--keystore`, or yes at the question), else they were.
   */
  keystore?: { backend: string; moved: boolean };
}

/** `awsmfa setup`'s request: the setup, and the login's code flags. */
export interface SetupAndLoginRequest extends SetupRequest {
  /** `--code` for the login (`-` for stdin). */
  code?: string;
  /** `--code-command` for the login. */
  codeCommand?: string;
  /**
   * `--keystore[=NAME]`: move the keys into a keystore (`true`: the default
   * one) after the setup. Undefined: asked at a terminal when the OS's
   * keystore (or AWSMFA_KEYSTORE's) answers; never without a terminal.
   */
  keystore?: string | true;
}

/**
 * `awsmfa setup`: checks the flags first (a wrong one found at the login
 * would come after the write), sets up ({@link setUpMfa}), tells `onSetUp`
 * what it did (before the login asks for a code), then logs in.
 */
export async function setUpAndLogIn(
  request: SetupAndLoginRequest,
  options: { context: Context; onSetUp: (done: SetupResult, files: AwsFiles) => void },
): Promise<RefreshOutcome> {
  const { context } = options;
  if (request.durationSeconds !== undefined) {
    checkDuration(request.durationSeconds, { role: false });
  }
  chooseCodeSource({
    code: request.code,
    codeCommand: request.codeCommand,
    section: request.sourceSection,
    commandTimeout: context.env("AWSMFA_CODE_TIMEOUT"),
  });
  const files = locateFiles(context);
  // A keystore asked for must answer before anything is written.
  const named = request.keystore === undefined
    ? undefined
    : await usableKeystore(request.keystore === true ? undefined : request.keystore, context);
  const done = await setUpMfa(request, { files, context });
  if (done.keystore === undefined) {
    const backend = named?.name ?? await offerKeystore(request, context);
    if (backend !== undefined) {
      await storeKeys({ profile: request.profile, backend }, context).catch((error) => {
        if (!(error instanceof AwsmfaError) || error instanceof CancelledError) throw error;
        throw new SetupNotDoneError(
          error,
          `The setup is saved; [${request.sourceSection}] keeps the long-term keys ('awsmfa ` +
            `keys store ${request.profile}' moves them once the keystore works).`,
        );
      });
      done.keystore = { backend, moved: true };
    }
  }
  options.onSetUp(done, files);
  return await refreshSession({
    profile: request.profile,
    sourceSection: request.sourceSection,
    code: request.code,
    codeCommand: request.codeCommand,
    region: request.regionFlag,
  }, context);
}

/**
 * Discovers the MFA device, then moves the keys and saves `mfa_serial` (and
 * `duration_seconds`) in one locked write; writes nothing when nothing is
 * left to do. Every error thrown leaves the file as it was and says so.
 */
export async function setUpMfa(
  request: SetupRequest,
  options: { files: AwsFiles; context: Context },
): Promise<SetupResult> {
  const path = options.files.credentials;
  let plan: FlowPlan | undefined;
  try {
    if (request.serial !== undefined) checkSerialFlag(request.serial);
    plan = await readPlan(await readFileIfExists(path), request, options);
    const known = plan.source.mfaSerial;
    const serial = request.serial === undefined && known !== undefined
      ? known
      : await findMfaDevice({
        profile: request.profile,
        sourceSection: request.sourceSection,
        keys: plan.source,
        keysSection: plan.keysSection,
        sourceRegion: plan.source.region,
        regionFlag: request.regionFlag,
        serial: request.serial,
      }, options);
    const settings: SetupSettings = {
      serial: serial !== known ? serial : undefined,
      durationSeconds: request.durationSeconds,
    };
    const needsWrite = plan.move.kind === "moved" || settings.serial !== undefined ||
      settings.durationSeconds !== undefined;
    const move = needsWrite ? await writeSetup(plan, settings, request, options) : plan.move;
    const result: SetupResult = { move, serial, serialSaved: settings.serial !== undefined };
    if (plan.keystore) result.keystore = { backend: plan.keystore.backend, moved: false };
    return result;
  } catch (error) {
    throw nothingChanged(error, path, plan);
  }
}

/** Setup's plan, and the keystore the source section keeps its keys in, if any. */
type FlowPlan = SetupPlan & { keystore?: { backend: string; keys: LongTermKeyPair } };

/**
 * The plan for the file's `bytes`: where the keys are (the keystore's, when
 * the source section names one) and what the source section holds.
 */
async function readPlan(
  bytes: Uint8Array | null,
  request: SetupRequest,
  options: { files: AwsFiles; context: Context },
): Promise<FlowPlan> {
  const path = options.files.credentials;
  if (bytes === null) {
    throw new ConfigError(`There is no credentials file at ${path}.`, {
      fix: `Put your IAM user's access key in [${request.profile}] ('aws configure ` +
        `--profile ${request.profile}'), then run 'awsmfa setup ${request.profile}' again.`,
    });
  }
  const doc = loadIni(bytes, path);
  const backend = keystoreOf(doc, request.sourceSection);
  if (backend === undefined || !doc.sections().includes(request.sourceSection)) {
    return editForSetup(doc, { ...request, path });
  }
  if (hasOwnLongTermKeys(doc, request.sourceSection)) {
    throw keysInBothError(request.sourceSection, backend, path);
  }
  const keys = await keysFromKeystore(backend, {
    section: request.sourceSection,
    path,
    context: options.context,
  });
  return { ...editForSetup(doc, { ...request, path, keys }), keystore: { backend, keys } };
}

/**
 * At a terminal, when the keys are in the file and the keystore
 * AWSMFA_KEYSTORE names (else the OS's own) answers: asks whether to move
 * them there, and resolves to its name on yes. Never asks without a terminal.
 */
async function offerKeystore(
  request: SetupRequest,
  context: Context,
): Promise<string | undefined> {
  const name = context.env("AWSMFA_KEYSTORE") ??
    (await import("../keystore/mod.ts")).nativeBackend(Deno.build.os);
  const terminal = await openTerminal(context);
  if (terminal === undefined) return undefined;
  try {
    const keystore = await openKeystore(name, context);
    if (!(await keystore.available()).ok) return undefined;
    const { chooseFromMenu } = await import("../terminal/menu_terminal.ts");
    const choice = await chooseFromMenu(
      terminal,
      `Keep the long-term keys of ${request.profile} in the ${keystore.name} keystore ` +
        "instead of the credentials file?",
      [
        { label: `Yes: move them into the ${keystore.name} keystore` },
        { label: `No: keep them in [${request.sourceSection}]` },
      ],
    );
    return choice === 0 ? keystore.name : undefined;
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    throw new CancelledError(
      `Cancelled; setup is saved and [${request.sourceSection}] keeps the long-term keys ` +
        `('awsmfa keys store ${request.profile}' moves them later).`,
    );
  } finally {
    terminal.close();
  }
}

/**
 * The one write: under the lock, reads the file again, refuses when the keys
 * or `mfa_serial` differ from what discovery used, edits, replaces once.
 */
async function writeSetup(
  plan: FlowPlan,
  settings: SetupSettings,
  request: SetupRequest,
  options: { files: AwsFiles; context: Context },
): Promise<MoveOutcome> {
  const path = options.files.credentials;
  return await withLockedCredentials(path, async (file) => {
    const doc = await file.load();
    // The keystore's keys while the section still names that keystore.
    const keys = plan.keystore && keystoreOf(doc, request.sourceSection) === plan.keystore.backend
      ? plan.keystore.keys
      : undefined;
    const current = file.exists
      ? editForSetup(doc, { ...request, path, keys }, settings)
      : undefined;
    if (
      current === undefined ||
      current.source.accessKeyId !== plan.source.accessKeyId ||
      current.source.secretAccessKey !== plan.source.secretAccessKey ||
      current.source.mfaSerial !== plan.source.mfaSerial
    ) {
      throw new ConfigError(
        `${path} changed while awsmfa was looking up your MFA device (the long-term keys or ` +
          `mfa_serial for [${request.profile}] are not what they were).`,
        { fix: `Run 'awsmfa setup ${request.profile}' again.` },
      );
    }
    await file.save(doc);
    return current.move;
  }, { context: options.context });
}

/** A setup error that left the file as it was: the original, with a note saying so. */
class SetupNotDoneError extends AwsmfaError {
  override readonly exitCode: number;

  constructor(error: AwsmfaError, note: string) {
    super(error.message, { fix: error.fix ? `${error.fix}\n${note}` : note, cause: error.cause });
    this.exitCode = error.exitCode;
  }
}

/** `error` with the note that nothing changed, unless it says so itself. */
function nothingChanged(error: unknown, path: string, plan: SetupPlan | undefined): unknown {
  if (!(error instanceof AwsmfaError) || error instanceof CancelledError) return error;
  const text = `${error.message}\n${error.fix ?? ""}`;
  if (/nothing was (changed|written)|changed nothing|was not changed/i.test(text)) return error;
  return new SetupNotDoneError(
    error,
    plan?.move.kind === "moved"
      ? `Nothing was changed: [${plan.keysSection}] in ${path} still holds the long-term keys.`
      : `Nothing was changed in ${path}.`,
  );
}

/**
 * Finding the user's MFA device with `iam:ListMFADevices` (allowed without
 * MFA, no `iam:GetUser` needed) and saving it as `mfa_serial` in the source
 * section: one device is used, several are offered in a terminal menu (or
 * picked with `--serial`), U2F/FIDO security keys are listed but refused
 * (STS cannot use them). Used by `setup` and by `login` when the source
 * section has no `mfa_serial`.
 *
 * @module
 */
import type { LongTermKeys } from "../aws/api/client.ts";
import { type AwsFiles, withLockedCredentials } from "../aws/shared_files.ts";
import { sourceSectionOf } from "../aws/profile_names.ts";
import { MFA_SERIAL_PATTERN } from "../aws/limits.ts";
import { callOptionsFor, resolveCallSettings } from "../aws/api/call_settings.ts";
import type { Context } from "../core/context.ts";
import { AuthError, AwsmfaError, ConfigError, UsageError } from "../core/errors.ts";
import { listMfaDevices, type MfaDevice, mfaDeviceKind } from "../aws/api/iam.ts";
import type { MenuItem } from "../terminal/menu.ts";
import { shortKeyId } from "../aws/access_keys.ts";
import { openTerminal } from "../terminal/terminal.ts";

/** Why a U2F key is shown but cannot be chosen. */
export const U2F_NOTE = "security key: AWS accepts it in the console only, not from the CLI";

/** What to look up. */
export interface DiscoveryRequest {
  /** The target profile, e.g. `george`. */
  profile: string;
  /** The source section, e.g. `georgemfa`. */
  sourceSection: string;
  /** The long-term keys whose user's devices are listed. */
  keys: LongTermKeys;
  /** The section the keys are in now, named in messages (default: `sourceSection`). */
  keysSection?: string;
  /** The source section's `region`. */
  sourceRegion?: string;
  /** `--region`. */
  regionFlag?: string;
  /** `--serial`: the device the user chose; checked against the list. */
  serial?: string;
  /** Ask at the terminal even when there is one usable device (login's confirmation). */
  confirm?: boolean;
}

/** Where the files are and what the command may touch. */
export interface DiscoveryOptions {
  files: AwsFiles;
  context: Context;
}

/** Looks up the caller's MFA devices and resolves to the serial to use. */
export async function findMfaDevice(
  request: DiscoveryRequest,
  options: DiscoveryOptions,
): Promise<string> {
  const { context } = options;
  if (request.serial !== undefined) checkSerialFlag(request.serial);
  const keysSection = request.keysSection ?? request.sourceSection;
  const settings = await resolveCallSettings("iam", {
    profile: request.profile,
    sourceSection: request.sourceSection,
    sourceRegion: request.sourceRegion,
    regionFlag: request.regionFlag,
    mfaSerial: request.serial,
  }, options);
  if (settings.warning) context.stderr(`awsmfa: warning: ${settings.warning}\n`);
  if (context.verbose) {
    context.stderr(
      `awsmfa: ListMFADevices with ${shortKeyId(request.keys.accessKeyId)} from ` +
        `[${keysSection}] at ${settings.endpoint} (region ${settings.region})\n`,
    );
  }
  let devices: MfaDevice[];
  try {
    devices = await listMfaDevices(
      request.keys,
      callOptionsFor(settings, { sourceSection: keysSection, now: context.now }),
    );
  } catch (error) {
    if (
      request.serial !== undefined && error instanceof AuthError &&
      error.message.startsWith("AWS denied ListMFADevices")
    ) {
      context.stderr(
        "awsmfa: warning: your IAM policy does not allow iam:ListMFADevices, so --serial " +
          `${request.serial} is used unchecked.\n`,
      );
      return request.serial;
    }
    throw error;
  }
  return await chooseDevice(devices, request, context);
}

async function chooseDevice(
  devices: MfaDevice[],
  request: DiscoveryRequest,
  context: Context,
): Promise<string> {
  const owner = `The IAM user of access key ${shortKeyId(request.keys.accessKeyId)} ` +
    `(in [${request.keysSection ?? request.sourceSection}])`;
  const listing = devices.map(describeDevice).join("\n");
  if (request.serial !== undefined) {
    const match = devices.find((device) => device.serialNumber === request.serial);
    if (!match) {
      throw new UsageError(`--serial ${request.serial} is not one of your MFA devices.`, {
        fix: devices.length > 0
          ? `${owner} has:\n${listing}`
          : `${owner} has no MFA device; assign one in the IAM console first.`,
      });
    }
    return match.serialNumber;
  }
  const usable = devices.filter((device) => device.kind === "totp");
  if (devices.length === 0) {
    throw new AwsmfaError(`${owner} has no MFA device.`, {
      fix: "Assign one in the IAM console (your user, Security credentials, Assign MFA device: " +
        `an authenticator app or a hardware TOTP token), then run 'awsmfa setup ${request.profile}' ` +
        "again.",
    });
  }
  if (usable.length === 0) {
    throw new AwsmfaError(
      `${owner} has only U2F/FIDO security keys, which AWS accepts in the console but not ` +
        `from the CLI or API:\n${listing}`,
      {
        fix: "Assign an authenticator app (virtual MFA device) or a hardware TOTP token to your " +
          `user as well (a user may have up to 8), then run 'awsmfa setup ${request.profile}' again.`,
      },
    );
  }
  for (const device of devices) {
    if (device.kind === "u2f" && usable.length === 1 && !request.confirm) {
      context.stderr(
        `awsmfa: skipping ${device.serialNumber}: a U2F/FIDO security key cannot be used ` +
          "from the CLI.\n",
      );
    }
  }
  if (usable.length === 1 && !request.confirm) return usable[0].serialNumber;

  const terminal = await openTerminal(context);
  if (!terminal) {
    throw new UsageError(
      `${owner} has ${devices.length} MFA devices, and there is no terminal to choose one:\n` +
        listing,
      {
        fix: `Pick one with --serial, e.g. awsmfa setup ${request.profile} --serial ${
          usable[0].serialNumber
        }`,
      },
    );
  }
  try {
    const items: MenuItem[] = devices.map((device) => ({
      label: device.serialNumber,
      disabled: device.kind === "u2f" ? U2F_NOTE : undefined,
    }));
    const title = usable.length === 1 && devices.length === 1
      ? `Use this MFA device for ${request.profile}?`
      : `Which MFA device should ${request.profile} use?`;
    const { chooseFromMenu } = await import("../terminal/menu_terminal.ts");
    const index = await chooseFromMenu(terminal, title, items);
    return devices[index].serialNumber;
  } finally {
    terminal.close();
  }
}

function describeDevice(device: MfaDevice): string {
  return `  ${device.serialNumber}${device.kind === "u2f" ? `  (${U2F_NOTE})` : ""}`;
}

/**
 * Checks `--serial` without calling AWS: the shape STS accepts (9–256 of
 * `[\w+=/:,.@-]`), and not a U2F/FIDO security key, which the CLI cannot use.
 */
export function checkSerialFlag(serial: string): void {
  if (!MFA_SERIAL_PATTERN.test(serial)) {
    throw new UsageError(`--serial '${serial}' is not an MFA device ARN.`, {
      fix: "Give the device's ARN, e.g. --serial arn:aws:iam::123456789012:mfa/george " +
        "('aws iam list-mfa-devices' shows yours).",
    });
  }
  if (mfaDeviceKind(serial) === "u2f") {
    throw new UsageError(`${serial} is a U2F/FIDO security key; the CLI cannot use it.`, {
      fix: "AWS accepts security keys in the console only. Choose a virtual MFA device " +
        "(authenticator app) or a hardware TOTP token.",
    });
  }
}

/** The MFA settings to save in the source section. */
export interface MfaSettings {
  serial: string;
  /** `duration_seconds`, when `--duration` was given. */
  durationSeconds?: number;
}

/**
 * Writes `mfa_serial` (and `duration_seconds`) into `sourceSection` in one
 * locked transaction; nothing else in the file changes.
 */
export async function saveMfaSettings(
  sourceSection: string,
  settings: MfaSettings,
  options: DiscoveryOptions,
): Promise<void> {
  const path = options.files.credentials;
  await withLockedCredentials(path, async (file) => {
    const doc = await file.load();
    if (!doc.sections().includes(sourceSection)) {
      throw new ConfigError(`${path} no longer has a section [${sourceSection}].`, {
        fix: "Another program changed the file meanwhile; run the command again.",
      });
    }
    doc.set(sourceSection, "mfa_serial", settings.serial);
    if (settings.durationSeconds !== undefined) {
      doc.set(sourceSection, "duration_seconds", String(settings.durationSeconds));
    }
    await file.save(doc);
  }, { context: options.context });
}

/**
 * Login's discovery, for a source section without `mfa_serial`: at a
 * terminal, looks the device up, asks to confirm, saves it and resolves to
 * it; without one, the error that says how to set it.
 */
export async function offerDeviceDiscovery(
  request: {
    profile: string;
    sourceSection: string;
    keys: LongTermKeys;
    sourceRegion?: string;
    regionFlag?: string;
    files: AwsFiles;
  },
  context: Context,
): Promise<string> {
  const terminal = await openTerminal(context);
  const setup = request.sourceSection === sourceSectionOf(request.profile)
    ? `awsmfa setup ${request.profile}`
    : "awsmfa setup";
  if (!terminal) {
    throw new ConfigError(
      `[${request.sourceSection}] in ${request.files.credentials} has no mfa_serial, and there ` +
        "is no terminal to look your MFA device up.",
      {
        fix: `Run '${setup}' once at a terminal (or '${setup} --serial ARN' anywhere), or add ` +
          `mfa_serial = arn:aws:iam::123456789012:mfa/${request.profile} to ` +
          `[${request.sourceSection}] ('aws iam list-mfa-devices' shows the ARN).`,
      },
    );
  }
  terminal.close();
  context.stderr(
    `awsmfa: [${request.sourceSection}] has no mfa_serial; looking up your MFA devices ` +
      "(iam:ListMFADevices).\n",
  );
  const options = { files: request.files, context };
  const serial = await findMfaDevice({ ...request, confirm: true }, options);
  await saveMfaSettings(request.sourceSection, { serial }, options);
  context.stderr(`awsmfa: saved mfa_serial = ${serial} in [${request.sourceSection}].\n`);
  return serial;
}

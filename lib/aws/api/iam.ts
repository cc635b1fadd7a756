/**
 * IAM behind a small interface: ListMFADevices for the caller's own user
 * (no `UserName`, so it needs no `iam:GetUser`, and MFA-enforcing policies
 * allow it without MFA). The SDK (the pre-bundled `vendor/aws_sdk.js`) is
 * imported only when the call is made; the client setup is the one STS uses
 * (`client.ts`).
 *
 * @module
 */
import { callAws, type CallOptions, loadSdk, type LongTermKeys } from "./client.ts";

/** What kind of MFA device a serial names. */
export type MfaDeviceKind =
  /** A virtual (authenticator app) or hardware TOTP device: usable with STS. */
  | "totp"
  /** A U2F/FIDO security key: the console only, never the CLI or API. */
  | "u2f";

/** One MFA device of the caller. */
export interface MfaDevice {
  /** The ARN (`arn:aws:iam::123456789012:mfa/george`) or a hardware token's serial. */
  serialNumber: string;
  kind: MfaDeviceKind;
  /** When it was assigned, if AWS said. */
  enableDate?: Date;
}

/** The kind of device `serialNumber` names (`…:u2f/…` is a security key). */
export function mfaDeviceKind(serialNumber: string): MfaDeviceKind {
  return /^arn:[^:]+:iam::[^:]*:u2f\//.test(serialNumber) ? "u2f" : "totp";
}

/** Pages read at most (a user has at most 8 devices; one page holds 100). */
const MAX_PAGES = 10;

/** Lists the MFA devices of the user the long-term `keys` belong to. */
export async function listMfaDevices(
  keys: LongTermKeys,
  options: CallOptions,
): Promise<MfaDevice[]> {
  const iam = await loadSdk();
  const devices: MfaDevice[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const command = new iam.ListMFADevicesCommand(marker ? { Marker: marker } : {});
    const output = await callAws({
      keys,
      operation: "ListMFADevices",
      usedCode: false,
      client: (config) => new iam.IAMClient(config),
      send: (client, abortSignal) => client.send(command, { abortSignal }),
    }, options);
    for (const device of output.MFADevices ?? []) {
      if (!device.SerialNumber) continue;
      devices.push({
        serialNumber: device.SerialNumber,
        kind: mfaDeviceKind(device.SerialNumber),
        enableDate: device.EnableDate,
      });
    }
    if (!output.IsTruncated || !output.Marker) break;
    marker = output.Marker;
  }
  return devices;
}

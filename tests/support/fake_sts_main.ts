/**
 * Runs the fake STS/IAM endpoint on its own, for demos and manual tries:
 *
 * ```sh
 * deno run -A tests/support/fake_sts_main.ts [--port N] [--tls]
 * ```
 *
 * It makes one IAM user with one virtual MFA device and prints ONE JSON line on stdout:
 * `{"url", "accessKeyId", "secretAccessKey", "serialNumber", "totpSecretBase32"}` (plus
 * `caCertPath` with `--tls`), then serves until it is killed (SIGINT/SIGTERM close it cleanly).
 * The fake's TOTP clock follows the wall clock here, so codes come from
 * `totpCode(base32Decode(totpSecretBase32), Date.now())` of `./totp.ts`, or any authenticator.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startFakeSts } from "./fake_sts.ts";
import { base32Encode } from "./totp.ts";

/** Starts the fake as the command line says and prints its JSON line. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "0" },
      hostname: { type: "string", default: "127.0.0.1" },
      tls: { type: "boolean", default: false },
      "user-name": { type: "string", default: "demo-user" },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`--port must be 0 to 65535, got ${values.port}`);
  }
  const sts = await startFakeSts({ port, hostname: values.hostname, tls: values.tls });
  const user = sts.addUser({ userName: values["user-name"] });
  const device = user.mfaDevices[0];
  console.log(JSON.stringify({
    url: sts.url,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    serialNumber: device.serialNumber,
    totpSecretBase32: base32Encode(device.secret, false),
    ...(sts.caCertPath ? { caCertPath: sts.caCertPath } : {}),
  }));
  const stop = async () => {
    await sts.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main(Deno.args);

/**
 * `awsmfa keys` end to end with the OS's own keystore, where there is one
 * to use without touching the user's: the macOS keychain (CI makes a
 * temporary default keychain first, see .github/workflows/ci.yml) and the
 * Windows Credential Manager. store → login (signed with the key from the
 * keystore) → restore, byte for byte. They write to the user's keystore, so
 * they run only when AWSMFA_TEST_NATIVE_KEYSTORE=1 (CI sets it); elsewhere
 * they are ignored, loudly on macOS and Windows.
 */
import { setupE2e } from "../support/e2e_env.ts";
import { roundTrip } from "./keys_support.ts";

const NATIVE: Partial<Record<typeof Deno.build.os, string>> = {
  darwin: "keychain",
  windows: "wincred",
};
const backend = NATIVE[Deno.build.os];
const optedIn = Deno.env.get("AWSMFA_TEST_NATIVE_KEYSTORE") === "1";
if (backend !== undefined && !optedIn) {
  console.warn(
    `!!! AWSMFA_TEST_NATIVE_KEYSTORE is not 1: skipping the ${backend} end-to-end tests ` +
      "(they write to your keystore; CI runs them against a temporary one)",
  );
}

Deno.test({
  name: `keys, ${
    backend ?? "OS keystore"
  }: store, login with the stored key, restore: byte-identical`,
  ignore: backend === undefined || !optedIn,
  async fn() {
    await using world = await setupE2e();
    // The keystore goes by the user's real home (macOS keeps the keychain search list
    // there); the credentials and config files stay the world's.
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
    await roundTrip(world, backend!, {
      ...(home ? { HOME: home } : {}),
      AWS_SHARED_CREDENTIALS_FILE: world.credentialsPath,
      AWS_CONFIG_FILE: world.configPath,
    });
  },
});

/** lib/aws/api/iam.ts without the network: the kinds of MFA devices. */
import assert from "node:assert/strict";
import { mfaDeviceKind } from "../../../lib/aws/api/iam.ts";

Deno.test("mfaDeviceKind: u2f ARNs are security keys; mfa ARNs and hardware serials are TOTP", () => {
  assert.equal(mfaDeviceKind("arn:aws:iam::123456789012:u2f/user/george/key-ABC"), "u2f");
  assert.equal(mfaDeviceKind("arn:aws-cn:iam::123456789012:u2f/root/key"), "u2f");
  assert.equal(mfaDeviceKind("arn:aws:iam::123456789012:mfa/george"), "totp");
  assert.equal(mfaDeviceKind("GAHT12345678"), "totp");
});

/**
 * RFC 4226 HOTP and RFC 6238 TOTP (HMAC-SHA1, 30-second steps), with RFC 4648 base32, built on
 * WebCrypto. Pure functions: the time is always passed in.
 *
 * @module
 */

/** Length of one TOTP time step, in milliseconds (AWS virtual MFA devices use 30 s). */
export const TOTP_STEP_MS = 30_000;

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * Encodes bytes as RFC 4648 base32 (upper case). Padding `=` is added unless `pad` is false;
 * AWS shows virtual MFA seeds without padding (their length is a multiple of 5 bytes).
 */
export function base32Encode(bytes: Uint8Array, pad = true): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  if (pad) { while (out.length % 8 !== 0) out += "="; }
  return out;
}

/**
 * Decodes RFC 4648 base32. Case, spaces and `-` are ignored, padding is optional (as
 * authenticator apps accept). Throws a `SyntaxError` on any other character.
 */
export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) throw new SyntaxError(`Invalid base32 character: ${JSON.stringify(char)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return new Uint8Array(out);
}

/** HMAC-SHA1 of `message` under `key`, through WebCrypto. */
async function hmacSha1(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", cryptoKey, message as Uint8Array<ArrayBuffer>),
  );
}

/**
 * RFC 4226 HOTP value for `counter`, as a zero-padded decimal string of `digits` digits.
 *
 * @param secret the shared key (raw bytes, not base32).
 * @param counter the moving factor, a non-negative safe integer.
 * @param digits 6 (the default, as AWS) to 8.
 */
export async function hotpCode(secret: Uint8Array, counter: number, digits = 6): Promise<string> {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError(`HOTP counter must be a non-negative integer, got ${counter}`);
  }
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    throw new RangeError(`HOTP digits must be 6 to 8, got ${digits}`);
  }
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = await hmacSha1(secret, message);
  const offset = mac[19] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) |
    (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The TOTP time step (counter) that contains `timeMs` (Unix epoch milliseconds). */
export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / TOTP_STEP_MS);
}

/**
 * RFC 6238 TOTP code (HMAC-SHA1, 30-second steps, T0 = 0) at `timeMs`, as the AWS virtual MFA
 * devices compute it.
 *
 * @param secret the shared key (raw bytes; use {@linkcode base32Decode} on a seed string).
 * @param timeMs Unix epoch time in milliseconds, e.g. `Date.now()`.
 * @param digits 6 (the default) to 8.
 */
export function totpCode(secret: Uint8Array, timeMs: number, digits = 6): Promise<string> {
  return hotpCode(secret, totpStep(timeMs), digits);
}

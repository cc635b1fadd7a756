/**
 * Compact JWE with a passphrase, as aws-vault's file keystore writes it:
 * `alg: PBES2-HS256+A128KW` (PBKDF2-SHA256 stretches the passphrase into an
 * AES-128 key that wraps the content key, RFC 7518 §4.8) and `enc: A256GCM`
 * (RFC 7516 §5.1). WebCrypto only; no dependency.
 *
 * @module
 */

/** The key-management algorithm written and accepted. */
export const JWE_ALG = "PBES2-HS256+A128KW";
/** The content encryption written and accepted. */
export const JWE_ENC = "A256GCM";

/** PBKDF2 iterations written: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_P2C = 600_000;
/** The most iterations read: more is a file made to stall us, not a stronger one. */
export const MAX_P2C = 10_000_000;
/** The longest compact JWE read (an entry is well under 1 KiB). */
export const MAX_JWE_LENGTH = 64 * 1024;

/** Why a token does not decrypt. */
export type JweProblem =
  /** Not a compact JWE of this kind, or not one we accept (the detail says which). */
  | "malformed"
  /** The content key does not unwrap: a wrong passphrase (or an altered header or key). */
  | "key"
  /** The content key unwraps but the content fails its tag: the content was altered. */
  | "content";

/** A token that does not decrypt; `detail` never quotes the passphrase or the content. */
export class JweError extends Error {
  /** Which kind of failure. */
  readonly problem: JweProblem;
  /** Creates the error. */
  constructor(problem: JweProblem, detail: string) {
    super(detail);
    this.name = "JweError";
    this.problem = problem;
  }
}

/** Options of {@link encryptJwe}; tests fix the random parts to check vectors. */
export interface EncryptJweOptions {
  /** PBKDF2 iterations (default {@link DEFAULT_P2C}). */
  iterations?: number;
  /** The salt input `p2s` (default 16 random bytes). */
  salt?: Uint8Array;
  /** The content key (default 32 random bytes). */
  contentKey?: Uint8Array;
  /** The GCM nonce (default 12 random bytes). */
  iv?: Uint8Array;
}

/** Encrypts `plaintext` under `passphrase` as a compact JWE. */
export async function encryptJwe(
  plaintext: Uint8Array,
  passphrase: string,
  options: EncryptJweOptions = {},
): Promise<string> {
  const salt = options.salt ?? random(16);
  const p2c = options.iterations ?? DEFAULT_P2C;
  const header = { alg: JWE_ALG, enc: JWE_ENC, p2c, p2s: base64url(salt) };
  const protectedHeader = base64url(new TextEncoder().encode(JSON.stringify(header)));
  const wrappingKey = await deriveKey(passphrase, salt, p2c);
  const cekBytes = options.contentKey ?? random(32);
  const cek = await crypto.subtle.importKey("raw", bytes(cekBytes), "AES-GCM", true, ["encrypt"]);
  const encryptedKey = await crypto.subtle.wrapKey("raw", cek, wrappingKey, "AES-KW");
  const iv = options.iv ?? random(12);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      {
        name: "AES-GCM",
        iv: bytes(iv),
        additionalData: new TextEncoder().encode(protectedHeader),
        tagLength: 128,
      },
      cek,
      bytes(plaintext),
    ),
  );
  return [
    protectedHeader,
    base64url(new Uint8Array(encryptedKey)),
    base64url(iv),
    base64url(sealed.subarray(0, sealed.length - 16)),
    base64url(sealed.subarray(sealed.length - 16)),
  ].join(".");
}

/** Decrypts a compact JWE made by {@link encryptJwe} or aws-vault; throws {@link JweError}. */
export async function decryptJwe(token: string, passphrase: string): Promise<Uint8Array> {
  const parts = parseCompact(token);
  const wrappingKey = await deriveKey(passphrase, parts.salt, parts.p2c);
  let cek: CryptoKey;
  try {
    cek = await crypto.subtle.unwrapKey(
      "raw",
      bytes(parts.encryptedKey),
      wrappingKey,
      "AES-KW",
      "AES-GCM",
      false,
      ["decrypt"],
    );
  } catch {
    throw new JweError("key", "the passphrase does not unwrap its key.");
  }
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: bytes(parts.iv),
          additionalData: new TextEncoder().encode(parts.protectedHeader),
          tagLength: 128,
        },
        cek,
        bytes(concat(parts.ciphertext, parts.tag)),
      ),
    );
  } catch {
    throw new JweError("content", "its content fails the authentication tag (it was altered).");
  }
}

/** The parts of a compact JWE, checked. */
interface CompactParts {
  protectedHeader: string;
  p2c: number;
  salt: Uint8Array;
  encryptedKey: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

function parseCompact(token: string): CompactParts {
  const malformed = (detail: string) => new JweError("malformed", detail);
  if (token.length > MAX_JWE_LENGTH) throw malformed("it is larger than an entry can be.");
  const segments = token.trim().split(".");
  if (segments.length !== 5) throw malformed("it is not a compact JWE (five dot-separated parts).");
  const [protectedHeader, ...rest] = segments;
  const decoded = [protectedHeader, ...rest].map(fromBase64url);
  if (decoded.some((part) => part === undefined)) throw malformed("a part is not base64url.");
  const [headerBytes, encryptedKey, iv, ciphertext, tag] = decoded as Uint8Array[];
  const header = parseHeader(headerBytes);
  if (typeof header === "string") throw malformed(header);
  if (encryptedKey.length !== 40) throw malformed("its encrypted key is not an AES-256 key.");
  if (iv.length !== 12) throw malformed("its nonce is not 12 bytes.");
  if (tag.length !== 16) throw malformed("its authentication tag is not 16 bytes.");
  return { protectedHeader, p2c: header.p2c, salt: header.salt, encryptedKey, iv, ciphertext, tag };
}

/** The header's iterations and salt, or what is wrong with it. */
function parseHeader(headerBytes: Uint8Array): { p2c: number; salt: Uint8Array } | string {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch {
    return "its header is not JSON.";
  }
  if (typeof header !== "object" || header === null) return "its header is not a JSON object.";
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC) {
    return `it uses ${String(header.alg)} / ${String(header.enc)}, not ${JWE_ALG} / ${JWE_ENC}.`;
  }
  if (header.zip !== undefined || header.crit !== undefined) {
    return "its header asks for compression or critical extensions, which are not supported.";
  }
  const p2c = header.p2c;
  if (typeof p2c !== "number" || !Number.isSafeInteger(p2c) || p2c < 1 || p2c > MAX_P2C) {
    return `its iteration count (p2c) is not a whole number from 1 to ${MAX_P2C}.`;
  }
  const salt = typeof header.p2s === "string" ? fromBase64url(header.p2s) : undefined;
  if (!salt || salt.length < 8) return "its salt (p2s) is missing or shorter than 8 bytes.";
  return { p2c, salt };
}

/** PBKDF2-SHA256 over the salt `alg || 0x00 || p2s` (RFC 7518 §4.8.1.1) into an AES-KW key. */
async function deriveKey(passphrase: string, salt: Uint8Array, p2c: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  const fullSalt = concat(new TextEncoder().encode(JWE_ALG), new Uint8Array([0]), salt);
  return await crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: bytes(fullSalt), iterations: p2c },
    material,
    { name: "AES-KW", length: 128 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

function random(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** The bytes as an ArrayBuffer-backed view, as WebCrypto's types want. */
function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Base64url without padding (RFC 7515 §2). */
export function base64url(data: Uint8Array): string {
  let binary = "";
  for (const byte of data) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes base64url without padding; `undefined` for anything else. */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

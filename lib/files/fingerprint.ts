/**
 * What a file held, to compare with later without keeping its bytes (a copy
 * of a 50 MB file is 50 MB more held for the whole transaction).
 *
 * @module
 */

/** The length of some bytes and a SHA-256 of them (see {@link fingerprintOf}). */
export interface Fingerprint {
  readonly length: number;
  /** Hex. */
  readonly sha256: string;
}

/**
 * Web Crypto's digest copies all of its input first; hashing in chunks keeps
 * that copy at 1 MiB instead of the file's size.
 */
const CHUNK_BYTES = 1 << 20;

/**
 * The fingerprint of `bytes`: their length, and the SHA-256 of the SHA-256s
 * of their 1 MiB chunks (a tree hash: equal fingerprints mean equal bytes
 * unless SHA-256 itself collides).
 */
export async function fingerprintOf(bytes: Uint8Array): Promise<Fingerprint> {
  const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
  const digests = new Uint8Array(chunks * 32);
  for (let i = 0; i < chunks; i++) {
    // A file's bytes are never in a SharedArrayBuffer, which digest() would refuse.
    const chunk = bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES) as Uint8Array<ArrayBuffer>;
    digests.set(new Uint8Array(await crypto.subtle.digest("SHA-256", chunk)), i * 32);
  }
  const root = new Uint8Array(await crypto.subtle.digest("SHA-256", digests));
  return {
    length: bytes.length,
    sha256: Array.from(root, (byte) => byte.toString(16).padStart(2, "0")).join(""),
  };
}

/** Whether two fingerprints are of the same bytes. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.length === b.length && a.sha256 === b.sha256;
}

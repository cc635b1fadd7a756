/**
 * The `wincred` keystore (Windows Credential Manager) through `Deno.dlopen`
 * of advapi32: a generic credential (`CRED_TYPE_GENERIC`, persisted on the
 * local machine) per profile, target `awsmfa:PROFILE`, user name PROFILE, the
 * blob the UTF-8 of the keys' JSON. No child process, so no secret in argv.
 *
 * The x64 `CREDENTIALW` is 80 bytes: Flags +0, Type +4, TargetName +8,
 * Comment +16, LastWritten +24, CredentialBlobSize +32, CredentialBlob +40,
 * Persist +48, AttributeCount +52, Attributes +56, TargetAlias +64,
 * UserName +72. A failed CredReadW is "not found" only when GetLastError says
 * ERROR_NOT_FOUND right after it (SetLastError(0) before): Deno's own code
 * may overwrite the last error between two FFI calls, so any other answer is
 * reported as a failure rather than guessed.
 *
 * Runs only on Windows (elsewhere it reports itself unreachable); on this
 * project's Linux CI it is type-checked, not run.
 *
 * Protects the keys at rest (DPAPI, tied to the user's logon); any process of
 * the user can read them.
 *
 * @module
 */

import { encodeKeys, itemLabel, keysOfEntry } from "./codec.ts";
import { KeystoreEntryError, KeystoreFailedError, KeystoreUnreachableError } from "./errors.ts";
import type { Keystore, KeystoreOptions } from "./types.ts";

const BACKEND = "wincred";
const CRED_TYPE_GENERIC = 1;
const CRED_PERSIST_LOCAL_MACHINE = 2;
/** CRED_MAX_CREDENTIAL_BLOB_SIZE. */
const MAX_BLOB = 5 * 512;
const ERROR_NOT_FOUND = 1168;
const ERROR_NO_SUCH_LOGON_SESSION = 1312;
const CREDENTIAL_SIZE = 80;

const ADVAPI32 = {
  CredWriteW: { parameters: ["buffer", "u32"], result: "i32" },
  CredReadW: { parameters: ["buffer", "u32", "u32", "buffer"], result: "i32" },
  CredDeleteW: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  CredFree: { parameters: ["pointer"], result: "void" },
} as const;

const KERNEL32 = {
  GetLastError: { parameters: [], result: "u32" },
  SetLastError: { parameters: ["u32"], result: "void" },
} as const;

interface Libraries {
  advapi32: Deno.DynamicLibrary<typeof ADVAPI32>["symbols"];
  kernel32: Deno.DynamicLibrary<typeof KERNEL32>["symbols"];
}

/** The target name of a profile's credential. */
export function credentialTarget(profile: string): string {
  return `awsmfa:${profile}`;
}

/** The `wincred` keystore. */
export function wincredKeystore(_options: KeystoreOptions): Keystore {
  let libraries: Libraries | undefined;
  const open = (profile?: string): Libraries => {
    if (Deno.build.os !== "windows") throw notHere(profile);
    libraries ??= {
      advapi32: Deno.dlopen("advapi32.dll", ADVAPI32).symbols,
      kernel32: Deno.dlopen("kernel32.dll", KERNEL32).symbols,
    };
    return libraries;
  };
  return {
    name: BACKEND,
    available() {
      try {
        open();
        return Promise.resolve({ ok: true });
      } catch (error) {
        const reported = error instanceof KeystoreUnreachableError
          ? error
          : new KeystoreUnreachableError(
            BACKEND,
            `advapi32.dll does not load (${(error as Error).message}).`,
            { cause: error },
          );
        return Promise.resolve({ ok: false, error: reported });
      }
    },
    // Synchronous FFI calls, wrapped so that a failure rejects the promise.
    get: (profile) =>
      Promise.resolve().then(() => {
        const blob = readCredential(open(profile), profile);
        if (blob === undefined) return undefined;
        return keysOfEntry(new TextDecoder().decode(blob), {
          backend: BACKEND,
          profile,
          where: credentialTarget(profile),
        });
      }),
    set: (profile, keys) =>
      Promise.resolve().then(() =>
        writeCredential(open(profile), profile, new TextEncoder().encode(encodeKeys(keys)))
      ),
    delete: (profile) => Promise.resolve().then(() => deleteCredential(open(profile), profile)),
  };
}

/** The blob of the profile's credential, `undefined` when there is none. */
function readCredential(
  { advapi32, kernel32 }: Libraries,
  profile: string,
): Uint8Array | undefined {
  const out = new BigUint64Array(1);
  kernel32.SetLastError(0);
  const found = advapi32.CredReadW(wide(credentialTarget(profile)), CRED_TYPE_GENERIC, 0, out);
  if (!found) {
    const code = kernel32.GetLastError();
    if (code === ERROR_NOT_FOUND) return undefined;
    throw callFailed("CredReadW", code, profile);
  }
  const credential = Deno.UnsafePointer.create(out[0]);
  if (credential === null) throw callFailed("CredReadW", 0, profile);
  try {
    const view = new Deno.UnsafePointerView(credential);
    const size = view.getUint32(32);
    const blob = view.getPointer(40);
    if (size > MAX_BLOB || blob === null) {
      throw new KeystoreEntryError(BACKEND, profile, {
        where: credentialTarget(profile),
        reason: "its blob is empty or larger than Windows allows.",
      });
    }
    return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(blob, size)).slice();
  } finally {
    advapi32.CredFree(credential);
  }
}

function writeCredential(
  { advapi32, kernel32 }: Libraries,
  profile: string,
  blob: Uint8Array,
): void {
  if (blob.length > MAX_BLOB) throw new TypeError("The keys are larger than Windows allows.");
  // Every buffer the struct points to stays referenced until CredWriteW returns.
  const target = wide(credentialTarget(profile));
  const userName = wide(profile);
  const comment = wide(itemLabel(profile));
  const blobBuffer = new Uint8Array(blob);
  const struct = new Uint8Array(CREDENTIAL_SIZE);
  const view = new DataView(struct.buffer);
  view.setUint32(4, CRED_TYPE_GENERIC, true);
  view.setBigUint64(8, address(target), true);
  view.setBigUint64(16, address(comment), true);
  view.setUint32(32, blobBuffer.length, true);
  view.setBigUint64(40, address(blobBuffer), true);
  view.setUint32(48, CRED_PERSIST_LOCAL_MACHINE, true);
  view.setBigUint64(72, address(userName), true);
  kernel32.SetLastError(0);
  const written = advapi32.CredWriteW(struct, 0);
  const code = written ? 0 : kernel32.GetLastError();
  blobBuffer.fill(0);
  if (!written) throw callFailed("CredWriteW", code, profile);
}

function deleteCredential({ advapi32, kernel32 }: Libraries, profile: string): void {
  kernel32.SetLastError(0);
  if (advapi32.CredDeleteW(wide(credentialTarget(profile)), CRED_TYPE_GENERIC, 0)) return;
  const code = kernel32.GetLastError();
  if (code !== ERROR_NOT_FOUND) throw callFailed("CredDeleteW", code, profile);
}

/** A NUL-terminated UTF-16LE string. */
function wide(text: string): Uint8Array<ArrayBuffer> {
  const units = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return new Uint8Array(units.buffer);
}

function address(buffer: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

function notHere(profile?: string): KeystoreUnreachableError {
  return new KeystoreUnreachableError(BACKEND, "Credential Manager exists only on Windows.", {
    profile,
    fix: "Choose another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
  });
}

function callFailed(call: string, code: number, profile: string): KeystoreFailedError {
  if (code === ERROR_NO_SUCH_LOGON_SESSION) {
    return new KeystoreFailedError(
      BACKEND,
      `${call}: this logon session has no Credential Manager.`,
      {
        profile,
        fix: "Run awsmfa in an interactive logon (not a service or a network logon), or choose " +
          "another keystore with --backend or AWSMFA_KEYSTORE (file works everywhere).",
      },
    );
  }
  const why = code === 0 ? "Windows did not say why" : `Windows error ${code}`;
  return new KeystoreFailedError(BACKEND, `${call} failed (${why}).`, { profile });
}

/**
 * Every backend's factory in one table, loaded together: for tests and
 * tools that want them all at once. awsmfa itself goes through mod.ts
 * ({@link ../keystore/mod.ts}), which loads only the backend it uses.
 *
 * @module
 */

import { fileKeystore } from "./file.ts";
import { keychainKeystore } from "./keychain.ts";
import { passKeystore } from "./pass.ts";
import { secretServiceKeystore } from "./secret_service.ts";
import type { BackendName, Keystore, KeystoreOptions } from "./types.ts";
import { wincredKeystore } from "./wincred.ts";

/** Makes each backend. */
export const BACKENDS: Record<BackendName, (options: KeystoreOptions) => Keystore> = {
  "keychain": keychainKeystore,
  "secret-service": secretServiceKeystore,
  "pass": passKeystore,
  "wincred": wincredKeystore,
  "file": fileKeystore,
};

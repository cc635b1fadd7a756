/**
 * Where a profile's long-term keys live when they are not in the credentials
 * file: the OS keystore, `pass`, or an encrypted file. One {@link Keystore}
 * interface, five backends ({@link BACKEND_LOADERS}, each loaded only when
 * used), and {@link chooseBackend},
 * which picks one the way the user asked (or the best one that answers).
 *
 * Every backend keeps the secret out of argv and of a child's environment,
 * bounds the time and output of every tool it runs, and reports failure with
 * a {@link KeystoreError} (exit 3) naming the backend, the profile and the fix.
 *
 * @module
 */

import { UsageError } from "../core/errors.ts";
import { BACKEND_NAMES, type BackendName, type Keystore, type KeystoreOptions } from "./types.ts";

export type { LongTermKeys } from "./codec.ts";
export * from "./errors.ts";
export * from "./types.ts";

/**
 * Loads each backend's factory: only the backend used is loaded (a module
 * each, with its tool runner or its JWE), never the other four. The imports
 * are string literals so that `deno compile` sees every backend.
 */
export const BACKEND_LOADERS: Record<
  BackendName,
  () => Promise<(options: KeystoreOptions) => Keystore>
> = {
  "keychain": async () => (await import("./keychain.ts")).keychainKeystore,
  "secret-service": async () => (await import("./secret_service.ts")).secretServiceKeystore,
  "pass": async () => (await import("./pass.ts")).passKeystore,
  "wincred": async () => (await import("./wincred.ts")).wincredKeystore,
  "file": async () => (await import("./file.ts")).fileKeystore,
};

/** The OS's own keystore: the default when it answers. */
export function nativeBackend(os: typeof Deno.build.os): BackendName {
  if (os === "darwin") return "keychain";
  if (os === "windows") return "wincred";
  return "secret-service";
}

/** Whether `name` is one of {@link BACKEND_NAMES}. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** The backend named `name`, or a {@link UsageError} listing the names (exit 2). */
export async function createKeystore(name: string, options: KeystoreOptions): Promise<Keystore> {
  return (await BACKEND_LOADERS[checkBackendName(name)]())(options);
}

/** `name` when it is one of {@link BACKEND_NAMES}; else a {@link UsageError} listing them. */
export function checkBackendName(name: string): BackendName {
  if (!isBackendName(name)) {
    throw new UsageError(`There is no keystore called '${name}'.`, {
      fix: `Use one of ${BACKEND_NAMES.join(", ")} (with --backend or AWSMFA_KEYSTORE).`,
    });
  }
  return name;
}

/** Options of {@link chooseBackend}. */
export interface ChooseBackendOptions extends KeystoreOptions {
  /** `--backend`, which wins over AWSMFA_KEYSTORE. */
  name?: string;
  /** The operating system (default `Deno.build.os`). */
  os?: typeof Deno.build.os;
}

/**
 * The keystore the user asked for (`--backend`, else AWSMFA_KEYSTORE), else
 * the OS's own when it is available, else `file`. A named backend is
 * returned as is, available or not: using it reports why it cannot be used.
 */
export async function chooseBackend(options: ChooseBackendOptions): Promise<Keystore> {
  const named = options.name ?? options.context.env("AWSMFA_KEYSTORE");
  if (named !== undefined) return await createKeystore(named, options);
  const native = await createKeystore(nativeBackend(options.os ?? Deno.build.os), options);
  if ((await native.available()).ok) return native;
  return await createKeystore("file", options);
}

/**
 * Where a profile's long-term keys live when they are not in the credentials
 * file: the OS keystore, `pass`, or an encrypted file. One {@link Keystore}
 * interface, five backends ({@link BACKENDS}), and {@link chooseBackend},
 * which picks one the way the user asked (or the best one that answers).
 *
 * Every backend keeps the secret out of argv and of a child's environment,
 * bounds the time and output of every tool it runs, and reports failure with
 * a {@link KeystoreError} (exit 3) naming the backend, the profile and the fix.
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import { UsageError } from "../core/errors.ts";
import type { LongTermKeys } from "./codec.ts";
import type { KeystoreError } from "./errors.ts";
import { fileKeystore, type PassphrasePrompt } from "./file.ts";
import { keychainKeystore } from "./keychain.ts";
import { passKeystore } from "./pass.ts";
import type { ToolRunner } from "./run.ts";
import { secretServiceKeystore } from "./secret_service.ts";
import { wincredKeystore } from "./wincred.ts";

export type { LongTermKeys } from "./codec.ts";
export * from "./errors.ts";
export type { PassphrasePrompt, PassphraseRequest } from "./file.ts";

/** The backends' names, as `--backend`, `AWSMFA_KEYSTORE` and `awsmfa_keystore` spell them. */
export const BACKEND_NAMES = ["keychain", "secret-service", "pass", "wincred", "file"] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = typeof BACKEND_NAMES[number];

/** Whether a keystore can be used now; when not, the error says why and what to do. */
export type KeystoreAvailability = { ok: true } | { ok: false; error: KeystoreError };

/** A place that keeps long-term keys, one entry per profile. */
export interface Keystore {
  /** The backend's name. */
  readonly name: BackendName;
  /**
   * Whether the keystore is installed, reachable and (as far as it can be
   * told without reading a secret) unlocked. Never throws a KeystoreError.
   */
  available(): Promise<KeystoreAvailability>;
  /** The keys stored for `profile`, or `undefined` when there are none. */
  get(profile: string): Promise<LongTermKeys | undefined>;
  /** Stores `keys` for `profile`, replacing what was there. */
  set(profile: string, keys: LongTermKeys): Promise<void>;
  /** Removes the keys of `profile`; nothing happens when there are none. */
  delete(profile: string): Promise<void>;
}

/** What a backend may read from its surroundings: the command's {@link Context} will do. */
export type KeystoreContext = Pick<Context, "env" | "environment" | "homeDir">;

/** Options every backend takes. */
export interface KeystoreOptions {
  /** The environment, home directory and child environment. */
  context: KeystoreContext;
  /** Asks for the `file` keystore's passphrase when AWSMFA_FILE_PASSPHRASE is unset. */
  prompt?: PassphrasePrompt;
  /** The `file` keystore's directory (default: AWSMFA_FILE_DIR, else ~/.awsmfa/keys). */
  fileDir?: string;
  /** PBKDF2 iterations the `file` keystore writes (default 600,000; tests pass fewer). */
  fileIterations?: number;
  /** The time limit of each keystore tool, in ms (default 60 s: it may show a prompt). */
  timeoutMs?: number;
  /** Runs the keystore tools; tests pass a fake. */
  runner?: ToolRunner;
}

/** Makes each backend. */
export const BACKENDS: Record<BackendName, (options: KeystoreOptions) => Keystore> = {
  "keychain": keychainKeystore,
  "secret-service": secretServiceKeystore,
  "pass": passKeystore,
  "wincred": wincredKeystore,
  "file": fileKeystore,
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
export function createKeystore(name: string, options: KeystoreOptions): Keystore {
  if (!isBackendName(name)) {
    throw new UsageError(`There is no keystore called '${name}'.`, {
      fix: `Use one of ${BACKEND_NAMES.join(", ")} (with --backend or AWSMFA_KEYSTORE).`,
    });
  }
  return BACKENDS[name](options);
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
  if (named !== undefined) return createKeystore(named, options);
  const native = BACKENDS[nativeBackend(options.os ?? Deno.build.os)](options);
  if ((await native.available()).ok) return native;
  return BACKENDS.file(options);
}

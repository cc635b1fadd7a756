/**
 * The keystore's interface and its types, apart from the backends that
 * implement them and from mod.ts, which picks one: each backend imports
 * these, mod.ts imports the backends, and no file imports back.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { LongTermKeys } from "./codec.ts";
import type { KeystoreError } from "./errors.ts";
import type { ToolRunner } from "./run.ts";

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

/** What the passphrase prompt is told. */
export interface PassphraseRequest {
  /** The profile whose entry is read or written. */
  profile: string;
  /** The entry's file. */
  path: string;
  /** True when writing: a prompt should ask twice (a typo would lock the keys away). */
  confirm: boolean;
}

/** Asks the user for the passphrase; `undefined` when it cannot (no terminal). */
export type PassphrasePrompt = (request: PassphraseRequest) => Promise<string | undefined>;

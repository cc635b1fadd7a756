/**
 * The one way every command gets a source section's long-term keys: from
 * the keystore the section names (`awsmfa_keystore = NAME`), else from the
 * section itself. Login and its refresh, credential-process, env, exec (and
 * exec --server's renewals), setup's discovery and doctor all read them here.
 *
 * The keystore's modules are loaded only when a section names one, so a
 * file without `awsmfa_keystore` loads none. The keys read are made known to
 * every printer (`registerSecrets`), so no message can show them; they are
 * never written anywhere, passed on argv or put in a child's environment.
 *
 * @module
 */
import {
  hasOwnLongTermKeys,
  keysInBothError,
  keystoreItemOf,
  keystoreOf,
  type LongTermKeyPair,
} from "../aws/keystore_setting.ts";
import { readSourceProfile, type SourceProfile } from "../aws/source_profile.ts";
import type { Context } from "../core/context.ts";
import { ConfigError, registerSecrets, UsageError } from "../core/errors.ts";
import type { IniDocument } from "../ini/mod.ts";
import { BACKEND_NAMES, type Keystore, type PassphrasePrompt } from "../keystore/types.ts";

/** What {@link readSourceKeys} needs besides the document and the section. */
export interface SourceKeysOptions {
  /** The credentials file, for messages. */
  path: string;
  /** The target profile, for messages. */
  target: string;
  /** Whether a missing `mfa_serial` is an error (default true). */
  requireSerial?: boolean;
  context: Context;
}

/**
 * The source section `section` of `doc` with its long-term keys, from the
 * keystore it names or from the file: `readSourceProfile`'s result and
 * errors, plus the keystore's (each a KeystoreError, exit 3, naming the
 * backend, the profile and the fix).
 */
export async function readSourceKeys(
  doc: IniDocument,
  section: string,
  options: SourceKeysOptions,
): Promise<SourceProfile> {
  const { context, ...read } = options;
  const backend = keystoreOf(doc, section);
  if (backend === undefined || !doc.sections().includes(section)) {
    return readSourceProfile(doc, section, read);
  }
  if (hasOwnLongTermKeys(doc, section)) throw keysInBothError(section, backend, options.path);
  const keys = await keysFromKeystore(backend, { section, path: options.path, context });
  return readSourceProfile(doc, section, { ...read, keys });
}

/**
 * The keys of `section` in the keystore `backend` (as its `awsmfa_keystore`
 * names it): a ConfigError for a name that is no keystore, a KeystoreError
 * when the keystore cannot give them (missing tool, locked, no item, wrong
 * passphrase, an entry that does not decrypt).
 */
export async function keysFromKeystore(
  backend: string,
  where: { section: string; path: string; context: Context },
): Promise<LongTermKeyPair> {
  const keystore = await openKeystore(backendOf(backend, where), where.context);
  const item = keystoreItemOf(where.section);
  const keys = await keystore.get(item);
  if (keys === undefined) {
    const { KeystoreItemMissingError } = await import("../keystore/errors.ts");
    throw new KeystoreItemMissingError(keystore.name, item);
  }
  registerSecrets([keys.secretAccessKey]);
  return keys;
}

/** The keystores opened in this process, per context: the file's passphrase is asked once. */
const opened = new WeakMap<Context, Map<string, Keystore>>();

/**
 * The keystore named `name` for this command (loaded on first use, with the
 * terminal prompt for the `file` keystore's passphrase), or, without a name,
 * the one AWSMFA_KEYSTORE names, else the OS's own when it answers, else
 * `file`. A name that is no keystore is a UsageError (exit 2).
 */
export async function openKeystore(name: string | undefined, context: Context): Promise<Keystore> {
  let byName = opened.get(context);
  if (byName === undefined) opened.set(context, byName = new Map());
  const known = byName.get(name ?? "");
  if (known) return known;
  const { chooseBackend } = await import("../keystore/mod.ts");
  const keystore = await chooseBackend({ name, context, prompt: passphrasePrompt(context) });
  byName.set(name ?? "", keystore);
  byName.set(keystore.name, keystore);
  return keystore;
}

/** `awsmfa_keystore`'s value when it names a keystore; else the error that says what to write. */
function backendOf(value: string, where: { section: string; path: string }): string {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value;
  throw new ConfigError(
    `awsmfa_keystore in [${where.section}] in ${where.path} is '${value}', which is no ` +
      "keystore awsmfa knows.",
    { fix: `Set it to the keystore that holds the keys: one of ${BACKEND_NAMES.join(", ")}.` },
  );
}

/**
 * Asks for the `file` keystore's passphrase on the terminal, nothing
 * echoed (twice when storing); `undefined` without a terminal.
 */
export function passphrasePrompt(context: Context): PassphrasePrompt {
  return async (request) => {
    const { openTerminal } = await import("../terminal/terminal.ts");
    const terminal = await openTerminal(context);
    if (terminal === undefined) return undefined;
    const { promptSecret } = await import("../terminal/secret_prompt.ts");
    try {
      const label = `Passphrase of the file keystore for ${request.profile}: `;
      const passphrase = await promptSecret(terminal, label);
      if (!request.confirm) return passphrase;
      if (passphrase === "") {
        throw new UsageError("An empty passphrase would not protect the keys.", {
          fix: "Run the command again and choose a passphrase.",
        });
      }
      if (await promptSecret(terminal, "The same passphrase again: ") !== passphrase) {
        throw new UsageError("The two passphrases differ; nothing was stored.", {
          fix: "Run the command again and type the same passphrase twice.",
        });
      }
      return passphrase;
    } finally {
      terminal.close();
    }
  };
}

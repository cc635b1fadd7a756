/**
 * `awsmfa keys store|restore|list`: moves a profile's long-term keys between
 * the credentials file and a keystore (`session/keystore_keys.ts`), or lists
 * where each profile's are.
 *
 * @module
 */
import type { ParsedArgs } from "../args.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import { ExitCode, formatError, UsageError } from "../../core/errors.ts";
import { shortKeyId } from "../../aws/access_keys.ts";
import {
  type KeysLocation,
  type KeysOutcome,
  listKeys,
  restoreKeys,
  storeKeys,
} from "../../session/keystore_keys.ts";

const BACKENDS = "keychain|secret-service|pass|wincred|file";

/** The keys command. */
export const command: Command = {
  usage: `keys store|restore|list [PROFILE] [--backend ${BACKENDS}] [--json]`,
  description: `Keeps the long-term keys of [PROFILEmfa] (aws_access_key_id, aws_secret_access_key)
in a keystore instead of the credentials file; every command reads them from there.

  store PROFILE    writes the keys to the keystore, reads them back to check, then
                   removes them from [PROFILEmfa] and adds awsmfa_keystore = NAME
                   there, in one safe write (mfa_serial and the rest stay)
  restore PROFILE  writes the keys back into [PROFILEmfa] (where the awsmfa_keystore
                   line was), then removes them from the keystore
  list             each MFA profile and where its keys are (never a secret)

Keystores: keychain (macOS), secret-service (GNOME Keyring, KWallet, KeePassXC),
pass, wincred (Windows Credential Manager) and file (an encrypted file per profile
in ~/.awsmfa/keys, for hosts without one; its passphrase comes from
AWSMFA_FILE_PASSPHRASE or is asked on the terminal). The default is
AWSMFA_KEYSTORE, else your OS's own when it answers, else file.`,
  flags: {
    backend: {
      type: "string",
      value: "NAME",
      help: "The keystore for store: keychain, secret-service, pass, wincred or file",
    },
    json: { type: "boolean", help: "list: print the same as JSON" },
  },
  examples: [
    "awsmfa keys store george                      # into your OS's keystore",
    "awsmfa keys store george --backend file       # an encrypted file (asks a passphrase)",
    "awsmfa keys restore george                    # back into the credentials file",
    "awsmfa keys list",
  ],
  run,
};

const ACTIONS = ["store", "restore", "list"];

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const [action, profile, ...extra] = args.positionals;
  if (action === undefined || !ACTIONS.includes(action)) {
    throw new UsageError(
      action === undefined
        ? "What should keys do? Give store, restore or list."
        : `'${action}' is not one of store, restore, list.`,
      { fix: "Run 'awsmfa keys --help' for usage." },
    );
  }
  const backend = args.flags.backend as string | undefined;
  if (action === "list") {
    if (profile !== undefined) throw tooMany([profile, ...extra]);
    return await list(args.flags.json === true, context);
  }
  if (profile === undefined) {
    throw new UsageError(`Which profile? Give its name: awsmfa keys ${action} PROFILE.`, {
      fix: "Run 'awsmfa keys list' to see the MFA profiles.",
    });
  }
  if (extra.length > 0) throw tooMany(extra);
  if (action === "restore" && backend !== undefined) {
    throw new UsageError("--backend is for 'keys store'; restore reads awsmfa_keystore.", {
      fix: `Run 'awsmfa keys restore ${profile}'.`,
    });
  }
  const outcome = action === "store"
    ? await storeKeys({ profile, backend }, context)
    : await restoreKeys({ profile }, context);
  if (outcome.kind === "moved-item-kept") {
    context.stderr(
      `awsmfa: warning: the keys are back in the file, but the ${outcome.backend} keystore ` +
        `still holds them:\n${formatError(outcome.error)}\n`,
    );
  }
  context.stdout(describeKeysOutcome(action, outcome) + "\n");
  return ExitCode.Ok;
}

function tooMany(words: string[]): UsageError {
  return new UsageError(`Too many arguments: ${words.join(" ")}.`, {
    fix: "Run 'awsmfa keys --help' for usage.",
  });
}

/** The line `keys store` or `keys restore` prints. */
export function describeKeysOutcome(action: string, outcome: KeysOutcome): string {
  const { profile, section } = outcome;
  const key = outcome.accessKeyId ? ` (${shortKeyId(outcome.accessKeyId)})` : "";
  if (outcome.kind === "already") {
    return outcome.backend === undefined
      ? `The long-term keys of ${profile}${key} are in [${section}] of the credentials file already.`
      : `The long-term keys of ${profile} are in the ${outcome.backend} keystore already ` +
        `(awsmfa_keystore in [${section}]).`;
  }
  return action === "store"
    ? `Moved the long-term keys of ${profile}${key} from [${section}] into the ` +
      `${outcome.backend} keystore; [${section}] now has awsmfa_keystore = ${outcome.backend}.`
    : `Moved the long-term keys of ${profile}${key} from the ${outcome.backend} keystore back ` +
      `into [${section}].`;
}

async function list(json: boolean, context: Context): Promise<number> {
  const { path, profiles } = await listKeys(context);
  if (json) {
    context.stdout(JSON.stringify({ profiles }, null, 2) + "\n");
    return ExitCode.Ok;
  }
  if (profiles.length === 0) {
    context.stdout(`No MFA profiles in ${path}; 'awsmfa setup NAME' makes one.\n`);
    return ExitCode.Ok;
  }
  context.stdout(formatKeysTable(profiles));
  return ExitCode.Ok;
}

/** The table of `keys list`: each MFA profile and where its long-term keys are. */
export function formatKeysTable(profiles: readonly KeysLocation[]): string {
  const rows = [
    ["PROFILE", "LONG-TERM KEYS"],
    ...profiles.map((p) => [
      p.profile,
      p.keystore === null ? `credentials file [${p.sourceSection}]` : `${p.keystore} keystore`,
    ]),
  ];
  const width = Math.max(...rows.map((row) => row[0].length)) + 2;
  return rows.map(([name, where]) => name.padEnd(width) + where).join("\n") + "\n";
}

/**
 * The table of subcommands: a name, a summary and a loader each. A new
 * subcommand is one file in commands/ and one line here. Imported by
 * cli/main.ts only; the loaders import with string literals, so
 * `deno compile` sees every command.
 *
 * @module
 */
import type { CommandTable } from "./command.ts";

/** The subcommands, loaded only when used so each starts as fast as it can. */
export const COMMANDS: CommandTable = {
  login: {
    summary: "Get an MFA session for a profile and write it to the credentials file",
    load: () => import("./commands/login.ts"),
  },
  status: {
    summary: "Show the MFA profiles and their sessions (no network)",
    load: () => import("./commands/status.ts"),
  },
  setup: {
    summary: "Move long-term keys into [PROFILEmfa], find the MFA device, log in",
    load: () => import("./commands/setup.ts"),
  },
  clear: {
    summary: "Remove the session awsmfa wrote into a profile (or --all)",
    load: () => import("./commands/clear.ts"),
  },
  doctor: {
    summary: "Check the files, keys, MFA device, environment and clock; say what to fix",
    load: () => import("./commands/doctor.ts"),
  },
  keys: {
    summary: "Move the long-term keys into a keystore (store), back (restore), or list them",
    load: () => import("./commands/keys.ts"),
  },
  "credential-process": {
    summary: "Print the session as credential_process JSON for the AWS CLI and SDKs",
    load: () => import("./commands/credential_process.ts"),
  },
  env: {
    summary: "Print the session as environment variables for your shell",
    load: () => import("./commands/env.ts"),
  },
  exec: {
    summary: "Run a command with the session in its environment",
    load: () => import("./commands/exec.ts"),
  },
  policy: {
    summary: "Print the IAM policy that enforces MFA",
    load: () => import("./commands/policy.ts"),
  },
  completions: {
    summary: "Print the completion script for bash, zsh, fish or PowerShell",
    load: () => import("./commands/completions.ts"),
  },
};

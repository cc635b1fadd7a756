/**
 * `awsmfa login`: placeholder until the login flow lands.
 *
 * @module
 */
import type { Command } from "../cli.ts";
import { UsageError } from "../errors.ts";

/** The login command. */
export const command: Command = {
  usage: "login [PROFILE] [flags]",
  description: "Get an MFA session for PROFILE and write it to the credentials file.",
  flags: {},
  examples: ["awsmfa login george"],
  run() {
    return Promise.reject(new UsageError("Login is not implemented yet."));
  },
};

/**
 * `awsmfa exec PROFILE --server -- COMMAND`: the session is served to COMMAND
 * over the container-credentials protocol instead of being put in its
 * environment, and renewed in the background through the login flow while
 * COMMAND runs. This module wires the pieces: the renewal policy, the
 * server, the child's environment, and the end (server closed when COMMAND
 * exits, whatever refresh is still running given a moment to finish).
 *
 * @module
 */
import { CREDENTIAL_VARIABLES, loadIni, locateFiles } from "../../aws/shared_files.ts";
import { SDK_REFRESH_MARGIN_SECONDS } from "../../aws/limits.ts";
import type { Context } from "../../core/context.ts";
import { CancelledError, formatError, UsageError } from "../../core/errors.ts";
import { type RefreshOutcome, type RefreshRequest, refreshSession } from "../refresh.ts";
import { readFileIfExists } from "../../files/safe_file.ts";
import { restoreTerminals } from "../../terminal/terminal.ts";
import type { RefreshResult } from "./renewal.ts";
import { startCredentialServer } from "./serve.ts";

/**
 * The variables removed from COMMAND's environment: each would make the AWS
 * CLI or an SDK take credentials from somewhere before the container
 * provider (or send another token to it).
 */
export const SERVER_REMOVED_VARIABLES = [
  ...CREDENTIAL_VARIABLES,
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
] as const;

/** How long awsmfa waits, once COMMAND has exited, for a refresh that is still running. */
const FINISH_REFRESH_MS = 3_000;

/**
 * COMMAND's environment: awsmfa's without {@link SERVER_REMOVED_VARIABLES},
 * plus the server's URL and token.
 */
export function serverEnvironment(
  current: Record<string, string>,
  server: { url: string; token: string },
): Record<string, string> {
  const env = { ...current };
  for (const name of SERVER_REMOVED_VARIABLES) delete env[name];
  env.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
  env.AWS_CONTAINER_AUTHORIZATION_TOKEN = server.token;
  return env;
}

/** Options of {@link runWithServer}. */
export interface RunWithServerOptions {
  /** The refresh request of the command line. */
  request: RefreshRequest;
  /** The session `exec` ensured at the start. */
  outcome: RefreshOutcome;
  /** Runs COMMAND with this environment; resolves to its exit code. */
  runCommand(env: Record<string, string>): Promise<number>;
}

/**
 * Serves the session while `runCommand` runs and resolves to its exit code;
 * the port is closed before it resolves.
 */
export async function runWithServer(
  options: RunWithServerOptions,
  context: Context,
): Promise<number> {
  const { request, outcome } = options;
  const marginMs = Math.max(request.minRemainingSeconds ?? 0, SDK_REFRESH_MARGIN_SECONDS) * 1000;
  // In the background a `--code` is spent and stdin is COMMAND's: a renewal
  // asks mfa_process, --code-command or the console, as login would.
  const renewRequest: RefreshRequest = {
    ...request,
    code: undefined,
    force: false,
    minRemainingSeconds: marginMs / 1000,
  };
  await warnAboutDefaultKeys(request.profile, context);
  const server = startCredentialServer({
    initial: { session: outcome.session, fresh: outcome.kind === "refreshed" },
    marginMs,
    profile: request.profile,
    now: context.now,
    sleep: (ms) =>
      new Promise((resolve) => {
        Deno.unrefTimer(setTimeout(resolve, ms));
      }),
    refresh: async (): Promise<RefreshResult> => {
      const renewed = await refreshSession(renewRequest, context);
      return { session: renewed.session, fresh: renewed.kind === "refreshed" };
    },
    isPermanent: (error) => error instanceof UsageError || error instanceof CancelledError,
    describe: (error) => formatError(error, { verbose: context.verbose }),
    report: (text) => context.stderr(text),
  });
  let code: number;
  try {
    code = await options.runCommand(serverEnvironment(context.environment(), server));
  } finally {
    await server.close();
  }
  const running = server.refreshInProgress();
  if (running && !(await finishesWithin(running, FINISH_REFRESH_MS))) {
    // A prompt nobody answers (or a slow code command) must not keep awsmfa
    // alive after COMMAND: give the terminal back and leave.
    restoreTerminals();
    Deno.exit(code);
  }
  return code;
}

function finishesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Warns when `[default]` of the credentials file has keys (and is not the
 * served profile): the AWS CLI and SDKs read them before they ask the
 * server, so COMMAND would not use it.
 */
async function warnAboutDefaultKeys(profile: string, context: Context): Promise<void> {
  const path = locateFiles(context).credentials;
  const doc = loadIni(await readFileIfExists(path), path);
  if (!doc.get("default", "aws_access_key_id")) return;
  const effect = profile === "default"
    ? "COMMAND would read the session of [default] from the file, not from the server, and " +
      "not see its renewals. Serve a named profile"
    : "COMMAND would use them, not the server. Move them to a named profile";
  context.stderr(
    `awsmfa: warning: [default] in ${path} has keys, and the AWS CLI and SDKs read them ` +
      `before they ask the credentials server: ${effect}.\n`,
  );
}

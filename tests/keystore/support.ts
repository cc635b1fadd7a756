/**
 * What the keystore tests share: sample keys, a context made of a fixed
 * environment, and a loud skip when a system tool is absent.
 *
 * @module
 */

import type { KeystoreContext } from "../../lib/keystore/mod.ts";
import { tryRun } from "../support/system.ts";
import { skip } from "../support/skips.ts";

/** AWS's documentation keys. */
export const KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** A context whose whole environment (and child environment) is `env`. */
export function fixedContext(env: Record<string, string> = {}, home?: string): KeystoreContext {
  return {
    env: (name) => env[name] || undefined,
    environment: () => ({ ...env }),
    homeDir: () => home ?? env.HOME,
  };
}

/**
 * The tools of `tools` that are not on PATH, after warning about them: a test
 * that needs them is then ignored, loudly (`.ci/run` installs them).
 */
export async function missingTools(suite: string, tools: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const tool of tools) {
    if (!await tryRun("sh", "-c", `command -v ${tool}`)) missing.push(tool);
  }
  for (const tool of missing) skip(tool, `the ${suite} keystore tests`);
  return missing;
}

/** Runs a command with exactly `env`, bounded in time; throws with its stderr when it fails. */
export async function runOrThrow(
  env: Record<string, string>,
  command: string,
  args: string[],
  stdin?: string,
): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    clearEnv: true,
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { success, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  if (!success) throw new Error(`${command} ${args.join(" ")} failed: ${decoder.decode(stderr)}`);
  return decoder.decode(stdout);
}

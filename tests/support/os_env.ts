/**
 * What a child process needs from the environment besides what a test gives
 * it, on each OS: PATH everywhere; on Windows also what every program there
 * expects (Python fails without SystemRoot; `aws` is found through PATHEXT),
 * and USERPROFILE set to the test's HOME, since Python, Node and Go (and so the
 * AWS CLI, the SDKs and awsmfa) look for `.aws` there on Windows.
 *
 * @module
 */
import { findProgram } from "../../lib/terminal/child.ts";

const WINDOWS_ESSENTIALS = [
  "SystemRoot",
  "SYSTEMDRIVE",
  "WINDIR",
  "COMSPEC",
  "PATHEXT",
  "TEMP",
  "TMP",
  "LOCALAPPDATA",
  "APPDATA",
];

/** `env` plus what the OS needs (see the module doc); `env` wins where both name a variable. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  if (Deno.build.os === "windows") {
    for (const name of WINDOWS_ESSENTIALS) {
      const value = Deno.env.get(name);
      if (value !== undefined) base[name] = value;
    }
    if (env.HOME !== undefined) base.USERPROFILE = env.HOME;
  }
  return { ...base, ...env };
}

/** The AWS CLI's executable as a spawn finds it (`aws.cmd` on Windows). */
export function awsProgram(): string {
  return findProgram("aws");
}

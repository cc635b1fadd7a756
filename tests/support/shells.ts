/**
 * Real shells as oracles: run a script in bash, sh, zsh, fish or pwsh and
 * read back what it printed. A shell that is not installed is reported
 * loudly once and skipped.
 *
 * @module
 */
import { skip } from "./skips.ts";

/** The shells tests evaluate output with. */
export type ShellName = "bash" | "sh" | "zsh" | "fish" | "pwsh";

const warned = new Set<string>();

/** Whether `shell` can be run here; warns loudly (once) when not. */
export async function haveShell(shell: ShellName): Promise<boolean> {
  try {
    const output = await new Deno.Command(shell, {
      args: shell === "pwsh" ? ["-NoProfile", "-Command", "exit 0"] : ["-c", "exit 0"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (output.success) return true;
  } catch { /* not installed */ }
  if (!warned.has(shell)) {
    warned.add(shell);
    skip(shell, "its checks");
  }
  return false;
}

/** Runs `script` with `shell` and resolves to its stdout; throws with its stderr on failure. */
export async function runShell(
  shell: ShellName,
  script: string,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const args = shell === "pwsh"
    ? ["-NoProfile", "-NonInteractive", "-Command", script]
    : shell === "fish"
    ? ["--no-config", "-c", script]
    : ["-c", script];
  const output = await new Deno.Command(shell, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${shell} failed (${output.code}): ${stderr}\n${stdout}`);
  return stdout;
}

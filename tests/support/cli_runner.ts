/**
 * Runs the awsmfa CLI as a subprocess, the way users do: `deno run main.ts`
 * with the permissions the task grants, or the executable named by
 * `AWSMFA_BIN` (a compiled build). The environment is cleared to what the
 * test gives, plus PATH and Deno's cache.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** What a run printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCli}. */
export interface RunCliOptions {
  /** The environment, on top of PATH (and DENO_DIR for `deno run`). */
  env?: Record<string, string>;
  /** Text written to stdin, then closed; stdin is empty otherwise. */
  stdin?: string;
  cwd?: string;
  /** Kill the run after this long (ms); 30 s by default. */
  timeoutMs?: number;
}

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The permissions `deno task awsmfa` grants, read from deno.json so they cannot drift. */
export function taskPermissions(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const task: string = config.tasks.awsmfa;
  return task.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}

/** Deno's cache directory, so a run with a throw-away HOME does not download anything. */
export function denoDir(): string {
  const explicit = Deno.env.get("DENO_DIR");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? "";
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (Deno.build.os === "darwin") return `${home}/Library/Caches/deno`;
  if (Deno.build.os === "windows") return `${Deno.env.get("LOCALAPPDATA")}\\deno`;
  return `${xdg ?? `${home}/.cache`}/deno`;
}

/** The command line that starts awsmfa, without its arguments. */
export function cliCommand(): string[] {
  const bin = Deno.env.get("AWSMFA_BIN");
  if (bin) return [bin];
  return [Deno.execPath(), "run", "--quiet", ...taskPermissions(), `${ROOT}main.ts`];
}

/** Runs awsmfa with `args` and resolves to what it printed. */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const [command, ...prefix] = cliCommand();
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: denoDir(),
    NO_COLOR: "1",
    ...options.env,
  };
  const child = new Deno.Command(command, {
    args: [...prefix, ...args],
    env,
    clearEnv: true,
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, options.timeoutMs ?? 30_000);
  const writer = child.stdin.getWriter();
  try {
    if (options.stdin !== undefined) await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  } catch { /* the program may exit before reading */ }
  const output = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

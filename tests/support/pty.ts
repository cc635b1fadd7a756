/**
 * Runs a command in a pseudo-terminal (util-linux `script`), so tests can
 * type at a prompt as a person would: wait for text, send keys, read the
 * screen output, get the exit code.
 *
 * @module
 */
import { skip } from "./skips.ts";

/** A session with a program in a pseudo-terminal. */
export interface PtySession {
  /** Resolves once the output so far contains `text` (rejects after `timeoutMs`). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Types `keys` (raw bytes as a string: "\x7f" is Backspace, "\x03" Ctrl-C, "\r" Enter). */
  send(keys: string): Promise<void>;
  /** Everything the program wrote to the terminal so far. */
  output(): string;
  /** Waits for the program to end; resolves to its exit code. */
  exit(): Promise<number>;
}

/** Whether `script` is available to make pseudo-terminals. */
export function ptyAvailable(): boolean {
  if (scriptWorks === undefined) {
    try {
      scriptWorks = new Deno.Command("script", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
    } catch {
      scriptWorks = false;
    }
    if (!scriptWorks) skip("script", "the terminal (pty) tests (util-linux's script(1))");
  }
  return scriptWorks;
}

let scriptWorks: boolean | undefined;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Starts `argv` in a pseudo-terminal with exactly `env` (plus PATH). */
export function startPty(argv: string[], env: Record<string, string>): PtySession {
  const child = new Deno.Command("script", {
    args: ["-qfec", argv.map(shellQuote).join(" "), "/dev/null"],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", TERM: "dumb", ...env },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const decoder = new TextDecoder();
  let text = "";
  const listeners = new Set<() => void>();
  const pump = (async () => {
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      for (const listener of listeners) listener();
    }
  })();
  const stderr = new Response(child.stderr).text();
  return {
    waitFor(pattern, timeoutMs = 15_000) {
      const found = () => typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
      if (found()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; screen so far:\n${text}`));
        }, timeoutMs);
        const check = () => {
          if (!found()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    async send(keys) {
      await writer.write(new TextEncoder().encode(keys));
    },
    output: () => text,
    async exit() {
      await writer.close().catch(() => {});
      const status = await child.status;
      await pump;
      await stderr;
      return status.code;
    },
  };
}

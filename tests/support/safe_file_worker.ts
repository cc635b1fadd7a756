/**
 * A process that edits a file through lib/files/safe_file.ts, for
 * tests/files/safe_file_process_test.ts. Each run prints one JSON line on stdout:
 * `{"ok":true,...}` or `{"ok":false,"name","message","fix"}` (then exits with
 * the error's exit code).
 *
 *   set FILE KEY VALUE   sets `KEY = VALUE` in the [default] section (a plain
 *                        text edit: this does not depend on lib/ini)
 *   fill FILE BYTES      replaces the file with BYTES bytes of a fixed pattern
 *   loop FILE            forever: replaces crashContent(N) with crashContent(N + 1);
 *                        prints RUNNING after the first transaction
 *   hold FILE            takes the lock, prints LOCKED, waits to be killed
 *   slow FILE TEXT       replaces the file with TEXT, but stops after writing the
 *                        temporary file (prints TEMP path) until it disappears
 *
 * Flags: --timeout MS (lock wait), --go FILE (wait until FILE exists before
 * locking; prints READY first), --hold-ms MS (keep the lock that long inside
 * the edit), --inject CODE (writes fail with CODE, for machines where the real
 * failure cannot be produced).
 *
 * @module
 */

import { type SafeFileOs, updateFile, withFileLock } from "../../lib/files/safe_file.ts";
import { denoOs } from "../../lib/files/safe_file_os.ts";
import { AwsmfaError } from "../../lib/core/errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The full content number `n` of the crash test: every byte determined by `n`. */
export function crashContent(n: number): string {
  let text = `# safe_file crash test\n[default]\ncounter = ${n}\n`;
  let x = (n * 2654435761) >>> 0;
  for (let i = 0; i < 120; i++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + i) >>> 0;
    text += `key_${i} = ${x.toString(16).padStart(8, "0").repeat(5)}\n`;
  }
  return text;
}

/** The counter of a crash-test content, or -1 for anything else. */
export function crashCounter(text: string): number {
  const match = /^counter = (\d+)$/m.exec(text);
  return match ? Number(match[1]) : -1;
}

/** Sets `key = value` inside [default], keeping every other line as it is. */
export function setKey(text: string, key: string, value: string): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  let start = lines.indexOf("[default]");
  if (start < 0) {
    if (lines.length > 0) lines.push("");
    lines.push("[default]");
    start = lines.length - 1;
  }
  let end = start + 1;
  while (end < lines.length && !lines[end].startsWith("[")) end++;
  while (end > start + 1 && lines[end - 1] === "") end--;
  const existing = lines.slice(start + 1, end).findIndex((line) => line.startsWith(`${key} =`));
  if (existing >= 0) lines[start + 1 + existing] = `${key} = ${value}`;
  else lines.splice(end, 0, `${key} = ${value}`);
  return lines.join("\n") + "\n";
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [, value] = args.splice(at, 2);
  return value;
}

function injected(code: string): SafeFileOs {
  const fail = () => {
    throw Object.assign(new Error(`Injected ${code}`), { code });
  };
  return {
    ...denoOs,
    async createTemp(path) {
      if (code === "EACCES") fail();
      const temp = await denoOs.createTemp(path);
      return { ...temp, write: () => Promise.resolve().then(fail) };
    },
  };
}

async function main(args: string[]): Promise<void> {
  const timeout = flag(args, "--timeout");
  const go = flag(args, "--go");
  const holdMs = Number(flag(args, "--hold-ms") ?? 0);
  const inject = flag(args, "--inject");
  const [mode, file, ...rest] = args;
  let waited = false;
  const options = {
    timeoutMs: timeout === undefined ? undefined : Number(timeout),
    onWait: () => waited = true,
    warn: () => {},
    os: inject ? injected(inject) : undefined,
  };
  if (go) {
    console.log("READY");
    while (!(await Deno.stat(go).then(() => true, () => false))) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  switch (mode) {
    case "set": {
      const [key, value] = rest;
      const result = await updateFile(file, async (current) => {
        if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
        return encoder.encode(setKey(current ? decoder.decode(current) : "", key, value));
      }, options);
      console.log(JSON.stringify({ ok: true, ...result, waited }));
      return;
    }
    case "fill": {
      const bytes = new Uint8Array(Number(rest[0]));
      for (let i = 0; i < bytes.length; i++) bytes[i] = 97 + (i % 26);
      const result = await updateFile(file, () => bytes, options);
      console.log(JSON.stringify({ ok: true, ...result }));
      return;
    }
    case "loop": {
      for (let round = 0;; round++) {
        await updateFile(file, (current) => {
          const n = current ? crashCounter(decoder.decode(current)) : 0;
          return encoder.encode(crashContent(n + 1));
        }, options);
        if (round === 0) console.log("RUNNING");
      }
    }
    case "hold": {
      await withFileLock(file, async () => {
        console.log("LOCKED");
        await new Promise(() => setInterval(() => {}, 60_000));
      }, options);
      return;
    }
    case "slow": {
      const slowOs: SafeFileOs = {
        ...denoOs,
        async createTemp(path) {
          const temp = await denoOs.createTemp(path);
          return {
            ...temp,
            async sync() {
              console.log(`TEMP ${path}`);
              // Stands for a slow disk: returns once the temporary file is gone.
              for (
                let i = 0;
                i < 500 && (await Deno.lstat(path).then(() => true, () => false));
                i++
              ) {
                await new Promise((resolve) => setTimeout(resolve, 20));
              }
              await temp.sync();
            },
          };
        },
      };
      const result = await updateFile(file, () => encoder.encode(rest[0]), {
        ...options,
        os: slowOs,
      });
      console.log(JSON.stringify({ ok: true, ...result }));
      return;
    }
    default:
      throw new Error(`Unknown mode ${mode}`);
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args.slice());
  } catch (error) {
    const known = error instanceof AwsmfaError;
    console.log(JSON.stringify({
      ok: false,
      name: error instanceof Error ? error.name : "unknown",
      message: error instanceof Error ? error.message : String(error),
      fix: known ? error.fix : undefined,
    }));
    Deno.exit(known ? error.exitCode : 70);
  }
}

/**
 * Checking from tests that processes have ended: a command under test
 * writes the PIDs it starts to a file; these read it and wait, within a
 * bound, until none of them runs (a zombie waiting for init counts as ended).
 *
 * @module
 */

/** The PIDs in `path`, one a line (none when the file does not exist). */
export async function readPids(path: string): Promise<number[]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").filter((line) => line.trim() !== "").map(Number);
}

/** Whether `pid` runs a command whose arguments contain `marker` (not a zombie). */
export async function isRunning(pid: number, marker: string): Promise<boolean> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "stat=,args=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const line = new TextDecoder().decode(stdout).trim();
  return line !== "" && !line.startsWith("Z") && line.includes(marker);
}

/**
 * The PIDs in `path` still running `marker` after waiting up to `timeoutMs`
 * (default 10 s) for them to end: an exited process may need a moment to be
 * reaped.
 */
export async function survivors(
  path: string,
  marker: string,
  options: { timeoutMs?: number } = {},
): Promise<number[]> {
  const pids = await readPids(path);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (true) {
    const running: number[] = [];
    for (const pid of pids) if (await isRunning(pid, marker)) running.push(pid);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits (up to `timeoutMs`, default 20 s) until `path` lists `count` PIDs; false when it did not. */
export async function waitForPids(
  path: string,
  count: number,
  options: { timeoutMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while ((await readPids(path)).length < count) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Kills whatever of the PIDs in `path` still runs `marker` (cleanup after a failed test). */
export async function killSurvivors(path: string, marker: string): Promise<void> {
  for (const pid of await readPids(path)) {
    if (!(await isRunning(pid, marker))) continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* gone meanwhile */ }
  }
}

/**
 * Probing the machine from tests: whether a system command works here.
 *
 * @module
 */

/** Runs `command args…` quietly; true when it exists and exits 0. */
export async function tryRun(command: string, ...args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, { args, stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

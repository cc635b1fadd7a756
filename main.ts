/**
 * The awsmfa executable: parse the command line, run one command, exit with
 * the code its outcome maps to. Everything else lives in `lib/`.
 *
 * @module
 */
import { run } from "./lib/cli/main.ts";

if (import.meta.main) {
  Deno.exitCode = await run(Deno.args);
}

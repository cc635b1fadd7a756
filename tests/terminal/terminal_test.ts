import assert from "node:assert/strict";
import { missingTerminalReason, openTerminal } from "../../lib/terminal/terminal.ts";

Deno.test("openTerminal: takes standard input when the context says stdin and stderr are terminals", async () => {
  // Whatever the test's own streams are: the answer comes from the caller (its context), and
  // standard input needs nothing opened, so this never touches /dev/tty or the console.
  const terminal = await openTerminal({ stdinIsTerminal: true, stderrIsTerminal: true });
  assert.ok(terminal, "a terminal");
  assert.equal(missingTerminalReason(), "");
  terminal.close();
});

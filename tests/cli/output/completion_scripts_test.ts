/**
 * The completion scripts: every shell parses them; a name that is not a plain
 * word is refused.
 */
import assert from "node:assert/strict";
import { completionScript } from "../../../lib/cli/output/completion_scripts.ts";
import {
  COMPLETION_SHELLS,
  completionCommand,
  type CompletionSpec,
} from "../../../lib/cli/output/completion_spec.ts";
import { haveShell } from "../../support/shells.ts";

const FLAGS = {
  format: { type: "string" as const, value: "FORMAT", help: "Output format" },
  "source-profile": { type: "string" as const, value: "NAME", help: "Source" },
  force: { type: "boolean" as const, short: "f", help: "Renew" },
  hidden: { type: "boolean" as const },
};

const SPEC: CompletionSpec = {
  program: "awsmfa",
  defaultCommand: "login",
  commands: [
    completionCommand("login", "Log in: it's quick", {
      usage: "[login] [PROFILE] [flags]",
      flags: FLAGS,
    }),
    completionCommand("exec", "Run a command", {
      usage: "exec [PROFILE] [flags] -- COMMAND [ARGS...]",
      flags: FLAGS,
    }),
    completionCommand("completions", "Scripts", {
      usage: "completions bash|zsh|fish|powershell",
      flags: {},
    }),
  ],
};

Deno.test("completion: every script parses in its shell", async () => {
  const check: Record<string, [string, string[]]> = {
    bash: ["bash", ["-n"]],
    zsh: ["zsh", ["-n"]],
    fish: ["fish", ["--no-execute"]],
  };
  for (const shell of COMPLETION_SHELLS) {
    const text = completionScript(SPEC, shell);
    assert.match(text, /awsmfa completions --list-profiles/, shell);
    if (!(shell in check)) continue;
    const [program, args] = check[shell];
    if (!(await haveShell(program as "bash"))) continue;
    const path = await Deno.makeTempFile({ suffix: `.${shell}` });
    try {
      await Deno.writeTextFile(path, text);
      const output = await new Deno.Command(program, { args: [...args, path], stderr: "piped" })
        .output();
      assert.ok(output.success, `${shell}: ${new TextDecoder().decode(output.stderr)}`);
    } finally {
      await Deno.remove(path);
    }
  }
});

Deno.test("completion: a name that is not a plain word is refused rather than quoted wrong", () => {
  const spec = {
    ...SPEC,
    commands: [{ ...SPEC.commands[0], name: "log in" }],
  };
  assert.throws(() => completionScript(spec, "bash"), /not a plain word: log in/);
});

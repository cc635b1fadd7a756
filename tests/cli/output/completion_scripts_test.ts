/**
 * The completion scripts' pure parts: what each subcommand's usage line and
 * flags say to complete, and scripts every shell parses.
 */
import assert from "node:assert/strict";
import {
  COMPLETION_SHELLS,
  completionCommand,
  completionScript,
  type CompletionSpec,
} from "../../../lib/cli/output/completion_scripts.ts";
import { haveShell } from "../../support/shells.ts";

const FLAGS = {
  format: { type: "string" as const, value: "FORMAT", help: "Output format" },
  "source-profile": { type: "string" as const, value: "NAME", help: "Source" },
  force: { type: "boolean" as const, short: "f", help: "Renew" },
  hidden: { type: "boolean" as const },
};

Deno.test("completion: the positional and flag values come from the usage line", () => {
  const env = completionCommand("env", "Print variables", {
    usage: "env [PROFILE] [--format sh|fish|json] [flags]",
    flags: FLAGS,
  });
  assert.deepEqual(env.positional, { kind: "profile" });
  assert.deepEqual(env.flags, [
    {
      name: "format",
      short: undefined,
      help: "Output format",
      value: { kind: "choices", choices: ["sh", "fish", "json"] },
    },
    { name: "source-profile", short: undefined, help: "Source", value: { kind: "profile" } },
    { name: "force", short: "f", help: "Renew", value: undefined },
  ], "flags without help are hidden");
  assert.equal(env.runsCommand, false);

  const cp = completionCommand("credential-process", "", {
    usage: "credential-process PROFILE [flags]",
    flags: {},
  });
  assert.deepEqual(cp.positional, { kind: "profile" });
  const shells = completionCommand("completions", "", {
    usage: "completions bash|zsh|fish|powershell",
    flags: {},
  });
  assert.deepEqual(shells.positional, {
    kind: "choices",
    choices: ["bash", "zsh", "fish", "powershell"],
  });
  const policy = completionCommand("policy", "", {
    usage: "policy [--max-age TIME] [--allow-assume-role]",
    flags: {},
  });
  assert.deepEqual(policy.positional, { kind: "none" });
  const exec = completionCommand("exec", "", {
    usage: "exec [PROFILE] [flags] -- COMMAND [ARGS...]",
    flags: {},
  });
  assert.deepEqual(exec.positional, { kind: "profile" });
  assert.equal(exec.runsCommand, true);
});

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

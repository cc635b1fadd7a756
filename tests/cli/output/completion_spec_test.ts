/** What each subcommand's usage line and flags say to complete. */
import assert from "node:assert/strict";
import { completionCommand } from "../../../lib/cli/output/completion_spec.ts";

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

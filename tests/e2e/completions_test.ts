/**
 * `awsmfa completions SHELL` end to end: each script loaded into the real
 * shell and asked for completions (bash through COMP_WORDS/COMP_CWORD, zsh
 * with compadd recorded, fish through `complete -C`), with profile names
 * read back from a throw-away credentials file by the real CLI.
 */
import assert from "node:assert/strict";
import { cliCommand, denoDir, runCli } from "../support/cli_runner.ts";
import { haveShell, runShell } from "../support/shells.ts";
import { quoteSh } from "../../lib/cli/output/env_format.ts";

const CREDENTIALS = `[georgemfa]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
mfa_serial = arn:aws:iam::123456789012:mfa/george

[george]
aws_access_key_id = ASIAEXAMPLEEXAMPLE12
aws_secret_access_key = x
aws_session_token = y
aws_credential_expiration = 2026-01-01T00:00:00Z

[prodmfa]
aws_access_key_id = AKIAIOSFODNN7EXAMPLF
aws_secret_access_key = z

[ci-session]
aws_access_key_id = ASIAEXAMPLEEXAMPLE13
aws_secret_access_key = x
aws_session_token = y

[plain]
region = eu-west-1
`;

/** A HOME with the credentials above and `awsmfa` on PATH (a wrapper of the CLI under test). */
async function setup(): Promise<{ home: string; env: Record<string, string> } & AsyncDisposable> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-completions-" });
  await Deno.mkdir(`${home}/.aws`);
  await Deno.mkdir(`${home}/bin`);
  await Deno.writeTextFile(`${home}/.aws/credentials`, CREDENTIALS);
  await Deno.writeTextFile(
    `${home}/bin/awsmfa`,
    `#!/bin/sh\nexec ${cliCommand().map(quoteSh).join(" ")} "$@"\n`,
    { mode: 0o755 },
  );
  return {
    home,
    env: {
      HOME: home,
      PATH: `${home}/bin:${Deno.env.get("PATH")}`,
      DENO_DIR: denoDir(),
      NO_COLOR: "1",
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(home, { recursive: true });
    },
  };
}

async function script(shell: string, home: string): Promise<string> {
  const result = await runCli(["completions", shell], { env: { HOME: home } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  await Deno.writeTextFile(`${home}/completion.${shell}`, result.stdout);
  return `${home}/completion.${shell}`;
}

const PROFILES = ["ci-session", "george", "prod"];

Deno.test("completions: --list-profiles reads the profiles from the credentials file", async () => {
  await using world = await setup();
  const result = await runCli(["completions", "--list-profiles"], { env: world.env });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, PROFILES.join("\n") + "\n");
  const none = await runCli(["completions", "--list-profiles"], {
    env: { HOME: `${world.home}/nowhere` },
  });
  assert.equal(none.code, 0);
  assert.equal(none.stdout, "");
});

Deno.test("completions: a bad or missing shell is a usage error", async () => {
  for (const args of [[], ["tcsh"], ["bash", "zsh"]]) {
    const result = await runCli(["completions", ...args]);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, /bash, zsh, fish, powershell/);
  }
});

/** Asks bash's completion function for the candidates at the end of each line. */
async function bashComplete(
  world: { home: string; env: Record<string, string> },
  lines: string[][],
): Promise<string[][]> {
  const path = await script("bash", world.home);
  const calls = lines.map((words) =>
    `COMP_WORDS=(${words.map(quoteSh).join(" ")}); COMP_CWORD=${words.length - 1}; ` +
    `COMPREPLY=(); _awsmfa; printf '%s\\n' "\${COMPREPLY[@]}" | LC_ALL=C sort; echo '<end>'`
  ).join("\n");
  const output = await runShell("bash", `source ${path}\n${calls}\n`, { env: world.env });
  return output.split("<end>\n").slice(0, -1).map((block) => block.split("\n").filter(Boolean));
}

Deno.test("completions: bash completes subcommands, flags, values and profile names", async () => {
  if (!(await haveShell("bash"))) return;
  await using world = await setup();
  const [
    first,
    lo,
    loginFlags,
    loginProfile,
    envFormat,
    envProfile,
    afterProfile,
    shells,
    plainFlags,
    profileFlag,
    codeValue,
    execCommand,
  ] = await bashComplete(world, [
    ["awsmfa", ""],
    ["awsmfa", "lo"],
    ["awsmfa", "login", "--"],
    ["awsmfa", "login", ""],
    ["awsmfa", "env", "--format", ""],
    ["awsmfa", "env", "--format", "fish", "g"],
    ["awsmfa", "login", "george", ""],
    ["awsmfa", "completions", ""],
    ["awsmfa", "george", "--co"],
    ["awsmfa", "--profile", "p"],
    ["awsmfa", "login", "--code", ""],
    ["awsmfa", "exec", "george", "--", "awsmfa-no-such-prefix-"],
  ]);
  for (const name of ["login", "credential-process", "env", "exec", "policy", "completions"]) {
    assert.ok(first.includes(name), `${name} in ${first}`);
  }
  for (const profile of PROFILES) assert.ok(first.includes(profile), `${profile} in ${first}`);
  assert.deepEqual(lo, ["login"]);
  for (
    const flag of ["--code", "--code-command", "--duration", "--role-arn", "--force", "--help"]
  ) {
    assert.ok(loginFlags.includes(flag), `${flag} in ${loginFlags}`);
  }
  assert.deepEqual(loginProfile, PROFILES);
  assert.deepEqual(envFormat, ["cmd", "dotenv", "fish", "json", "powershell", "sh"]);
  assert.deepEqual(envProfile, ["george"]);
  assert.deepEqual(afterProfile, [], "one profile at most");
  assert.deepEqual(shells, ["bash", "fish", "powershell", "zsh"]);
  assert.deepEqual(plainFlags, ["--code", "--code-command"]);
  assert.deepEqual(profileFlag, ["prod"]);
  assert.deepEqual(codeValue, [], "no suggestions for a code");
  assert.deepEqual(execCommand, [], "after '--' the words are a command (none matches)");
});

Deno.test("completions: bash completes the command after exec --", async () => {
  if (!(await haveShell("bash"))) return;
  await using world = await setup();
  await Deno.writeTextFile(`${world.home}/bin/awsmfa-test-tool`, "#!/bin/sh\n", { mode: 0o755 });
  const [command] = await bashComplete(world, [["awsmfa", "exec", "george", "--", "awsmfa-te"]]);
  assert.deepEqual(command, ["awsmfa-test-tool"]);
});

Deno.test("completions: zsh offers the same through compadd", async () => {
  if (!(await haveShell("zsh"))) return;
  await using world = await setup();
  const path = await script("zsh", world.home);
  // compadd and _describe exist only inside completion widgets: record what they are given.
  const ask = (words: string[]) =>
    `words=(${words.map(quoteSh).join(" ")}); CURRENT=${words.length}; offered=(); _awsmfa; ` +
    `print -rl -- \${(o)offered}; print -r -- '<end>'`;
  const output = await runShell(
    "zsh",
    [
      "compdef() { :; }",
      `compadd() { local a; if [[ $1 == -a ]]; then offered+=(\${(P)2}); else ` +
      `offered+=("\${@[2,-1]}"); fi; }`,
      `_describe() { local spec; for spec in \${(P)4}; do offered+=(\${spec%%:*}); done; }`,
      `source ${path}`,
      ask(["awsmfa", ""]),
      ask(["awsmfa", "env", "--format", ""]),
      ask(["awsmfa", "login", "-"]),
      ask(["awsmfa", "exec", ""]),
      ask(["awsmfa", "completions", ""]),
    ].join("\n"),
    { env: world.env },
  );
  const [first, formats, flags, execProfiles, shells] = output.split("<end>\n").map((b) =>
    b.split("\n").filter(Boolean)
  );
  assert.ok(first.includes("credential-process") && first.includes("george"), String(first));
  assert.deepEqual(formats, ["cmd", "dotenv", "fish", "json", "powershell", "sh"]);
  assert.ok(flags.includes("--code") && flags.includes("--force"), String(flags));
  assert.deepEqual(execProfiles, PROFILES);
  assert.deepEqual(shells, ["bash", "fish", "powershell", "zsh"]);
});

Deno.test("completions: fish completes subcommands, flags, values and profiles (complete -C)", async () => {
  if (!(await haveShell("fish"))) return;
  await using world = await setup();
  const path = await script("fish", world.home);
  const ask = (line: string) =>
    `complete -C ${quoteSh(line)} | string replace -r '\\t.*' '' | sort; echo '<end>'`;
  const output = await runShell(
    "fish",
    [
      `source ${path}`,
      ask("awsmfa lo"),
      ask("awsmfa env --format "),
      ask("awsmfa login --co"),
      ask("awsmfa exec "),
      ask("awsmfa george "),
      ask("awsmfa completions "),
      ask("awsmfa exec george -- ech"),
    ].join("\n"),
    { env: world.env },
  );
  const [lo, formats, flags, execProfiles, afterProfile, shells, command] = output.split(
    "<end>\n",
  ).map((
    b,
  ) => b.split("\n").filter(Boolean));
  assert.deepEqual(lo, ["login"]);
  assert.deepEqual(formats, ["cmd", "dotenv", "fish", "json", "powershell", "sh"]);
  assert.deepEqual(flags, ["--code", "--code-command"]);
  assert.deepEqual(execProfiles, PROFILES);
  assert.deepEqual(afterProfile, [], "one profile at most");
  assert.deepEqual(shells, ["bash", "fish", "powershell", "zsh"]);
  assert.ok(command.includes("echo"), `the command after '--': ${command}`);
});

Deno.test("completions: the PowerShell script registers a native completer with every command", async () => {
  await using world = await setup();
  const text = await Deno.readTextFile(await script("powershell", world.home));
  assert.match(text, /Register-ArgumentCompleter -Native -CommandName awsmfa/);
  for (const name of ["login", "credential-process", "env", "exec", "policy", "completions"]) {
    assert.match(text, new RegExp(`'${name}' = @\\{`));
  }
  if (!(await haveShell("pwsh"))) return;
  const output = await runShell(
    "pwsh",
    `. ${world.home}/completion.powershell\n` +
      `(TabExpansion2 -inputScript 'awsmfa env --format ' -cursorColumn 20).CompletionMatches | ` +
      `ForEach-Object { $_.CompletionText }`,
    { env: world.env },
  );
  assert.deepEqual(output.trim().split(/\r?\n/).sort(), [
    "cmd",
    "dotenv",
    "fish",
    "json",
    "powershell",
    "sh",
  ]);
});

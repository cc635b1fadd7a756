/**
 * The quoting of `awsmfa env`: exact output for each format, and a round
 * trip through the real shells (bash, dash, zsh, fish, pwsh where
 * installed) and Deno's dotenv reader for tricky and random values.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type EnvFormat,
  formatVariables,
  quoteDotenv,
  quoteFish,
  quotePowerShell,
  quoteSh,
  sessionVariables,
} from "../../../lib/cli/output/env_format.ts";
import { haveShell, runShell, type ShellName } from "../../support/shells.ts";

const SESSION = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE12",
  secretAccessKey: "wJalr+XUtnFEMI/K7MDENG/bPxRfiCY+EXAMPLE=",
  sessionToken: "IQoJb3JpZ2luX2VjE+//////////wEaCXVzLWVhc3QtMSJH==",
  expiration: new Date("2026-11-30T08:12:05.123Z"),
};

Deno.test("env_format: the four variables, expiration in RFC 3339 UTC", () => {
  assert.deepEqual(sessionVariables(SESSION), [
    ["AWS_ACCESS_KEY_ID", SESSION.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", SESSION.secretAccessKey],
    ["AWS_SESSION_TOKEN", SESSION.sessionToken],
    ["AWS_CREDENTIAL_EXPIRATION", "2026-11-30T08:12:05Z"],
  ]);
});

Deno.test("env_format: each format's lines", () => {
  const vars: Array<[string, string]> = [["A", "x+/="], ["B", "it's"]];
  const expected: Record<EnvFormat, string> = {
    sh: "export A='x+/='\nexport B='it'\\''s'\n",
    fish: "set -gx A 'x+/='\nset -gx B 'it\\'s'\n",
    powershell: "$env:A = 'x+/='\n$env:B = 'it''s'\n",
    cmd: 'set "A=x+/="\nset "B=it\'s"\n',
    dotenv: 'A=x+/=\nB="it\'s"\n',
    json: '{\n  "A": "x+/=",\n  "B": "it\'s"\n}\n',
  };
  for (const [format, text] of Object.entries(expected)) {
    assert.equal(formatVariables(vars, format as EnvFormat), text, format);
  }
});

Deno.test("env_format: quoting of the awkward characters", () => {
  assert.equal(quoteSh(""), "''");
  assert.equal(quoteSh("a'b"), "'a'\\''b'");
  assert.equal(quoteSh("$HOME `x` \\"), "'$HOME `x` \\'");
  assert.equal(quoteFish("a\\b'c$d"), "'a\\\\b\\'c$d'");
  assert.equal(quotePowerShell("a'b\u2019c$d"), "'a''b\u2019\u2019c$d'");
  assert.equal(quoteDotenv("plain+/=:value"), "plain+/=:value");
  assert.equal(quoteDotenv('x "y" $z # \\'), `'x "y" $z # \\'`);
  assert.equal(quoteDotenv('a "b" $c\\d\ne'), '"a \\"b\\" \\$c\\\\d\\ne"');
  assert.throws(
    () => formatVariables([["X", "100%"]], "cmd"),
    /value of X holds a character cmd\.exe cannot take literally.*\n?/,
  );
});

/** Values every quoting must carry through a real shell unchanged. */
const TRICKY = [
  "",
  " leading and trailing ",
  "it's",
  "''",
  "\\",
  "\\'",
  'say "hi"',
  "$HOME ${PATH} $(id) `id`",
  "!event !! ^old^new",
  "line one\nline two",
  "tab\tand\r\ncrlf",
  "glob * ? [ab] ~ {a,b}",
  "; | & < > ( ) #",
  "ünïcødé ‘smart’ “quotes” 🔑",
  "wJalr+XUtnFEMI/K7MDENG/bPxRfiCY+EXAMPLE=",
];

const FORMAT_OF: Record<ShellName, EnvFormat> = {
  bash: "sh",
  sh: "sh",
  zsh: "sh",
  fish: "fish",
  pwsh: "powershell",
};

/** Evaluates `formatVariables(values)` in `shell` and reads every variable back. */
async function roundTrip(shell: ShellName, values: string[]): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-quote-" });
  try {
    const vars = values.map((value, i) => [`AWSMFA_TEST_${i}`, value] as [string, string]);
    await Deno.writeTextFile(`${dir}/vars`, formatVariables(vars, FORMAT_OF[shell]));
    const dump = vars.map(([name], i) =>
      shell === "pwsh"
        ? `[IO.File]::WriteAllText("${dir}/out${i}", $env:${name})`
        : `printf '%s' "$${name}" > ${dir}/out${i}`
    ).join("\n");
    const load = shell === "pwsh"
      ? `Get-Content -Raw ${dir}/vars | Invoke-Expression`
      : shell === "fish"
      ? `source ${dir}/vars`
      : `eval "$(cat ${dir}/vars)"`;
    await runShell(shell, `${load}\n${dump}\n`);
    return await Promise.all(vars.map((_, i) => Deno.readTextFile(`${dir}/out${i}`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const shell of ["bash", "sh", "zsh", "fish", "pwsh"] as const) {
  Deno.test(`env_format: ${shell} reads back tricky and random values exactly`, async () => {
    if (!(await haveShell(shell))) return;
    // Environment values cannot hold NUL; fish and PowerShell also drop a
    // lone surrogate, which a UTF-8 pipe cannot carry anyway.
    const random = fc.sample(
      fc.string({ unit: "binary", maxLength: 40 }).filter((s) =>
        !s.includes("\0") && s.isWellFormed()
      ),
      { numRuns: 60, seed: 42 },
    );
    const values = [...TRICKY, ...random];
    assert.deepEqual(await roundTrip(shell, values), values);
  });
}

Deno.test("env_format: Deno's --env-file reads the dotenv output back exactly", async () => {
  const values = [
    // Readers disagree on backslashes in double quotes: only values that
    // need none of those (all that credentials ever need) are compared.
    ...TRICKY.filter((value) => !/['\r\n]/.test(value) || !/[\\"\r]/.test(value)),
    "wJalr+XUtnFEMI/K7MDENG/bPxRfiCY+EXAMPLE=",
    "2026-11-30T08:12:05Z",
  ];
  const vars = values.map((value, i) => [`AWSMFA_TEST_${i}`, value] as [string, string]);
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-dotenv-" });
  try {
    await Deno.writeTextFile(`${dir}/.env`, formatVariables(vars, "dotenv"));
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `--env-file=${dir}/.env`,
        `console.log(JSON.stringify(${JSON.stringify(vars.map(([n]) => n))}` +
        `.map((n) => Deno.env.get(n) ?? "")))`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), values);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Bad-input torture: the command line fuzzed through `run(argv, context)`
 * in this process (thousands of cases, a fake context), and a sample of the
 * same cases as real subprocesses.
 *
 * Structured cases are a valid command line with exactly one defect, and
 * each defect has its class, defined here:
 *
 * | defect                                                      | exit |
 * |-------------------------------------------------------------|------|
 * | unknown flag (long or short, Object.prototype names too)    | 2    |
 * | flag missing its value (at the end, or before another flag) | 2    |
 * | a value given to a boolean flag                             | 2    |
 * | a second positional; a second, different profile            | 2    |
 * | --duration / --min-remaining not a duration                 | 2    |
 * | --duration out of 900..129600 s                             | 2    |
 * | a code that is not 6 digits (letters, spaces, unicode, …)   | 2    |
 * | --code together with --code-command                         | 2    |
 * | a profile or source name that cannot be a section name      | 2    |
 * | a region that is not a region name (--region, AWS_REGION)   | 2    |
 * | AWSMFA_TIMEOUT not a positive number                        | 2    |
 * | a valid profile or source name with no section in the file  | 3    |
 * | --help anywhere; --version first                            | 0    |
 * | none (the control): STS is unreachable here                 | 5    |
 *
 * Chaos cases (random words: flags, values, quotes, unicode, `[`, `]`, `=`)
 * have no single expected class; they must end with one of the documented
 * exit codes and, when failing, with our message and no stack trace.
 *
 * Every case: never exit 70, never a stack trace, stderr starting with
 * `awsmfa: ` on failure, no secret in any output.
 */
import assert from "node:assert/strict";
import { GLOBAL_FLAGS, run } from "../../lib/cli/main.ts";
import { command as login } from "../../lib/cli/commands/login.ts";
import { realContext } from "../../lib/core/context.ts";
import { parseArgs } from "../../lib/cli/args.ts";
import {
  assertCleanError,
  figure,
  OutputLog,
  type Rng,
  scenario,
  size,
  spawnCli,
} from "./support.ts";

const FILE = "tests/torture/bad_input_test.ts";
const log = new OutputLog();
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTORTURE01";
const SPECS = { ...login.flags, ...GLOBAL_FLAGS };
const STRING_FLAGS = Object.entries(SPECS).filter(([, s]) => s.type === "string").map(([n]) => n);
const BOOLEAN_FLAGS = Object.entries(SPECS).filter(([, s]) => s.type === "boolean").map(([n]) => n);
const SHORTS = new Set(Object.values(SPECS).map((s) => s.short).filter(Boolean));
const CREDENTIALS = "# fuzz home\n[georgemfa]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n" +
  `aws_secret_access_key = ${SECRET}\n` +
  "mfa_serial = arn:aws:iam::123456789012:mfa/george\n" +
  // Never a prompt: without a code, this command gives one.
  "mfa_process = echo 000000\n" +
  "[other]\nregion = eu-west-1\n";

/** One fuzz case and what it must produce. */
interface Case {
  defect: string;
  argv: string[];
  env?: Record<string, string>;
  /** The exit code; undefined for chaos (any documented one). */
  exit?: number;
  message?: RegExp;
}

// ---------------------------------------------------------------- generators

const UNICODE = ["é", "日本", "🎉", "\u00a0", "ß", "Ω", "\u200b", "١", "９", "𝒳"];
const ODD = [" ", "'", '"', "[", "]", "=", ":", ";", "#", "\\", "$", "`", "*", "\t", "%"];

function word(rng: Rng, alphabet: readonly string[], min: number, max: number): string {
  let text = "";
  for (let n = rng.between(min, max); n > 0; n--) text += rng.pick(alphabet);
  return text;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".split("");
const ANY = [...LETTERS, ...UNICODE, ...ODD];

function codeArgs(rng: Rng, code: string): string[] {
  const spelling = rng.int(4);
  if (spelling === 0) return ["--code", code];
  if (spelling === 1) return [`--code=${code}`];
  if (spelling === 2) return ["-c", code];
  return [`-c${code}`];
}

const EXTRAS: Array<{ flag: string; args: string[] }> = [
  { flag: "force", args: ["--force"] },
  { flag: "force", args: ["-f"] },
  { flag: "duration", args: ["--duration", "1h"] },
  { flag: "duration", args: ["-d", "3600"] },
  { flag: "min-remaining", args: ["--min-remaining", "20m"] },
  { flag: "region", args: ["--region", "eu-west-1"] },
  { flag: "verbose", args: ["--verbose"] },
  { flag: "verbose", args: ["-v"] },
  { flag: "source-profile", args: ["--source-profile=georgemfa"] },
];

/** `george` + a valid code + valid extras, with `defect` spliced in at a random place. */
function withDefect(
  rng: Rng,
  parts: { insert?: string[]; profile?: string[]; code?: string[]; owns?: string[] },
): string[] {
  const owns = new Set(parts.owns ?? []);
  const groups: string[][] = [];
  groups.push(parts.code ?? codeArgs(rng, String(rng.int(1_000_000)).padStart(6, "0")));
  for (const extra of EXTRAS) {
    if (!owns.has(extra.flag) && rng.chance(0.2)) groups.push(extra.args);
  }
  if (parts.insert) groups.splice(rng.int(groups.length + 1), 0, parts.insert);
  // Shuffle the groups; the profile goes first or after the flags.
  for (let i = groups.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  const profile = parts.profile ?? ["george"];
  return rng.chance(0.7) ? [...profile, ...groups.flat()] : [...groups.flat(), ...profile];
}

function badCode(rng: Rng): string {
  for (;;) {
    const code = rng.pick([
      () => word(rng, "0123456789".split(""), 0, 5),
      () => word(rng, "0123456789".split(""), 7, 12),
      () => word(rng, [..."0123456789", ..."abcxyzOlI"], 6, 6),
      () => word(rng, [..."0123456789", " ", "\t"], 1, 9),
      () => word(rng, [..."0123456789", ..."١٢٣٤٥٦９８"], 6, 6),
      () => word(rng, ANY, 0, 10),
    ])();
    const normalized = code.trim().replace(/[ -]/g, "");
    if (!/^\d{6}$/.test(normalized) && code !== "-") return code;
  }
}

function badDuration(rng: Rng): string {
  for (;;) {
    const text = rng.pick([
      () => rng.pick(["soon", "1.5h", "1e4", "h", "12hh", "1h 30m", "-5", "0x10", "∞", "1w"]),
      () => word(rng, ANY, 0, 6),
      () => word(rng, [..."0123456789", ..."smhdw .:"], 1, 6),
    ])();
    const t = text.trim().toLowerCase();
    if (!/^\d+$/.test(t) && !/^(\d+[smhd])+$/.test(t)) return text;
  }
}

function outOfRangeDuration(rng: Rng): string {
  return rng.pick([
    "0",
    "899",
    "10m",
    "14m59s",
    "129601",
    "37h",
    "2d",
    "1d12h1s",
    "99999999999999999999",
    String(rng.between(130_000, 10_000_000)),
    String(rng.int(900)),
  ]);
}

/** A name checkProfileName refuses: `]`, a line break, a leading `[`, outer space, empty. */
function badName(rng: Rng): string {
  const core = word(rng, LETTERS.slice(0, 26), 1, 6);
  return rng.pick([
    `${core}]`,
    `a]${core}`,
    `[${core}`,
    `${core}\n`,
    `x\r${core}`,
    ` ${core}`,
    `${core} `,
    "",
    "]",
    "[]",
  ]);
}

/** A name that is a fine section name but has no `[NAMEmfa]` in the fuzz home. */
function missingName(rng: Rng, commands: Set<string>): string {
  for (;;) {
    const name = rng.pick([
      () => word(rng, LETTERS, 1, 10),
      () => `${word(rng, LETTERS, 1, 4)} ${word(rng, LETTERS, 1, 4)}`,
      () => `o'${word(rng, LETTERS, 1, 5)}`,
      () => `"${word(rng, LETTERS, 1, 5)}"`,
      () => `${word(rng, LETTERS, 1, 3)}=${word(rng, LETTERS, 1, 3)}`,
      () => `a[${word(rng, LETTERS, 1, 3)}`,
      () => word(rng, UNICODE, 1, 4),
      () => word(rng, ANY, 1, 8),
    ])();
    if (
      name.startsWith("-") || name.startsWith("[") || /[\]\r\n]/.test(name) ||
      name !== name.trim() || name === "george" || commands.has(name)
    ) continue;
    return name;
  }
}

function badRegion(rng: Rng): string {
  return rng.pick([
    "x y",
    "us_east_1",
    "eu.west.1",
    "-us-east-1",
    "us-east-1-",
    "日本",
    `${word(rng, LETTERS, 1, 4)}${rng.pick([" ", "_", ".", "/", "é", ":"])}${
      word(rng, LETTERS, 1, 4)
    }`,
    "a".repeat(64),
  ]);
}

function unknownFlagName(rng: Rng): string {
  for (;;) {
    const name = rng.pick([
      () => rng.pick(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]),
      () => word(rng, LETTERS, 1, 12),
      () => word(rng, ANY, 1, 8),
      () => rng.pick(["cod", "codes", "Code", "forced", "profil", "durations", "help-me"]),
    ])();
    if (!Object.hasOwn(SPECS, name) && !name.includes("=") && name !== "") return name;
  }
}

function structuredCase(rng: Rng, commands: Set<string>): Case {
  const kind = rng.int(21);
  switch (kind) {
    case 0:
    case 1: {
      const name = unknownFlagName(rng);
      return {
        defect: "unknown long flag",
        argv: withDefect(rng, { insert: rng.chance(0.3) ? [`--${name}=x`] : [`--${name}`] }),
        exit: 2,
        message: /^awsmfa: Unknown flag '--/,
      };
    }
    case 2: {
      let letter: string;
      do letter = rng.pick([...LETTERS.slice(0, 62), ...UNICODE]); while (
        SHORTS.has(letter) || letter === "V"
      ); // -V first is --version
      return {
        defect: "unknown short flag",
        argv: withDefect(rng, { insert: [`-${letter}${rng.pick(["", "x", "=1"])}`] }),
        exit: 2,
        message: /^awsmfa: Unknown flag '-/,
      };
    }
    case 3: {
      const flag = rng.pick(STRING_FLAGS.filter((f) => f !== "code-command"));
      const argv = withDefect(rng, { owns: [flag], code: flag === "code" ? [] : undefined });
      return {
        defect: "flag missing its value",
        argv: [
          ...argv,
          rng.pick([`--${flag}`, ...(SPECS[flag].short ? [`-${SPECS[flag].short}`] : [])]),
        ],
        exit: 2,
        message: /^awsmfa: Flag '--[a-z-]+' needs a value/,
      };
    }
    case 4: {
      const flag = rng.pick(STRING_FLAGS.filter((f) => f !== "code-command"));
      return {
        defect: "flag followed by another flag",
        argv: withDefect(rng, {
          owns: [flag],
          code: flag === "code" ? [] : undefined,
          insert: [`--${flag}`, rng.pick(["--force", "--verbose", "-f", "--bogus"])],
        }),
        exit: 2,
        message: /^awsmfa: Flag '--[a-z-]+' needs a value/,
      };
    }
    case 5: {
      const flag = rng.pick(BOOLEAN_FLAGS.filter((f) => f !== "help"));
      const short = SPECS[flag].short;
      return {
        defect: "value given to a boolean flag",
        argv: withDefect(rng, {
          owns: [flag],
          insert: [
            rng.chance(0.5) || !short
              ? `--${flag}=${word(rng, ANY, 0, 5)}`
              : `-${short}${word(rng, LETTERS, 1, 3)}`,
          ],
        }),
        exit: 2,
        message: /^awsmfa: Flag '--[a-z-]+' takes no value/,
      };
    }
    case 6:
      return {
        defect: "second positional",
        argv: withDefect(rng, {
          profile: ["george", missingName(rng, commands)],
        }),
        exit: 2,
        message: /^awsmfa: Too many arguments: /,
      };
    case 7:
      return {
        defect: "two different profiles",
        argv: withDefect(rng, { insert: [`--profile=${missingName(rng, commands)}`] }),
        exit: 2,
        message: /^awsmfa: Two profiles given: 'george' and --profile /,
      };
    case 8: {
      const flag = rng.pick(["duration", "min-remaining"]);
      return {
        defect: `--${flag} not a duration`,
        argv: withDefect(rng, { owns: [flag], insert: [`--${flag}=${badDuration(rng)}`] }),
        exit: 2,
        message: new RegExp(`^awsmfa: --${flag} '.*' is not a duration\\.`, "s"),
      };
    }
    case 9:
      return {
        defect: "--duration out of range",
        argv: withDefect(rng, {
          owns: ["duration"],
          insert: [`--duration=${outOfRangeDuration(rng)}`],
        }),
        exit: 2,
        message: /^awsmfa: --duration is \d+ s; GetSessionToken accepts 900 to 129600 s\./,
      };
    case 10:
    case 11:
    case 12:
      return {
        defect: "code not 6 digits",
        argv: withDefect(rng, { code: [`--code=${badCode(rng)}`] }),
        exit: 2,
        message: /^awsmfa: The MFA code (is empty|must be 6 digits)/,
      };
    case 13:
      return {
        defect: "--code with --code-command",
        argv: withDefect(rng, { insert: ["--code-command", "echo 123456"] }),
        exit: 2,
        message: /^awsmfa: Give either --code or --code-command, not both\./,
      };
    case 14: {
      const name = badName(rng);
      const viaFlag = rng.chance(0.5) || name.startsWith("-");
      return {
        defect: "profile name not a section name",
        argv: withDefect(rng, { profile: viaFlag ? [`--profile=${name}`] : [name] }),
        exit: 2,
        message: /^awsmfa: Profile name '.*' cannot be used as a section name\./s,
      };
    }
    case 15:
      return {
        defect: "source name not a section name",
        argv: withDefect(rng, {
          owns: ["source-profile"],
          insert: [`--source-profile=${badName(rng).replace(/^$/, "]")}`],
        }),
        exit: 2,
        message: /^awsmfa: Source section '.*' cannot be used as a section name\./s,
      };
    case 16: {
      const name = missingName(rng, commands);
      return {
        defect: "valid profile name without a section",
        argv: withDefect(rng, {
          owns: ["source-profile"],
          profile: rng.chance(0.5) ? [name] : [`--profile=${name}`],
        }),
        exit: 3,
        message: /^awsmfa: .* has no section \[.*mfa\] with your long-term keys\./s,
      };
    }
    case 17:
      return {
        defect: "valid source name without a section",
        argv: withDefect(rng, {
          owns: ["source-profile"],
          insert: [`--source-profile=${missingName(rng, commands)}`],
        }),
        exit: 3,
        message: /^awsmfa: .* has no section \[.*\] with your long-term keys\./s,
      };
    case 18: {
      const viaEnv = rng.chance(0.3);
      const region = badRegion(rng);
      return {
        defect: "region not a region name",
        argv: withDefect(rng, { owns: ["region"], insert: viaEnv ? [] : [`--region=${region}`] }),
        env: viaEnv ? { AWS_REGION: region } : undefined,
        exit: 2,
        message: viaEnv
          ? /^awsmfa: AWS_REGION \(or AWS_DEFAULT_REGION\) is '.*', not a region name\./s
          : /^awsmfa: --region '.*' is not a region name\./s,
      };
    }
    case 19:
      return {
        defect: "AWSMFA_TIMEOUT not a number of seconds",
        argv: withDefect(rng, {}),
        env: {
          AWSMFA_TIMEOUT: rng.pick(["abc", "0", "-1", "NaN", "1s", "-0.5", "∞", "1e9", "601"]),
        },
        exit: 2,
        message: /^awsmfa: AWSMFA_TIMEOUT is '.*', not a number of seconds from 0\.1 to 600\./,
      };
    default:
      return rng.chance(0.5)
        ? {
          defect: "--help anywhere",
          argv: withDefect(rng, { insert: [rng.pick(["--help", "-h"])] }),
          exit: 0,
          message: /^(Usage:\n {2}awsmfa \[login\]|awsmfa: MFA session credentials)/,
        }
        : {
          defect: "none (control: STS unreachable)",
          argv: withDefect(rng, {}),
          exit: 5,
          message: /^awsmfa: Could not reach AWS STS at http:\/\/127\.0\.0\.1:1/m,
        };
  }
}

const CHAOS_WORDS = [
  "george",
  "login",
  "help",
  "--help",
  "--version",
  "-V",
  "--",
  "-",
  "",
  " ",
  "--force",
  "-f",
  "-v",
  "--verbose",
  "--code",
  "-c",
  "123456",
  "12 34 56",
  "--duration",
  "-d",
  "12h",
  "--min-remaining",
  "--region",
  "us-east-1",
  "--profile",
  "--source-profile",
  "--role-arn",
  "arn:aws:iam::123456789012:role/Admin",
  "[",
  "]",
  "=",
  "[george]",
  "a=b",
  "'quoted'",
  '"double"',
  "日本語",
  "🎉",
  "--=",
  "---",
  "-=",
  "--code=",
  "--force=",
  "-cc",
  "-fv",
];

function chaosCase(rng: Rng): Case {
  const argv: string[] = [];
  for (let n = rng.int(8); n > 0; n--) {
    argv.push(
      rng.chance(0.7) ? rng.pick(CHAOS_WORDS) : word(rng, rng.chance(0.5) ? ANY : LETTERS, 0, 10),
    );
  }
  return { defect: "chaos", argv };
}

/** Whether a case would read the code from stdin (`--code -`): not fuzzed in-process. */
function readsStdin(argv: string[]): boolean {
  const named = argv[0] === "login";
  try {
    return parseArgs(named ? argv.slice(1) : argv, SPECS).flags.code === "-";
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ running

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function inProcess(home: string, c: Case): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const env: Record<string, string> = {
    HOME: home,
    AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1",
    AWS_ENDPOINT_URL_IAM: "http://127.0.0.1:1",
    AWSMFA_TIMEOUT: "2",
    ...c.env,
  };
  const verbose = c.argv.includes("--verbose") || c.argv.includes("-v");
  const code = await run(c.argv, {
    ...realContext({ verbose }),
    env: (name) => env[name] === "" ? undefined : env[name],
    environment: () => ({ ...env }),
    homeDir: () => home,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    now: () => Date.now(),
    stderrIsTerminal: false,
    stdoutIsTerminal: false,
    verbose,
  });
  return { code, stdout, stderr };
}

function check(c: Case, outcome: Outcome, where: string): void {
  const what = `${where} ${c.defect}: ${JSON.stringify(c.argv)}${
    c.env ? ` env ${JSON.stringify(c.env)}` : ""
  }\nexit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
  log.record(outcome);
  assert.notEqual(outcome.code, 70, `internal error: ${what}`);
  assert.ok([0, 2, 3, 4, 5].includes(outcome.code), `a documented exit code: ${what}`);
  if (outcome.code !== 0) assertCleanError(outcome, what);
  if (c.exit !== undefined) {
    assert.equal(outcome.code, c.exit, what);
    const text = c.exit === 0
      ? outcome.stdout
      : outcome.stderr.replace(/^awsmfa: warning: .*\n/gm, "");
    if (c.message) assert.match(text, c.message, what);
  }
}

async function fuzzHome(): Promise<string> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-torture-fuzz-" });
  await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
  await Deno.writeTextFile(`${home}/.aws/credentials`, CREDENTIALS, { mode: 0o600 });
  return home;
}

async function commandNames(home: string): Promise<Set<string>> {
  const help = await inProcess(home, { defect: "help", argv: ["--help"] });
  const section = help.stdout.split("\nCommands:\n")[1]?.split("\n\n")[0] ?? "";
  return new Set(section.split("\n").map((line) => line.trim().split(/\s+/)[0]).filter(Boolean));
}

const counts: Record<string, number> = {};

scenario("the command line fuzzed in-process: every case its class, never a stack trace", {
  file: FILE,
  timeoutMs: size(30_000, 240_000),
}, async ({ rng, checkTime }) => {
  const structured = size(700, 60_000);
  const chaos = size(300, 40_000);
  const home = await fuzzHome();
  try {
    const commands = await commandNames(home);
    assert.ok(commands.has("login"), `commands: ${[...commands]}`);
    // Chaos never starts another command: exec would run a program, setup would ask.
    const others = new Set([...commands].filter((name) => name !== "login"));
    for (let i = 0; i < structured + chaos; i++) {
      if (i % 100 === 0) checkTime();
      const c = i < structured ? structuredCase(rng, commands) : chaosCase(rng);
      if (others.has(c.argv[0]) || readsStdin(c.argv)) {
        i--;
        continue;
      }
      check(c, await inProcess(home, c), "in-process");
      counts[c.defect] = (counts[c.defect] ?? 0) + 1;
    }
    assert.equal(await Deno.readTextFile(`${home}/.aws/credentials`), CREDENTIALS);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  figure("bad-input-in-process", {
    cases: structured + chaos,
    structured,
    chaos,
    defects: Object.keys(counts).length - 1,
    byDefect: counts,
  });
});

scenario("a sample of the same cases as real subprocesses", {
  file: FILE,
  timeoutMs: size(60_000, 120_000),
}, async ({ rng, checkTime }) => {
  const home = await fuzzHome();
  let runs = 0;
  try {
    const commands = await commandNames(home);
    const others = new Set([...commands].filter((name) => name !== "login"));
    const seen: Record<string, number> = {};
    const cases: Case[] = [];
    while (cases.length < 30) {
      const c = cases.length < 26 ? structuredCase(rng, commands) : chaosCase(rng);
      if (others.has(c.argv[0]) || readsStdin(c.argv)) continue;
      if (c.defect !== "chaos" && (seen[c.defect] ?? 0) >= 2) continue;
      seen[c.defect] = (seen[c.defect] ?? 0) + 1;
      cases.push(c);
    }
    for (const c of cases) {
      checkTime();
      const result = await spawnCli(c.argv, {
        env: {
          HOME: home,
          AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1",
          AWSMFA_TIMEOUT: "2",
          ...c.env,
        },
      }).done;
      check(c, result, "subprocess");
      runs++;
    }
    // Codes from stdin: empty, and a bad line.
    for (const [stdin, message] of [["", /stdin was empty/], ["12345x\n", /6 digits/]] as const) {
      const result = await spawnCli(["george", "--code", "-"], {
        env: { HOME: home, AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1" },
        stdin,
      }).done;
      check(
        { defect: "code from stdin", argv: ["george", "--code", "-"], exit: 2, message },
        result,
        "subprocess",
      );
      runs++;
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  figure("bad-input-subprocess", { runs });
});

Deno.test("torture: no secret in any output of the bad-input suite", () => {
  log.addSecret(SECRET);
  figure("bad-input-secret-scan", log.assertNoSecrets());
});

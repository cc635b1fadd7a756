/**
 * Process-level benchmarks of awsmfa beside what users would otherwise run, all in one run
 * against the fake STS on 127.0.0.1:
 *
 * - time to the MFA prompt (in a pseudo-terminal), beside an empty program started the same way;
 * - the hot paths (login with a valid session, `credential-process` with a valid session,
 *   `status` over 1,000 profiles), beside the empty program;
 * - a full refresh with `--code`, beside `aws sts get-session-token` with the same keys;
 * - peak RSS and CPU time of each.
 *
 * Each process is started and timed by `measure.py` (fork/exec, `wait4` for the peak RSS and the
 * CPU time, a pty for the prompt), so the timing does not include this program's own overhead.
 * The cases run interleaved, round after round, so a noisy neighbour slows all of them alike;
 * the table shows medians and the ratios of medians from the same run.
 *
 * awsmfa is started as `cliCommand()` says: `deno run` with the task's permissions, or the
 * executable named by `AWSMFA_BIN`; the floor is then the empty program compiled the same way,
 * named by `AWSMFA_FLOOR_BIN` (`tests/bench/compile_floor.ts` builds it), or there is none.
 * On Windows, which has no pseudo-terminal for measure.py, the prompt's rows say so.
 *
 *     deno run --allow-all tests/bench/cli_bench.ts        # BENCH_QUICK=1 for fewer runs
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cliCommand, denoDir, ROOT, taskPermissions } from "../support/cli_runner.ts";
import { awsProgram, childEnv } from "../support/os_env.ts";
import { startFakeSts } from "../support/fake_sts.ts";
import { credentialsWithProfiles, generatedProfileName } from "../support/gen_profiles.ts";

/** Bytes of one generated MFA profile (tests/support/gen_profiles.ts), to size large files. */
const PROFILE_BYTES = 556.6;

/** Options of {@link runCliBench}. */
export interface CliBenchOptions {
  /** Timed runs of each fast case (default 15; 3 with BENCH_QUICK=1). */
  runs?: number;
  /** Timed runs of the AWS CLI, which takes half a second (default 7; 2 quick). */
  slowRuns?: number;
  /** Profiles in the file `status` reads (default 1000). */
  profiles?: number;
  /**
   * Sizes in MB of the large files (default: the skip path on 10 MB, status on 16.7 MB
   * (30,000 profiles) and 50 MB, a refresh of 50 MB; `[]` leaves them out).
   */
  bigMb?: { skip: number; status: number[]; refresh: number } | null;
  /** Timed runs of each large-file case (default 3; 1 with BENCH_QUICK=1). */
  bigRuns?: number;
  /** Only the cases with these keys (and what they are compared with); `BENCH_ONLY=a,b`. */
  only?: string[];
  /** The awsmfa executable to time instead of `deno run main.ts` (default `AWSMFA_BIN`). */
  bin?: string;
  /** The empty program compiled like it, the floor (default `AWSMFA_FLOOR_BIN`). */
  floorBin?: string;
}

/** One request to measure.py. */
interface MeasureRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
  pty?: boolean;
  waitFor?: string;
  type?: string;
  timeoutMs?: number;
}

/** What measure.py reports for one process. */
interface Measurement {
  ms: number;
  promptMs?: number | null;
  /** Null where the OS does not tell (Windows: a batch file's cmd.exe). */
  rssKb: number | null;
  cpuMs: number | null;
  code: number;
  stdout: string;
  stderr: string;
  error?: string;
}

/** A long-lived measure.py: one JSON line in, one out. */
class Measurer {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = "";
  #decoder = new TextDecoder();

  constructor() {
    this.#child = new Deno.Command("python3", {
      args: [fileURLToPath(new URL("./measure.py", import.meta.url))],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.getReader();
  }

  async measure(request: MeasureRequest): Promise<Measurement> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("measure.py ended");
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
    const end = this.#buffer.indexOf("\n");
    const line = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 1);
    const result = JSON.parse(line) as Measurement;
    if (result.error) throw new Error(`measure.py: ${result.error}`);
    return result;
  }

  async close(): Promise<void> {
    await this.#writer.close();
    this.#reader.releaseLock();
    await this.#child.status;
  }
}

/** A case: how to start it, what to check, what it is compared with. */
interface Case {
  key: string;
  label: string;
  /** Fewer runs (the AWS CLI). */
  slow?: boolean;
  /** A large file: fewer runs still, and its size (MB) for the memory target. */
  bigMb?: number;
  request(): MeasureRequest | Promise<MeasureRequest>;
  /** Why the run is not what it should be, or undefined. */
  check(result: Measurement): string | undefined;
  /** Use the time the prompt appeared instead of the time to exit. */
  prompt?: boolean;
  /**
   * The case this one is compared with, and how; `rss`: peak RSS at most `factor` times the
   * file plus the runtime's own (the floor's RSS).
   */
  target?: { ref: string; kind: "within" | "faster" | "rss"; factor: number };
}

/** The aggregated figures of one case. */
export interface CaseFigures {
  key: string;
  label: string;
  /** Median ms (to the prompt for the prompt case), or undefined when not measured. */
  ms?: number;
  /** Median ms to exit (differs from `ms` for the prompt case only). */
  exitMs?: number;
  cpuMs?: number;
  rssMb?: number;
  runs: number;
  /** Why there are no figures: a missing command, a failure. */
  problem?: string;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The median of the values the OS gave (undefined when it gave none). */
function medianOf(values: (number | null)[]): number | undefined {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? median(known) : undefined;
}

/**
 * The AWS CLI's real executable: a pyenv shim adds ~100 ms of bash that users need not have.
 * On Windows, `aws.cmd` (or whatever PATH and PATHEXT find), as a user's shell runs it.
 */
async function awsCli(): Promise<string | undefined> {
  if (Deno.build.os === "windows") {
    const found = awsProgram();
    return found === "aws" ? undefined : found;
  }
  const run = async (command: string, args: string[]) => {
    try {
      const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" })
        .output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
    } catch {
      return undefined;
    }
  };
  const path = await run("sh", ["-c", "command -v aws"]);
  if (!path) return undefined;
  if (path.includes("/shims/")) return (await run("pyenv", ["which", "aws"])) ?? path;
  return path;
}

/** The 1-minute load average, to judge how busy the machine was; "" where there is none. */
function loadAverage(): string {
  return Deno.build.os === "windows" ? "" : Deno.loadavg()[0].toFixed(2);
}

/** `path` made absolute (measure.py runs it without a PATH search); undefined when not set. */
function absolute(path: string | undefined): string | undefined {
  return path ? resolve(path) : undefined;
}

/** True when awsmfa answered that it does not know the command (not built yet). */
function commandMissing(result: Measurement): boolean {
  return result.code === 2 && /unknown|usage/i.test(result.stderr + result.stdout);
}

/** Runs the benchmark; resolves to its figures and the markdown table. */
export async function runCliBench(
  options: CliBenchOptions = {},
): Promise<{ table: string; figures: CaseFigures[] }> {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const runs = options.runs ?? (quick ? 3 : 15);
  const slowRuns = options.slowRuns ?? (quick ? 2 : 7);
  const profiles = options.profiles ?? 1000;
  const big = options.bigMb === undefined
    ? { skip: 10, status: [30_000 * PROFILE_BYTES / 1e6, 50], refresh: 50 }
    : options.bigMb;
  const bigRuns = options.bigRuns ?? (quick ? 1 : 3);
  const only = options.only ?? Deno.env.get("BENCH_ONLY")?.split(",");
  const bin = absolute(options.bin ?? Deno.env.get("AWSMFA_BIN"));
  const compiled = bin !== undefined;
  const awsmfa = bin ? [bin] : cliCommand();
  const floorBin = bin ? absolute(options.floorBin ?? Deno.env.get("AWSMFA_FLOOR_BIN")) : undefined;
  const aws = await awsCli();
  const loadStart = loadAverage();

  await using fake = await startFakeSts();
  const user = fake.addUser({ userName: "george" });
  const serial = user.mfaDevices[0].serialNumber;
  const top = await Deno.makeTempDir({ prefix: "awsmfa-bench-" });
  const measurer = new Measurer();
  try {
    const source = `[georgemfa]\naws_access_key_id = ${user.accessKeyId}\n` +
      `aws_secret_access_key = ${user.secretAccessKey}\nmfa_serial = ${serial}\n`;
    const valid = new Date(Date.now() + 11 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const home = async (name: string, credentials: string) => {
      const dir = `${top}/${name}`;
      await Deno.mkdir(`${dir}/.aws`, { recursive: true, mode: 0o700 });
      await Deno.writeTextFile(`${dir}/.aws/credentials`, credentials, { mode: 0o600 });
      return dir;
    };
    // The refreshes write here; the hot paths read a file nothing writes.
    const loginHome = await home("login", source);
    const validHome = await home(
      "valid",
      source + `\n[george]\naws_access_key_id = ASIA${"A".repeat(16)}\n` +
        `aws_secret_access_key = ${"s".repeat(40)}\naws_session_token = ${"T".repeat(400)}\n` +
        `aws_credential_expiration = ${valid}\n`,
    );
    const statusHome = await home("status", credentialsWithProfiles(profiles));
    // Large files: generated profiles up to the size, then the login's own sections.
    const bigFile = (mb: number, tail: string) =>
      credentialsWithProfiles(Math.round(mb * 1e6 / PROFILE_BYTES)) + "\n" + tail;
    const validTail = `[george]\naws_access_key_id = ASIA${"A".repeat(16)}\n` +
      `aws_secret_access_key = ${"s".repeat(40)}\naws_session_token = ${"T".repeat(400)}\n` +
      `aws_credential_expiration = ${valid}\n\n` + source;
    const env = (homeDir: string): Record<string, string> =>
      childEnv({
        HOME: homeDir,
        DENO_DIR: denoDir(),
        NO_COLOR: "1",
        AWS_ENDPOINT_URL_STS: fake.url,
        AWS_ENDPOINT_URL_IAM: fake.url,
      });
    const plain = (argv: string[], homeDir: string): MeasureRequest => ({
      argv,
      env: env(homeDir),
      cwd: ROOT,
    });
    const floorArgv = floorBin ? [floorBin] : [
      Deno.execPath(),
      "run",
      "--quiet",
      ...taskPermissions(),
      `${ROOT}tests/bench/empty.ts`,
    ];
    const floorHow = compiled ? "compiled like awsmfa" : "`deno run`";
    const ok = (pattern: RegExp) => (r: Measurement) =>
      r.code === 0 && pattern.test(r.stdout)
        ? undefined
        : `exit ${r.code}: ${(r.stderr || r.stdout).trim().split("\n")[0]}`;

    const cases: Case[] = [];
    if (!compiled || floorBin) {
      cases.push({
        key: "floor",
        label: `empty program, ${floorHow} (the floor)`,
        request: () => plain(floorArgv, validHome),
        check: (r) => r.code === 0 ? undefined : `exit ${r.code}`,
      }, {
        key: "floor-pty",
        label: `empty program, ${floorHow}, in a pty (the prompt's floor)`,
        request: () => ({ ...plain(floorArgv, validHome), pty: true }),
        check: (r) => r.code === 0 ? undefined : `exit ${r.code}`,
      });
    }
    cases.push(
      {
        key: "prompt",
        label: "time to the MFA prompt (`awsmfa george --force`, pty)",
        prompt: true,
        request: async () => ({
          ...plain([...awsmfa, "george", "--force"], loginHome),
          pty: true,
          waitFor: "MFA code for george",
          type: (await fake.freshCode(serial)) + "\r",
        }),
        check: (r) =>
          r.promptMs == null
            ? `no prompt (exit ${r.code}): ${r.stdout.trim().split("\n").pop()}`
            : ok(/is ready/)(r),
        target: { ref: "floor-pty", kind: "within", factor: 1.5 },
      },
      {
        key: "skip",
        label: "valid session: `awsmfa george` (skip path)",
        request: () => plain([...awsmfa, "george"], validHome),
        check: ok(/already has an MFA session/),
        target: { ref: "floor", kind: "within", factor: 1.5 },
      },
      {
        key: "credential-process",
        label: "valid session: `awsmfa credential-process george`",
        request: () => plain([...awsmfa, "credential-process", "george"], validHome),
        check: (r) => {
          try {
            return JSON.parse(r.stdout).Version === 1 ? undefined : "no Version 1 JSON";
          } catch {
            return ok(/^\{/)(r) ?? "not JSON";
          }
        },
        target: { ref: "floor", kind: "within", factor: 1.5 },
      },
      {
        key: "status",
        label: `\`awsmfa status\`, ${profiles.toLocaleString("en")} profiles`,
        request: () => plain([...awsmfa, "status"], statusHome),
        check: ok(new RegExp(generatedProfileName(profiles - 1))),
        target: { ref: "floor", kind: "within", factor: 1.5 },
      },
      {
        key: "refresh",
        label: "full refresh: `awsmfa george --force --code C`",
        request: async () =>
          plain(
            [...awsmfa, "george", "--force", "--code", await fake.freshCode(serial)],
            loginHome,
          ),
        check: ok(/is ready/),
        target: { ref: "aws", kind: "faster", factor: 5 },
      },
    );
    if (big) {
      const bigHomes = new Map<string, string>();
      const bigHome = async (name: string, mb: number, tail: string) => {
        if (!bigHomes.has(name)) bigHomes.set(name, await home(name, bigFile(mb, tail)));
        return bigHomes.get(name)!;
      };
      const mbLabel = (mb: number) => `${mb.toFixed(mb < 20 ? 1 : 0)} MB`;
      cases.push({
        key: "skip-big",
        label: `valid session, ${mbLabel(big.skip)} file: \`awsmfa george\` (skip path)`,
        bigMb: big.skip,
        request: async () =>
          plain([...awsmfa, "george"], await bigHome("skip-big", big.skip, validTail)),
        check: ok(/already has an MFA session/),
        target: { ref: "floor", kind: "within", factor: 3 },
      });
      for (const mb of big.status) {
        const count = Math.round(mb * 1e6 / PROFILE_BYTES);
        const key = `status-${mb.toFixed(0)}mb`;
        cases.push({
          key,
          label: `\`awsmfa status\`, ${count.toLocaleString("en")} profiles (${mbLabel(mb)})`,
          bigMb: mb,
          request: async () => plain([...awsmfa, "status"], await bigHome(key, mb, validTail)),
          check: ok(new RegExp(generatedProfileName(count - 1))),
          target: { ref: "floor", kind: "rss", factor: 4 },
        });
      }
      cases.push({
        key: "refresh-big",
        label: `full refresh, ${mbLabel(big.refresh)} file: \`awsmfa george --force --code C\``,
        bigMb: big.refresh,
        request: async () =>
          plain(
            [...awsmfa, "george", "--force", "--code", await fake.freshCode(serial)],
            await bigHome("refresh-big", big.refresh, source),
          ),
        check: ok(/is ready/),
        target: { ref: "floor", kind: "rss", factor: 4 },
      });
    }
    if (only) {
      const keep = new Set(only);
      for (const c of cases) if (keep.has(c.key) && c.target) keep.add(c.target.ref);
      cases.splice(0, cases.length, ...cases.filter((c) => keep.has(c.key)));
    }
    if (aws && (!only || only.includes("aws") || only.includes("refresh"))) {
      cases.push({
        key: "aws",
        label: "AWS CLI: `aws sts get-session-token` (same keys, same fake)",
        slow: true,
        request: async () =>
          plain([
            aws,
            "sts",
            "get-session-token",
            "--profile",
            "georgemfa",
            "--region",
            "us-east-1",
            "--endpoint-url",
            fake.url,
            "--serial-number",
            serial,
            "--token-code",
            await fake.freshCode(serial),
            "--output",
            "json",
          ], loginHome),
        check: ok(/"SessionToken"/),
      });
    }

    // One untimed run each: fills Deno's caches, finds missing commands and broken cases.
    const problems = new Map<string, string>();
    for (const c of cases) {
      const request = await c.request();
      if (request.pty && Deno.build.os === "windows") {
        problems.set(c.key, "n/a on Windows (measure.py has no pseudo-terminal there)");
        continue;
      }
      const result = await measurer.measure(request);
      if (commandMissing(result) && c.key !== "aws") {
        problems.set(c.key, "n/a (command missing)");
        continue;
      }
      const problem = c.check(result);
      if (problem) problems.set(c.key, `failed: ${problem}`);
    }

    const samples = new Map<string, Measurement[]>(cases.map((c) => [c.key, []]));
    const active = cases.filter((c) => !problems.has(c.key));
    for (let round = 0; round < runs; round++) {
      // Rotate the order so no case always runs first (or right after the AWS CLI).
      const order = active.map((_, i) => active[(i + round) % active.length]);
      for (const c of order) {
        if (c.slow && round >= slowRuns) continue;
        if (c.bigMb !== undefined && round >= bigRuns) continue;
        const result = await measurer.measure(await c.request());
        const problem = c.check(result);
        if (problem) {
          problems.set(c.key, `failed: ${problem}`);
          continue;
        }
        samples.get(c.key)!.push(result);
      }
    }

    const figures: CaseFigures[] = cases.map((c) => {
      const list = samples.get(c.key)!;
      const problem = problems.get(c.key);
      if (problem || list.length === 0) {
        return { key: c.key, label: c.label, runs: list.length, problem: problem ?? "no runs" };
      }
      return {
        key: c.key,
        label: c.label,
        ms: median(list.map((r) => (c.prompt ? r.promptMs! : r.ms))),
        exitMs: median(list.map((r) => r.ms)),
        cpuMs: medianOf(list.map((r) => r.cpuMs)),
        rssMb: medianOf(list.map((r) => r.rssKb === null ? null : r.rssKb / 1024)),
        runs: list.length,
      };
    });
    const load = [loadStart, loadAverage()].filter(Boolean).join(" → ");
    return {
      table: formatTable(cases, figures, {
        bin,
        floorBin,
        aws,
        runs,
        slowRuns,
        bigRuns,
        load,
      }),
      figures,
    };
  } finally {
    await measurer.close();
    await Deno.remove(top, { recursive: true }).catch(() => {});
  }
}

function formatTable(
  cases: Case[],
  figures: CaseFigures[],
  info: {
    bin?: string;
    floorBin?: string;
    aws?: string;
    runs: number;
    slowRuns: number;
    bigRuns: number;
    load: string;
  },
): string {
  const byKey = new Map(figures.map((f) => [f.key, f]));
  const fmt = (n: number | undefined, digits = 1) => n === undefined ? "" : n.toFixed(digits);
  const lines = [
    "| case | median ms | CPU ms | peak RSS MB | compared with | ratio | CPU ratio | target | met |",
    "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- | --- |",
  ];
  for (const c of cases) {
    const f = byKey.get(c.key)!;
    if (f.problem) {
      lines.push(`| ${c.label} | ${f.problem} | | | | | | | |`);
      continue;
    }
    let versus = "", ratio = "", cpuRatio = "", target = "", met = "";
    if (c.target) {
      const ref = byKey.get(c.target.ref);
      const refName = c.target.ref === "aws" ? "AWS CLI" : c.target.ref;
      target = c.target.kind === "within"
        ? `≤ ${c.target.factor}x ${refName}`
        : c.target.kind === "rss"
        ? `peak RSS ≤ ${c.target.factor}x file + ${refName}'s`
        : `≥ ${c.target.factor}x faster than ${refName}`;
      const rssKnown = ref?.rssMb !== undefined && f.rssMb !== undefined;
      if (c.target.kind === "rss" && rssKnown && c.bigMb !== undefined) {
        const limit = c.target.factor * c.bigMb + ref!.rssMb!;
        versus = `${fmt(c.bigMb)} MB file, ${refName} ${fmt(ref!.rssMb)} MB RSS`;
        ratio = `${(f.rssMb! / c.bigMb).toFixed(1)}x file`;
        cpuRatio = `${fmt(f.ms! / c.bigMb, 2)} ms/MB`;
        met = f.rssMb! <= limit ? "yes" : "**no**";
        target += ` (${limit.toFixed(0)} MB)`;
      } else if (c.target.kind === "rss" && ref?.ms !== undefined) {
        versus = "no peak RSS on this OS";
        met = "n/a";
      } else if (!ref || ref.ms === undefined) {
        versus = info.bin && !ref && c.target.ref.startsWith("floor")
          ? "no floor: set AWSMFA_FLOOR_BIN (tests/bench/compile_floor.ts)"
          : `${refName}: ${ref?.problem ?? "not measured"}`;
        met = "n/a";
      } else {
        versus = `${refName} ${fmt(ref.ms)} ms`;
        const within = c.target.kind === "within";
        const r = within ? f.ms! / ref.ms : ref.ms / f.ms!;
        const cpu = f.cpuMs === undefined || ref.cpuMs === undefined
          ? undefined
          : within
          ? f.cpuMs / ref.cpuMs
          : ref.cpuMs / f.cpuMs;
        ratio = within ? `${r.toFixed(2)}x` : `${r.toFixed(1)}x faster`;
        // The prompt's CPU time is its whole run (the code is typed, the refresh happens).
        cpuRatio = c.prompt
          ? ""
          : cpu === undefined
          ? "n/a"
          : within
          ? `${cpu.toFixed(2)}x`
          : `${cpu.toFixed(1)}x less`;
        met = (c.target.kind === "within" ? r <= c.target.factor : r >= c.target.factor)
          ? "yes"
          : "**no**";
      }
    }
    const ms = c.prompt ? `${fmt(f.ms)} (whole run ${fmt(f.exitMs, 0)})` : fmt(f.ms);
    lines.push(
      `| ${c.label} | ${ms} | ${fmt(f.cpuMs) || "n/a"} | ${fmt(f.rssMb) || "n/a"} | ${versus} | ` +
        `${ratio} | ` +
        `${cpuRatio} | ${target} | ${met} |`,
    );
  }
  const how = info.bin
    ? `awsmfa: the executable ${info.bin}; the floor: ${
      info.floorBin ?? "none (AWSMFA_FLOOR_BIN unset)"
    }`
    : `awsmfa: \`${["deno run", ...taskPermissions(), "main.ts"].join(" ")}\``;
  lines.push(
    "",
    `Medians of ${info.runs} interleaved runs (the AWS CLI: ${info.slowRuns}; the large ` +
      `files: ${info.bigRuns}, whose ratio is the peak RSS to the file's size and whose CPU ` +
      "ratio column shows the wall time per MB, to judge linearity), each process " +
      "timed from fork to exit (the prompt: to the prompt's first byte on the terminal; then " +
      "the code is typed and the run completes). CPU = user + system; RSS = peak resident set " +
      `(wait4; on Windows the peak working set, and n/a for a batch file such as aws.cmd, ` +
      `whose figures are cmd.exe's). ${how}; AWS CLI: ${
        info.aws ?? "not installed"
      }. Deno ${Deno.version.deno}, ` +
      `${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} CPUs` +
      (info.load ? `, load average (1 min) ${info.load}.` : "."),
  );
  return lines.join("\n");
}

if (import.meta.main) {
  console.log((await runCliBench()).table);
}

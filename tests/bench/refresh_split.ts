/**
 * Where a full refresh with `--code` spends its time before, during and after the request, in
 * real runs of awsmfa against the fake STS (`deno run` of main.ts with the task's permissions and
 * `refresh_probe.ts` preloaded, which notes the time of the calls that mark each step), beside
 * the module loading of the same path split by group (`refresh_split_child.ts`, fresh
 * processes). Wall-clock medians: what a user waits for.
 *
 *     deno run --allow-all tests/bench/refresh_split.ts        # BENCH_QUICK=1 for fewer runs
 *
 * @module
 */
import { denoDir, ROOT, taskPermissions } from "../support/cli_runner.ts";
import { childEnv } from "../support/os_env.ts";
import { startFakeSts } from "../support/fake_sts.ts";
import type { ProbeEvent } from "./refresh_probe.ts";
import { MODULE_GROUPS, type ModuleSample } from "./refresh_split_child.ts";

/** Options of {@link runRefreshSplit}. */
export interface RefreshSplitOptions {
  /** Runs of each kind (default 11; 3 with BENCH_QUICK=1). */
  runs?: number;
}

/** A step of the refresh: it ends at the first event after the previous step's that matches. */
export interface RefreshPhase {
  key: string;
  label: string;
  /** The event that ends the step; `exit` ends the last one (the process is gone). */
  endsAt: (event: ProbeEvent) => boolean;
}

const isCredentials = (e: ProbeEvent) => /[\\/]credentials$/.test(e.arg ?? "");
const isLock = (e: ProbeEvent) => /\.awsmfa\.lock$/.test(e.arg ?? "");
/** A read of the credentials file (`Deno.readFile`, or an open to read: the file layer's choice). */
const readsCredentials = (e: ProbeEvent) => e.access === "read" && isCredentials(e);

/** The steps of `awsmfa george --force --code C`, in order, with the call that ends each. */
export const REFRESH_PHASES: RefreshPhase[] = [
  {
    key: "boot",
    label: "Deno starts, up to awsmfa's first module (the floor's share)",
    endsAt: (e) => e.op === "start",
  },
  {
    key: "cli",
    label: "main.ts and the login command load; the command line is parsed",
    endsAt: readsCredentials,
  },
  {
    key: "scan",
    label: "read and quick-scan the file; check the flags (loads code_source); the document",
    endsAt: (e) => e.access === "write" && isCredentials(e),
  },
  {
    key: "writable",
    label: "check the file can be replaced (open, lock file, a temporary file)",
    endsAt: (e) => e.op === "remove",
  },
  {
    key: "modules",
    label: "the refresh's modules load (sts, call_settings); the code source",
    endsAt: (e) => e.access === "read" && /[\\/]config$/.test(e.arg ?? ""),
  },
  {
    key: "settings",
    label: "region and endpoint (reads ~/.aws/config)",
    endsAt: (e) => e.access !== undefined && isLock(e),
  },
  {
    key: "lock",
    label: "take the lock, read the file again",
    endsAt: readsCredentials,
  },
  {
    key: "sdk",
    label: "parse it; the SDK loads (see the modules below); client and command",
    endsAt: (e) => e.op === "importKey",
  },
  {
    key: "sign",
    label: "the SDK signs the request (SigV4, WebCrypto)",
    endsAt: (e) => e.op === "fetch",
  },
  {
    key: "request",
    label: "the request: connect, the fake STS answers, the answer's head",
    endsAt: (e) => e.op === "fetched",
  },
  {
    key: "answer",
    label: "the answer's body and XML parsed; the session written to a temporary file",
    endsAt: (e) => e.op === "rename",
  },
  {
    key: "write",
    label: "the file replaced: rename, directory synced, lock released, message printed",
    endsAt: (e) => e.op === "end",
  },
  {
    key: "exit",
    label: "the runtime shuts down; the process exits",
    endsAt: () => false,
  },
];

/**
 * The ms of each phase in one run's events. A phase whose end is not seen (the code it watches
 * changed) is left out of the result, and its time counts in the next phase that is seen.
 */
export function splitRun(
  events: ProbeEvent[],
  spawnedAt: number,
  exitedAt: number,
): Record<string, number> {
  const result: Record<string, number> = {};
  let previous = spawnedAt;
  let index = 0;
  for (const phase of REFRESH_PHASES) {
    if (phase.key === "exit") {
      result.exit = exitedAt - previous;
      break;
    }
    let end = index;
    while (end < events.length && !phase.endsAt(events[end])) end++;
    if (end === events.length) continue;
    result[phase.key] = events[end].t - previous;
    previous = events[end].t;
    index = end + 1;
  }
  result.total = exitedAt - spawnedAt;
  const request = events.find((e) => e.op === "fetch");
  if (request) result.beforeRequest = request.t - spawnedAt;
  return result;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Local modules of `entry`'s static graph (dynamic imports not followed), as `deno info` sees it. */
async function staticModules(entry: string): Promise<Map<string, number>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      size?: number;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Map<string, number>();
  const visit = (specifier: string) => {
    const module = bySpecifier.get(specifier);
    if (!module || seen.has(specifier)) return;
    seen.set(specifier, module.size ?? 0);
    for (const dep of module.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) visit(dep.code.specifier);
    }
  };
  visit(info.roots[0]);
  return seen;
}

/** How many modules (and KB) each group of {@link MODULE_GROUPS} adds to what was loaded. */
async function moduleCounts(): Promise<Record<string, string>> {
  const entries: Record<string, string[]> = {
    cli: ["lib/cli/main.ts"],
    login: ["lib/cli/commands/login.ts"],
    code: ["lib/session/code_source.ts"],
    refresh: ["lib/aws/api/sts.ts", "lib/aws/api/call_settings.ts"],
    sdk: ["lib/aws/api/vendor/aws_sdk.js"],
  };
  const loaded = new Set<string>();
  const counts: Record<string, string> = {};
  for (const [key] of MODULE_GROUPS) {
    let count = 0, bytes = 0;
    for (const entry of entries[key]) {
      for (const [specifier, size] of await staticModules(`${ROOT}${entry}`)) {
        if (loaded.has(specifier)) continue;
        loaded.add(specifier);
        count++;
        bytes += size;
      }
    }
    counts[key] = `${count} (${(bytes / 1024).toFixed(0)} KB)`;
  }
  return counts;
}

/** Runs the split; resolves to the medians (by phase key, and `module KEY`) and the table. */
export async function runRefreshSplit(
  options: RefreshSplitOptions = {},
): Promise<{ table: string; medians: Record<string, number> }> {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const runs = options.runs ?? (quick ? 3 : 11);
  await using fake = await startFakeSts();
  const user = fake.addUser({ userName: "george" });
  const serial = user.mfaDevices[0].serialNumber;
  const home = await Deno.makeTempDir({ prefix: "awsmfa-refresh-split-" });
  try {
    await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
    await Deno.writeTextFile(
      `${home}/.aws/credentials`,
      `[georgemfa]\naws_access_key_id = ${user.accessKeyId}\n` +
        `aws_secret_access_key = ${user.secretAccessKey}\nmfa_serial = ${serial}\n`,
      { mode: 0o600 },
    );
    const out = `${home}/probe.json`;
    const runs_: Record<string, number>[] = [];
    const modules: ModuleSample[] = [];
    const problems: string[] = [];
    // Round 0 warms Deno's caches up and is not counted.
    for (let round = 0; round < runs + 1; round++) {
      const args = [
        "run",
        "--quiet",
        ...taskPermissions(),
        "--preload",
        `${ROOT}tests/bench/refresh_probe.ts`,
        `${ROOT}main.ts`,
        "george",
        "--force",
        "--code",
        await fake.freshCode(serial),
      ];
      const command = new Deno.Command(Deno.execPath(), {
        args,
        cwd: ROOT,
        clearEnv: true,
        env: childEnv({
          HOME: home,
          NO_COLOR: "1",
          AWS_ENDPOINT_URL_STS: fake.url,
          BENCH_PROBE_OUT: out,
          DENO_DIR: denoDir(),
        }),
        stdout: "piped",
        stderr: "piped",
      });
      const spawnedAt = performance.timeOrigin + performance.now();
      const result = await command.output();
      const exitedAt = performance.timeOrigin + performance.now();
      if (!result.success) {
        problems.push(new TextDecoder().decode(result.stderr).trim().split("\n")[0]);
        continue;
      }
      const split = splitRun(JSON.parse(await Deno.readTextFile(out)), spawnedAt, exitedAt);
      if (round > 0) runs_.push(split);

      const child = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", "--allow-all", `${ROOT}tests/bench/refresh_split_child.ts`],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!child.success) problems.push(new TextDecoder().decode(child.stderr).trim());
      else if (round > 0) modules.push(JSON.parse(new TextDecoder().decode(child.stdout)));
    }
    if (runs_.length === 0 || modules.length === 0) {
      throw new Error(`the refresh split has no samples: ${problems.join("; ")}`);
    }
    const medians: Record<string, number> = {};
    for (const key of new Set(runs_.flatMap((r) => Object.keys(r)))) {
      const seen = runs_.flatMap((r) => r[key] === undefined ? [] : [r[key]]);
      if (seen.length === runs_.length) medians[key] = median(seen);
    }
    const ms = (value: number) => value.toFixed(1);
    const cell = (key: string) =>
      medians[key] === undefined ? "not seen (its time counts in the next step)" : ms(medians[key]);
    for (const [key] of MODULE_GROUPS) {
      medians[`module ${key}`] = median(modules.map((m) => m[key]));
    }
    const counts = await moduleCounts();
    const lines = [
      "| step of `awsmfa george --force --code C` (in order) | median ms |",
      "| --- | ---: |",
      ...REFRESH_PHASES.map((p) => `| ${p.label} | ${cell(p.key)} |`),
      `| **before the request** (start to \`fetch\`) | **${cell("beforeRequest")}** |`,
      `| **whole run** (spawn to exit) | **${cell("total")}** |`,
      "",
      "| modules loaded on the way, by group (in order) | modules (size) | median ms |",
      "| --- | ---: | ---: |",
      ...MODULE_GROUPS.map(([key, label]) =>
        `| ${label} | ${counts[key]} | ${ms(medians[`module ${key}`])} |`
      ),
      `| all of them | | ${
        ms(MODULE_GROUPS.reduce((sum, [key]) => sum + medians[`module ${key}`], 0))
      } |`,
      "",
      `Median wall-clock milliseconds of ${runs_.length} runs of awsmfa (\`deno run\` with the ` +
      "task's permissions and tests/bench/refresh_probe.ts preloaded, which notes when the calls " +
      "that end each step are made; the steps' medians need not add up to the whole run's) " +
      `and of ${modules.length} fresh processes importing the modules group by group ` +
      "(tests/bench/refresh_split_child.ts), against the fake STS on 127.0.0.1 (plain HTTP)" +
      (problems.length ? `; problems: ${problems.join("; ")}` : "") + ".",
    ];
    return { table: lines.join("\n"), medians };
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  console.log((await runRefreshSplit()).table);
}

/**
 * Where `awsmfa status` spends its time on a file of 1,000 MFA profiles (about 0.55 MB), each
 * step timed inside a fresh process, as the command runs it: loading its modules, reading the
 * file, parsing it, working out each profile's session, formatting the table. The first pass is
 * the one users get (cold code: V8 compiles and interprets it); a second pass in the same process
 * shows what the same work costs once the code is warm.
 *
 *     deno run --allow-all tests/bench/status_split.ts        # BENCH_QUICK=1 for fewer runs
 *
 * @module
 */
import { ROOT } from "../support/cli_runner.ts";
import { credentialsWithProfiles } from "../support/gen_profiles.ts";

/** Options of {@link runStatusSplit}. */
export interface StatusSplitOptions {
  /** Fresh processes (default 11; 3 with BENCH_QUICK=1). */
  runs?: number;
  /** Profiles in the file (default 1000). */
  profiles?: number;
}

/** The steps, in order. */
export const STATUS_STEPS = ["modules", "read", "parse", "statuses", "format"] as const;

type Sample = Record<string, number>;

/** One sample: runs in the child process (`--child FILE`). */
async function child(path: string): Promise<Sample> {
  const sample: Sample = {};
  let t = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    sample[name] = now - t;
    t = now;
  };
  const [{ loadIni }, { allProfileStatuses }, { formatStatusTable }] = await Promise.all([
    import("../../lib/aws_files.ts"),
    import("../../lib/mfa_profiles.ts"),
    import("../../lib/status_view.ts"),
  ]);
  step("modules");
  for (const pass of ["", "warm "]) {
    const bytes = await Deno.readFile(path);
    step(`${pass}read`);
    const doc = loadIni(bytes, path);
    doc.sections();
    step(`${pass}parse`);
    const now = Date.now();
    const statuses = allProfileStatuses(doc, now);
    step(`${pass}statuses`);
    if (formatStatusTable(statuses, { now, colour: false }).length === 0) throw new Error("empty");
    step(`${pass}format`);
  }
  return sample;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs the split; resolves to the medians and the markdown table. */
export async function runStatusSplit(
  options: StatusSplitOptions = {},
): Promise<{ table: string; medians: Sample }> {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const runs = options.runs ?? (quick ? 3 : 11);
  const profiles = options.profiles ?? 1000;
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-status-split-" });
  try {
    const path = `${dir}/credentials`;
    await Deno.writeTextFile(path, credentialsWithProfiles(profiles));
    const samples: Sample[] = [];
    for (let round = 0; round < runs + 1; round++) {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          "--quiet",
          `${ROOT}tests/bench/status_split.ts`,
          "--child",
          path,
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
      // Round 0 warms Deno's caches up and is not counted.
      if (round > 0) samples.push(JSON.parse(new TextDecoder().decode(output.stdout)));
    }
    const medians: Sample = Object.fromEntries(
      Object.keys(samples[0]).map((key) => [key, median(samples.map((s) => s[key]))]),
    );
    const size = (await Deno.stat(path)).size;
    const cell = (key: string) => medians[key] === undefined ? "" : medians[key].toFixed(1);
    const total = (prefix: string) =>
      STATUS_STEPS.filter((s) => s !== "modules").reduce((sum, s) => sum + medians[prefix + s], 0);
    const table = [
      `| pass | ${STATUS_STEPS.join(" | ")} | total |`,
      `| --- | ${STATUS_STEPS.map(() => "---:").join(" | ")} | ---: |`,
      `| first (what users get) | ${STATUS_STEPS.map((s) => cell(s)).join(" | ")} | ` +
      `${(total("") + medians.modules).toFixed(1)} |`,
      `| second, same process (warm code) | | ${
        STATUS_STEPS.filter((s) => s !== "modules").map((s) => cell(`warm ${s}`)).join(" | ")
      } | ${total("warm ").toFixed(1)} |`,
      "",
      `Median milliseconds of ${runs} fresh processes, timed inside the process; ` +
      `${profiles.toLocaleString("en")} profiles, ${(size / 1e6).toFixed(2)} MB.`,
    ].join("\n");
    return { table, medians };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") console.log(JSON.stringify(await child(Deno.args[1])));
  else console.log((await runStatusSplit()).table);
}

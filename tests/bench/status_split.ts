/**
 * Where `awsmfa status` spends its time on a file of 1,000 MFA profiles (about 0.55 MB), each
 * step timed (CPU time) inside a fresh process, as the command runs it: loading its modules,
 * reading the file, parsing it, working out each profile's session, formatting the table; once
 * with the editor's document (as before the quick scan) and once with the read-only quick scan
 * (what status runs). The first pass is the one users get (cold code: V8 compiles and interprets
 * it); a second pass in the same process shows what the same work costs once the code is warm.
 *
 *     deno run --allow-all tests/bench/status_split.ts        # BENCH_QUICK=1 for fewer runs
 *
 * @module
 */
import process from "node:process";
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

/** How the file is read: the tries compared, by key and label. */
export const STATUS_VARIANTS = [
  ["editor", "the editor's document (`loadIni`, as before)"],
  ["quick", "the read-only quick scan (`loadIniView`, what status runs)"],
] as const;

type Sample = Record<string, number>;

/** One sample: runs in the child process (`--child FILE VARIANT`). CPU ms per step. */
async function child(path: string, variant: string): Promise<Sample> {
  const sample: Sample = {};
  // CPU time (all threads of the process): steady on a busy machine, unlike wall time.
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const wall0 = performance.now();
  let t = cpu();
  const step = (name: string) => {
    const now = cpu();
    sample[name] = now - t;
    t = now;
  };
  const [{ loadIni, loadIniView }, { allProfileStatuses, STATUS_KEYS }, { formatStatusTable }] =
    await Promise.all([
      import("../../lib/aws/shared_files.ts"),
      import("../../lib/aws/mfa_profiles.ts"),
      import("../../lib/cli/output/status_view.ts"),
    ]);
  step("modules");
  for (const pass of ["", "warm "]) {
    const bytes = await Deno.readFile(path);
    step(`${pass}read`);
    const doc = variant === "editor" ? loadIni(bytes, path) : loadIniView(bytes, path, STATUS_KEYS);
    doc.sections();
    step(`${pass}parse`);
    const now = Date.now();
    const statuses = allProfileStatuses(doc, now);
    step(`${pass}statuses`);
    if (formatStatusTable(statuses, { now, colour: false }).length === 0) throw new Error("empty");
    step(`${pass}format`);
    if (pass === "") sample.wall = performance.now() - wall0;
  }
  return sample;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs the split; resolves to the medians (`step` for the quick scan, `editor step` for the
 * editor's document, `warm step` for the quick scan's second pass) and the markdown table.
 */
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
    const samples = new Map<string, Sample[]>(STATUS_VARIANTS.map(([key]) => [key, []]));
    // Round 0 warms Deno's caches up and is not counted; the variants alternate.
    for (let round = 0; round < runs + 1; round++) {
      for (const [variant] of STATUS_VARIANTS) {
        const output = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-all",
            "--quiet",
            `${ROOT}tests/bench/status_split.ts`,
            "--child",
            path,
            variant,
          ],
          cwd: ROOT,
          stdout: "piped",
          stderr: "piped",
        }).output();
        if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
        if (round > 0) {
          samples.get(variant)!.push(JSON.parse(new TextDecoder().decode(output.stdout)));
        }
      }
    }
    const medians: Sample = {};
    for (const [variant] of STATUS_VARIANTS) {
      const list = samples.get(variant)!;
      const prefix = variant === "quick" ? "" : `${variant} `;
      for (const key of Object.keys(list[0])) {
        const value = median(list.map((s) => s[key]));
        if (key.startsWith("warm ")) {
          if (variant === "quick") medians[key] = value;
        } else medians[prefix + key] = value;
      }
    }
    const size = (await Deno.stat(path)).size;
    const cell = (key: string) => medians[key] === undefined ? "" : medians[key].toFixed(1);
    const sum = (prefix: string, steps: readonly string[]) =>
      steps.reduce((total, s) => total + medians[prefix + s], 0).toFixed(1);
    const rows = STATUS_VARIANTS.map(([variant, label]) => {
      const prefix = variant === "quick" ? "" : `${variant} `;
      return `| first pass, ${label} | ${
        STATUS_STEPS.map((s) => cell(prefix + s)).join(" | ")
      } | ` +
        `${sum(prefix, STATUS_STEPS)} | ${cell(prefix + "wall")} |`;
    });
    const warmSteps = STATUS_STEPS.filter((s) => s !== "modules");
    const table = [
      `| pass | ${STATUS_STEPS.join(" | ")} | total CPU | wall |`,
      `| --- | ${STATUS_STEPS.map(() => "---:").join(" | ")} | ---: | ---: |`,
      ...rows,
      `| second pass, same process (warm code), the quick scan | | ` +
      `${warmSteps.map((s) => cell(`warm ${s}`)).join(" | ")} | ${sum("warm ", warmSteps)} | |`,
      "",
      `Median CPU milliseconds (user + system, every thread of the process) of ${runs} fresh ` +
      `processes per row, timed inside the process, and the wall time of the first pass; ` +
      `${profiles.toLocaleString("en")} profiles, ${(size / 1e6).toFixed(2)} MB.`,
    ].join("\n");
    return { table, medians };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    console.log(JSON.stringify(await child(Deno.args[1], Deno.args[2])));
  } else console.log((await runStatusSplit()).table);
}

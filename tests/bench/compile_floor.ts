/**
 * Compiles the benchmark's floor, `tests/bench/empty.ts`, the way `deno task compile` compiles
 * awsmfa (scripts/compile.ts): the same `deno compile` arguments (`compileArgs`: `--frozen`, the
 * staged deno.json without `lazy-dynamic-imports`, `--exclude-unused-npm`, the host's target, the
 * permissions of the `awsmfa` task), from a staged copy (empty.ts, deno.json, deno.lock), checked
 * with codesign on macOS as awsmfa is. Then `AWSMFA_FLOOR_BIN` names it for `deno task bench`,
 * whose ratios to the floor mean the same for the executable as for `deno run`.
 *
 *     deno run --allow-read --allow-write --allow-run tests/bench/compile_floor.ts [--out-dir DIR] [--dry-run]
 *
 * Writes `DIR/<target>/empty` (`empty.exe` on Windows; DIR defaults to `dist/bench-floor`) and
 * prints its path; `--dry-run` prints the `deno compile` command instead.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import {
  compileArgs,
  compileConfigText,
  ensureSigned,
  hostTarget,
  permissionFlags,
  readConfig,
  ROOT,
  shellQuote,
  type Target,
} from "../../scripts/compile.ts";

/** The floor's source, relative to the repository. */
export const FLOOR_SOURCE = join("tests", "bench", "empty.ts");

/** Where the floor's executable for `target` goes under `outDir`. */
export function floorPath(outDir: string, target: Target): string {
  return join(outDir, target, target.endsWith("-windows-msvc") ? "empty.exe" : "empty");
}

/** Stages empty.ts with deno.json (as the compiler gets it) and deno.lock; resolves to its dir. */
async function stageFloor(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-floor-" });
  await Deno.mkdir(join(dir, dirname(FLOOR_SOURCE)), { recursive: true });
  await Deno.copyFile(join(ROOT, FLOOR_SOURCE), join(dir, FLOOR_SOURCE));
  await Deno.copyFile(join(ROOT, "deno.lock"), join(dir, "deno.lock"));
  await Deno.writeTextFile(
    join(dir, "deno.json"),
    compileConfigText(await Deno.readTextFile(join(ROOT, "deno.json"))),
  );
  return dir;
}

async function main(args: string[]): Promise<number> {
  const dryRun = args.includes("--dry-run");
  const outIndex = args.indexOf("--out-dir");
  const unknown = args.filter((a, i) => a !== "--dry-run" && i !== outIndex && i !== outIndex + 1);
  if (unknown.length > 0 || (outIndex >= 0 && !args[outIndex + 1])) {
    console.error("usage: compile_floor.ts [--out-dir DIR] [--dry-run]");
    return 2;
  }
  const outDir = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(ROOT, "dist", "bench-floor");
  const target = hostTarget();
  const output = floorPath(outDir, target);
  const permissions = permissionFlags(await readConfig(ROOT));
  const dir = await stageFloor();
  try {
    const compile = compileArgs({
      config: join(dir, "deno.json"),
      entry: join(dir, FLOOR_SOURCE),
      target,
      output,
      permissions,
    });
    if (dryRun) {
      console.log(["deno", ...compile].map(shellQuote).join(" "));
      return 0;
    }
    await Deno.mkdir(dirname(output), { recursive: true });
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: compile,
      cwd: dir,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (code !== 0) {
      console.error(`compile_floor: deno compile failed (exit ${code})`);
      return 1;
    }
    await ensureSigned(output, target);
    console.log(relative(Deno.cwd(), output) || output);
    return 0;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`compile_floor: ${(error as Error).message}`);
    Deno.exit(1);
  }
}

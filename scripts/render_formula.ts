/**
 * Renders the Homebrew formula from `.github/homebrew/awsmfa.rb.template` and a release's
 * `SHA256SUMS`.
 *
 *     deno run --allow-read --allow-write scripts/render_formula.ts \
 *       --version 0.1.0 --repository OWNER/awsmfa --sums SHA256SUMS [--template T] [--output F]
 *
 * Placeholders: `{{version}}`, `{{repository}}`, `{{url:TARGET}}` and `{{sha256:TARGET}}`, where
 * TARGET's archive is `awsmfa-VERSION-TARGET.tar.gz`. An unknown placeholder, a target without a
 * checksum, or a result that is not sane Ruby block structure is an error: nothing is written.
 *
 * @module
 */
import { join } from "node:path";
import { scriptOptions } from "./script_args.ts";
import { isTarget, ROOT } from "./compile.ts";
import { archiveName } from "./package.ts";

/** Parses `sha256sum` output: file name → lower-case hex digest. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const match = /^([0-9a-fA-F]{64}) [ *](\S.*)$/.exec(line);
    if (!match) throw new Error(`SHA256SUMS line ${i + 1} is not "<sha256>  <file>": ${line}`);
    const [, digest, file] = match;
    if (sums.has(file)) throw new Error(`SHA256SUMS lists ${file} twice`);
    sums.set(file, digest.toLowerCase());
  });
  return sums;
}

/** What {@link renderFormula} needs. */
export interface FormulaInput {
  template: string;
  version: string;
  /** `owner/name` of the GitHub repository the release is published in. */
  repository: string;
  sums: Map<string, string>;
}

/** The release download URL of `file`. */
export function releaseUrl(repository: string, version: string, file: string): string {
  return `https://github.com/${repository}/releases/download/v${version}/${file}`;
}

/** Fills in every placeholder of the template; throws on anything it cannot fill. */
export function renderFormula({ template, version, repository, sums }: FormulaInput): string {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`not a release version: ${JSON.stringify(version)}`);
  }
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new Error(`not an owner/name repository: ${JSON.stringify(repository)}`);
  }
  const text = template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => {
    if (name === "version") return version;
    if (name === "repository") return repository;
    const match = /^(url|sha256):(.+)$/.exec(name);
    if (!match || !isTarget(match[2])) throw new Error(`unknown placeholder {{${name}}}`);
    const file = archiveName(version, match[2]);
    if (match[1] === "url") return releaseUrl(repository, version, file);
    const digest = sums.get(file);
    if (!digest) throw new Error(`SHA256SUMS has no checksum for ${file}`);
    return digest;
  });
  if (/\{\{|\}\}/.test(text)) throw new Error("the template has a malformed placeholder");
  checkRubyStructure(text);
  return text;
}

/**
 * A sanity check of the rendered Ruby, not a parser: `class`/`def`/`… do` open blocks that `end`
 * lines close, in order and completely; string literals on each line are balanced.
 */
export function checkRubyStructure(text: string): void {
  let depth = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/^\s*#.*$/, "").trim();
    const where = `formula line ${i + 1}`;
    if ((line.replace(/\\"/g, "").match(/"/g)?.length ?? 0) % 2 !== 0) {
      throw new Error(`${where}: unbalanced string quotes: ${raw}`);
    }
    if (/^(class|module|def)\b/.test(line) || /\bdo(\s*\|[^|]*\|)?$/.test(line)) depth++;
    else if (line === "end") depth--;
    if (depth < 0) throw new Error(`${where}: \`end\` without a block to close`);
  });
  if (depth !== 0) throw new Error(`the formula leaves ${depth} block(s) unclosed`);
}

function parseArgs(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {
    template: join(ROOT, ".github", "homebrew", "awsmfa.rb.template"),
    ...scriptOptions(args, ["version", "repository", "sums", "template", "output"]),
  };
  for (const name of ["version", "repository", "sums"]) {
    if (!values[name]) throw new Error(`--${name} is required`);
  }
  return values;
}

if (import.meta.main) {
  try {
    const args = parseArgs(Deno.args);
    const formula = renderFormula({
      template: await Deno.readTextFile(args.template),
      version: args.version.replace(/^v/, ""),
      repository: args.repository,
      sums: parseSums(await Deno.readTextFile(args.sums)),
    });
    if (args.output) await Deno.writeTextFile(args.output, formula);
    else await Deno.stdout.write(new TextEncoder().encode(formula));
  } catch (error) {
    console.error(`render_formula: ${(error as Error).message}`);
    Deno.exit(1);
  }
}

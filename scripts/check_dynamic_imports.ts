/**
 * Fails when the program's source could hide a module from `deno compile`: a dynamic `import()`
 * whose specifier is not a string literal (the compiler cannot see what it loads), or a use of
 * `import.meta.url`/`dirname`/`filename`/`resolve` (a sign of reading files next to the source,
 * which do not exist beside a compiled executable).
 *
 *     deno run --allow-read scripts/check_dynamic_imports.ts [PATH...]   # default: main.ts lib/
 *
 * A line-based check, not a parser: comment lines are skipped, and anything else that looks like
 * one of the above is reported.
 *
 * @module
 */
import { join, relative } from "node:path";
import { ROOT } from "./compile.ts";

/** One offending spot. */
export interface Finding {
  file: string;
  line: number;
  text: string;
  reason: string;
}

const DYNAMIC_IMPORT = /(?<![\w$.])import\s*\(/g;
const LITERAL_SPECIFIER = /^\s*(["'])[^"'`\n]+\1\s*[,)]/;
const TEMPLATE_WITHOUT_SUBSTITUTION = /^\s*`[^`$\n]+`\s*[,)]/;
const SOURCE_RELATIVE = /\bimport\.meta\.(url|dirname|filename|resolve)\b/;

/** The findings in one file's text. */
export function checkSource(file: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const lines = source.split(/\r?\n/);
  let inBlockComment = false;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (inBlockComment) {
      if (trimmed.includes("*/")) inBlockComment = false;
      return;
    }
    if (trimmed.startsWith("/*")) {
      inBlockComment = !trimmed.includes("*/");
      return;
    }
    if (trimmed.startsWith("//") || trimmed.startsWith("*")) return;
    const code = trimmed.replace(/\s\/\/.*$/, "");
    const at = (reason: string) => findings.push({ file, line: index + 1, text: trimmed, reason });
    for (const match of code.matchAll(DYNAMIC_IMPORT)) {
      const rest = code.slice(match.index + match[0].length);
      // `import(` ending the line: the specifier must be all of the next line (up to a , or ).
      const specifier = rest.trim() === "" ? `${(lines[index + 1] ?? "").trim()})` : rest;
      if (!LITERAL_SPECIFIER.test(specifier) && !TEMPLATE_WITHOUT_SUBSTITUTION.test(specifier)) {
        at("dynamic import() of something other than a string literal");
      }
    }
    if (SOURCE_RELATIVE.test(code)) {
      at("import.meta path: files beside the source are not there in a compiled executable");
    }
  });
  return findings;
}

async function* sourceFiles(path: string): AsyncGenerator<string> {
  const info = await Deno.stat(path);
  if (info.isFile) {
    if (/\.(ts|tsx|js|jsx|mts|mjs)$/.test(path)) yield path;
    return;
  }
  const entries = [];
  for await (const entry of Deno.readDir(path)) entries.push(entry.name);
  for (const name of entries.sort()) yield* sourceFiles(join(path, name));
}

/** The findings in every source file under `paths`. */
export async function checkPaths(paths: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const path of paths) {
    for await (const file of sourceFiles(path)) {
      findings.push(...checkSource(file, await Deno.readTextFile(file)));
    }
  }
  return findings;
}

if (import.meta.main) {
  const paths = Deno.args.length > 0 ? Deno.args : [join(ROOT, "main.ts"), join(ROOT, "lib")];
  const findings = await checkPaths(paths);
  for (const f of findings) {
    console.error(`${relative(Deno.cwd(), f.file)}:${f.line}: ${f.reason}\n    ${f.text}`);
  }
  if (findings.length > 0) {
    console.error(
      `check_dynamic_imports: ${findings.length} problem(s); deno compile embeds only what it can ` +
        'see statically: use import("./literal/path.ts") and embed data as modules',
    );
    Deno.exit(1);
  }
  console.log(`check_dynamic_imports: ok (${paths.map((p) => relative(ROOT, p)).join(", ")})`);
}

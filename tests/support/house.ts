/**
 * The layers of lib/ as data, the import graph as
 * `deno info --json` sees it, and the rules that keep the one within the
 * other. {@link checkHouse} is pure (a graph in, the problems out), so a test
 * can hand it any graph: the real one (tests/layers_test.ts) or one made up to
 * show that each rule fires.
 *
 *     core ← ini ← {files, terminal} ← {aws, keystore} ← aws/api ← session
 *       ← cli ← cli/output ← cli/commands ← cli/main ← main.ts
 *
 * A layer imports only layers to its left; the two of a pair in braces are
 * siblings (neither imports the other). ini imports nothing outside lib/ini/;
 * no command imports another; cli/registry.ts is imported by cli/main.ts
 * only, and main.ts imports cli/main.ts only. No circle, type-only and
 * dynamic imports included.
 *
 * @module
 */

/** A layer: the files it holds and its place in the order. */
export interface Layer {
  /** Its name, as the messages say it. */
  name: string;
  /** Its place: a layer imports only layers of a lower rank (siblings share one). */
  rank: number;
  /** Whether a path (relative to the repository, `/`-separated) is in it. */
  holds: (path: string) => boolean;
}

const under = (folder: string) => (path: string) => path.startsWith(folder);
const oneOf = (...paths: string[]) => (path: string) => paths.includes(path);

/** The layers, most specific first (aws/api before aws, cli/output before cli). */
export const LAYERS: readonly Layer[] = [
  { name: "core", rank: 0, holds: under("lib/core/") },
  { name: "ini", rank: 1, holds: under("lib/ini/") },
  { name: "files", rank: 2, holds: under("lib/files/") },
  { name: "terminal", rank: 2, holds: under("lib/terminal/") },
  { name: "aws/api", rank: 4, holds: under("lib/aws/api/") },
  { name: "aws", rank: 3, holds: under("lib/aws/") },
  { name: "keystore", rank: 3, holds: under("lib/keystore/") },
  { name: "session", rank: 5, holds: under("lib/session/") },
  { name: "cli/output", rank: 7, holds: under("lib/cli/output/") },
  { name: "cli/commands", rank: 8, holds: under("lib/cli/commands/") },
  { name: "cli/main", rank: 9, holds: oneOf("lib/cli/main.ts", "lib/cli/registry.ts") },
  {
    name: "cli",
    rank: 6,
    holds: oneOf("lib/cli/args.ts", "lib/cli/command.ts", "lib/cli/session_flags.ts"),
  },
  { name: "main.ts", rank: 10, holds: oneOf("main.ts") },
];

/** The layer holding `path`, if any. */
export function layerOf(path: string): Layer | undefined {
  return LAYERS.find((layer) => layer.holds(path));
}

/** One import: `from` names `to` (paths relative to the repository, or a specifier like npm:x). */
export interface Import {
  from: string;
  to: string;
  /** Its line in `from` (1-based), when known. */
  line?: number;
  /** static, dynamic (import()) or type (import type, typeof import(), @ts-self-types). */
  kind: "static" | "dynamic" | "type";
}

/** The modules of the house and their imports. */
export interface House {
  /** Every module under lib/ (and main.ts). */
  modules: string[];
  imports: Import[];
}

/** Every problem with `house`, one sentence each, naming the file and the import. */
export function checkHouse(house: House): string[] {
  const problems: string[] = [];
  for (const module of house.modules) {
    if (layerOf(module) === undefined) {
      problems.push(`${module} is in no layer: move it into one of lib/'s folders`);
    }
  }
  for (const edge of house.imports) {
    const problem = importProblem(edge);
    if (problem !== undefined) problems.push(`${describeImport(edge)}: ${problem}`);
  }
  for (const circle of circles(house)) {
    problems.push(
      `a circle of ${circle.length} files (each imports its way back to itself): ` +
        circle.join(", "),
    );
  }
  return problems;
}

function describeImport(edge: Import): string {
  const kind = edge.kind === "static" ? "imports" : `imports (${edge.kind})`;
  return `${edge.from}${edge.line ? `:${edge.line}` : ""} ${kind} ${edge.to}`;
}

/** What is wrong with one import, or undefined. */
function importProblem(edge: Import): string | undefined {
  const from = layerOf(edge.from);
  const local = edge.to === "main.ts" || edge.to.startsWith("lib/");
  if (from?.name === "ini" && !edge.to.startsWith("lib/ini/")) {
    return "lib/ini/ imports nothing outside itself (its own errors; aws/ maps them)";
  }
  if (!local) return undefined;
  if (edge.to === "lib/cli/registry.ts" && edge.from !== "lib/cli/main.ts") {
    return "only lib/cli/main.ts imports the registry";
  }
  if (edge.from === "main.ts" && edge.to !== "lib/cli/main.ts") {
    return "main.ts imports lib/cli/main.ts only";
  }
  const to = layerOf(edge.to);
  if (from === undefined || to === undefined) return undefined; // reported as in no layer
  if (from.name === "cli/commands" && to.name === "cli/commands" && edge.from !== edge.to) {
    return "a command imports no other command (shared code goes to cli/output or session)";
  }
  if (to.rank > from.rank) {
    return `${from.name} is below ${to.name}: a layer imports only the layers below it`;
  }
  if (to.rank === from.rank && to.name !== from.name) {
    return `${from.name} and ${to.name} are siblings: neither imports the other`;
  }
  return undefined;
}

/** The circles of `house` (Tarjan's strongly connected components), each in path order. */
export function circles(house: House): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of house.imports) {
    if (!next.has(from)) next.set(from, []);
    next.get(from)!.push(to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = (next.get(node) ?? []).includes(node);
    if (component.length > 1 || selfImport) found.push(component.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

interface InfoDependency {
  code?: { specifier: string; span?: { start: { line: number } } };
  type?: { specifier: string; span?: { start: { line: number } } };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
  typesDependency?: { dependency: { specifier: string; span?: { start: { line: number } } } };
}

/**
 * The house at `root` (a directory's URL, ending in `/`): `deno info --json main.ts`, then the
 * same for each module of lib/ that graph does not reach (the keystore, until a command uses
 * it), until every file under lib/ is read.
 */
export async function readHouse(root: URL): Promise<House> {
  const files = await libFiles(root, "lib/");
  const modules = new Map<string, InfoModule>();
  const entries = ["main.ts", ...files];
  for (const entry of entries) {
    if (modules.has(entry)) continue;
    for (const module of await denoInfo(root, entry)) {
      const path = relativePath(root, module.specifier);
      if (!modules.has(path)) modules.set(path, module);
    }
  }
  const imports: Import[] = [];
  for (const [path, module] of modules) {
    if (path !== "main.ts" && !path.startsWith("lib/")) continue;
    for (const dependency of module.dependencies ?? []) {
      for (
        const [kind, target] of [["code", dependency.code], ["type", dependency.type]] as const
      ) {
        if (target === undefined) continue;
        imports.push({
          from: path,
          to: relativePath(root, target.specifier),
          line: target.span ? target.span.start.line + 1 : undefined,
          kind: kind === "type" ? "type" : dependency.isDynamic ? "dynamic" : "static",
        });
      }
    }
    const types = module.typesDependency?.dependency;
    if (types) {
      imports.push({
        from: path,
        to: relativePath(root, types.specifier),
        line: types.span ? types.span.start.line + 1 : undefined,
        kind: "type",
      });
    }
  }
  const unique = new Map(imports.map((edge) => [`${edge.from} ${edge.to} ${edge.kind}`, edge]));
  return { modules: ["main.ts", ...files], imports: [...unique.values()] };
}

function relativePath(root: URL, specifier: string): string {
  return specifier.startsWith(root.href) ? specifier.slice(root.href.length) : specifier;
}

async function denoInfo(root: URL, entry: string): Promise<InfoModule[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return (JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: InfoModule[] })
    .modules;
}

/** The module files under `folder` of `root`, sorted. */
async function libFiles(root: URL, folder: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(new URL(folder, root))) {
    const path = `${folder}${entry.name}`;
    if (entry.isDirectory) found.push(...await libFiles(root, `${path}/`));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/**
 * The commands an SDK or a shell runs on every call (credential-process,
 * env, exec, completions for profile names, status in a shell prompt) load
 * no npm package and no `node:` module before they need to call AWS (status
 * never does): their static import graph,
 * as `deno info` sees it, holds only awsmfa's own modules.
 */
import assert from "node:assert/strict";
import { ROOT } from "./support/cli_runner.ts";

interface InfoModule {
  specifier: string;
  dependencies?: Array<{ specifier: string; code?: { specifier: string }; isDynamic?: boolean }>;
}

/** The modules `entry` loads before any dynamic import runs. */
async function staticGraph(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${ROOT}${entry}`],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: InfoModule[] };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.isDynamic || !dependency.code) continue;
      visit(dependency.code.specifier);
    }
  };
  visit(new URL(entry, `file://${ROOT}`).href);
  return [...seen];
}

for (
  const entry of [
    "lib/cli/commands/credential_process.ts",
    "lib/cli/commands/env.ts",
    "lib/cli/commands/exec.ts",
    "lib/cli/commands/completions.ts",
    "lib/cli/commands/status.ts",
    "main.ts",
  ]
) {
  Deno.test(`hot path: ${entry} statically imports no npm package, node: module or the SDK`, async () => {
    const graph = await staticGraph(entry);
    assert.ok(graph.length > 3, "the graph was read");
    const foreign = graph.filter((specifier) =>
      !specifier.startsWith(`file://${ROOT}lib/`) && specifier !== `file://${ROOT}main.ts` &&
        specifier !== `file://${ROOT}deno.json` || /vendor|aws_sdk/.test(specifier)
    );
    assert.deepEqual(foreign, []);
  });
}

for (
  const entry of [
    "lib/cli/commands/credential_process.ts",
    "lib/cli/commands/env.ts",
    "lib/cli/commands/exec.ts",
    "lib/cli/commands/status.ts",
    "lib/session/refresh.ts",
    "main.ts",
  ]
) {
  Deno.test(`hot path: ${entry} loads no keystore module before a section names one`, async () => {
    const graph = await staticGraph(entry);
    assert.ok(graph.length > 3, "the graph was read");
    const keystore = graph.filter((specifier) =>
      specifier.startsWith(`file://${ROOT}lib/keystore/`) ||
      /source_keys|keystore_keys|secret_prompt/.test(specifier)
    );
    assert.deepEqual(keystore, []);
  });
}

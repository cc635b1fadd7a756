/**
 * The house stays as drawn (the layers in tests/support/house.ts): every module of
 * lib/ in a layer, every import pointing down, no circle. The graph is `deno info --json`'s, so
 * type-only and dynamic imports count. The rules are also shown to fire on made-up graphs.
 */
import assert from "node:assert/strict";
import { checkHouse, type House, type Import, readHouse } from "./support/house.ts";

Deno.test("layers: every module of lib/ is in a layer, every import points down, no circle", async () => {
  const house = await readHouse(new URL("../", import.meta.url));
  assert.ok(house.modules.includes("lib/cli/main.ts"), "the graph was read");
  assert.ok(
    house.imports.some((edge) => edge.from === "lib/keystore/mod.ts"),
    "the imports of modules main.ts does not reach are read too",
  );
  assert.ok(house.imports.some((edge) => edge.kind === "type"), "type-only imports are read");
  assert.ok(house.imports.some((edge) => edge.kind === "dynamic"), "dynamic imports are read");
  assert.deepEqual(checkHouse(house), []);
});

/** A house of `imports` whose modules are the files they name. */
function house(...imports: Array<[string, string, Import["kind"]?]>): House {
  const edges = imports.map(([from, to, kind]) => ({ from, to, kind: kind ?? "static" }));
  const modules = [...new Set(edges.flatMap(({ from, to }) => [from, to]))]
    .filter((path) => path.startsWith("lib/") || path === "main.ts");
  return { modules, imports: edges };
}

Deno.test("layers: each rule names the file and the import", () => {
  const cases: Array<[House, RegExp]> = [
    [house(["lib/core/errors.ts", "lib/aws/shared_files.ts"]), /core is below aws/],
    [house(["lib/files/safe_file.ts", "lib/terminal/terminal.ts"]), /files and terminal are sib/],
    [house(["lib/terminal/terminal.ts", "lib/files/safe_file.ts"]), /terminal and files are sib/],
    [house(["lib/aws/shared_files.ts", "lib/keystore/mod.ts", "type"]), /aws and keystore are/],
    [house(["lib/ini/document.ts", "lib/core/errors.ts"]), /lib\/ini\/ imports nothing outside/],
    [house(["lib/ini/document.ts", "npm:ini@7.0.0"]), /lib\/ini\/ imports nothing outside/],
    [
      house(["lib/cli/commands/setup.ts", "lib/cli/commands/login.ts"]),
      /commands\/setup.ts imports lib\/cli\/commands\/login.ts: a command imports no other/,
    ],
    [house(["lib/cli/commands/exec.ts", "lib/cli/main.ts", "dynamic"]), /below cli\/main/],
    [house(["lib/cli/commands/x.ts", "lib/cli/registry.ts"]), /only lib\/cli\/main.ts imports/],
    [house(["main.ts", "lib/cli/registry.ts"]), /only lib\/cli\/main.ts imports the registry/],
    [house(["main.ts", "lib/core/context.ts"]), /main.ts imports lib\/cli\/main.ts only/],
    [house(["lib/refresh.ts", "lib/core/errors.ts"]), /lib\/refresh.ts is in no layer/],
    [
      house(["lib/aws/a.ts", "lib/aws/b.ts", "type"], ["lib/aws/b.ts", "lib/aws/a.ts"]),
      /a circle of 2 files \(each imports its way back to itself\): lib\/aws\/a.ts, lib\/aws\/b.ts$/,
    ],
  ];
  for (const [graph, expected] of cases) {
    const problems = checkHouse(graph);
    assert.equal(problems.length, 1, JSON.stringify({ graph, problems }));
    assert.match(problems[0], expected);
  }
  assert.deepEqual(
    checkHouse(house(
      ["main.ts", "lib/cli/main.ts"],
      ["lib/cli/main.ts", "lib/cli/registry.ts"],
      ["lib/cli/registry.ts", "lib/cli/commands/login.ts", "dynamic"],
      ["lib/cli/commands/login.ts", "lib/cli/command.ts", "type"],
      ["lib/cli/commands/login.ts", "lib/cli/output/outcome.ts"],
      ["lib/cli/output/outcome.ts", "lib/session/refresh.ts", "type"],
      ["lib/session/refresh.ts", "lib/aws/api/sts.ts", "dynamic"],
      ["lib/aws/api/sts.ts", "lib/aws/shared_files.ts"],
      ["lib/aws/shared_files.ts", "lib/ini/document.ts"],
      ["lib/keystore/file.ts", "lib/files/safe_file.ts"],
      ["lib/terminal/menu_terminal.ts", "lib/terminal/menu.ts"],
      ["lib/files/safe_file.ts", "lib/core/errors.ts"],
    )),
    [],
    "a house as drawn has no problem",
  );
});

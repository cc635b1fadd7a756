/**
 * The pre-bundled SDK (lib/aws/api/vendor/aws_sdk.js, made by scripts/vendor_sdk.ts) matches deno.json:
 * the packages it names are the versions deno.json pins, it exports what its .d.ts declares, and
 * it needs no `node:` module and no npm package at run time.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));

Deno.test("vendor: the bundle is built from the SDK versions deno.json pins", async () => {
  const config = JSON.parse(await read("deno.json"));
  const header = (await read("lib/aws/api/vendor/aws_sdk.js")).split("\n").filter((line) =>
    line.startsWith("//")
  ).join("\n");
  for (const name of ["@aws-sdk/client-sts", "@aws-sdk/client-iam", "@smithy/fetch-http-handler"]) {
    const pinned = String(config.imports[name]).replace(/^npm:/, "");
    assert.ok(
      header.includes(`//   ${pinned} `),
      `lib/aws/api/vendor/aws_sdk.js is not built from ${pinned}: run scripts/vendor_sdk.ts`,
    );
  }
});

Deno.test("vendor: exports what aws_sdk.d.ts declares, imports nothing", async () => {
  const source = await read("lib/aws/api/vendor/aws_sdk.js");
  assert.doesNotMatch(source, /^\s*(import|export)\b[^\n]*\bfrom\s*["']/m, "a static import");
  assert.doesNotMatch(source, /\bimport\s*\(\s*["'`]/, "a dynamic import");
  assert.doesNotMatch(source, /["']node:/, "a node: module");
  const declared = [
    ...(await read("lib/aws/api/vendor/aws_sdk.d.ts")).matchAll(/export \{([^}]+)\}/g),
  ]
    .flatMap((match) => match[1].split(",").map((name) => name.trim()));
  const module = await import("../../../../lib/aws/api/vendor/aws_sdk.js") as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(module).sort(), [...declared].sort());
  for (const name of declared) assert.equal(typeof module[name], "function", name);
});

import assert from "node:assert/strict";
import { homeDirectory } from "../../lib/core/context.ts";

Deno.test("homeDirectory: where the AWS CLI and SDKs look on each OS (USERPROFILE first on Windows)", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  const both = env({ HOME: "/h", USERPROFILE: "C:\\Users\\u" });
  assert.equal(homeDirectory(both, "linux"), "/h");
  assert.equal(homeDirectory(both, "darwin"), "/h");
  assert.equal(homeDirectory(both, "windows"), "C:\\Users\\u");
  assert.equal(homeDirectory(env({ HOME: "C:\\h" }), "windows"), "C:\\h");
  assert.equal(homeDirectory(env({ USERPROFILE: "/u" }), "linux"), "/u");
  assert.equal(homeDirectory(env({ HOMEDRIVE: "D:", HOMEPATH: "\\me" }), "windows"), "D:\\me");
  assert.equal(homeDirectory(env({}), "linux"), undefined);
});

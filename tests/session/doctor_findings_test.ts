// The report doctor prints (lib/session/doctor_findings.ts).
import assert from "node:assert/strict";
import { formatFindings } from "../../lib/session/doctor_findings.ts";

Deno.test("formatFindings: one line each, aligned tags, a summary; colour only when asked", () => {
  const findings = [
    { level: "ok" as const, text: "a" },
    { level: "fix" as const, text: "b" },
    { level: "note" as const, text: "c" },
  ];
  assert.equal(
    formatFindings(findings),
    "ok    a\nFIX   b\nnote  c\n1 problem to fix (the lines marked FIX).\n",
  );
  assert.equal(formatFindings([findings[0]]), "ok    a\nAll good.\n");
  assert.ok(formatFindings(findings, { colour: true }).includes("\x1b[31mFIX \x1b[0m  b"));
});

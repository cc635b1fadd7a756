import assert from "node:assert/strict";
import {
  formatRelative,
  formatRfc3339,
  formatSpan,
  parseDuration,
  parseTimestamp,
} from "../../lib/core/durations.ts";

Deno.test("parseDuration: seconds and spans", () => {
  assert.equal(parseDuration("3600"), 3600);
  assert.equal(parseDuration("12h"), 43200);
  assert.equal(parseDuration("90m"), 5400);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("2d"), 172800);
  for (const bad of ["", "h", "12x", "-5", "1.5h", "12 h"]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

Deno.test("formatSpan and formatRelative read like a person writes", () => {
  assert.equal(formatSpan(30), "30 s");
  assert.equal(formatSpan(45 * 60), "45 min");
  assert.equal(formatSpan(12 * 3600), "12 h");
  assert.equal(formatSpan(5400), "1 h 30 min");
  assert.equal(formatSpan(36 * 3600 + 60), "36 h 1 min");
  assert.equal(formatRelative(10_000 + 3600_000, 10_000), "in 1 h");
  assert.equal(formatRelative(0, 120_000), "2 min ago");
});

Deno.test("RFC 3339 timestamps: written in UTC without milliseconds, read back", () => {
  const date = new Date("2026-11-30T08:12:05.123Z");
  assert.equal(formatRfc3339(date), "2026-11-30T08:12:05Z");
  assert.equal(
    parseTimestamp("2026-11-30T08:12:05Z")?.getTime(),
    Date.parse("2026-11-30T08:12:05Z"),
  );
  assert.equal(
    parseTimestamp("2026-11-30T09:12:05+01:00")?.toISOString(),
    "2026-11-30T08:12:05.000Z",
  );
  assert.equal(parseTimestamp("tomorrow"), undefined);
  assert.equal(parseTimestamp("2026-11-30"), undefined);
});

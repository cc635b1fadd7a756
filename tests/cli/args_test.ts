import assert from "node:assert/strict";
import { formatFlags, parseArgs } from "../../lib/cli/args.ts";
import { UsageError } from "../../lib/core/errors.ts";

const specs = {
  code: { type: "string", short: "c" },
  force: { type: "boolean", short: "f" },
  "min-remaining": { type: "string" },
} as const;

Deno.test("args: flags in both spellings, positionals and the rest after --", () => {
  const parsed = parseArgs(
    [
      "george",
      "--code",
      "123456",
      "-f",
      "--min-remaining=1h",
      "--",
      "aws",
      "--x",
    ],
    specs,
    { rest: true },
  );
  assert.deepEqual(parsed.positionals, ["george"]);
  assert.equal(parsed.flags.code, "123456");
  assert.equal(parsed.flags.force, true);
  assert.equal(parsed.flags["min-remaining"], "1h");
  assert.deepEqual(parsed.rest, ["aws", "--x"]);
});

Deno.test("args: '-' is a value, -cVALUE works", () => {
  assert.equal(parseArgs(["--code", "-"], specs).flags.code, "-");
  assert.equal(parseArgs(["-c123456"], specs).flags.code, "123456");
});

Deno.test("args: unknown flags suggest the closest one", () => {
  assert.throws(() => parseArgs(["--forse"], specs, { command: "login" }), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, "Unknown flag '--forse'.");
    assert.match(error.fix ?? "", /Did you mean '--force'\? Run 'awsmfa login --help'/);
    return true;
  });
  assert.throws(() => parseArgs(["-z"], specs), /Unknown flag '-z'/);
});

Deno.test("args: a missing value or a value for a boolean is a usage error", () => {
  assert.throws(() => parseArgs(["--code"], specs), /needs a value/);
  assert.throws(() => parseArgs(["--code", "--force"], specs), /needs a value/);
  assert.throws(() => parseArgs(["--force=yes"], specs), /takes no value/);
});

Deno.test("args: words after -- are positionals, flags or not, unless the command runs a command line", () => {
  const plain = parseArgs(["--code", "123456", "--", "alice", "--force", "-"], specs);
  assert.deepEqual(plain.positionals, ["alice", "--force", "-"]);
  assert.equal(plain.flags.force, undefined, "a flag after -- is a word, not a flag");
  assert.equal(plain.rest, undefined);
  assert.deepEqual(parseArgs(["bob", "--"], specs).positionals, ["bob"]);

  const exec = parseArgs(["george", "--", "aws", "--x"], specs, { rest: true });
  assert.deepEqual(exec.positionals, ["george"]);
  assert.deepEqual(exec.rest, ["aws", "--x"]);
});

Deno.test("parseArgs: a flag whose value may be left out never takes the next word", () => {
  const specs = {
    keystore: { type: "string", value: "NAME", optionalValue: true, help: "x" },
  } as const;
  assert.deepEqual(parseArgs(["--keystore", "george"], specs).flags, { keystore: true });
  assert.deepEqual(parseArgs(["george"], specs).positionals, ["george"]);
  assert.deepEqual(parseArgs(["--keystore=pass", "george"], specs), {
    flags: { keystore: "pass" },
    positionals: ["george"],
    rest: undefined,
  });
  assert.match(formatFlags(specs), /--keystore\[=NAME\] +x/);
});

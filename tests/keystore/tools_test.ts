/**
 * The pure parts of the keystores (names, the secret's text, `security -i`
 * quoting), the tool runner (stdin, environment, time limit, output cap),
 * and each tool backend's commands and error mapping with a fake runner, so
 * that `keychain` is checked here too, where macOS's `security` is absent.
 */
import assert from "node:assert/strict";
import { decodeKeys, encodeKeys, entryName } from "../../lib/keystore/codec.ts";
import { addPasswordLine, quoteForSecurity } from "../../lib/keystore/keychain.ts";
import {
  type BackendName,
  KeystoreError,
  KeystoreItemMissingError,
  KeystoreLockedError,
  KeystoreToolMissingError,
  KeystoreUnreachableError,
} from "../../lib/keystore/mod.ts";
import {
  childEnvironment,
  MAX_TOOL_OUTPUT,
  runTool,
  type ToolOutcome,
} from "../../lib/keystore/run.ts";
import { ExitCode, formatError } from "../../lib/core/errors.ts";
import { BACKENDS } from "../../lib/keystore/backends.ts";
import { fixedContext, KEYS } from "./support.ts";

const context = fixedContext(
  { PATH: "/usr/bin:/bin", AWS_SECRET_ACCESS_KEY: "leak" },
  "/nonexistent",
);

interface Call {
  program: string;
  args: string[];
  stdin?: string;
  environment?: Record<string, string>;
}

/** A runner that records each call and answers from `answers` in turn. */
function fakeRunner(...answers: ToolOutcome[]) {
  const calls: Call[] = [];
  const runner = (
    program: string,
    args: string[],
    options: Omit<Call, "program" | "args"> = {},
  ) => {
    calls.push({ program, args, stdin: options.stdin, environment: options.environment });
    return Promise.resolve(answers.shift() ?? exited(0));
  };
  return { calls, runner };
}

function exited(code: number, stdout = "", stderr = ""): ToolOutcome {
  return { kind: "exited", code, stdout, stderr };
}

Deno.test("entryName: plain names unchanged, everything else escaped, injective", () => {
  assert.equal(entryName("george"), "george");
  assert.equal(entryName("Team_1.prod-eu@x+y=z"), "Team_1.prod-eu@x+y=z");
  assert.equal(entryName("a/b"), "a%2Fb");
  assert.equal(entryName(".."), "%2E.");
  assert.equal(entryName("-x"), "%2Dx");
  assert.equal(entryName("50%"), "50%25");
  assert.equal(entryName("a b:c\\d"), "a%20b%3Ac%5Cd");
  assert.equal(entryName("é"), "%C3%A9");
  assert.notEqual(entryName("a/b"), entryName("a%2Fb"));
  assert.throws(() => entryName(""));
});

Deno.test("codec: the secret is aws-vault's JSON; anything else is a problem, never keys", () => {
  const text = encodeKeys(KEYS);
  assert.equal(
    text,
    `{"AccessKeyID":"${KEYS.accessKeyId}","SecretAccessKey":"${KEYS.secretAccessKey}"}`,
  );
  assert.deepEqual(decodeKeys(`${text}\n`), KEYS);
  assert.deepEqual(decodeKeys(JSON.stringify({ ...JSON.parse(text), SessionToken: "" })), KEYS);
  for (
    const bad of [
      "",
      "null",
      "[]",
      '{"AccessKeyID":"A"}',
      '{"AccessKeyID":"A B","SecretAccessKey":"x"}',
    ]
  ) {
    assert.ok("problem" in decodeKeys(bad), bad);
  }
  assert.throws(() => encodeKeys({ accessKeyId: "A\nB", secretAccessKey: "x" }));
});

Deno.test("childEnvironment: variables that may hold a secret are not passed on", () => {
  assert.deepEqual(
    childEnvironment({
      PATH: "/bin",
      AWS_ACCESS_KEY_ID: "a",
      AWS_SECRET_ACCESS_KEY: "b",
      AWS_SESSION_TOKEN: "c",
      AWS_SECURITY_TOKEN: "d",
      AWSMFA_FILE_PASSPHRASE: "e",
      AWS_PROFILE: "george",
    }),
    { PATH: "/bin", AWS_PROFILE: "george" },
  );
});

Deno.test("runTool: the secret goes on stdin; the child's environment has no secret", async () => {
  const outcome = await runTool(
    "sh",
    ["-c", 'cat; printf "|%s|%s" "${AWS_SECRET_ACCESS_KEY-unset}" "${KEEP-unset}" >&2'],
    {
      stdin: "the secret",
      environment: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        AWS_SECRET_ACCESS_KEY: "x",
        KEEP: "k",
      },
    },
  );
  assert.deepEqual(outcome, { kind: "exited", code: 0, stdout: "the secret", stderr: "|unset|k" });
});

Deno.test("runTool: a tool past its time limit is killed and reported", async () => {
  const outcome = await runTool("sleep", ["600"], { timeoutMs: 100 });
  assert.equal(outcome.kind, "timeout");
});

Deno.test("runTool: a tool that writes past the cap is killed and reported", async () => {
  const outcome = await runTool("head", ["-c", String(MAX_TOOL_OUTPUT * 4), "/dev/zero"]);
  assert.deepEqual(outcome, { kind: "overflow" });
});

Deno.test("runTool: a program that is not installed is 'missing'", async () => {
  assert.deepEqual(await runTool("awsmfa-no-such-tool-here", []), { kind: "missing" });
});

/** The line parser of macOS `security -i` (split_line in SecurityTool/security.c), ported. */
function splitSecurityLine(line: string): string[] {
  const args: string[] = [];
  let state: "ws" | "arg" | "argEsc" | "quoted" | "quotedEsc" = "ws";
  let quote = "";
  let current = "";
  for (const char of line) {
    if (state === "ws") {
      if (/\s/.test(char)) continue;
      if (char === '"' || char === "'") {
        quote = char;
        state = "quoted";
        current = "";
        continue;
      }
      state = "arg";
      current = "";
    }
    if (state === "arg") {
      if (char === "\\") state = "argEsc";
      else if (/\s/.test(char)) {
        args.push(current);
        state = "ws";
      } else current += char;
      continue;
    }
    if (state === "quoted") {
      if (char === "\\") state = "quotedEsc";
      else if (char === quote) {
        args.push(current);
        state = "ws";
      } else current += char;
      continue;
    }
    current += char;
    state = state === "argEsc" ? "arg" : "quoted";
  }
  if (state !== "ws") args.push(current);
  return args;
}

Deno.test("keychain: security -i reads back exactly the values quoted for it", () => {
  for (
    const value of ["plain", "it's", 'say "hi"', "back\\slash\\", "", " spaced  ", encodeKeys(KEYS)]
  ) {
    assert.deepEqual(splitSecurityLine(quoteForSecurity(value)), [value]);
  }
  assert.throws(() => quoteForSecurity("two\nlines"));
  const line = addPasswordLine("it's me", encodeKeys(KEYS));
  assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
  assert.deepEqual(splitSecurityLine(line.trimEnd()), [
    "add-generic-password",
    "-U",
    "-s",
    "awsmfa",
    "-a",
    "it's me",
    "-l",
    "awsmfa (it's me)",
    "-w",
    encodeKeys(KEYS),
  ]);
});

const SECRET_IN_STDIN: Record<Exclude<BackendName, "wincred" | "file">, string[]> = {
  "keychain": ["-i"],
  "secret-service": [
    "store",
    "--label=awsmfa (george)",
    "--",
    "application",
    "awsmfa",
    "profile",
    "george",
  ],
  "pass": ["insert", "-m", "-f", "awsmfa/george"],
};

for (const [name, args] of Object.entries(SECRET_IN_STDIN)) {
  Deno.test(`${name}: set passes the secret on stdin only, never in argv or the environment`, async () => {
    const { calls, runner } = fakeRunner();
    await BACKENDS[name as BackendName]({ context, runner }).set("george", KEYS);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].args, args);
    assert.ok(calls[0].stdin?.includes(KEYS.secretAccessKey));
    assert.ok(!JSON.stringify(calls[0].args).includes(KEYS.secretAccessKey));
    assert.ok(!JSON.stringify(calls[0].environment ?? {}).includes(KEYS.secretAccessKey));
  });
}

Deno.test("keychain: exit 44 is no item (and deleting none is fine); 36 is locked", async () => {
  const store = (outcome: ToolOutcome) =>
    BACKENDS.keychain({ context, runner: fakeRunner(outcome).runner });
  assert.deepEqual(await store(exited(0, `${encodeKeys(KEYS)}\n`)).get("george"), KEYS);
  assert.equal(
    await store(exited(44, "", "security: The specified item could not be found.")).get("george"),
    undefined,
  );
  await assert.rejects(store(exited(36)).get("george"), (error: unknown) => {
    assert.ok(error instanceof KeystoreLockedError);
    assert.equal(error.message, "The keychain keystore is locked for profile 'george'.");
    assert.match(error.fix!, /security unlock-keychain/);
    return true;
  });
  await store(exited(44)).delete("george");
});

Deno.test("secret-service: code 1 and silence is no item, unless search finds it locked", async () => {
  const missing = fakeRunner(exited(1), exited(0));
  assert.equal(
    await BACKENDS["secret-service"]({ context, runner: missing.runner }).get("george"),
    undefined,
  );
  assert.deepEqual(missing.calls.map((call) => call.args[0]), ["lookup", "search"]);
  const locked = fakeRunner(
    exited(1),
    exited(
      0,
      "[/1]\nlabel = awsmfa (george)\n",
      "secret-tool: Cannot get secret of a locked object\n",
    ),
  );
  await assert.rejects(
    BACKENDS["secret-service"]({ context, runner: locked.runner }).get("george"),
    KeystoreLockedError,
  );
  const noBus = fakeRunner(
    exited(1, "", "secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY\n"),
  );
  const availability = await BACKENDS["secret-service"]({ context, runner: noBus.runner })
    .available();
  assert.ok(!availability.ok && availability.error instanceof KeystoreUnreachableError);
});

Deno.test("pass: 'not in the password store' is no item; a missing tool says how to install it", async () => {
  const missing = fakeRunner(exited(1, "", "Error: awsmfa/george is not in the password store.\n"));
  assert.equal(await BACKENDS.pass({ context, runner: missing.runner }).get("george"), undefined);
  const noTool = fakeRunner({ kind: "missing" });
  await assert.rejects(
    BACKENDS.pass({ context, runner: noTool.runner }).get("george"),
    (error: unknown) => {
      assert.ok(error instanceof KeystoreToolMissingError);
      assert.equal(error.exitCode, ExitCode.File);
      assert.equal(
        error.message,
        "Cannot use the pass keystore for profile 'george': pass is not installed.",
      );
      assert.match(error.fix!, /apt install pass/);
      return true;
    },
  );
});

Deno.test("errors: each is exit 3 and prints its message and fix, with no secret", () => {
  const error = new KeystoreItemMissingError("pass", "george");
  assert.ok(error instanceof KeystoreError);
  assert.equal(error.exitCode, ExitCode.File);
  assert.equal(
    formatError(error),
    "awsmfa: The pass keystore has no keys for profile 'george'.\n" +
      "  Store them again with 'awsmfa keys store george --backend pass', or put " +
      "aws_access_key_id and aws_secret_access_key back in the credentials file and remove " +
      "the awsmfa_keystore line.",
  );
});

Deno.test("wincred: off Windows it reports itself unreachable and touches nothing", async () => {
  if (Deno.build.os === "windows") return;
  const store = BACKENDS.wincred({ context });
  const availability = await store.available();
  assert.ok(!availability.ok && availability.error instanceof KeystoreUnreachableError);
  await assert.rejects(store.get("george"), /Credential Manager exists only on Windows/);
});

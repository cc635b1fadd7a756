/**
 * File torture: generated credentials files (comments everywhere, CR/LF/CRLF
 * mixes, odd spacing, sub-sections, continuation lines, `[DEFAULT]`,
 * unicode, no final newline), each given a source section `[Xmfa]` and
 * sometimes an old session `[X]` at a random place, refreshed once by the
 * real CLI. Outside the target section not one byte changes, and botocore
 * reads the result with only the target's four keys changed.
 *
 * Files botocore rejects (BOM, bytes that are not UTF-8, duplicate sections
 * and keys, the generator's mutations) are refused with exit 3 and the line
 * number, unchanged, before any STS call.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { botocoreAvailable, botocoreParse, type BotocoreResult } from "../support/botocore.ts";
import { startFakeSts } from "../support/fake_sts.ts";
import type { FakeSts, FakeUser } from "../support/fake_sts.ts";
import { type GenFile, iniFileArb, mutatedIniArb } from "../support/ini_gen.ts";
import { parseIni } from "../../lib/ini/mod.ts";
import {
  assertCleanError,
  figure,
  OutputLog,
  percentile,
  pool,
  type Rng,
  scenario,
  size,
  spawnCli,
  tempFiles,
} from "./support.ts";

const FILE = "tests/torture/files_test.ts";
const log = new OutputLog();
const encoder = new TextEncoder();
const PARALLEL = 4;
const SESSION_KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_credential_expiration",
];

/** Target profile names: ordinary, and every character the issue lists. */
const TARGETS = [
  "george",
  "team lead",
  "o'brien",
  'say "hi"',
  "x=y",
  "p:q",
  "日本語",
  "a[b",
  "semi;colon",
  "hash#tag",
  "dév 🎉",
  "UPPER",
  "tab\tinside",
  "1234",
];

/**
 * Keys that change what the login does (every key awsmfa or STS reads from a
 * credentials file), where a generated `[DEFAULT]` would hand them to every
 * section: a role to assume, another serial, a code command, a duration, an
 * endpoint. What a file with them should do is for the tests of those keys.
 */
const LOGIN_KEYS = [
  ...SESSION_KEYS,
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_security_token",
  "mfa_serial",
  "mfa_process",
  "role_arn",
  "role_session_name",
  "external_id",
  "source_profile",
  "credential_process",
  "duration_seconds",
  "region",
  "endpoint_url",
  "sts_regional_endpoints",
  "ca_bundle",
];

/** Whether the file's `[DEFAULT]` gives every section a key that changes the login. */
function changesLogin(parsed: Extract<BotocoreResult, { ok: true }>): boolean {
  return LOGIN_KEYS.some((key) => key in parsed.defaults) ||
    Object.keys(parsed.defaults).some((key) => key.startsWith("awsmfa"));
}

/**
 * The editor's view of `text` in botocore's shape, where botocore is absent:
 * `[DEFAULT]`'s keys are what an empty section appended at the end inherits.
 */
function editorView(text: string): BotocoreResult {
  const probe = "awsmfa torture probe";
  const doc = parseIni(`${text}\n[${probe}]\n`);
  if (doc.problems.length > 0) return { ok: false, error: doc.problems[0].message };
  const defaults = doc.toRecord()[probe] as Record<string, string | Record<string, string>>;
  return { ok: true, record: {}, defaults, profiles: {} };
}

/** One generated case. */
interface FileCase {
  index: number;
  target: string;
  input: string;
  /** Where the target section's block starts and ends in `input` (when it exists). */
  targetBlock?: { start: number; end: number };
  user: FakeUser;
}

function eolOf(text: string, rng: Rng): string {
  return /\r\n|\n|\r/.exec(text)?.[0] ?? rng.pick(["\n", "\r\n"]);
}

/**
 * Offsets where a block of unindented lines can go without changing what the
 * lines around it mean: the end of the file, and the start of any header line
 * that is not indented (an indented one would continue our last value).
 */
function insertionPoints(gen: GenFile): number[] {
  const points = [gen.text.length];
  let offset = 0;
  for (const line of gen.text.split(/(?<=\r\n|\n|\r(?!\n))/)) {
    if (gen.sections.some((s) => line.startsWith(`[${s.name}]`))) points.push(offset);
    offset += line.length;
  }
  return points;
}

function keyLine(rng: Rng, key: string, value: string): string {
  const name = rng.chance(0.15) ? key.toUpperCase() : key;
  const sep = rng.pick([" = ", "=", " =  ", " : ", ":", "\t=\t"]);
  return `${name}${sep}${value}`;
}

function sourceBlock(rng: Rng, target: string, user: FakeUser, eol: string): string {
  const lines = [
    `[${target}mfa]${rng.pick(["", " ; long-term keys", "  # ✓"])}`,
    keyLine(rng, "aws_access_key_id", user.accessKeyId),
    keyLine(rng, "aws_secret_access_key", user.secretAccessKey),
    `mfa_serial = ${user.mfaDevices[0].serialNumber}`,
  ];
  if (rng.chance(0.3)) lines.splice(rng.between(1, 3), 0, rng.pick(["# comment", "; x", ""]));
  return lines.join(eol) + eol;
}

function targetBlock(rng: Rng, target: string, eol: string): string {
  const keys: string[] = [];
  const old = {
    aws_access_key_id: "ASIAOLDOLDOLDOLDOLD0",
    aws_secret_access_key: "old/secret+key",
    aws_session_token: "FwoGZXIvYXdzEOLDTOKEN",
    aws_credential_expiration: "2001-01-01T00:00:00Z",
  };
  const which = rng.pick(["all", "all", "some", "none"]);
  for (const key of SESSION_KEYS) {
    if (which === "none" || (which === "some" && rng.chance(0.5))) continue;
    let line = keyLine(rng, key, old[key as keyof typeof old]);
    if (key === "aws_session_token" && rng.chance(0.2)) line += `${eol}  continued-part`;
    keys.push(line);
  }
  if (rng.chance(0.5)) keys.splice(rng.int(keys.length + 1), 0, "region = eu-central-1");
  if (rng.chance(0.4)) keys.splice(rng.int(keys.length + 1), 0, rng.pick(["# the session", ";"]));
  if (keys.length === 0) keys.push("output = json");
  return [`[${target}]`, ...keys].join(eol) + eol;
}

/** Inserts `block` at `at`, starting a new line when `at` ends an unterminated one. */
function insert(text: string, at: number, block: string, eol: string): [string, number] {
  const before = text.slice(0, at);
  const pad = before !== "" && !/[\r\n]$/.test(before) ? eol : "";
  return [before + pad + block + text.slice(at), at + pad.length];
}

function makeCase(rng: Rng, gen: GenFile, index: number, user: FakeUser): FileCase {
  const taken = new Set(gen.sections.map((s) => s.name));
  const free = TARGETS.filter((t) => !taken.has(t) && !taken.has(`${t}mfa`));
  const target = rng.pick(free);
  const eol = eolOf(gen.text, rng);
  const points = insertionPoints(gen);
  const blocks = [{
    at: rng.pick(points),
    text: sourceBlock(rng, target, user, eol),
    target: false,
  }];
  if (rng.chance(0.5)) {
    blocks.push({ at: rng.pick(points), text: targetBlock(rng, target, eol), target: true });
  }
  // From the end backwards, so that earlier offsets stay right; at the same
  // offset the source block goes first (it is inserted last).
  blocks.sort((a, b) => b.at - a.at || (a.target ? -1 : 1));
  let text = gen.text;
  let targetAt: { start: number; end: number } | undefined;
  for (const block of blocks) {
    const [next, start] = insert(text, block.at, block.text, eol);
    const grown = next.length - text.length;
    if (targetAt && block.at <= targetAt.start) {
      targetAt = { start: targetAt.start + grown, end: targetAt.end + grown };
    }
    if (block.target) targetAt = { start, end: start + block.text.length };
    text = next;
  }
  return { index, target, input: text, targetBlock: targetAt, user };
}

/** A home with the case's file, refreshed by one CLI run. */
async function refresh(root: string, fake: FakeSts, c: FileCase, rng: Rng) {
  const home = `${root}/${c.index}`;
  await Deno.mkdir(`${home}/.aws`, { recursive: true });
  await Deno.writeFile(`${home}/.aws/credentials`, encoder.encode(c.input), { mode: 0o600 });
  const code = await fake.currentCode(c.user.mfaDevices[0].serialNumber);
  const args = rng.chance(0.5) ? [c.target] : [`--profile=${c.target}`];
  const result = await spawnCli([...args, "--code", code], {
    env: { HOME: home, AWS_ENDPOINT_URL_STS: fake.url },
  }).done;
  log.record(result, fake);
  const output = await Deno.readFile(`${home}/.aws/credentials`);
  const temps = await tempFiles(`${home}/.aws`);
  return { result, output, temps };
}

function describe(c: FileCase, extra = ""): string {
  return `case ${c.index}, target ${JSON.stringify(c.target)}${extra}\ninput: ${
    JSON.stringify(c.input)
  }`;
}

scenario(
  "generated files refreshed once each: no byte outside the target changes, botocore agrees",
  {
    file: FILE,
    timeoutMs: size(60_000, 420_000),
  },
  async ({ rng, checkTime }) => {
    const count = size(50, 1000);
    const fake = await startFakeSts();
    const root = await Deno.makeTempDir({ prefix: "awsmfa-torture-files-" });
    try {
      const oracle = botocoreAvailable();
      // Inputs botocore itself rejects are the generator's, not ours: dropped. So are files
      // whose [DEFAULT] changes what the login means (a role, a serial, a region ...): every
      // file that runs must be refreshed. Without botocore every file's [DEFAULT] is read
      // by the same rule through the editor's view.
      const cases: FileCase[] = [];
      const before: BotocoreResult[] = [];
      let generated = 0;
      let rejectedByBotocore = 0;
      let droppedForDefault = 0;
      while (cases.length < count) {
        checkTime();
        const samples = fc.sample(iniFileArb(), { seed: rng.seed(), numRuns: count });
        const batch = samples.map((gen, i) =>
          makeCase(rng, gen, generated + i, fake.addUser({ userName: `u${generated + i}` }))
        );
        generated += batch.length;
        const parsed = oracle
          ? await botocoreParse(batch.map((c) => c.input))
          : batch.map((c) => editorView(c.input));
        batch.forEach((c, i) => {
          const result = parsed[i];
          if (!result.ok) return void rejectedByBotocore++;
          if (changesLogin(result)) return void droppedForDefault++;
          if (cases.length >= count) return;
          cases.push(c);
          before.push(result);
        });
      }
      const durations: number[] = [];
      const runs = await pool(cases, PARALLEL, async (c) => {
        checkTime();
        const run = await refresh(root, fake, c, rng);
        durations.push(run.result.ms);
        return run;
      });
      const outputs = runs.map((r) => r.output);
      const after = oracle ? await botocoreParse(outputs) : [];
      const issued = new Set(fake.issuedSecrets());
      let withOldSession = 0;
      let refreshed = 0;
      cases.forEach((c, k) => {
        const { result, temps } = runs[k];
        const what = describe(c, `\nstderr: ${result.stderr}`);
        assert.deepEqual(temps, [], what);
        assert.equal(result.code, 0, what);
        refreshed++;
        const output = new TextDecoder("utf-8", { fatal: true }).decode(outputs[k]);
        // Bytes: all of the input outside the target's block is still there, in place.
        if (c.targetBlock) {
          withOldSession++;
          const { start, end } = c.targetBlock;
          assert.equal(output.slice(0, start), c.input.slice(0, start), `prefix: ${what}`);
          assert.ok(
            output.endsWith(c.input.slice(end)),
            `suffix: ${what}\noutput: ${JSON.stringify(output)}`,
          );
        } else {
          assert.ok(
            output.startsWith(c.input),
            `appended only: ${what}\noutput: ${JSON.stringify(output)}`,
          );
        }
        if (!oracle) return;
        const was = before[k] as Extract<BotocoreResult, { ok: true }>;
        const now = after[k];
        assert.ok(now.ok, `botocore reads the output: ${what}\n${JSON.stringify(now)}`);
        for (const [section, keys] of Object.entries(was.record)) {
          if (section === c.target) continue;
          assert.deepEqual(now.record[section], keys, `[${section}] unchanged: ${what}`);
        }
        const oldTarget = was.record[c.target] ?? Object.fromEntries(
          Object.entries(was.defaults).filter(([, v]) => v !== null),
        );
        const newTarget = now.record[c.target] as Record<string, string>;
        assert.ok(newTarget, `the target exists: ${what}`);
        const expected: Record<string, unknown> = { ...oldTarget };
        for (const key of SESSION_KEYS) expected[key] = newTarget[key];
        assert.deepEqual(newTarget, expected, `only the four keys changed: ${what}`);
        assert.ok(issued.has(newTarget.aws_secret_access_key), what);
        assert.ok(issued.has(newTarget.aws_session_token), what);
        assert.match(newTarget.aws_access_key_id, /^ASIA[A-Z2-7]{16}$/, what);
        assert.match(newTarget.aws_credential_expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.deepEqual(
          Object.keys(now.record).sort(),
          [...new Set([...Object.keys(was.record), c.target])].sort(),
          `no section added or lost: ${what}`,
        );
      });
      assert.ok(refreshed >= count, `${refreshed} files refreshed`);
      log.addSecrets(fake);
      figure("files", {
        generated,
        ran: cases.length,
        refreshed,
        withOldSession,
        rejectedByBotocoreDropped: rejectedByBotocore,
        droppedForDefault,
        parallel: PARALLEL,
        medianRunMs: Math.round(percentile(durations, 50)),
        botocore: oracle,
        bytesChangedOutsideTarget: 0,
      });
    } finally {
      await fake.close();
      await Deno.remove(root, { recursive: true });
    }
  },
);

/** Corruptions botocore refuses; each returns the bytes to write. */
function corrupt(
  rng: Rng,
  text: string,
  eol: string,
  target: string,
): { bytes: Uint8Array; kind: string } {
  const lines = text.split(/(?<=\r\n|\n|\r(?!\n))/);
  const at = rng.int(lines.length + 1);
  const kind = rng.pick(["bom", "utf8", "dup-section", "dup-key", "mutation"]);
  switch (kind) {
    case "bom":
      return { bytes: encoder.encode("\ufeff" + text), kind };
    case "utf8": {
      const bad = rng.pick([[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80]]);
      const line = rng.int(lines.length);
      const head = encoder.encode(lines.slice(0, line).join(""));
      const cut = Math.min(lines[line].replace(/[\r\n]+$/, "").length, rng.int(8));
      const mid = encoder.encode(lines[line].slice(0, cut));
      const tail = encoder.encode(lines[line].slice(cut) + lines.slice(line + 1).join(""));
      return { bytes: new Uint8Array([...head, ...mid, ...bad, ...tail]), kind };
    }
    case "dup-section": {
      const copy = `[${target}mfa]${eol}`;
      lines.splice(at, 0, /[\r\n]$/.test(lines[at - 1] ?? "\n") ? copy : eol + copy);
      return { bytes: encoder.encode(lines.join("")), kind };
    }
    case "dup-key": {
      const index = lines.findIndex((l) => l.startsWith(`[${target}mfa]`));
      lines.splice(index + 1, 0, `mfa_serial = arn:aws:iam::123456789012:mfa/dup${eol}`);
      lines.splice(index + 1, 0, `MFA_SERIAL = arn:aws:iam::123456789012:mfa/dup${eol}`);
      return { bytes: encoder.encode(lines.join("")), kind };
    }
    default: {
      const [mutated] = fc.sample(mutatedIniArb(), { seed: rng.seed(), numRuns: 1 });
      return { bytes: encoder.encode(text + (/[\r\n]$/.test(text) ? "" : eol) + mutated), kind };
    }
  }
}

scenario("files botocore rejects are refused with the line number, unchanged, before any call", {
  file: FILE,
  timeoutMs: size(40_000, 240_000),
}, async ({ rng, checkTime }) => {
  if (!botocoreAvailable()) return;
  const wanted = size(20, 250);
  const fake = await startFakeSts();
  const root = await Deno.makeTempDir({ prefix: "awsmfa-torture-rejected-" });
  const kinds: Record<string, number> = {};
  let lineAgreesWithBotocore = 0;
  let botocoreGaveLine = 0;
  let tried = 0;
  try {
    const rejected: Array<FileCase & { bytes: Uint8Array; kind: string; botocore: string }> = [];
    while (rejected.length < wanted) {
      checkTime();
      const batch = fc.sample(iniFileArb(), { seed: rng.seed(), numRuns: wanted * 2 });
      const candidates = batch.map((gen, i) => {
        const user = fake.addUser({ userName: `r${tried + i}` });
        const c = makeCase(rng, gen, tried + i, user);
        return { ...c, ...corrupt(rng, c.input, eolOf(c.input, rng), c.target) };
      });
      tried += candidates.length;
      const verdicts = await botocoreParse(candidates.map((c) => c.bytes));
      candidates.forEach((c, i) => {
        const v = verdicts[i];
        if (!v.ok && rejected.length < wanted) rejected.push({ ...c, botocore: v.error });
      });
    }
    const runs = await pool(rejected, PARALLEL, async (c) => {
      const home = `${root}/${c.index}`;
      await Deno.mkdir(`${home}/.aws`, { recursive: true });
      await Deno.writeFile(`${home}/.aws/credentials`, c.bytes, { mode: 0o600 });
      const requests = fake.requests.length;
      const result = await spawnCli([c.target, "--code", "123456"], {
        env: { HOME: home, AWS_ENDPOINT_URL_STS: fake.url },
      }).done;
      log.record(result, fake);
      const output = await Deno.readFile(`${home}/.aws/credentials`);
      return { result, output, requests };
    });
    rejected.forEach((c, k) => {
      const { result, output } = runs[k];
      const what = `${c.kind}, case ${c.index}; botocore: ${c.botocore}\nstderr: ${result.stderr}` +
        `\ninput: ${JSON.stringify(new TextDecoder().decode(c.bytes))}`;
      assert.equal(result.code, 3, what);
      assertCleanError(result, what);
      const line = /credentials line (\d+): /.exec(result.stderr);
      assert.ok(line, `the message names the line: ${what}`);
      assert.match(result.stderr, /The AWS CLI rejects this file too\. awsmfa changed nothing/);
      assert.deepEqual(output, c.bytes, `unchanged: ${what}`);
      const theirs = /\[line\s+(\d+)\]|line: (\d+)/.exec(c.botocore);
      if (theirs) {
        botocoreGaveLine++;
        if (Number(theirs[1] ?? theirs[2]) === Number(line[1])) lineAgreesWithBotocore++;
      }
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
    });
    assert.equal(fake.requests.length, 0, "no STS call for a rejected file");
    log.addSecrets(fake);
    figure("files-rejected", {
      refused: rejected.length,
      generatedToFindThem: tried,
      kinds,
      botocoreGaveLine,
      lineAgreesWithBotocore,
    });
  } finally {
    await fake.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("torture: no secret in any output of the file suite", () => {
  figure("files-secret-scan", log.assertNoSecrets());
});

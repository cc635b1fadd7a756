// The INI editor against botocore itself, on thousands of generated files per
// run (seeded: AWSMFA_SEED=<seed> replays a run). Every file is parsed by one
// python process per batch.

import assert from "node:assert/strict";
import fc from "fast-check";
import { configProfiles, type IniDocument, IniFormatError, parseIni } from "../../lib/ini/mod.ts";
import { botocoreAvailable, botocoreParse, type BotocoreResult } from "../support/botocore.ts";
import {
  chaosIniArb,
  type GenFile,
  iniFileArb,
  mutatedIniArb,
  rerunHint,
  testSeed,
} from "../support/ini_gen.ts";

const FILE = "tests/ini/oracle_test.ts";
const seed = testSeed();
const ignore = !botocoreAvailable();

type View = Record<string, Record<string, string | Record<string, string>>>;
type Ok = Extract<BotocoreResult, { ok: true }>;

function fail(failures: string[], total: number): void {
  if (failures.length === 0) return;
  throw new assert.AssertionError({
    message: `${failures.length} of ${total} generated cases differ from botocore ` +
      `(seed ${seed}):\n\n${failures.slice(0, 5).join("\n\n")}\n\n${rerunHint(seed, FILE)}`,
  });
}

function compareReading(doc: IniDocument, text: string, r: BotocoreResult): string | undefined {
  const show = `text ${JSON.stringify(text)}`;
  if (!r.ok) {
    if (doc.problems.length === 0) {
      return `botocore rejects (${r.error}) but we see no problem: ${show}`;
    }
    return undefined;
  }
  if (doc.problems.length > 0) {
    return `botocore accepts but we see ${JSON.stringify(doc.problems)}: ${show}`;
  }
  try {
    assert.deepStrictEqual(doc.toRecord(), r.record);
    const defaults = doc.getSection("DEFAULT") ?? {};
    for (const [k, v] of Object.entries(r.defaults)) {
      if (v !== null) assert.deepStrictEqual(defaults[k], v, `DEFAULT ${k}`);
    }
    assert.deepStrictEqual(Object.keys(defaults).sort(), Object.keys(r.defaults).sort());
    assert.deepStrictEqual(Object.fromEntries(configProfiles(doc)), r.profiles, "profiles");
  } catch (e) {
    return `${(e as Error).message}\n${show}`;
  }
  return undefined;
}

Deno.test({
  name: "oracle: problems and toRecord match botocore on generated files",
  ignore,
  fn: async () => {
    const texts = [
      ...fc.sample(iniFileArb(), { seed, numRuns: 1500 }).map((f) => f.text),
      ...fc.sample(mutatedIniArb(), { seed: seed + 1, numRuns: 1500 }),
      ...fc.sample(chaosIniArb(), { seed: seed + 2, numRuns: 3000 }),
    ];
    const results = await botocoreParse(texts);
    const failures: string[] = [];
    let rejected = 0;
    texts.forEach((text, i) => {
      if (!results[i].ok) rejected++;
      const failure = compareReading(parseIni(text), text, results[i]);
      if (failure !== undefined) failures.push(failure);
    });
    fail(failures, texts.length);
    // The generators must exercise both sides.
    assert.ok(rejected > texts.length / 10, `only ${rejected} rejected files`);
    assert.ok(rejected < texts.length * 0.9, `${rejected} rejected files`);
  },
});

Deno.test({
  name: "oracle: invalid UTF-8 is rejected by botocore and by decodeIniBytes",
  ignore,
  fn: async () => {
    const { decodeIniBytes } = await import("../../lib/ini/mod.ts");
    const files = fc.sample(
      fc.tuple(
        iniFileArb(),
        fc.nat(),
        fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xb0, 0x80], [0xe2]),
      ),
      { seed: seed + 3, numRuns: 200 },
    ).map(([f, at, bad]) => {
      const bytes = new TextEncoder().encode(f.text);
      const cut = at % (bytes.length + 1);
      // Cut at a character boundary.
      let c = cut;
      while (c < bytes.length && (bytes[c] & 0xc0) === 0x80) c++;
      return new Uint8Array([...bytes.slice(0, c), ...bad, ...bytes.slice(c)]);
    });
    const results = await botocoreParse(files);
    files.forEach((bytes, i) => {
      assert.equal(results[i].ok, false);
      assert.ok("problem" in decodeIniBytes(bytes));
    });
  },
});

/** An edit on a generated file, and what botocore should then see. */
interface EditCase {
  file: GenFile;
  apply: (doc: IniDocument) => unknown;
  expect: (before: Ok) => View;
  label: string;
}

const NEW_KEYS = ["aws_session_token", "AWS_SESSION_TOKEN", "region", "x_new", "Mixed_Case", "clé"];
const NEW_SECTIONS = ["dev", "brand new", "profile x", "DEFAULT", "default", "ü", "a[b"];
const VALUES = fc.oneof(
  fc.constantFrom("", "v", "AKIAIOSFODNN7EXAMPLE", "a = b", "x # y", "[z]", "日本", "tab\tin"),
  fc.string({ unit: "grapheme", maxLength: 8 }).map((s) => s.trim()).filter((s) =>
    !/[\r\n\u0085\u2028\u2029]/.test(s) && !/^[\p{Cc}\p{Zs}]|[\p{Cc}\p{Zs}]$/u.test(s)
  ),
);

/** The file's whole-line comments, in order. */
function commentLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => /^\s*[#;]/.test(l));
}

function clone(view: View): View {
  return structuredClone(view);
}

function lower(s: string): string {
  return s.toLowerCase();
}

function ownKeys(file: GenFile, section: string): Set<string> {
  const s = file.sections.find((x) => x.name === section);
  return new Set((s?.keys ?? []).map((k) => lower(k.name)));
}

function expectSet(file: GenFile, section: string, key: string, value: string) {
  return (before: Ok): View => {
    const view = clone(before.record);
    const k = lower(key);
    if (section === "DEFAULT") {
      for (const s of Object.keys(view)) if (!ownKeys(file, s).has(k)) view[s][k] = value;
      return view;
    }
    if (!Object.hasOwn(view, section)) {
      view[section] = {};
      for (const [dk, dv] of Object.entries(before.defaults)) view[section][dk] = dv!;
    }
    view[section][k] = value;
    return view;
  };
}

function expectDelete(file: GenFile, section: string, key: string) {
  return (before: Ok): View => {
    const view = clone(before.record);
    const k = lower(key);
    if (!ownKeys(file, section).has(k)) return view;
    const targets = section === "DEFAULT"
      ? Object.keys(view).filter((s) => !ownKeys(file, s).has(k))
      : [section];
    for (const s of targets) {
      if (section !== "DEFAULT" && Object.hasOwn(before.defaults, k)) {
        view[s][k] = before.defaults[k]!;
      } else delete view[s][k];
    }
    return view;
  };
}

function expectRemove(file: GenFile, section: string) {
  return (before: Ok): View => {
    const view = clone(before.record);
    if (section === "DEFAULT") {
      for (const s of Object.keys(view)) {
        for (const k of Object.keys(before.defaults)) {
          if (!ownKeys(file, s).has(k)) delete view[s][k];
        }
      }
    } else delete view[section];
    return view;
  };
}

const editCaseArb: fc.Arbitrary<EditCase> = fc.tuple(
  iniFileArb(),
  fc.constantFrom("set", "set", "set-new-key", "set-new-section", "delete", "remove"),
  fc.nat(),
  fc.nat(),
  VALUES,
  fc.constantFrom(...NEW_KEYS),
  fc.constantFrom(...NEW_SECTIONS),
  fc.boolean(),
).map(([file, kind, si, ki, value, newKey, newSection, upper]) => {
  const sections = file.sections;
  const section = sections.length > 0 ? sections[si % sections.length] : undefined;
  const existing = section && section.keys.length > 0
    ? section.keys[ki % section.keys.length]
    : undefined;
  if ((kind === "set" || kind === "delete") && section && existing) {
    const key = upper ? existing.name.toUpperCase() : existing.name;
    return kind === "set"
      ? {
        file,
        label: `set(${section.name}, ${key}, ${JSON.stringify(value)})`,
        apply: (d: IniDocument) => d.set(section.name, key, value),
        expect: expectSet(file, section.name, key, value),
      }
      : {
        file,
        label: `delete(${section.name}, ${key})`,
        apply: (d: IniDocument) => d.delete(section.name, key),
        expect: expectDelete(file, section.name, key),
      };
  }
  if (kind === "remove" && section) {
    return {
      file,
      label: `removeSection(${section.name})`,
      apply: (d: IniDocument) => d.removeSection(section.name),
      expect: expectRemove(file, section.name),
    };
  }
  const name = kind === "set-new-key" && section ? section.name : newSection;
  return {
    file,
    label: `set(${name}, ${newKey}, ${JSON.stringify(value)})`,
    apply: (d: IniDocument) => d.set(name, newKey, value),
    expect: expectSet(file, name, newKey, value),
  };
});

Deno.test({
  name: "oracle: after each edit botocore sees exactly the edit",
  ignore,
  fn: async () => {
    const cases = fc.sample(editCaseArb, { seed: seed + 4, numRuns: 2000 });
    // removeSection refuses (IniFormatError, nothing changed) where the next
    // header is indented and would become a continuation line: that is fine.
    let refused = 0;
    const afters = cases.map((c) => {
      const doc = parseIni(c.file.text);
      try {
        c.apply(doc);
      } catch (e) {
        if (!(e instanceof IniFormatError && c.label.startsWith("removeSection"))) throw e;
        assert.equal(doc.toString(), c.file.text);
        refused++;
        return null;
      }
      return doc.toString();
    });
    assert.ok(refused < cases.length / 20, `${refused} refusals`);
    const results = await botocoreParse([
      ...cases.map((c) => c.file.text),
      ...afters.map((a) => a ?? ""),
    ]);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const before = results[i];
      const after = results[cases.length + i];
      if (afters[i] === null) return;
      const show = `${c.label} on ${JSON.stringify(c.file.text)}\n-> ${JSON.stringify(afters[i])}`;
      if (!before.ok) {
        failures.push(`generated file rejected (${before.error}): ${show}`);
        return;
      }
      if (!after.ok) {
        failures.push(`edited file rejected (${after.error}): ${show}`);
        return;
      }
      try {
        assert.deepStrictEqual(after.record, c.expect(before));
        if (!c.label.startsWith("removeSection")) {
          // Also those among a multi-line value's lines, which botocore skips.
          assert.deepStrictEqual(commentLines(afters[i]!), commentLines(c.file.text), "comments");
        }
        assert.deepStrictEqual(parseIni(afters[i]).toRecord(), after.record);
      } catch (e) {
        failures.push(`${(e as Error).message}\n${show}`);
      }
    });
    fail(failures, cases.length);
  },
});

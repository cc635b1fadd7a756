// The INI editor's guarantees as fast-check properties over generated files
// (seeded: AWSMFA_SEED=<seed> replays a run). What botocore then reads is
// checked in ini_oracle_test.ts; these check the bytes.

import assert from "node:assert/strict";
import fc from "fast-check";
import { INI_ERRORS, IniFormatError, IniValueError, parseIni } from "../../lib/ini/mod.ts";
import { planSetAll } from "../../lib/ini/edit_batch.ts";
import { scanIni } from "../../lib/ini/scan.ts";
import {
  anyTextArb,
  assertProperty,
  type GenFile,
  type GenKey,
  type GenSection,
  iniFileArb,
  mutatedIniArb,
  testSeed,
} from "../support/ini_gen.ts";

const FILE = "tests/ini/property_test.ts";
const seed = testSeed();
const run = (numRuns: number) => ({ seed, numRuns, file: FILE });

/** The file's dominant line ending (the first one on a tie; LF if none). */
function dominantEol(text: string): string {
  const found = text.match(/\r\n|\r|\n/g) ?? [];
  if (found.length === 0) return "\n";
  const counts = new Map<string, number>();
  for (const e of found) counts.set(e, (counts.get(e) ?? 0) + 1);
  let best: string = found[0]!;
  for (const [e, n] of counts) if (n > counts.get(best)!) best = e;
  return best;
}

const PY_SPACE =
  "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const OUTER = new RegExp(`^[${PY_SPACE}]|[${PY_SPACE}]$`);
const isSafeValue = (v: string) => !/[\r\n]/.test(v) && !OUTER.test(v) && v.isWellFormed();

const valueArb = fc.oneof(
  fc.constantFrom("", "v", "AKIAIOSFODNN7EXAMPLE", "a = b", "x # y", "[z]", "日本", "in\tside"),
  fc.string({ unit: "grapheme", maxLength: 10 }).filter(isSafeValue),
);

/** A file with at least one key, a key in it, and a value. */
const withKeyArb = fc.tuple(iniFileArb(), fc.nat(), fc.nat(), valueArb, fc.boolean()).filter((
  [f],
) => f.sections.some((s) => s.keys.length > 0)).map(([file, si, ki, value, upper]) => {
  const sections = file.sections.filter((s) => s.keys.length > 0);
  const section = sections[si % sections.length];
  const key = section.keys[ki % section.keys.length];
  return { file, section, key, value, name: upper ? key.name.toUpperCase() : key.name };
});

/** The key line's text up to and including its separator. */
function keyPrefix(text: string, key: GenKey): string {
  const line = text.slice(key.start);
  return line.slice(0, line.search(/[=:]/) + 1);
}

/** The indentation of the first line of `text` that is neither blank nor a comment ("" if none). */
function nextIndent(text: string): string {
  const line = text.split(/\r\n|\r|\n/).find((l) => !new RegExp(`^[${PY_SPACE}]*([#;]|$)`).test(l));
  return line === undefined ? "" : line.match(/^[ \t]*/)![0];
}

/**
 * What is left of a key's block where the key line goes: its comment lines,
 * each with its line ending but the last, which takes the block's.
 */
function keptComments(text: string, key: GenKey): string {
  const n = key.comments.length;
  return key.comments.map((c, i) =>
    c.text + (i < n - 1 ? c.eol : text.slice(key.end, key.endWithEol))
  )
    .join("");
}

/** How many generated cases had comment lines inside the edited key's block. */
const interleaved = { cases: 0, total: 0 };
function countInterleaved(key: GenKey): void {
  interleaved.total++;
  if (key.comments.length > 0) interleaved.cases++;
}

Deno.test("property: toString gives back any string exactly", () => {
  assertProperty(
    fc.property(anyTextArb(), (text) => parseIni(text).toString() === text),
    run(3000),
  );
  assertProperty(
    fc.property(iniFileArb(), (f: GenFile) => parseIni(f.text).toString() === f.text),
    run(1000),
  );
});

Deno.test("property: replacing a value changes only its key block, keeping its comments and spacing", () => {
  assertProperty(
    fc.property(withKeyArb, ({ file, section, key, value, name }) => {
      const doc = parseIni(file.text);
      const changed = doc.set(section.name, name, value);
      const after = doc.toString();
      if (!changed) {
        assert.equal(after, file.text);
        assert.equal(doc.get(section.name, name), value);
        return;
      }
      countInterleaved(key);
      const old = file.text;
      const prefix = keyPrefix(old, key);
      const indent = prefix.match(/^[ \t]*/)![0];
      const before = prefix.slice(indent.length + key.name.length, -1);
      const oldGap = old.slice(key.start + prefix.length).match(/^[ \t]*/)![0];
      const oldHasValue = !/^[ \t\f\u00a0]*$/.test(
        old.slice(key.start + prefix.length, key.end).split(/\r\n|\r|\n/)[0],
      );
      const gap = value === "" ? "" : oldHasValue ? oldGap : before === "" ? "" : " ";
      const comments = keptComments(old, key);
      // At column 0 unless the line after the block is indented (it would
      // continue the new value); then at the end of the section, unless an
      // indented header follows the section: then in place, as indented.
      if (indent !== "" && nextIndent(old.slice(key.endWithEol)) !== "") {
        if (nextIndent(old.slice(section.insertAt)) === "") {
          const mid = old.slice(0, key.start) + comments + old.slice(key.endWithEol);
          const at = section.insertAt - (old.length - mid.length);
          assert.equal(after.slice(0, at), mid.slice(0, at));
          assert.ok(after.endsWith(mid.slice(at)));
          const eol = dominantEol(mid);
          const inserted = after.slice(at, after.length - (mid.length - at));
          const line = section.insertAfterUnterminated
            ? inserted.slice(eol.length)
            : inserted.slice(0, inserted.length - eol.length);
          assert.equal(inserted, section.insertAfterUnterminated ? eol + line : line + eol);
          assert.match(line, new RegExp(`^${RegExp.escape(name)}[ \t]*=[ \t]*`));
          assert.ok(line.endsWith(value));
          assert.equal(doc.get(section.name, name), value);
          return;
        }
      }
      const line = (nextIndent(old.slice(key.endWithEol)) === "" ? "" : indent) + name + before +
        "=" + gap + value;
      assert.equal(
        after,
        old.slice(0, key.start) + line +
          (comments === ""
            ? old.slice(key.end)
            : key.keyEol + comments + old.slice(key.endWithEol)),
      );
      assert.equal(doc.get(section.name, name), value);
    }),
    run(1500),
  );
  assert.ok(
    interleaved.cases >= interleaved.total / 20,
    `only ${interleaved.cases} of ${interleaved.total} edited keys had comment lines inside`,
  );
});

Deno.test("property: delete removes exactly the key's lines, not the comment lines among them", () => {
  assertProperty(
    fc.property(withKeyArb, ({ file, section, key, name }) => {
      const doc = parseIni(file.text);
      assert.equal(doc.delete(section.name, name), true);
      assert.equal(
        doc.toString(),
        file.text.slice(0, key.start) + keptComments(file.text, key) +
          file.text.slice(key.endWithEol),
      );
      assert.equal(doc.delete(section.name, name), false);
    }),
    run(1500),
  );
});

const NEW_KEYS = ["brand_new", "X_NEW", "clé_neuve", "aws_session_token", "region"];

Deno.test("property: a new key is one line after the section's last key, in the file's line ending", () => {
  assertProperty(
    fc.property(
      iniFileArb().filter((f) => f.sections.length > 0),
      fc.nat(),
      fc.constantFrom(...NEW_KEYS),
      valueArb,
      (file, si, key, value) => {
        const section: GenSection = file.sections[si % file.sections.length];
        if (section.keys.some((k) => k.name.toLowerCase() === key.toLowerCase())) return;
        const doc = parseIni(file.text);
        assert.equal(doc.set(section.name, key, value), true);
        const after = doc.toString();
        const eol = dominantEol(file.text);
        const at = section.insertAt;
        assert.equal(after.slice(0, at), file.text.slice(0, at));
        assert.ok(after.endsWith(file.text.slice(at)));
        const inserted = after.slice(at, after.length - (file.text.length - at));
        const line = section.insertAfterUnterminated
          ? inserted.slice(eol.length)
          : inserted.slice(0, inserted.length - eol.length);
        assert.equal(
          inserted,
          section.insertAfterUnterminated ? eol + line : line + eol,
          "one line, with the file's line ending",
        );
        assert.doesNotMatch(line, /[\r\n]/);
        assert.match(line, new RegExp(`^[ \\t]*${key}[ \\t]*=`));
        assert.ok(line.endsWith(value));
        // It copies the spacing before the separator of a key line of the
        // section (of the file if the section has none; else ' = '), with '='.
        const styleOf = (l: string) => l.match(/^([ \t]*)[^=:\s]+([ \t]*)([=:])/)!.slice(1);
        const from = section.keys.length > 0 ? section.keys : file.sections.flatMap((s) => s.keys);
        const styles = from.map((k) => styleOf(file.text.slice(k.start, k.end)));
        if (styles.length === 0) styles.push(["", " ", "="]);
        const [indent, spacing] = styleOf(line);
        assert.ok(
          styles.some((s) => s[1] === spacing),
          `${JSON.stringify(line)} spaced like ${JSON.stringify(styles)}`,
        );
        // At column 0, unless the next header is indented (it would then
        // continue the new value): then indented like it.
        assert.equal(indent, nextIndent(file.text.slice(at)));
        assert.equal(doc.get(section.name, key), value);
        // Idempotent.
        assert.equal(doc.set(section.name, key, value), false);
        assert.equal(doc.toString(), after);
      },
    ),
    run(1500),
  );
});

Deno.test("property: a new section is appended after one blank line", () => {
  assertProperty(
    fc.property(iniFileArb(), fc.constantFrom("brand-new", "profile new one", "ñ"), valueArb, (
      file,
      section,
      value,
    ) => {
      const doc = parseIni(file.text);
      doc.set(section, "aws_session_token", value);
      const after = doc.toString();
      const eol = dominantEol(file.text);
      assert.ok(after.startsWith(file.text));
      const added = after.slice(file.text.length);
      const header = added.indexOf(`[${section}]${eol}`);
      assert.notEqual(header, -1);
      const before = after.slice(0, file.text.length + header);
      if (file.text !== "") {
        assert.match(
          before,
          /(^|\r\n|\r|\n)[ \t\f\u00a0\u3000]*(\r\n|\r|\n)$/,
          "a blank line before",
        );
      }
      assert.match(added.slice(0, header), new RegExp(`^(${eol})?(${eol})?$`));
      const rest = added.slice(header + section.length + 2 + eol.length);
      const finalEol = file.text === "" || /[\r\n]$/.test(file.text);
      assert.ok(rest.endsWith(finalEol ? eol : value), "a final newline only if the file had one");
      assert.equal(rest.split(/\r\n|\r|\n/).filter((l) => l !== "").length, 1);
      assert.equal(doc.get(section, "aws_session_token"), value);
      const once = doc.toString();
      assert.equal(doc.set(section, "aws_session_token", value), false);
      assert.equal(doc.toString(), once);
    }),
    run(1000),
  );
});

Deno.test("property: set rejects values, keys and new section names botocore could not read back", () => {
  const unit = fc.constantFrom(
    "a",
    "é",
    " ",
    "\t",
    "\r",
    "\n",
    "=",
    ":",
    "]",
    "[",
    "#",
    ";",
    "\u00a0",
    "\x1c",
    "\x85",
    "\ud800",
    "\0",
  );
  const text = "[s]\nk = v\n";
  assertProperty(
    fc.property(fc.string({ unit, maxLength: 5 }), (s) => {
      const doc = parseIni(text);
      const valueOk = isSafeValue(s);
      if (valueOk) {
        doc.set("s", "k", s);
        assert.equal(doc.get("s", "k"), s);
        assert.deepEqual(doc.problems, []);
      } else {
        assert.throws(() => doc.set("s", "k", s), IniValueError);
        assert.equal(doc.toString(), text);
      }
      const keyOk = s !== "" && !/[=:]/.test(s) && !new RegExp(`[${PY_SPACE}]`).test(s) &&
        !/^[[#;]/.test(s) &&
        s.isWellFormed();
      const d2 = parseIni(text);
      if (keyOk) {
        d2.set("s", s, "v");
        assert.equal(d2.get("s", s), "v");
        assert.deepEqual(d2.problems, []);
      } else assert.throws(() => d2.set("s", s, "v"), IniValueError);
      const sectionOk = s !== "" && !/[\r\n\]]/.test(s) && !OUTER.test(s) && s.isWellFormed();
      const d3 = parseIni(text);
      if (sectionOk) {
        d3.set(s, "k", "v");
        assert.equal(d3.get(s, "k"), "v");
        assert.deepEqual(d3.problems, []);
      } else if (s !== "s") assert.throws(() => d3.set(s, "k", "v"), IniValueError);
    }),
    run(3000),
  );
});

Deno.test("property: edits refuse a document with problems and change nothing", () => {
  assertProperty(
    fc.property(mutatedIniArb(), fc.constantFrom("s", "default", "DEFAULT"), (text, section) => {
      const doc = parseIni(text);
      if (doc.problems.length === 0) return;
      assert.throws(() => doc.set(section, "k", "v"), IniFormatError);
      assert.throws(() => doc.delete(section, "k"), IniFormatError);
      assert.throws(() => doc.removeSection(section), IniFormatError);
      assert.throws(() => doc.toRecord(), IniFormatError);
      assert.equal(doc.toString(), text);
    }),
    run(1500),
  );
});

Deno.test("property: the same edit twice gives the same bytes as once", () => {
  assertProperty(
    fc.property(
      withKeyArb,
      fc.constantFrom("set", "delete", "remove"),
      ({ file, section, value, name }, op) => {
        const once = parseIni(file.text);
        const twice = parseIni(file.text);
        const apply = (d: ReturnType<typeof parseIni>) => {
          if (op === "set") d.set(section.name, name, value);
          else if (op === "delete") d.delete(section.name, name);
          else {
            try {
              d.removeSection(section.name);
            } catch (e) {
              if (!(e instanceof IniFormatError)) throw e;
            }
          }
        };
        apply(once);
        apply(twice);
        apply(twice);
        assert.equal(twice.toString(), once.toString());
      },
    ),
    run(1000),
  );
});

/** Entries for setAll: keys of the section (any case), session keys and new ones; some twice. */
const entriesArb = (section: GenSection | undefined) => {
  const entry = fc.tuple(
    fc.oneof(
      fc.constantFrom(
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_credential_expiration",
        ...NEW_KEYS,
      ),
      section && section.keys.length > 0
        ? fc.constantFrom(...section.keys.map((k) => k.name))
        : fc.constant("region"),
      fc.constantFrom(...section?.keys.map((k) => k.name.toUpperCase()) ?? [], "Region"),
    ),
    valueArb,
  );
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.uniqueArray(entry, {
        minLength: 1,
        maxLength: 5,
        selector: ([k]) => k.toLowerCase(),
      }),
    },
    { weight: 1, arbitrary: fc.array(entry, { minLength: 1, maxLength: 5 }) },
  );
};

const setAllCaseArb = iniFileArb().chain((file) =>
  fc.oneof(
    fc.constantFrom("george", "profile new one", "DEFAULT"),
    file.sections.length > 0
      ? fc.constantFrom(...file.sections.map((s) => s.name))
      : fc.constant("george"),
  ).chain((name) =>
    entriesArb(file.sections.find((s) => s.name === name)).map((entries) => ({
      file,
      name,
      entries,
    }))
  )
);

/** How many setAll cases took the one-scan plan (not the one-by-one sets). */
const planned = { cases: 0, total: 0 };

Deno.test("property: setAll gives the bytes of one set after another, or refuses and changes nothing", () => {
  assertProperty(
    fc.property(setAllCaseArb, ({ file, name, entries }) => {
      const one = parseIni(file.text);
      let expected: unknown;
      let changed = false;
      try {
        for (const [key, value] of entries) changed = one.set(name, key, value) || changed;
        expected = one.toString();
      } catch (error) {
        expected = error;
      }
      const all = parseIni(file.text);
      if (expected instanceof Error) {
        assert.throws(() => all.setAll(name, entries), expected.constructor as ErrorConstructor);
        assert.equal(all.toString(), file.text, "a refused setAll changes nothing");
        return;
      }
      assert.equal(all.setAll(name, entries), changed);
      assert.equal(all.toString(), expected);
      assert.deepEqual(all.problems, []);
      planned.total++;
      const plan = planSetAll(scanIni(file.text), name, { entries, errors: INI_ERRORS });
      if (plan !== undefined) planned.cases++;
    }),
    run(3000),
  );
  // The generated files indent many keys and continue many values, where setAll sets one by one.
  assert.ok(
    planned.cases >= planned.total / 5,
    `only ${planned.cases} of ${planned.total} cases took the one-scan plan`,
  );
});

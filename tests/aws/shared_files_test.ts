/**
 * lib/aws/shared_files.ts: the documents the AWS layer loads refuse an edit with awsmfa's own
 * errors (FileFormatError, exit 3; UsageError, exit 2), carrying the INI library's message and
 * fix word for word; the library on its own throws its own errors.
 */
import assert from "node:assert/strict";
import { loadIni } from "../../lib/aws/shared_files.ts";
import { ExitCode, exitCodeOf, FileFormatError, UsageError } from "../../lib/core/errors.ts";
import { IniFormatError, IniValueError, parseIni } from "../../lib/ini/mod.ts";

/** What `edit` throws. */
function thrown(edit: () => unknown): Error & { fix?: string } {
  try {
    edit();
  } catch (error) {
    return error as Error;
  }
  assert.fail("the edit did not throw");
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("shared_files: a value the files cannot hold is a UsageError (exit 2), the library's words", () => {
  const text = "[george]\naws_access_key_id = AKIAEXAMPLE\n";
  const ours = thrown(() => loadIni(bytes(text), "credentials").set("george", "region", "a\nb"));
  const library = thrown(() => parseIni(text).set("george", "region", "a\nb"));
  assert.ok(ours instanceof UsageError);
  assert.ok(library instanceof IniValueError);
  assert.equal(exitCodeOf(ours), ExitCode.Usage);
  assert.equal(ours.message, library.message);
  assert.equal(ours.fix, library.fix);
  const empty = thrown(() => loadIni(null, "credentials").set("a]b", "k", "v"));
  assert.ok(empty instanceof UsageError, "the document of a missing file too");
});

Deno.test("shared_files: an edit the AWS CLI would read otherwise is a FileFormatError (exit 3)", () => {
  const text = "[a]\nk = v\n[b]\n  [c]\nx = 1\n";
  const ours = thrown(() => loadIni(bytes(text), "credentials").removeSection("b"));
  const library = thrown(() => parseIni(text).removeSection("b"));
  assert.ok(ours instanceof FileFormatError);
  assert.ok(library instanceof IniFormatError);
  assert.equal(exitCodeOf(ours), ExitCode.File);
  assert.equal(ours.message, library.message);
  assert.equal(ours.fix, library.fix);
  const copy = thrown(() => loadIni(bytes(text), "credentials").copy().removeSection("b"));
  assert.ok(copy instanceof FileFormatError, "a copy keeps the errors");
});

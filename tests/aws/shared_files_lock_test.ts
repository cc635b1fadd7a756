/**
 * aws/shared_files.ts withLockedCredentials: the one locked edit of the
 * credentials file (the document read before the lock reused while the file
 * is unchanged; the waiting and warning lines through the context).
 */
import assert from "node:assert/strict";
import { loadIni, withLockedCredentials } from "../../lib/aws/shared_files.ts";
import { FileError } from "../../lib/core/errors.ts";
import { fingerprintOf } from "../../lib/files/fingerprint.ts";
import { withFileLock } from "../../lib/files/safe_file.ts";

const TEXT = "[georgemfa]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";

async function withFile(fn: (path: string, lines: string[]) => Promise<void>, mode = 0o600) {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_locked_credentials_" });
  try {
    await Deno.writeTextFile(`${dir}/credentials`, TEXT, { mode });
    await Deno.chmod(`${dir}/credentials`, mode);
    await fn(`${dir}/credentials`, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("withLockedCredentials: load() reuses the document read before the lock while the file holds the same bytes", async () => {
  await withFile(async (path, lines) => {
    const context = { stderr: (text: string) => lines.push(text) };
    const bytes = await Deno.readFile(path);
    const readBefore = { doc: loadIni(bytes, path), fingerprint: await fingerprintOf(bytes) };
    const same = await withLockedCredentials(path, (file) => file.load(), { context, readBefore });
    assert.equal(same, readBefore.doc);

    await Deno.writeTextFile(path, TEXT + "region = eu-west-1\n");
    const changed = await withLockedCredentials(path, async (file) => {
      const doc = await file.load();
      doc.set("george", "aws_access_key_id", "ASIAX");
      await file.save(doc);
      return doc;
    }, { context, readBefore });
    assert.notEqual(changed, readBefore.doc);
    assert.equal(
      await Deno.readTextFile(path),
      TEXT + "region = eu-west-1\n\n[george]\naws_access_key_id = ASIAX\n",
    );
    assert.deepEqual(lines, []);
  });
});

Deno.test("withLockedCredentials: a missing file loads empty and is not created unless saved", async () => {
  await withFile(async (path) => {
    await Deno.remove(path);
    const context = { stderr: () => {} };
    const exists = await withLockedCredentials(path, async (file) => {
      assert.deepEqual((await file.load()).sections(), []);
      return file.exists;
    }, { context });
    assert.equal(exists, false);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test("withLockedCredentials: says on stderr that it waits for another run, and why it gave up", async () => {
  await withFile(async (path, lines) => {
    const context = { stderr: (text: string) => lines.push(text) };
    const error = await withFileLock(
      path,
      () =>
        withLockedCredentials(path, () => Promise.resolve(), { context, timeoutMs: 200 })
          .then(() => undefined, (error) => error),
      { warn: () => {} },
    );
    assert.ok(error instanceof FileError);
    assert.match(error.message, /^Timed out after 0\.2 s waiting for another awsmfa run/);
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      /^awsmfa: waiting for another awsmfa run to finish \(lock .*\.credentials\.awsmfa\.lock\)\n$/,
    );
  });
});

Deno.test({
  name: "withLockedCredentials: the warning about a file others can read goes through the context",
  ignore: Deno.build.os === "windows",
}, async () => {
  await withFile(async (path, lines) => {
    const context = { stderr: (text: string) => lines.push(text) };
    await withLockedCredentials(path, () => Promise.resolve(), { context });
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^awsmfa: warning: .* is readable by group and others \(mode 0644\)/);
  }, 0o644);
});

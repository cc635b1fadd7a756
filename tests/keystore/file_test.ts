/**
 * The `file` keystore and its JWE: round trips, vectors both ways with a
 * second implementation (the npm `jose` package), aws-vault's item format,
 * wrong passphrase, altered files, mode 0600, and the limits on what is read.
 */
import assert from "node:assert/strict";
import { compactDecrypt, CompactEncrypt } from "jose";
import { fileKeystore, openEntry, sealEntry } from "../../lib/keystore/file.ts";
import {
  base64url,
  decryptJwe,
  DEFAULT_P2C,
  encryptJwe,
  fromBase64url,
  JweError,
  MAX_P2C,
} from "../../lib/keystore/jwe.ts";
import {
  chooseBackend,
  KeystoreEntryError,
  KeystoreLockedError,
  KeystoreWrongPassphraseError,
} from "../../lib/keystore/mod.ts";
import { ExitCode } from "../../lib/core/errors.ts";
import { fixedContext, KEYS } from "./support.ts";

const PASSPHRASE = "correct horse battery staple";
/** Few iterations where the count is not what is tested: PBKDF2 at 600,000 takes a while. */
const FAST = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-keystore-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** jose's decryption, told to accept PBES2 (off by default) at up to 600,000 iterations. */
function joseDecrypt(token: string, passphrase: string) {
  return compactDecrypt(token, encoder.encode(passphrase), {
    keyManagementAlgorithms: ["PBES2-HS256+A128KW"],
    maxPBES2Count: DEFAULT_P2C,
  });
}

function header(token: string): Record<string, unknown> {
  return JSON.parse(decoder.decode(fromBase64url(token.split(".")[0])));
}

Deno.test("jwe: our token decrypts with jose, with the header aws-vault's format has", async () => {
  const token = await encryptJwe(encoder.encode("hello"), PASSPHRASE, { iterations: FAST });
  const { plaintext, protectedHeader } = await joseDecrypt(token, PASSPHRASE);
  assert.equal(decoder.decode(plaintext), "hello");
  assert.equal(protectedHeader.alg, "PBES2-HS256+A128KW");
  assert.equal(protectedHeader.enc, "A256GCM");
  assert.equal(protectedHeader.p2c, FAST);
  assert.equal(fromBase64url(protectedHeader.p2s as string)?.length, 16);
});

Deno.test("jwe: jose's token decrypts with ours, at any p2c up to the maximum", async () => {
  for (const p2c of [1000, 8192]) {
    const token = await new CompactEncrypt(encoder.encode("from jose"))
      .setProtectedHeader({ alg: "PBES2-HS256+A128KW", enc: "A256GCM" })
      .setKeyManagementParameters({ p2c, p2s: encoder.encode("sixteen byte slt") })
      .encrypt(encoder.encode(PASSPHRASE));
    assert.equal(decoder.decode(await decryptJwe(token, PASSPHRASE)), "from jose");
  }
});

Deno.test("jwe: a fixed vector is the same token in both implementations", async () => {
  // With the salt, content key and nonce fixed, encryption is a function: ours
  // must produce exactly what jose decrypts, and decrypt jose's re-encryption.
  const fixed = {
    iterations: 4096,
    salt: Uint8Array.from({ length: 16 }, (_, i) => i),
    contentKey: Uint8Array.from({ length: 32 }, (_, i) => 255 - i),
    iv: Uint8Array.from({ length: 12 }, (_, i) => 7 * i),
  };
  const token = await encryptJwe(encoder.encode('{"Key":"vector"}'), "pw", fixed);
  assert.equal(token, await encryptJwe(encoder.encode('{"Key":"vector"}'), "pw", fixed));
  const [h, ek, iv] = token.split(".");
  assert.deepEqual(header(token), {
    alg: "PBES2-HS256+A128KW",
    enc: "A256GCM",
    p2c: 4096,
    p2s: base64url(fixed.salt),
  });
  assert.equal(iv, base64url(fixed.iv));
  assert.equal(fromBase64url(ek)?.length, 40);
  const { plaintext } = await joseDecrypt(token, "pw");
  assert.equal(decoder.decode(plaintext), '{"Key":"vector"}');
  assert.ok(h.length > 0);
});

Deno.test("jwe: 600,000 iterations are written by default, and jose agrees", async () => {
  const token = await encryptJwe(encoder.encode("x"), PASSPHRASE);
  assert.equal(DEFAULT_P2C, 600_000);
  assert.equal(header(token).p2c, 600_000);
  const { plaintext } = await joseDecrypt(token, PASSPHRASE);
  assert.equal(decoder.decode(plaintext), "x");
});

Deno.test("jwe: a p2c past the maximum, another algorithm or a bad shape is refused unread", async () => {
  const token = await encryptJwe(encoder.encode("x"), PASSPHRASE, { iterations: FAST });
  const parts = token.split(".");
  const withHeader = (changes: Record<string, unknown>) =>
    [base64url(encoder.encode(JSON.stringify({ ...header(token), ...changes }))), ...parts.slice(1)]
      .join(".");
  const cases: [string, RegExp][] = [
    [withHeader({ p2c: MAX_P2C + 1 }), /iteration count/],
    [withHeader({ p2c: 0 }), /iteration count/],
    [withHeader({ alg: "dir" }), /not PBES2-HS256\+A128KW/],
    [withHeader({ zip: "DEF" }), /compression/],
    [withHeader({ p2s: "AAAA" }), /salt/],
    [parts.slice(0, 4).join("."), /five/],
    [`${parts[0]}.!!.${parts.slice(2).join(".")}`, /base64url/],
    ["x".repeat(70_000), /larger/],
  ];
  for (const [bad, message] of cases) {
    await assert.rejects(decryptJwe(bad, PASSPHRASE), (error: unknown) => {
      assert.ok(error instanceof JweError);
      assert.equal(error.problem, "malformed");
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("jwe: a wrong passphrase fails the key unwrap; altered content fails the tag", async () => {
  const token = await encryptJwe(encoder.encode("secret"), PASSPHRASE, { iterations: FAST });
  await assert.rejects(decryptJwe(token, "wrong"), { problem: "key" });
  const parts = token.split(".");
  const ciphertext = fromBase64url(parts[3])!;
  ciphertext[0] ^= 1;
  parts[3] = base64url(ciphertext);
  await assert.rejects(decryptJwe(parts.join("."), PASSPHRASE), { problem: "content" });
});

Deno.test("file: an entry made as aws-vault makes it (jose, p2c 8192, extra fields) opens", async () => {
  const data = btoa(JSON.stringify({
    AccessKeyID: KEYS.accessKeyId,
    SecretAccessKey: KEYS.secretAccessKey,
    SessionToken: "",
    ProviderName: "",
  }));
  const item = {
    Key: "george",
    Data: data,
    Label: "aws-vault (george)",
    Description: "",
    KeychainNotTrustApplication: true,
    KeychainNotSynchronizable: false,
  };
  const token = await new CompactEncrypt(encoder.encode(JSON.stringify(item)))
    .setProtectedHeader({ alg: "PBES2-HS256+A128KW", enc: "A256GCM", created: "2024-01-01" })
    .setKeyManagementParameters({ p2c: 8192, p2s: encoder.encode("aws-vault-salt!!") })
    .encrypt(encoder.encode(PASSPHRASE));
  assert.deepEqual(await openEntry(token, PASSPHRASE, { profile: "george", path: "p" }), KEYS);
});

Deno.test("file: our entry is aws-vault's item JSON, read back by jose", async () => {
  const token = await sealEntry("george", KEYS, PASSPHRASE, { fileIterations: FAST });
  const { plaintext } = await joseDecrypt(token, PASSPHRASE);
  const item = JSON.parse(decoder.decode(plaintext));
  assert.deepEqual(Object.keys(item), ["Key", "Data", "Label", "Description"]);
  assert.equal(item.Key, "george");
  assert.equal(item.Label, "awsmfa (george)");
  assert.deepEqual(JSON.parse(atob(item.Data)), {
    AccessKeyID: KEYS.accessKeyId,
    SecretAccessKey: KEYS.secretAccessKey,
  });
});

Deno.test("file: set, get, delete round trip; one file per profile, mode 0600, dir 0700", async () => {
  await withDir(async (home) => {
    const store = fileKeystore({
      context: fixedContext({ AWSMFA_FILE_PASSPHRASE: PASSPHRASE }, home),
      fileIterations: FAST,
    });
    assert.deepEqual(await store.available(), { ok: true });
    assert.equal(await store.get("george"), undefined);
    await store.set("george", KEYS);
    await store.set("team/prod", { ...KEYS, accessKeyId: "AKIAOTHER" });
    assert.deepEqual(await store.get("george"), KEYS);
    assert.equal((await store.get("team/prod"))?.accessKeyId, "AKIAOTHER");
    const dir = `${home}/.awsmfa/keys`;
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) =>
      !name.startsWith(".")
    ).sort();
    assert.deepEqual(names, ["george", "team%2Fprod"]);
    if (Deno.build.os !== "windows") {
      assert.equal(Deno.statSync(`${dir}/george`).mode! & 0o777, 0o600);
      assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
    }
    const text = Deno.readTextFileSync(`${dir}/george`);
    assert.ok(!text.includes(KEYS.secretAccessKey) && !text.includes(KEYS.accessKeyId));
    await store.delete("george");
    await store.delete("george"); // nothing there: no error
    assert.equal(await store.get("george"), undefined);
  });
});

Deno.test("file: a replaced entry is 0600 even when the old file was 0644", async () => {
  if (Deno.build.os === "windows") return;
  await withDir(async (dir) => {
    const store = fileKeystore({
      context: fixedContext({ AWSMFA_FILE_PASSPHRASE: PASSPHRASE, AWSMFA_FILE_DIR: dir }),
      fileIterations: FAST,
    });
    await store.set("george", KEYS);
    Deno.chmodSync(`${dir}/george`, 0o644);
    await store.set("george", KEYS);
    assert.equal(Deno.statSync(`${dir}/george`).mode! & 0o777, 0o600);
  });
});

Deno.test("file: a wrong passphrase is a clear error (exit 3) naming the backend, profile and fix", async () => {
  await withDir(async (dir) => {
    const options = { fileDir: dir, fileIterations: FAST };
    await fileKeystore({
      ...options,
      context: fixedContext({ AWSMFA_FILE_PASSPHRASE: PASSPHRASE }),
    })
      .set("george", KEYS);
    const wrong = fileKeystore({
      ...options,
      context: fixedContext({ AWSMFA_FILE_PASSPHRASE: "nope" }),
    });
    await assert.rejects(wrong.get("george"), (error: unknown) => {
      assert.ok(error instanceof KeystoreWrongPassphraseError);
      assert.equal(error.exitCode, ExitCode.File);
      assert.equal(
        error.message,
        `The passphrase does not open the file keystore entry for profile 'george' (${dir}/george).`,
      );
      assert.match(error.fix!, /AWSMFA_FILE_PASSPHRASE/);
      return true;
    });
  });
});

Deno.test("file: an altered, truncated or foreign entry is an entry error, never keys", async () => {
  await withDir(async (dir) => {
    const store = fileKeystore({
      fileDir: dir,
      fileIterations: FAST,
      context: fixedContext({ AWSMFA_FILE_PASSPHRASE: PASSPHRASE }),
    });
    await store.set("george", KEYS);
    const good = Deno.readTextFileSync(`${dir}/george`);
    const parts = good.split(".");
    const tag = fromBase64url(parts[4])!;
    tag[3] ^= 0x40;
    const altered = [...parts.slice(0, 4), base64url(tag)].join(".");
    const cases: [string, RegExp][] = [
      [altered, /authentication tag/],
      [good.slice(0, good.length / 2), /five|16 bytes|base64url/],
      ["not a jwe", /five/],
    ];
    for (const [content, reason] of cases) {
      Deno.writeTextFileSync(`${dir}/george`, content);
      await assert.rejects(store.get("george"), (error: unknown) => {
        assert.ok(error instanceof KeystoreEntryError, String(error));
        assert.equal(error.exitCode, ExitCode.File);
        assert.match(
          error.message,
          /^The file keystore entry for profile 'george' \(.*\) cannot be read: /,
        );
        assert.match(error.message, reason);
        assert.match(error.fix!, /awsmfa keys store george --backend file/);
        return true;
      });
    }
    // George's file copied over Jane's: it decrypts, but it is not Jane's.
    Deno.writeTextFileSync(`${dir}/jane`, good);
    await assert.rejects(store.get("jane"), /holds the keys of 'george', not 'jane'/);
  });
});

Deno.test("file: without a passphrase or a prompt it is locked; the prompt is asked once", async () => {
  await withDir(async (dir) => {
    const bare = fileKeystore({ fileDir: dir, context: fixedContext() });
    const availability = await bare.available();
    assert.equal(availability.ok, false);
    await assert.rejects(bare.set("george", KEYS), (error: unknown) => {
      assert.ok(error instanceof KeystoreLockedError);
      assert.equal(error.message, "The file keystore is locked for profile 'george'.");
      assert.match(error.fix!, /AWSMFA_FILE_PASSPHRASE/);
      return true;
    });
    const asked: boolean[] = [];
    const prompted = fileKeystore({
      fileDir: dir,
      fileIterations: FAST,
      context: fixedContext(),
      prompt: (request) => {
        asked.push(request.confirm);
        return Promise.resolve(PASSPHRASE);
      },
    });
    await prompted.set("george", KEYS);
    assert.deepEqual(await prompted.get("george"), KEYS);
    assert.deepEqual(asked, [true]);
  });
});

Deno.test("chooseBackend: --backend wins over AWSMFA_KEYSTORE; an unknown name is a usage error", async () => {
  const env = fixedContext({ AWSMFA_KEYSTORE: "pass" });
  assert.equal((await chooseBackend({ context: env })).name, "pass");
  assert.equal((await chooseBackend({ context: env, name: "file" })).name, "file");
  await assert.rejects(chooseBackend({ context: env, name: "vault" }), (error: unknown) => {
    assert.equal((error as { exitCode: number }).exitCode, ExitCode.Usage);
    assert.match((error as Error).message, /There is no keystore called 'vault'/);
    return true;
  });
});

Deno.test("chooseBackend: the OS keystore when it answers, else file", async () => {
  const answers = (code: number) => () =>
    Promise.resolve({ kind: "exited" as const, code, stdout: "", stderr: "" });
  const chosen = (code: number) =>
    chooseBackend({ context: fixedContext(), os: "linux", runner: answers(code) });
  assert.equal((await chosen(0)).name, "secret-service");
  assert.equal((await chosen(1)).name, "file");
  const missing = () => Promise.resolve({ kind: "missing" as const });
  assert.equal(
    (await chooseBackend({ context: fixedContext(), os: "linux", runner: missing })).name,
    "file",
  );
  assert.equal(
    (await chooseBackend({ context: fixedContext(), os: "darwin", runner: answers(0) })).name,
    "keychain",
  );
});

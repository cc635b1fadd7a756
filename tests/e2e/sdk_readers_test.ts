/**
 * `awsmfa PROFILE` end to end into a section whose lines are indented: the
 * session it writes is read alike by botocore, the JavaScript SDK and the Go
 * SDK (Terraform), not only by the AWS CLI (issue 14, item 12).
 */
import assert from "node:assert/strict";
import { botocoreSection, setupE2e } from "../support/e2e_env.ts";
import { goRead, smithyRead } from "../support/sdk_readers.ts";

const KEYS = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];

async function loginInto(george: string): Promise<string> {
  await using world = await setupE2e();
  await world.writeCredentials(world.sourceSection() + "\n" + george);
  const result = await world.run(["george", "--code", await world.fake.freshCode(world.serial)]);
  assert.equal(result.code, 0, result.stderr);
  const text = await world.readCredentials();
  const session = await botocoreSection(world.credentialsPath, "george");
  const go = goRead(text);
  if (go instanceof Error) throw go;
  const smithy = (await smithyRead(text)).george ?? {};
  for (const key of KEYS) {
    const value = parseValue(text, key);
    assert.match(value, /\S/, `${key} written at column 0 in:\n${text}`);
    if (session !== undefined) assert.equal(session[key], value, `botocore ${key}`);
    assert.equal(smithy[key], value, `the JavaScript SDK's ${key}`);
    assert.equal(go.george?.[key], value, `the Go SDK's ${key}`);
  }
  return text;
}

/** The value of the line `key = value` at column 0 in [george]. */
function parseValue(text: string, key: string): string {
  const george = text.slice(text.indexOf("[george]"));
  return new RegExp(`^${key}[ \\t]*=[ \\t]*(.*)$`, "m").exec(george)?.[1] ?? "";
}

Deno.test("login: into a section of indented lines, every SDK reads the session", async () => {
  const text = await loginInto("[george]\n  output  =   \n");
  assert.match(text, /\[george\]\n {2}output {2}= {3}\naws_access_key_id {2}= ASIA/);
});

Deno.test("login: a session an older awsmfa wrote indented comes back to column 0", async () => {
  const text = await loginInto(
    "[george]\n  region = eu-west-1\n  aws_access_key_id = ASIAOLD\n" +
      "  aws_secret_access_key = old\n  aws_session_token = old\n" +
      "  aws_credential_expiration = 2020-01-01T00:00:00Z\n",
  );
  assert.doesNotMatch(text, /^[ \t]+aws_/m);
  assert.match(text, /^ {2}region = eu-west-1$/m);
});

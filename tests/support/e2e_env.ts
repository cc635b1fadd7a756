/**
 * A throw-away world for end-to-end tests: a temporary HOME with
 * `~/.aws/credentials`, the fake STS/IAM server with one IAM user and its
 * MFA device, and a runner that starts the real CLI against them and checks
 * that nothing it printed contains a secret.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type CliResult, runCli, type RunCliOptions } from "./cli_runner.ts";
import { type FakeSts, type FakeUser, startFakeSts } from "./fake_sts.ts";

/** Everything one end-to-end test needs. */
export interface E2eWorld extends AsyncDisposable {
  fake: FakeSts;
  user: FakeUser;
  /** The user's first MFA device ARN. */
  serial: string;
  home: string;
  credentialsPath: string;
  configPath: string;
  /** The variables every run gets (HOME, endpoint overrides). */
  env: Record<string, string>;
  /** The canonical source section for `profile` (long-term keys + mfa_serial). */
  sourceSection(profile?: string): string;
  writeCredentials(text: string): Promise<void>;
  readCredentials(): Promise<string>;
  /** Runs the CLI; asserts no secret of the fake appears in its output. */
  run(args: string[], options?: RunCliOptions): Promise<CliResult>;
}

/** Options for {@link setupE2e}. */
export interface SetupOptions {
  tls?: boolean;
  /** Write `[georgemfa]` with the user's keys (default true). */
  withSource?: boolean;
}

/** Every secret any run may have seen, for the leak check. */
function secretsOf(fake: FakeSts): string[] {
  return fake.issuedSecrets().filter((secret) => secret.length >= 16);
}

/** Fails when `text` contains any secret the fake knows. */
export function assertNoSecrets(fake: FakeSts, ...texts: string[]): void {
  for (const secret of secretsOf(fake)) {
    for (const text of texts) {
      assert.ok(!text.includes(secret), `output leaks a secret (…${secret.slice(-4)}):\n${text}`);
    }
  }
}

/** Starts the fake, makes HOME and (by default) writes `[georgemfa]`. */
export async function setupE2e(options: SetupOptions = {}): Promise<E2eWorld> {
  const fake = await startFakeSts({ tls: options.tls });
  const user = fake.addUser({ userName: "george" });
  const home = await Deno.makeTempDir({ prefix: "awsmfa-e2e-" });
  await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
  const credentialsPath = `${home}/.aws/credentials`;
  const configPath = `${home}/.aws/config`;
  const env: Record<string, string> = {
    HOME: home,
    AWS_ENDPOINT_URL_STS: fake.url,
    AWS_ENDPOINT_URL_IAM: fake.url,
  };
  if (options.tls && fake.caCertPath) env.AWS_CA_BUNDLE = fake.caCertPath;
  const serial = user.mfaDevices[0].serialNumber;
  const world: E2eWorld = {
    fake,
    user,
    serial,
    home,
    credentialsPath,
    configPath,
    env,
    sourceSection: (profile = "george") =>
      `[${profile}mfa]\naws_access_key_id = ${user.accessKeyId}\n` +
      `aws_secret_access_key = ${user.secretAccessKey}\nmfa_serial = ${serial}\n`,
    writeCredentials: (text) => Deno.writeTextFile(credentialsPath, text, { mode: 0o600 }),
    readCredentials: () => Deno.readTextFile(credentialsPath),
    async run(args, runOptions = {}) {
      const result = await runCli(args, {
        ...runOptions,
        env: { ...env, ...runOptions.env },
      });
      assertNoSecrets(fake, result.stdout, result.stderr);
      return result;
    },
    async [Symbol.asyncDispose]() {
      await fake.close();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
  if (options.withSource !== false) await world.writeCredentials(world.sourceSection());
  return world;
}

/** Reads a section's keys the way the AWS CLI does (botocore), or undefined without it. */
export async function botocoreSection(
  path: string,
  section: string,
): Promise<Record<string, string> | undefined> {
  const script =
    "import botocore.configloader as c, json, sys\nprint(json.dumps(c.raw_config_parse(sys.argv[1]).get(sys.argv[2])))";
  try {
    const output = await new Deno.Command("python3", {
      args: ["-c", script, path, section],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) return undefined;
    return JSON.parse(new TextDecoder().decode(output.stdout)) ?? undefined;
  } catch {
    return undefined;
  }
}

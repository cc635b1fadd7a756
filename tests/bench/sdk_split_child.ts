/**
 * One sample of the SDK split, in a fresh process: how long importing the SDK takes, building a
 * client and a command, and the first GetSessionToken against the fake STS. Started by
 * `sdk_split.ts`; prints one JSON line. It imports nothing statically, so the import measured is
 * the first of the process, as in awsmfa.
 *
 *     deno run --allow-all tests/bench/sdk_split_child.ts VARIANT
 *
 * VARIANT:
 * - `npm`: the npm packages `@aws-sdk/client-sts` and `@smithy/fetch-http-handler`;
 * - `vendor`: lib/aws/api/vendor/aws_sdk.js, the pre-bundled SDK awsmfa imports;
 * - `awsmfa`: lib/aws/api/sts.ts's getSessionToken, what the product runs (import, then the call);
 * - `fetch`: one plain `fetch` POST to the fake (unsigned; it answers 403): the share of the
 *   first request that is Deno's HTTP client, the loopback and the fake, not the SDK.
 *
 * Input from the environment: BENCH_STS_URL, BENCH_AK, BENCH_SK, BENCH_SERIAL, BENCH_CODE.
 *
 * @module
 */

interface Sdk {
  STSClient: new (config: Record<string, unknown>) => {
    send(command: unknown): Promise<{ Credentials?: { SessionToken?: string } }>;
    destroy(): void;
  };
  GetSessionTokenCommand: new (input: Record<string, unknown>) => unknown;
  FetchHttpHandler: new (config: Record<string, unknown>) => unknown;
  streamCollector: unknown;
}

/** Milliseconds of each step of one sample. */
export type Sample = Record<string, number>;

const env = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function loadSdk(variant: string): Promise<Sdk> {
  if (variant === "npm") {
    const [sts, fetch] = await Promise.all([
      import("@aws-sdk/client-sts"),
      import("@smithy/fetch-http-handler"),
    ]);
    return { ...sts, ...fetch } as unknown as Sdk;
  }
  return await import("../../lib/aws/api/vendor/aws_sdk.js") as unknown as Sdk;
}

async function sdkSample(variant: string): Promise<Sample> {
  const t0 = performance.now();
  const sdk = await loadSdk(variant);
  const t1 = performance.now();
  const client = new sdk.STSClient({
    region: "us-east-1",
    endpoint: env("BENCH_STS_URL"),
    credentials: { accessKeyId: env("BENCH_AK"), secretAccessKey: env("BENCH_SK") },
    maxAttempts: 1,
    requestHandler: new sdk.FetchHttpHandler({ requestTimeout: 10_000 }),
    streamCollector: sdk.streamCollector,
  });
  const command = new sdk.GetSessionTokenCommand({
    SerialNumber: env("BENCH_SERIAL"),
    TokenCode: env("BENCH_CODE"),
    DurationSeconds: 3600,
  });
  const t2 = performance.now();
  const output = await client.send(command);
  const t3 = performance.now();
  client.destroy();
  if (!output.Credentials?.SessionToken) throw new Error("no session in the answer");
  return { import: t1 - t0, construct: t2 - t1, request: t3 - t2, total: t3 - t0 };
}

async function awsmfaSample(): Promise<Sample> {
  const t0 = performance.now();
  const sts = await import("../../lib/aws/api/sts.ts");
  const t1 = performance.now();
  await sts.getSessionToken(
    { accessKeyId: env("BENCH_AK"), secretAccessKey: env("BENCH_SK") },
    { serialNumber: env("BENCH_SERIAL"), tokenCode: env("BENCH_CODE"), durationSeconds: 3600 },
    { region: "us-east-1", endpoint: env("BENCH_STS_URL"), sourceSection: "georgemfa" },
  );
  const t2 = performance.now();
  return { import: t1 - t0, call: t2 - t1, total: t2 - t0 };
}

async function fetchSample(): Promise<Sample> {
  const t0 = performance.now();
  const response = await fetch(env("BENCH_STS_URL"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  });
  await response.text();
  const t1 = performance.now();
  return { request: t1 - t0, total: t1 - t0 };
}

if (import.meta.main) {
  const variant = Deno.args[0] ?? "vendor";
  const sample = variant === "awsmfa"
    ? await awsmfaSample()
    : variant === "fetch"
    ? await fetchSample()
    : await sdkSample(variant);
  console.log(JSON.stringify(sample));
}

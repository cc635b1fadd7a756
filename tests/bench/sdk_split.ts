/**
 * The SDK's share of a refresh, split into importing it, building the client and command, and
 * the first request, each measured inside a fresh process (`sdk_split_child.ts`) against the
 * fake STS: the npm packages beside the pre-bundled lib/aws/api/vendor/aws_sdk.js that awsmfa imports,
 * lib/aws/api/sts.ts end to end, and a plain `fetch` for the part of the request that is not the SDK.
 *
 *     deno run --allow-all tests/bench/sdk_split.ts        # BENCH_QUICK=1 for fewer runs
 *
 * @module
 */
import { ROOT } from "../support/cli_runner.ts";
import { startFakeSts } from "../support/fake_sts.ts";
import type { Sample } from "./sdk_split_child.ts";

/** Options of {@link runSdkSplit}. */
export interface SdkSplitOptions {
  /** Samples of each variant (default 11; 3 with BENCH_QUICK=1). */
  runs?: number;
}

/** The variants, in table order, with their labels. */
export const SDK_VARIANTS: [string, string][] = [
  ["npm", "`@aws-sdk/client-sts` + `@smithy/fetch-http-handler` from npm"],
  ["vendor", "`lib/aws/api/vendor/aws_sdk.js` (pre-bundled, what awsmfa imports)"],
  ["awsmfa", "`lib/aws/api/sts.ts` getSessionToken (awsmfa's call, end to end)"],
  ["fetch", "plain `fetch` POST to the fake (no SDK)"],
];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs the split; resolves to the medians by variant and the markdown table. */
export async function runSdkSplit(
  options: SdkSplitOptions = {},
): Promise<{ table: string; medians: Record<string, Sample> }> {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const runs = options.runs ?? (quick ? 3 : 11);
  await using fake = await startFakeSts();
  const user = fake.addUser({ userName: "george" });
  const serial = user.mfaDevices[0].serialNumber;
  const samples: Record<string, Sample[]> = {};
  const failures: Record<string, string> = {};
  for (let round = 0; round < runs + 1; round++) {
    for (const [variant] of SDK_VARIANTS) {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", "--quiet", `${ROOT}tests/bench/sdk_split_child.ts`, variant],
        cwd: ROOT,
        env: {
          BENCH_STS_URL: fake.url,
          BENCH_AK: user.accessKeyId,
          BENCH_SK: user.secretAccessKey,
          BENCH_SERIAL: serial,
          BENCH_CODE: await fake.freshCode(serial),
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!output.success) {
        failures[variant] = new TextDecoder().decode(output.stderr).trim().split("\n")[0];
        continue;
      }
      // Round 0 warms Deno's caches up and is not counted.
      if (round > 0) {
        (samples[variant] ??= []).push(JSON.parse(new TextDecoder().decode(output.stdout)));
      }
    }
  }
  const medians: Record<string, Sample> = {};
  for (const [variant, list] of Object.entries(samples)) {
    medians[variant] = Object.fromEntries(
      Object.keys(list[0]).map((key) => [key, median(list.map((sample) => sample[key]))]),
    );
  }
  const cell = (value: number | undefined) => value === undefined ? "" : value.toFixed(1);
  const lines = [
    "| variant | import | client + command | first request | total |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const [variant, label] of SDK_VARIANTS) {
    const m = medians[variant];
    if (!m) {
      lines.push(`| ${label} | failed: ${failures[variant] ?? "no samples"} | | | |`);
    } else if (variant === "awsmfa") {
      lines.push(`| ${label} | ${cell(m.import)} | ${cell(m.call)} (call) | | ${cell(m.total)} |`);
    } else {
      lines.push(
        `| ${label} | ${cell(m.import)} | ${cell(m.construct)} | ${cell(m.request)} | ` +
          `${cell(m.total)} |`,
      );
    }
  }
  lines.push(
    "",
    `Median milliseconds of ${runs} fresh processes each, timed inside the process ` +
      "(`performance.now()`), against the fake STS on 127.0.0.1.",
  );
  return { table: lines.join("\n"), medians };
}

if (import.meta.main) {
  console.log((await runSdkSplit()).table);
}

/**
 * The INI editor's speed beside the parsers of `@smithy/shared-ini-file-loader`
 * (the JavaScript SDK's) and the npm `ini` package, on credentials files of
 * 1k, 10k and 100k sections (~100 bytes each).
 *
 * `deno run --allow-all tests/bench/ini_bench.ts` prints a markdown table;
 * `tests/bench/mod.ts` calls {@link runIniBench}.
 *
 * @module
 */

import { externalDataInterceptor, loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import * as ini from "ini";
import { parseIni } from "../../lib/ini/mod.ts";

/** A credentials file with `sections` profiles of about 100 bytes each. */
export function credentialsFile(sections: number): string {
  let text = "";
  for (let i = 0; i < sections; i++) {
    const id = String(i).padStart(12, "0");
    text += `[profile${i}]\naws_access_key_id = AKIA${id.slice(0, 12)}XY\n` +
      `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfi${id}\n`;
  }
  return text;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median milliseconds of `runs` calls of `f` (after a few warm-up calls). */
async function time(runs: number, f: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** Reads every character of a (possibly concatenated) string, as a writer would. */
function flatten(s: string): number {
  return s.charCodeAt(s.length >> 1) + s.length;
}

let smithyFile = 0;

/** The smithy parser on `text`, through its documented file interceptor (no disk). */
async function smithyParse(text: string): Promise<unknown> {
  const path = `/awsmfa-bench/credentials-${smithyFile++}`;
  externalDataInterceptor.interceptFile(path, text);
  externalDataInterceptor.interceptFile(`${path}.config`, "");
  const parsed = await loadSharedConfigFiles({ filepath: path, configFilepath: `${path}.config` });
  delete externalDataInterceptor.getFileRecord()[path];
  delete externalDataInterceptor.getFileRecord()[`${path}.config`];
  return parsed.credentialsFile;
}

/** Runs the benchmark and returns its markdown table. */
export async function runIniBench(): Promise<string> {
  const sizes = [1_000, 10_000, 100_000];
  const rows: string[] = [];
  const parseTimes: number[] = [];
  // Warm every parser up (JIT tiers) on a mid-size file first.
  const warm = credentialsFile(10_000);
  for (let i = 0; i < 10; i++) {
    parseIni(warm).set("profile1", "aws_session_token", "x");
    await smithyParse(warm);
    ini.stringify(ini.parse(warm));
  }
  for (const size of sizes) {
    const text = credentialsFile(size);
    const runs = size >= 100_000 ? 7 : 15;
    const mid = `profile${size >> 1}`;
    // Sanity: every parser reads the same profile.
    const check = await smithyParse(text) as Record<string, Record<string, string>>;
    if (check[mid].aws_access_key_id !== parseIni(text).get(mid, "aws_access_key_id")) {
      throw new Error("the parsers disagree");
    }
    const ours = await time(runs, () => parseIni(text).problems.length);
    const oursRoundTrip = await time(runs, () => flatten(parseIni(text).toString()));
    const oursEdit = await time(runs, () => {
      const doc = parseIni(text);
      doc.set(mid, "aws_session_token", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD");
      return flatten(doc.toString());
    });
    const smithy = await time(runs, () => smithyParse(text));
    const iniParse = await time(runs, () => ini.parse(text));
    const iniRoundTrip = await time(runs, () => flatten(ini.stringify(ini.parse(text))));
    parseTimes.push(ours);
    rows.push(
      `| ${size / 1000}k (${(text.length / 1e6).toFixed(1)} MB) | ${ours.toFixed(2)} | ` +
        `${oursRoundTrip.toFixed(2)} | ${oursEdit.toFixed(2)} | ${smithy.toFixed(2)} | ` +
        `${iniParse.toFixed(2)} | ${iniRoundTrip.toFixed(2)} | ${(smithy / ours).toFixed(1)}x | ` +
        `${(iniParse / ours).toFixed(1)}x |`,
    );
  }
  const growth = parseTimes[2] / parseTimes[1];
  return [
    "| sections | awsmfa parse | awsmfa parse+toString | awsmfa parse+set+toString | " +
    "smithy parse | ini parse | ini parse+stringify | smithy / awsmfa | ini / awsmfa |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `Median milliseconds. awsmfa parse time from 10k to 100k sections: ${growth.toFixed(1)}x ` +
    `(linear is 10x). Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}.`,
  ].join("\n");
}

if (import.meta.main) {
  console.log(await runIniBench());
}

/**
 * botocore (Python), the reference parser, as a batch oracle: many files are
 * written to a temporary folder and parsed by ONE python process.
 *
 * Tests that need it call {@link botocoreAvailable} and skip, with a loud
 * warning, where python3 or botocore is missing (CI installs both).
 *
 * @module
 */

/** What botocore made of one file. */
export type BotocoreResult =
  | {
    ok: true;
    /** `raw_config_parse(file)`. */
    record: Record<string, Record<string, string | Record<string, string>>>;
    /** `[DEFAULT]`'s own keys (sub-sections parsed; `null` where that fails). */
    defaults: Record<string, string | Record<string, string> | null>;
    /** `build_profile_map(...)["profiles"]` as profile → raw section name. */
    profiles: Record<string, string>;
  }
  | {
    ok: false;
    /** The exception class name and the parser's own error, e.g. `ConfigParseError: DuplicateOptionError: ...`. */
    error: string;
  };

const SCRIPT = `
import sys, os, json, configparser
import botocore.configloader as c
folder, count = sys.argv[1], int(sys.argv[2])
out = []
for i in range(count):
    path = os.path.join(folder, "%d.ini" % i)
    try:
        record = c.raw_config_parse(path)
    except Exception as e:
        inner = getattr(e, "kwargs", {}).get("error")
        detail = (type(inner).__name__ + ": " + str(inner)) if inner is not None else str(e)
        out.append({"ok": False, "error": type(e).__name__ + ": " + detail})
        continue
    cp = configparser.RawConfigParser()
    cp.read([path])
    defaults = {}
    for k, v in cp.defaults().items():
        if v.startswith("\\n"):
            try:
                v = c._parse_nested(v)
            except ValueError:
                v = None
        defaults[k] = v
    tagged = {name: {"section": name} for name in record}
    profiles = {p: v["section"] for p, v in c.build_profile_map(tagged)["profiles"].items()}
    out.append({"ok": True, "record": record, "defaults": defaults, "profiles": profiles})
json.dump(out, sys.stdout)
`;
import { skip } from "./skips.ts";

let available: boolean | undefined;

/** Whether python3 with botocore is here; warns loudly (once) when it is not. */
export function botocoreAvailable(): boolean {
  if (available === undefined) {
    try {
      const { success } = new Deno.Command("python3", {
        args: ["-c", "import botocore.configloader"],
        stdout: "null",
        stderr: "null",
      }).outputSync();
      available = success;
    } catch {
      available = false;
    }
    if (!available) {
      skip("botocore", "the botocore oracle checks (apt-get install python3-botocore)");
    }
  }
  return available;
}

/** Parses every file (text, or raw bytes) with botocore in one python process. */
export async function botocoreParse(files: (string | Uint8Array)[]): Promise<BotocoreResult[]> {
  if (files.length === 0) return [];
  const folder = await Deno.makeTempDir({ prefix: "awsmfa-botocore-" });
  try {
    const encoder = new TextEncoder();
    await Promise.all(
      files.map((f, i) =>
        Deno.writeFile(`${folder}/${i}.ini`, typeof f === "string" ? encoder.encode(f) : f)
      ),
    );
    const { success, stdout, stderr } = await new Deno.Command("python3", {
      args: ["-c", SCRIPT, folder, String(files.length)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`botocore oracle failed: ${new TextDecoder().decode(stderr)}`);
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/**
 * The version awsmfa reports, from deno.json, and the commit of a compiled build.
 *
 * @module
 */
import config from "../../deno.json" with { type: "json" };
import { BUILD_COMMIT } from "./build_info.ts";

/** The version from deno.json, e.g. `0.1.0`. */
export const VERSION: string = config.version;

/** The line `awsmfa --version` prints. */
export function versionText(): string {
  const commit = BUILD_COMMIT ? `, commit ${BUILD_COMMIT}` : "";
  return `awsmfa ${VERSION} (${Deno.build.target}${commit})`;
}

/**
 * The config file's profiles, as botocore's `build_profile_map` maps
 * sections to them: `[profile NAME]` (NAME split like shell words) and
 * `[default]`, the later section winning wholesale.
 *
 * @module
 */

import type { IniDocument } from "./document.ts";
import type { IniValue } from "./scan_model.ts";
import { shlexQuote, shlexSplit } from "./shlex.ts";

/**
 * Each profile of a config file and the raw name of the section botocore
 * takes it from (`[profile  p]`, `[profile "p"]` and `[profile 'p']` are all
 * profile `p`; of two sections for one profile, the later one wins).
 * `[sso-session …]` and `[services …]` sections are not profiles.
 */
export function configProfiles(doc: IniDocument): Map<string, string> {
  const profiles = new Map<string, string>();
  for (const section of doc.sections()) {
    if (section.startsWith("profile")) {
      const words = shlexSplit(section);
      if (words !== null && words.length === 2) profiles.set(words[1], section);
    } else if (section === "default") {
      profiles.set("default", section);
    }
  }
  return profiles;
}

/** The settings of config-file profile `profile` as botocore reads them, or `undefined`. */
export function getConfigProfile(
  doc: IniDocument,
  profile: string,
): Record<string, IniValue> | undefined {
  const section = configProfiles(doc).get(profile);
  return section === undefined ? undefined : doc.getSection(section);
}

/**
 * The raw name of the section to edit for config-file profile `profile`: the
 * one botocore reads it from, else `profile NAME` (`default` for `default`).
 */
export function configProfileSection(doc: IniDocument, profile: string): string {
  const section = configProfiles(doc).get(profile);
  if (section !== undefined) return section;
  return profile === "default" ? "default" : `profile ${shlexQuote(profile)}`;
}

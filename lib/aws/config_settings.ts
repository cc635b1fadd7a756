/**
 * The config file's settings that change how awsmfa calls AWS (region,
 * endpoint, CA bundle, STS endpoints), read from its `[profile NAME]`
 * sections. Pure. A module of its own so that the skip path, which never
 * calls AWS, does not load the config-profile reader.
 *
 * @module
 */
import { getConfigProfile } from "../ini/config_profiles.ts";
import type { IniDocument } from "../ini/document.ts";

/** Settings from the config file that change how awsmfa calls AWS. */
export interface ConfigSettings {
  region?: string;
  /** `endpoint_url` of the profile, or of its `services` section for the service. */
  endpointUrl?: string;
  caBundle?: string;
  stsRegionalEndpoints?: string;
}

/**
 * The settings of the first of `profiles` (config-file profile names) that
 * has each one: `[profile george]` before `[profile georgemfa]`, say.
 */
export function readConfigSettings(
  doc: IniDocument,
  profiles: readonly string[],
  service: "sts" | "iam",
): ConfigSettings {
  const settings: ConfigSettings = {};
  for (const name of profiles) {
    const profile = getConfigProfile(doc, name);
    if (!profile) continue;
    const text = (key: string) => {
      const value = profile[key];
      return typeof value === "string" && value !== "" ? value : undefined;
    };
    settings.region ??= text("region");
    settings.caBundle ??= text("ca_bundle");
    settings.stsRegionalEndpoints ??= text("sts_regional_endpoints");
    const services = text("services");
    const serviceBlock = services ? doc.get(`services ${services}`, service) : undefined;
    const serviceEndpoint = typeof serviceBlock === "object"
      ? serviceBlock.endpoint_url
      : undefined;
    settings.endpointUrl ??= serviceEndpoint || text("endpoint_url");
  }
  return settings;
}

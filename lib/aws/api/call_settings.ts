/**
 * Where and how an STS or IAM call goes for a profile: the region (flag,
 * environment, profile, else the MFA device's partition), the endpoint
 * (overrides in the SDKs' order), the CA bundle and the time limit
 * (`AWSMFA_TIMEOUT`). Reads the config file and the context, nothing else.
 *
 * @module
 */
import { chooseRegion, partitionOfRegion, serviceEndpoint } from "../endpoints.ts";
import { readConfigSettings } from "../config_settings.ts";
import { type AwsFiles, loadIni } from "../shared_files.ts";
import type { CallOptions } from "./client.ts";
import type { Context } from "../../core/context.ts";
import { readFileIfExists } from "../../files/safe_file.ts";
import { timeLimitMs } from "../../core/time_limits.ts";

/** Whose call it is. */
export interface CallTarget {
  /** The target profile, e.g. `george`. */
  profile: string;
  /** The source section, e.g. `georgemfa`. */
  sourceSection: string;
  /** The source section's own `region`, if any. */
  sourceRegion?: string;
  /** The MFA device ARN, if known: its partition wins over a region of another one. */
  mfaSerial?: string;
  /** `--region`. */
  regionFlag?: string;
}

/** The settings of one call. */
export interface CallSettings {
  /** The signing region (for IAM: its partition's home region). */
  region: string;
  /** Where the region came from, for `--verbose`. */
  regionSource: string;
  endpoint: string;
  caBundle?: string;
  timeoutMs?: number;
  /** Set when the configured region belongs to another partition than the MFA device. */
  warning?: string;
}

/** Resolves the settings of a `service` call for `target`. */
export async function resolveCallSettings(
  service: "sts" | "iam",
  target: CallTarget,
  options: { files: AwsFiles; context: Context },
): Promise<CallSettings> {
  const { files, context } = options;
  const configDoc = loadIni(await readFileIfExists(files.config), files.config);
  const settings = readConfigSettings(configDoc, [target.profile, target.sourceSection], service);
  const choice = chooseRegion({
    flag: target.regionFlag,
    env: context.env("AWS_REGION") ?? context.env("AWS_DEFAULT_REGION"),
    profile: target.sourceRegion ?? settings.region,
    arn: target.mfaSerial,
  });
  const endpoint = serviceEndpoint(service, choice.region, {
    serviceEnv: context.env(service === "iam" ? "AWS_ENDPOINT_URL_IAM" : "AWS_ENDPOINT_URL_STS"),
    globalEnv: context.env("AWS_ENDPOINT_URL"),
    configured: settings.endpointUrl,
    ignoreConfigured: context.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.toLowerCase() === "true",
    stsRegionalEndpoints: context.env("AWS_STS_REGIONAL_ENDPOINTS") ??
      settings.stsRegionalEndpoints,
  });
  const home = context.homeDir();
  const caBundle = context.env("AWS_CA_BUNDLE") ?? settings.caBundle;
  return {
    // IAM is global per partition and signs with the partition's home region.
    region: service === "iam" ? partitionOfRegion(choice.region).defaultRegion : choice.region,
    regionSource: choice.source,
    endpoint,
    caBundle: caBundle && home && caBundle.startsWith("~") ? home + caBundle.slice(1) : caBundle,
    timeoutMs: timeoutFromEnv(context),
    warning: choice.warning,
  };
}

/** `AWSMFA_TIMEOUT` in ms (the default when unset); a usage error when out of its bounds. */
export function timeoutFromEnv(context: Context): number {
  return timeLimitMs("AWSMFA_TIMEOUT", context.env("AWSMFA_TIMEOUT"));
}

/** The {@link CallOptions} for `settings`. */
export function callOptionsFor(
  settings: CallSettings,
  options: { sourceSection: string; now: () => number },
): CallOptions {
  return {
    region: settings.region,
    endpoint: settings.endpoint,
    caBundlePath: settings.caBundle,
    timeoutMs: settings.timeoutMs,
    sourceSection: options.sourceSection,
    now: options.now,
  };
}

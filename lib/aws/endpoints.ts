/**
 * Partitions, regions and endpoints (pure): which STS or IAM endpoint a call
 * goes to, given the MFA device's ARN, the configured region and the
 * endpoint overrides every AWS SDK honours.
 *
 * @module
 */
import { ConfigError, UsageError } from "../core/errors.ts";

/** What awsmfa knows of an AWS partition. */
export interface Partition {
  /** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`. */
  name: string;
  /** The region used when none is configured. */
  defaultRegion: string;
  /** The DNS suffix of its endpoints. */
  dnsSuffix: string;
  /** Region name prefixes that belong to it (checked longest first). */
  regionPrefixes: string[];
}

/** The partitions, the commercial one first. */
export const PARTITIONS: readonly Partition[] = [
  { name: "aws", defaultRegion: "us-east-1", dnsSuffix: "amazonaws.com", regionPrefixes: [] },
  {
    name: "aws-cn",
    defaultRegion: "cn-north-1",
    dnsSuffix: "amazonaws.com.cn",
    regionPrefixes: ["cn-"],
  },
  {
    name: "aws-us-gov",
    defaultRegion: "us-gov-west-1",
    dnsSuffix: "amazonaws.com",
    regionPrefixes: ["us-gov-"],
  },
  {
    name: "aws-iso",
    defaultRegion: "us-iso-east-1",
    dnsSuffix: "c2s.ic.gov",
    regionPrefixes: ["us-iso-"],
  },
  {
    name: "aws-iso-b",
    defaultRegion: "us-isob-east-1",
    dnsSuffix: "sc2s.sgov.gov",
    regionPrefixes: ["us-isob-"],
  },
];

/** The partition named `name`, or undefined. */
export function partitionByName(name: string): Partition | undefined {
  return PARTITIONS.find((partition) => partition.name === name);
}

/** The partition a region belongs to (the commercial one unless its prefix says otherwise). */
export function partitionOfRegion(region: string): Partition {
  let best: Partition = PARTITIONS[0];
  let bestLength = 0;
  for (const partition of PARTITIONS) {
    for (const prefix of partition.regionPrefixes) {
      if (region.startsWith(prefix) && prefix.length > bestLength) {
        best = partition;
        bestLength = prefix.length;
      }
    }
  }
  return best;
}

/** The partition named in an ARN (`arn:PARTITION:...`), or undefined when it is not an ARN. */
export function partitionOfArn(arn: string): Partition | undefined {
  const match = /^arn:([a-z-]+):/.exec(arn);
  return match ? partitionByName(match[1]) : undefined;
}

/** Where the region came from, for messages. */
export type RegionSource = "flag" | "env" | "profile" | "partition default";

/** Options for {@link chooseRegion}. */
export interface ChooseRegionOptions {
  /** `--region`. */
  flag?: string;
  /** AWS_REGION, else AWS_DEFAULT_REGION. */
  env?: string;
  /** The profile's `region` setting. */
  profile?: string;
  /** The ARN whose partition the call must stay in (the MFA device). */
  arn?: string;
}

/** The region chosen, where it came from, and a warning when one was overridden. */
export interface RegionChoice {
  region: string;
  partition: Partition;
  source: RegionSource;
  warning?: string;
}

/**
 * Chooses the region: `--region`, the environment, the profile, else the
 * default region of the ARN's partition. A configured region of another
 * partition than the ARN's cannot work (each partition has its own keys), so
 * it is replaced by the ARN partition's default region, with a warning. A
 * region that is not a DNS label is refused (usage error for the flag and the
 * environment, file error for the profile's setting).
 */
export function chooseRegion(options: ChooseRegionOptions): RegionChoice {
  const arnPartition = options.arn ? partitionOfArn(options.arn) : undefined;
  const candidates: Array<[string | undefined, RegionSource]> = [
    [options.flag, "flag"],
    [options.env, "env"],
    [options.profile, "profile"],
  ];
  for (const [region, source] of candidates) {
    if (!region) continue;
    if (!REGION_NAME.test(region)) throw notARegion(region, source);
    const partition = partitionOfRegion(region);
    if (arnPartition && partition.name !== arnPartition.name) {
      return {
        region: arnPartition.defaultRegion,
        partition: arnPartition,
        source: "partition default",
        warning: `Region ${region} (from the ${source}) is in partition ${partition.name}, ` +
          `but the MFA device ${options.arn} is in ${arnPartition.name}; ` +
          `using ${arnPartition.defaultRegion} instead.`,
      };
    }
    return { region, partition, source };
  }
  const partition = arnPartition ?? PARTITIONS[0];
  return { region: partition.defaultRegion, partition, source: "partition default" };
}

/** What the SDKs accept as a region: one DNS label (smithy's isValidHostLabel). */
const REGION_NAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A region no endpoint can have: refused before any call, naming where it came from. */
function notARegion(region: string, source: RegionSource): UsageError | ConfigError {
  const fix = "Use a region name such as us-east-1 or eu-west-1.";
  if (source === "flag") {
    return new UsageError(`--region '${region}' is not a region name.`, { fix });
  }
  if (source === "env") {
    return new UsageError(`AWS_REGION (or AWS_DEFAULT_REGION) is '${region}', not a region name.`, {
      fix: `${fix} Set it, or unset it to use the profile's region.`,
    });
  }
  return new ConfigError(`The profile's region setting is '${region}', not a region name.`, {
    fix: `${fix} Set region = … in the source section of the credentials file or in ~/.aws/config.`,
  });
}

/** The regions where `sts_regional_endpoints = legacy` still means the global endpoint. */
const LEGACY_GLOBAL_STS_REGIONS = new Set([
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "aws-global",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

/** Options for {@link serviceEndpoint}. */
export interface ServiceEndpointOptions {
  /** AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_IAM. */
  serviceEnv?: string;
  /** AWS_ENDPOINT_URL. */
  globalEnv?: string;
  /** The profile's `endpoint_url`, or its services section's one for this service. */
  configured?: string;
  /** AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true: ignore the three above. */
  ignoreConfigured?: boolean;
  /** `sts_regional_endpoints` (env or config): `regional` (default) or `legacy`. */
  stsRegionalEndpoints?: string;
}

/**
 * The endpoint URL for `service` (`sts` or `iam`) in `region`: an override
 * in the SDKs' order (service variable, global variable, config), else the
 * partition's own endpoint (regional for STS; IAM's is global per partition).
 */
export function serviceEndpoint(
  service: "sts" | "iam",
  region: string,
  options: ServiceEndpointOptions = {},
): string {
  if (!options.ignoreConfigured) {
    const override = options.serviceEnv ?? options.globalEnv ?? options.configured;
    if (override) return override;
  }
  const partition = partitionOfRegion(region);
  if (service === "iam") {
    if (partition.name === "aws") return "https://iam.amazonaws.com";
    if (partition.name === "aws-us-gov") return "https://iam.us-gov.amazonaws.com";
    return `https://iam.${partition.defaultRegion}.${partition.dnsSuffix}`;
  }
  if (
    partition.name === "aws" && options.stsRegionalEndpoints === "legacy" &&
    LEGACY_GLOBAL_STS_REGIONS.has(region)
  ) {
    return "https://sts.amazonaws.com";
  }
  return `https://sts.${region}.${partition.dnsSuffix}`;
}

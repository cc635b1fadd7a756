/**
 * The role profiles that draw on an MFA session (pure): `[profile admin]`
 * with `role_arn` and `source_profile = george` makes the AWS CLI and SDKs
 * assume the role with the session awsmfa keeps in `[george]`, so one MFA
 * code a day serves every role. The chain is followed as botocore's
 * AssumeRoleProvider follows it: the profiles of both files (the credentials
 * file's keys over the config file's), a source with keys of its own ends
 * the chain, a source with a `role_arn` of its own is one more hop, a
 * profile seen twice is a circle.
 *
 * @module
 */
import { configProfiles } from "../ini/config_profiles.ts";
import type { IniDocument } from "../ini/document.ts";
import type { IniView } from "../ini/quick_scan.ts";
import { targetOf } from "./profile_names.ts";

/** The keys of a credentials-file section the chains read (for `loadIniView`). */
export const CHAIN_KEYS: readonly string[] = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "role_arn",
  "source_profile",
  "credential_source",
  "web_identity_token_file",
];

/** A profile that assumes a role from another profile's credentials. */
export interface RoleProfile {
  /** The profile's name, e.g. `admin`. */
  profile: string;
  /** Where it is: the section's raw name and file, e.g. `profile admin` in the config file. */
  section: string;
  file: "config" | "credentials";
  roleArn: string;
  sourceProfile: string;
  /** `duration_seconds` as written. */
  durationSeconds?: string;
  /** `mfa_serial`: the AWS CLI then asks for a code for this role too. */
  mfaSerial?: string;
}

/** Where a chain of `source_profile` ends. */
export type ChainEnd =
  /** The MFA session awsmfa keeps in `[profile]` (it has `[profileNAMEmfa]`). */
  | { kind: "mfa-session"; profile: string }
  /** An MFA profile's source section `[Xmfa]`: its long-term keys, without MFA. */
  | { kind: "long-term-source"; profile: string; mfaProfile: string }
  /** Keys awsmfa does not manage. */
  | { kind: "keys"; profile: string; longTerm: boolean }
  /** A profile with neither keys nor a role (SSO, credential_process…). */
  | { kind: "other"; profile: string }
  /** `source_profile` names no profile. */
  | { kind: "missing"; profile: string }
  /** The profiles go round: botocore refuses (InfiniteLoopConfigError). */
  | { kind: "circle"; profiles: string[] }
  /** A hop with `credential_source`, or no source at all: not drawn from a profile. */
  | { kind: "elsewhere"; profile: string };

/** One role profile and where its credentials come from. */
export interface RoleChain {
  role: RoleProfile;
  /** The role profiles between it and the end, nearest first. */
  via: string[];
  end: ChainEnd;
}

interface Profile {
  get(key: string): string | undefined;
  section: string;
  file: "config" | "credentials";
}

/** The profiles of both files as botocore merges them; `[Xmfa]` sections are kept apart. */
function mergedProfiles(credentials: IniView, config?: IniDocument): Map<string, Profile> {
  const profiles = new Map<string, Profile>();
  const text = (value: unknown) => typeof value === "string" && value !== "" ? value : undefined;
  if (config) {
    for (const [name, section] of configProfiles(config)) {
      profiles.set(name, { section, file: "config", get: (key) => text(config.get(section, key)) });
    }
  }
  for (const name of credentials.sections()) {
    const fromConfig = profiles.get(name);
    profiles.set(name, {
      section: fromConfig?.section ?? name,
      file: fromConfig?.file ?? "credentials",
      get: (key) => text(credentials.get(name, key)) ?? fromConfig?.get(key),
    });
  }
  return profiles;
}

/** `[Xmfa]` → `X` for every MFA profile of the credentials file. */
function mfaSources(credentials: IniView): Map<string, string> {
  const sources = new Map<string, string>();
  for (const section of credentials.sections()) {
    const target = targetOf(section);
    if (target !== undefined) sources.set(section, target);
  }
  return sources;
}

const hasKeys = (p: Profile) =>
  p.get("aws_access_key_id") !== undefined || p.get("aws_secret_access_key") !== undefined;
const isRole = (p: Profile) =>
  p.get("role_arn") !== undefined && p.get("web_identity_token_file") === undefined;

/**
 * Every profile with `role_arn` and `source_profile` (but awsmfa's own
 * `[Xmfa]` sections, whose `role_arn` awsmfa assumes itself), in file order
 * (the config file's first), with the end of its chain.
 */
export function roleChains(credentials: IniView, config?: IniDocument): RoleChain[] {
  const profiles = mergedProfiles(credentials, config);
  const sources = mfaSources(credentials);
  const mfaTargets = new Set(sources.values());
  const chains: RoleChain[] = [];
  for (const [name, profile] of profiles) {
    const source = profile.get("source_profile");
    const roleArn = profile.get("role_arn");
    if (sources.has(name) || !isRole(profile) || source === undefined || roleArn === undefined) {
      continue;
    }
    const role: RoleProfile = {
      profile: name,
      section: profile.section,
      file: profile.file,
      roleArn,
      sourceProfile: source,
    };
    const duration = profile.get("duration_seconds");
    if (duration !== undefined) role.durationSeconds = duration;
    const serial = profile.get("mfa_serial");
    if (serial !== undefined) role.mfaSerial = serial;
    chains.push({ role, ...followChain(name, { profiles, sources, mfaTargets }) });
  }
  return chains;
}

/** botocore's walk from role profile `start` to where its credentials come from. */
function followChain(
  start: string,
  world: { profiles: Map<string, Profile>; sources: Map<string, string>; mfaTargets: Set<string> },
): { via: string[]; end: ChainEnd } {
  const { profiles, sources, mfaTargets } = world;
  const visited = [start];
  const via: string[] = [];
  let current = start;
  for (;;) {
    const name = profiles.get(current)!.get("source_profile")!;
    const source = profiles.get(name);
    if (source === undefined) {
      // [X] comes with the first `awsmfa X`: until then it is still X's session.
      const kind = mfaTargets.has(name) ? "mfa-session" : "missing";
      return { via, end: { kind, profile: name } };
    }
    // A profile may name itself to take keys it has (botocore allows it at the top only).
    if (visited.includes(name) && !(name === current && current === start && hasKeys(source))) {
      return { via, end: { kind: "circle", profiles: [...visited, name] } };
    }
    visited.push(name);
    if (hasKeys(source)) {
      if (mfaTargets.has(name)) return { via, end: { kind: "mfa-session", profile: name } };
      const mfaProfile = sources.get(name);
      if (mfaProfile !== undefined) {
        return { via, end: { kind: "long-term-source", profile: name, mfaProfile } };
      }
      const key = source.get("aws_access_key_id") ?? "";
      const longTerm = !key.startsWith("ASIA") && source.get("aws_session_token") === undefined;
      return { via, end: { kind: "keys", profile: name, longTerm } };
    }
    // No session yet in [X]: still X's session (status says "none").
    if (mfaTargets.has(name)) return { via, end: { kind: "mfa-session", profile: name } };
    if (!isRole(source)) return { via, end: { kind: "other", profile: name } };
    if (source.get("source_profile") === undefined) {
      return { via, end: { kind: "elsewhere", profile: name } };
    }
    via.push(name);
    current = name;
  }
}

/**
 * The chains that end at each MFA profile's session, as a tree in file
 * order: each role, then the roles drawn from it.
 */
export function rolesByMfaProfile(chains: readonly RoleChain[]): Map<string, RoleChain[]> {
  const children = new Map<string, RoleChain[]>();
  for (const chain of chains) {
    if (chain.end.kind !== "mfa-session") continue;
    const parent = chain.role.sourceProfile;
    children.set(parent, [...children.get(parent) ?? [], chain]);
  }
  const byProfile = new Map<string, RoleChain[]>();
  const walk = (name: string, into: RoleChain[]) => {
    for (const chain of children.get(name) ?? []) {
      // A chain that ends at a session ends there: each role is met once (no circle).
      if (into.includes(chain)) continue;
      into.push(chain);
      walk(chain.role.profile, into);
    }
  };
  for (const chain of chains) {
    const end = chain.end;
    if (end.kind !== "mfa-session" || byProfile.has(end.profile)) continue;
    const tree: RoleChain[] = [];
    walk(end.profile, tree);
    byProfile.set(end.profile, tree);
  }
  return byProfile;
}

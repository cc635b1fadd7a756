/**
 * `awsmfa doctor [PROFILE]`: checks a setup and says what to fix, one line
 * per finding. Reads the files and the environment, asks STS for its clock
 * (an unsigned request) and IAM whether the long-term keys are active
 * (ListMFADevices, allowed without MFA). Exit 0 when all is well.
 *
 * @module
 */
import { type ParsedArgs, singlePositional } from "../args.ts";
import { fetchServerDate } from "../../aws/api/client.ts";
import { type AwsFiles, checkProfileName, locateFiles } from "../../aws/shared_files.ts";
import { sourceSectionOf } from "../../aws/profile_names.ts";
import { type RoleChain, roleChains } from "../../aws/chained_profiles.ts";
import { callOptionsFor, resolveCallSettings } from "../../aws/api/call_settings.ts";
import type { Command } from "../command.ts";
import type { Context } from "../../core/context.ts";
import {
  checkClock,
  checkEnvironment,
  checkFile,
  checkKeysAnswer,
  checkKeystoreAnswer,
  checkPermissions,
  checkSdkCompat,
  checkSourceSection,
  type SourceCheck,
  type SourceCheckOptions,
} from "../../session/doctor_checks.ts";
import { type Finding, formatFindings } from "../../session/doctor_findings.ts";
import { checkRoleChain } from "../../session/doctor_roles.ts";
import { keysFromKeystore } from "../../session/source_keys.ts";
import { hasOwnLongTermKeys, keysInBothError, keystoreOf } from "../../aws/keystore_setting.ts";
import { AwsmfaError, ExitCode, redactSecrets } from "../../core/errors.ts";
import { listMfaDevices } from "../../aws/api/iam.ts";
import { getConfigProfile, type IniDocument } from "../../ini/mod.ts";
import { type MfaProfileRef, mfaProfiles } from "../../aws/mfa_profiles.ts";
import { readFileIfExists } from "../../files/safe_file.ts";

/** The doctor command. */
export const command: Command = {
  usage: "doctor [PROFILE]",
  description: `Checks your setup and says what to fix, one line per finding: that both files parse
(naming the line of the first problem), that each MFA profile's [NAMEmfa] has long-term
keys (or, with awsmfa_keystore, a keystore that is reachable, unlocked and holds
them) and a well-formed mfa_serial (:mfa/, not :user/) whose partition matches the
configured region, the credentials file's permissions, AWS variables in the
environment that override profiles, this computer's clock against AWS's (from the
Date header of an STS answer), and that the long-term keys are active (IAM
ListMFADevices, which needs no MFA). Then the role profiles that draw on the
sessions (role_arn with source_profile): that the source exists and is an MFA
session awsmfa keeps, no circle, and at most 1 h (duration_seconds) for a role
assumed with a session. No code is asked for and nothing is written.

Without PROFILE it checks every MFA profile. Exit 0 when nothing needs fixing.`,
  flags: {
    offline: { type: "boolean", help: "Skip the checks that call AWS (clock, keys)" },
  },
  examples: [
    "awsmfa doctor                 # every MFA profile",
    "awsmfa doctor george          # one profile",
    "awsmfa doctor --offline       # files and environment only",
  ],
  run,
};

/** How many profiles' keys are checked at once. */
const CONCURRENCY = 8;

async function run(args: ParsedArgs, context: Context): Promise<number> {
  const positional = singlePositional(args, "doctor [PROFILE]");
  const profile = positional === undefined ? undefined : checkProfileName(positional);
  const offline = args.flags.offline === true;
  const files = locateFiles(context);
  const findings: Finding[] = [];

  const credentials = checkFile(await readFileIfExists(files.credentials), {
    path: files.credentials,
    required: true,
  });
  findings.push(credentials.finding);
  const config = checkFile(await readFileIfExists(files.config), {
    path: files.config,
    required: false,
  });
  findings.push(config.finding);
  if (credentials.doc) {
    findings.push(checkPermissions(await modeOf(files.credentials), files.credentials));
  }
  findings.push(...checkEnvironment((name) => context.env(name)));

  const checks = credentials.doc
    ? await checkMfaProfiles(credentials.doc, { profile, files, config: config.doc, context })
    : { checks: [], findings: [], managed: [] };
  findings.push(...checks.findings);
  for (const [file, doc] of [["credentials", credentials.doc], ["config", config.doc]] as const) {
    if (!doc) continue;
    const sections = new Set(checks.managed.filter((m) => m.file === file).map((m) => m.section));
    findings.push(...checkSdkCompat(doc.toString(), { path: files[file], sections, file }));
  }

  if (offline) {
    findings.push({ level: "note", text: "--offline: the clock and the keys were not checked." });
  } else {
    const clock = await clockFinding(checks.checks, files, context);
    findings.push(clock);
    if (clock.level === "fix" && clock.text.startsWith("This computer's clock")) {
      findings.push({
        level: "note",
        text: "The keys were not checked: AWS refuses signed requests until the clock is right.",
      });
    } else {
      findings.push(...await keyFindings(checks.checks, files, context));
    }
  }
  const colour = context.stdoutIsTerminal && context.env("NO_COLOR") === undefined &&
    context.env("TERM") !== "dumb";
  // Findings quote what AWS answered and the endpoint overrides: no secret, no URL password.
  context.stdout(redactSecrets(formatFindings(findings, { colour })));
  return findings.some((finding) => finding.level === "fix") ? ExitCode.Failure : ExitCode.Ok;
}

/** A section awsmfa manages or draws on: its raw name and file. */
interface ManagedSection {
  section: string;
  file: "credentials" | "config";
}

/**
 * Each MFA profile's sections, then the role profiles that draw on the
 * sessions; and those sections, for the check of what other SDKs read.
 */
async function checkMfaProfiles(
  doc: IniDocument,
  options: { profile?: string; files: AwsFiles; config?: IniDocument; context: Context },
): Promise<{
  checks: Array<[MfaProfileRef, SourceCheck]>;
  findings: Finding[];
  managed: ManagedSection[];
}> {
  const { profile, files, context } = options;
  const all = mfaProfiles(doc);
  const refs = profile !== undefined ? [{ profile, sourceSection: sourceSectionOf(profile) }] : all;
  const findings: Finding[] = [];
  if (refs.length === 0) {
    findings.push({
      level: "fix",
      text: `${files.credentials} has no MFA profile ([NAMEmfa] section): run 'awsmfa setup NAME'.`,
    });
  }
  const checks: Array<[MfaProfileRef, SourceCheck]> = [];
  for (const ref of refs) {
    checks.push([
      ref,
      checkSourceSection(doc, ref, {
        path: files.credentials,
        envRegion: context.env("AWS_REGION") ?? context.env("AWS_DEFAULT_REGION"),
        configRegion: configRegion(options.config, ref),
        keystore: await keystoreCheck(doc, ref.sourceSection, { files, context }),
      }),
    ]);
  }
  for (const [, check] of checks) findings.push(...check.findings);
  const managed: ManagedSection[] = refs.flatMap((ref) => [
    { section: ref.profile, file: "credentials" as const },
    { section: ref.sourceSection, file: "credentials" as const },
  ]);
  const names = all.map((ref) => ref.profile);
  const chains = roleChains(doc, options.config);
  const roles = new Map(chains.map((chain) => [chain.role.profile, chain.role]));
  for (const chain of chains) {
    if (profile !== undefined && !drawsOn(chain, profile)) continue;
    findings.push(...checkRoleChain(chain, { mfaProfiles: names, files }));
    if (chain.end.kind !== "mfa-session") continue;
    for (const role of [chain.role, ...chain.via.map((name) => roles.get(name)!)]) {
      managed.push({ section: role.section, file: role.file });
    }
  }
  return { checks, findings, managed };
}

/**
 * For a section that keeps its keys in a keystore: whether the keystore is
 * reachable and unlocked and holds the item, with the keys when it does.
 */
async function keystoreCheck(
  doc: IniDocument,
  section: string,
  options: { files: AwsFiles; context: Context },
): Promise<SourceCheckOptions["keystore"]> {
  const backend = keystoreOf(doc, section);
  if (backend === undefined || !doc.sections().includes(section)) return undefined;
  const path = options.files.credentials;
  try {
    if (hasOwnLongTermKeys(doc, section)) throw keysInBothError(section, backend, path);
    const keys = await keysFromKeystore(backend, { section, path, context: options.context });
    return { finding: checkKeystoreAnswer(section, backend, { keys }), keys };
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    return { finding: checkKeystoreAnswer(section, backend, { error }) };
  }
}

/** Whether `chain` ends at `profile`'s session or at its long-term keys. */
function drawsOn(chain: RoleChain, profile: string): boolean {
  const end = chain.end;
  return (end.kind === "mfa-session" && end.profile === profile) ||
    (end.kind === "long-term-source" && end.mfaProfile === profile);
}

async function modeOf(path: string): Promise<number | null> {
  if (Deno.build.os === "windows") return null;
  try {
    return (await Deno.stat(path)).mode;
  } catch {
    return null;
  }
}

function configRegion(doc: IniDocument | undefined, ref: MfaProfileRef): string | undefined {
  if (!doc) return undefined;
  for (const name of [ref.profile, ref.sourceSection]) {
    const region = getConfigProfile(doc, name)?.region;
    if (typeof region === "string" && region !== "") return region;
  }
  return undefined;
}

/** Where a profile's STS or IAM call goes, from what its check found. */
function callTarget(ref: MfaProfileRef, check: SourceCheck) {
  return {
    profile: ref.profile,
    sourceSection: ref.sourceSection,
    mfaSerial: check.serial,
    sourceRegion: check.sourceRegion,
  };
}

async function clockFinding(
  checks: Array<[MfaProfileRef, SourceCheck]>,
  files: AwsFiles,
  context: Context,
): Promise<Finding> {
  const [ref, check] = checks.find(([, c]) => c.keys) ?? checks[0] ??
    [{ profile: "default", sourceSection: "defaultmfa" }, { findings: [] }];
  try {
    const settings = await resolveCallSettings("sts", callTarget(ref, check), { files, context });
    const clock = await fetchServerDate(settings.endpoint, {
      caBundlePath: settings.caBundle,
      timeoutMs: settings.timeoutMs,
      now: context.now,
    });
    return checkClock(clock, settings.endpoint);
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    return { level: "fix", text: `Clock not checked: ${error.message} ${error.fix ?? ""}`.trim() };
  }
}

async function keyFindings(
  checks: Array<[MfaProfileRef, SourceCheck]>,
  files: AwsFiles,
  context: Context,
): Promise<Finding[]> {
  const todo = checks.filter(([, check]) => check.keys);
  const results: Finding[] = new Array(todo.length);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const index = next++;
      const [ref, check] = todo[index];
      const keys = check.keys!;
      try {
        const settings = await resolveCallSettings("iam", callTarget(ref, check), {
          files,
          context,
        });
        const devices = await listMfaDevices(
          keys,
          callOptionsFor(settings, { sourceSection: ref.sourceSection, now: context.now }),
        );
        results[index] = checkKeysAnswer(ref, {
          devices,
          serial: check.serial,
          accessKeyId: keys.accessKeyId,
        });
      } catch (error) {
        results[index] = checkKeysAnswer(ref, { error, accessKeyId: keys.accessKeyId });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
  return results;
}

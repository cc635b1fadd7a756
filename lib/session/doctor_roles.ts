/**
 * Doctor's checks of the role profiles that draw on an MFA session (many
 * accounts, one code): the source exists and is an MFA session awsmfa keeps,
 * a chained role asks for at most 1 h, no circle. Pure.
 *
 * @module
 */
import type { RoleChain } from "../aws/chained_profiles.ts";
import { ASSUME_ROLE_SECONDS, CHAINED_ROLE_MAX_SECONDS } from "../aws/limits.ts";
import { type Finding, fix, note, ok } from "./doctor_findings.ts";

/** What {@link checkRoleChain} needs besides the chain. */
export interface RoleChainOptions {
  /** The MFA profiles of the credentials file, to name in a fix. */
  mfaProfiles: readonly string[];
  /** Both files' paths, for a source that is in neither. */
  files: { credentials: string; config: string };
}

/**
 * A role profile that draws on another profile's credentials (many
 * accounts, one code): its source exists and is an MFA session awsmfa keeps,
 * a role assumed with a session asks for at most 1 h, no circle; each
 * problem is said once, by the profile whose own line causes it.
 */
export function checkRoleChain(chain: RoleChain, options: RoleChainOptions): Finding[] {
  // A value botocore joined with the indented line under it stays on the finding's one line.
  return roleChainFindings(chain, options).map((finding) => ({
    ...finding,
    text: finding.text.replace(/\r\n|\r|\n/g, "\\n"),
  }));
}

function roleChainFindings(chain: RoleChain, options: RoleChainOptions): Finding[] {
  const { role, via, end } = chain;
  const where = `[${role.section}]`;
  const suggestion = options.mfaProfiles.length > 0
    ? `your MFA profile (${options.mfaProfiles.join(", ")})`
    : "an MFA profile ('awsmfa setup NAME' makes one)";
  switch (end.kind) {
    case "mfa-session": {
      const through = via.length > 0 ? ` through ${via.join(" → ")} (role chaining)` : "";
      const findings = [
        (via.length > 0 ? note : ok)(
          `${where}: assumes ${role.roleArn}${through} with ${end.profile}'s MFA session` +
            (via.length > 0 ? "; each role session lasts at most 1 h." : ": no code of its own."),
        ),
        ...checkChainDuration(role.durationSeconds, where),
      ];
      if (role.mfaSerial !== undefined) {
        findings.push(note(
          `${where} has mfa_serial: the AWS CLI asks for a code for this role too, though ` +
            `${end.profile}'s session already carries MFA; remove mfa_serial for one code a day.`,
        ));
      }
      return findings;
    }
    case "long-term-source":
      return via.length > 0 ? [] : [fix(
        `${where}: source_profile = ${end.profile} is ${end.mfaProfile}'s long-term keys, so ` +
          `the role is assumed without MFA: set source_profile = ${end.mfaProfile} (its MFA session).`,
      )];
    case "missing":
      return via.length > 0 ? [] : [fix(
        `${where}: source_profile = ${end.profile} names no profile of ${options.files.config} ` +
          `or ${options.files.credentials}; the AWS CLI refuses it: set it to ${suggestion}.`,
      )];
    case "circle": {
      const loop = end.profiles.slice(end.profiles.indexOf(end.profiles.at(-1)!));
      // Said by the loop's first profile (by name) only.
      if (role.profile !== [...loop].sort()[0]) return [];
      return [fix(
        `${where}: source_profile goes round in a circle (${loop.join(" → ")}); the AWS CLI ` +
          `refuses it: point one of them at ${suggestion}.`,
      )];
    }
    case "keys":
      if (via.length > 0 || role.mfaSerial !== undefined) return [];
      return [note(
        `${where}: source_profile = ${end.profile} holds ` +
          (end.longTerm ? "long-term keys" : "a session awsmfa does not keep") +
          `, not an MFA session, so the role is assumed without MFA; 'awsmfa setup ` +
          `${end.profile}' makes [${end.profile}] one.`,
      )];
    default:
      return [];
  }
}

/** A role assumed with session credentials (role chaining) lasts 900 s to 1 h. */
function checkChainDuration(duration: string | undefined, where: string): Finding[] {
  if (duration === undefined) return [];
  const [min, max] = [ASSUME_ROLE_SECONDS.min, CHAINED_ROLE_MAX_SECONDS];
  if (!/^\d+$/.test(duration)) {
    return [fix(
      `${where}: duration_seconds = ${duration} is not a number of seconds: set it from ` +
        `${min} to ${max}, or remove it.`,
    )];
  }
  const seconds = Number(duration);
  if (seconds > max) {
    return [fix(
      `${where}: duration_seconds = ${seconds}, but a role assumed with a session lasts at ` +
        `most 1 h (role chaining): STS refuses it. Set duration_seconds = ${max} or remove it.`,
    )];
  }
  if (seconds < min) {
    return [fix(
      `${where}: duration_seconds = ${seconds} is under ${min}; STS refuses it. Set it from ` +
        `${min} to ${max}, or remove it.`,
    )];
  }
  return [];
}

/**
 * How awsmfa names the two sections of a profile, once (pure): the target
 * `[george]`, where the session goes and what the AWS CLI and SDKs use, gets
 * its keys from the source `[georgemfa]`, which holds the long-term keys and
 * the MFA device (unless `--source-profile` names another section).
 *
 * @module
 */

/** The suffix of a source section: `[george]` gets its keys from `[georgemfa]`. */
export const SOURCE_SUFFIX = "mfa";

/** The source section of `profile` when none is named: `george` → `georgemfa`. */
export function sourceSectionOf(profile: string): string {
  return profile + SOURCE_SUFFIX;
}

/** Whether `section` is named as a source section: `Xmfa` with X not empty. */
export function isSourceSection(section: string): boolean {
  return section.length > SOURCE_SUFFIX.length && section.endsWith(SOURCE_SUFFIX);
}

/** The target of a source section (`georgemfa` → `george`); undefined when it is not named as one. */
export function targetOf(section: string): string | undefined {
  return isSourceSection(section) ? section.slice(0, -SOURCE_SUFFIX.length) : undefined;
}

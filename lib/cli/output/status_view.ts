/**
 * How `awsmfa status` shows sessions (pure): a table that fits an 80-column
 * terminal, one line for a single profile, and the same as JSON data.
 *
 * @module
 */
import { formatLocalTime, formatRelative, formatRfc3339 } from "../../core/durations.ts";
import type { ProfileStatus, SessionState } from "../../aws/mfa_profiles.ts";
import type { RoleChain } from "../../aws/chained_profiles.ts";

/** The words for each state. */
const STATE_LABELS: Record<SessionState, string> = {
  "valid": "valid",
  "expiring-soon": "expiring soon",
  "expired": "expired",
  "none": "none",
  "unknown": "no expiry",
  "long-term": "long-term keys",
};

const STATE_COLOURS: Partial<Record<SessionState, string>> = {
  "valid": "\x1b[32m",
  "expiring-soon": "\x1b[33m",
  "expired": "\x1b[31m",
};

/** The label of `state` in the table and the one-line form. */
export function stateLabel(state: SessionState): string {
  return STATE_LABELS[state];
}

/**
 * The MFA device as the table shows it: `123456789012:mfa/george` for an ARN
 * of the commercial partition (`aws-cn:…` for others), a hardware serial as
 * is, `-` when there is none.
 */
export function deviceLabel(serial: string | undefined): string {
  if (!serial) return "-";
  const arn = /^arn:([^:]+):iam::(.*)$/.exec(serial);
  if (!arn) return serial;
  return arn[1] === "aws" ? arn[2] : `${arn[1]}:${arn[2]}`;
}

/**
 * `in 11 h 58 min (21:12)`: relative, then the local time, with the month
 * and day (`11-30 09:12`) when it is not today.
 */
export function expiryLabel(expiration: Date | undefined, now: number): string {
  return expiryCell(expiration, now, formatLocalTime(new Date(now)).slice(0, 10));
}

function expiryCell(expiration: Date | undefined, now: number, today: string): string {
  if (!expiration) return "";
  const local = formatLocalTime(expiration);
  const shown = local.slice(0, 10) === today ? local.slice(11, 16) : local.slice(5, 16);
  return `${formatRelative(expiration.getTime(), now)} (${shown})`;
}

/** Options of {@link formatStatusTable}. */
export interface TableOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** The widest a line may be; 80 by default. */
  width?: number;
  /** Colour the states (only at a terminal, without NO_COLOR). */
  colour?: boolean;
  /** The role profiles drawn from each MFA profile's session (a tree, see `rolesByMfaProfile`). */
  roles?: ReadonlyMap<string, readonly RoleChain[]>;
}

/**
 * The rows of the roles drawn from one session, under its profile: the name
 * indented by its depth in the chain, the role, and the profile it is
 * assumed from.
 */
function roleRows(chains: readonly RoleChain[] | undefined): string[][] {
  return (chains ?? []).map((chain) => [
    "  ".repeat(chain.via.length + 1) + chain.role.profile,
    deviceLabel(chain.role.roleArn),
    `from ${chain.role.sourceProfile}`,
    "",
  ]);
}

/**
 * The table of `statuses`: a header and one row each (followed by the rows
 * of the roles drawn from its session), no line wider than `width` (long
 * device ARNs, then profile names, are shortened in the middle), no trailing
 * spaces. Widths count code points; each distinct expiry is formatted once.
 */
export function formatStatusTable(
  statuses: readonly ProfileStatus[],
  options: TableOptions,
): string {
  const width = options.width ?? 80;
  const roles = options.roles;
  const anyRoles = statuses.some((status) => (roles?.get(status.profile)?.length ?? 0) > 0);
  // The KEYS column only when a profile keeps its keys in a keystore.
  const anyKeystore = statuses.some((status) => status.keystore !== undefined);
  const header = ["PROFILE", anyRoles ? "MFA DEVICE / ROLE" : "MFA DEVICE", "SESSION", "EXPIRES"];
  if (anyKeystore) header.push("KEYS");
  const columns = header.length;
  const today = formatLocalTime(new Date(options.now)).slice(0, 10);
  const expiries = new Map<number, string>();
  const widths = header.map((title) => title.length);
  // Code points, not UTF-16 units: count them the slow way only when a name needs it.
  let astral = false;
  const states: (SessionState | undefined)[] = [];
  const rows = statuses.flatMap((status) => {
    const expiration = status.expiration;
    let expiry = "";
    if (expiration) {
      const at = expiration.getTime();
      expiry = expiries.get(at) ?? "";
      if (expiry === "") expiries.set(at, expiry = expiryCell(expiration, options.now, today));
    }
    const row = [status.profile, deviceLabel(status.mfaSerial), stateLabel(status.state), expiry];
    if (anyKeystore) row.push(keysLabel(status.keystore));
    const group = [
      row,
      ...roleRows(roles?.get(status.profile)).map((cells) => anyKeystore ? [...cells, ""] : cells),
    ];
    states.push(status.state, ...group.slice(1).map(() => undefined));
    for (const cells of group) {
      if (!astral && SURROGATE.test(cells[0] + cells[1] + cells[2])) astral = true;
      for (let column = 0; column < columns; column++) {
        if (cells[column].length > widths[column]) widths[column] = cells[column].length;
      }
    }
    return group;
  });
  const chars = astral ? (text: string) => [...text].length : (text: string) => text.length;
  if (astral) {
    widths.fill(0);
    for (const row of [header, ...rows]) {
      for (let column = 0; column < columns; column++) {
        widths[column] = Math.max(widths[column], chars(row[column]));
      }
    }
  }
  const gap = 2;
  const total = () => widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1);
  // Shrink the device column, then the profile column, then the expiry, then the session, to fit.
  const shrinking: Array<readonly [number, number]> = [
    [1, Math.max(14, header[1].length)],
    [0, 12],
    [3, 12],
    [2, 13],
    ...(anyKeystore ? [[4, 8] as const] : []),
  ];
  for (const [column, minimum] of shrinking) {
    const excess = total() - width;
    if (excess <= 0) break;
    widths[column] = Math.max(Math.min(minimum, widths[column]), widths[column] - excess);
  }
  const line = (cells: string[], state?: SessionState) => {
    let text = "";
    for (let column = 0; column < columns - 1; column++) {
      const cell = cells[column];
      const fitted = fit(cell, widths[column], chars);
      const padding = " ".repeat(widths[column] + gap - chars(fitted));
      const colour = column === 2 && state && options.colour ? STATE_COLOURS[state] : undefined;
      text += colour ? colour + fitted + "\x1b[0m" + padding : fitted + padding;
    }
    const last = columns - 1;
    return (text + fit(cells[last], widths[last], chars)).trimEnd();
  };
  const lines = [line(header)];
  for (let index = 0; index < rows.length; index++) lines.push(line(rows[index], states[index]));
  return lines.join("\n") + "\n";
}

const SURROGATE = /[\ud800-\udfff]/;

/** `text` cut to `width` characters (as `chars` counts them) with `…` in the middle when longer. */
function fit(text: string, width: number, chars: (text: string) => number): string {
  if (text.length <= width || chars(text) <= width) return text;
  const points = [...text];
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return points.slice(0, head).join("") + "…" + (tail > 0 ? points.slice(-tail).join("") : "");
}

/**
 * Where the long-term keys are, in the KEYS column: the keystore's name, or
 * `credentials` for the credentials file.
 */
export function keysLabel(keystore: string | undefined): string {
  return keystore ?? "credentials";
}

/** The one-line form for `status PROFILE`, e.g. `george: valid, expires in 11 h 58 min (…)`. */
export function formatStatusLine(status: ProfileStatus, now: number): string {
  const at = status.expiration
    ? `${formatRelative(status.expiration.getTime(), now)} (${formatLocalTime(status.expiration)})`
    : "";
  switch (status.state) {
    case "valid":
      return `${status.profile}: valid, expires ${at}`;
    case "expiring-soon":
      return `${status.profile}: expiring soon, expires ${at}`;
    case "expired":
      return `${status.profile}: expired ${at}`;
    case "unknown":
      return `${status.profile}: a session with no recorded expiry`;
    case "long-term":
      return `${status.profile}: long-term keys, no MFA session (run 'awsmfa setup ${status.profile}')`;
    case "none":
      return status.hasTarget || status.hasSource
        ? `${status.profile}: no session`
        : `${status.profile}: no session (no [${status.profile}] or [${status.sourceSection}])`;
  }
}

/** A role profile drawn from the session, in the JSON form. */
export interface RoleProfileJson {
  profile: string;
  roleArn: string;
  /** The profile it is assumed from: the MFA profile, or a role profile between. */
  sourceProfile: string;
  /** The role profiles between it and the MFA session, nearest first. */
  via: string[];
  /** `duration_seconds` as written, or null. */
  durationSeconds: string | null;
}

/** The JSON form of one profile's status. */
export interface StatusJson {
  profile: string;
  sourceSection: string | null;
  mfaSerial: string | null;
  /** The keystore holding the long-term keys (`awsmfa_keystore`); null: the credentials file. */
  keystore: string | null;
  state: SessionState;
  /** RFC 3339 UTC, or null. */
  expiration: string | null;
  /** Whole seconds left (negative once expired), or null. */
  expiresInSeconds: number | null;
  /** `2026-11-30 21:12 +01:00`, or null. */
  localExpiration: string | null;
  /** The role profiles that draw on this session, each followed by those drawn from it. */
  roleProfiles: RoleProfileJson[];
}

/** `status` as data; `roles` are the chains drawn from this profile's session. */
export function statusJson(
  status: ProfileStatus,
  now: number,
  roles: readonly RoleChain[] = [],
): StatusJson {
  const expiration = status.expiration;
  return {
    profile: status.profile,
    sourceSection: status.hasSource ? status.sourceSection : null,
    mfaSerial: status.mfaSerial ?? null,
    keystore: status.keystore ?? null,
    state: status.state,
    expiration: expiration ? formatRfc3339(expiration) : null,
    expiresInSeconds: expiration ? Math.floor((expiration.getTime() - now) / 1000) : null,
    localExpiration: expiration ? formatLocalTime(expiration) : null,
    roleProfiles: roles.map((chain) => ({
      profile: chain.role.profile,
      roleArn: chain.role.roleArn,
      sourceProfile: chain.role.sourceProfile,
      via: chain.via,
      durationSeconds: chain.role.durationSeconds ?? null,
    })),
  };
}

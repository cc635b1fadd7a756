/**
 * Durations and times in the user's words (pure): `12h` or `90m` in, `in
 * 11 h 58 min` and `2026-11-30 09:12 +01:00` out.
 *
 * @module
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses `3600`, `90m`, `12h`, `1h30m` or `2d` into seconds; undefined when
 * the text is none of these.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(amount) * UNIT_SECONDS[unit];
  }
  return total;
}

/** `12 h`, `1 h 30 min`, `45 min`, `30 s`: a span of seconds for people. */
export function formatSpan(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days} d ${restHours} h` : `${days} d`;
}

/** `in 11 h 58 min` or `2 h ago`, from `now` to `then` (both ms). */
export function formatRelative(then: number, now: number): string {
  const seconds = (then - now) / 1000;
  return seconds >= 0 ? `in ${formatSpan(seconds)}` : `${formatSpan(-seconds)} ago`;
}

/** `2026-11-30 09:12 +01:00`: local time with its offset, to the minute. */
export function formatLocalTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())} ${zone}`;
}

/** RFC 3339 in UTC with `Z` and whole seconds: `2026-11-30T08:12:05Z`. */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Parses an RFC 3339 / ISO 8601 time; undefined when it is not one. */
export function parseTimestamp(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) {
    return undefined;
  }
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * What `awsmfa doctor` reports: findings, one line each (ok, FIX, note), and
 * the report they make. Pure.
 *
 * @module
 */

/** One line of the report. */
export interface Finding {
  /** `ok`: checked and fine; `fix`: a problem; `note`: worth knowing, not a problem. */
  level: "ok" | "fix" | "note";
  text: string;
}

/** A check that passed. */
export const ok = (text: string): Finding => ({ level: "ok", text });
/** A problem, with its fix in the text. */
export const fix = (text: string): Finding => ({ level: "fix", text });
/** Worth knowing, not a problem. */
export const note = (text: string): Finding => ({ level: "note", text });

/** The report: one line per finding, then a summary line. */
export function formatFindings(
  findings: readonly Finding[],
  options: { colour?: boolean } = {},
): string {
  const tags = { ok: "ok  ", fix: "FIX ", note: "note" } as const;
  const colours = { ok: "\x1b[32m", fix: "\x1b[31m", note: "\x1b[2m" } as const;
  const lines = findings.map((finding) => {
    const tag = tags[finding.level];
    const shown = options.colour ? `${colours[finding.level]}${tag}\x1b[0m` : tag;
    return `${shown}  ${finding.text}`;
  });
  const problems = findings.filter((finding) => finding.level === "fix").length;
  lines.push(
    problems === 0
      ? "All good."
      : `${problems} problem${problems > 1 ? "s" : ""} to fix (the lines marked FIX).`,
  );
  return lines.join("\n") + "\n";
}

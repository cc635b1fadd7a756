/**
 * Session credentials as environment variables, written for each shell so
 * that evaluating the output sets exactly these values (pure). Secrets hold
 * `+`, `/` and `=`; every format quotes whatever a value may contain, or
 * refuses a value the format cannot carry.
 *
 * @module
 */
import { formatRfc3339 } from "../../core/durations.ts";
import { UsageError } from "../../core/errors.ts";

/** The output formats of `awsmfa env`. */
export const ENV_FORMATS = ["sh", "fish", "powershell", "cmd", "dotenv", "json"] as const;

/** One of {@link ENV_FORMATS}. */
export type EnvFormat = typeof ENV_FORMATS[number];

/** A session's credentials, as stored or issued. */
export interface SessionForEnv {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** The variables every AWS SDK and the AWS CLI read, in a fixed order. */
export function sessionVariables(session: SessionForEnv): Array<[string, string]> {
  return [
    ["AWS_ACCESS_KEY_ID", session.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", session.secretAccessKey],
    ["AWS_SESSION_TOKEN", session.sessionToken],
    ["AWS_CREDENTIAL_EXPIRATION", formatRfc3339(session.expiration)],
  ];
}

/** Whether `text` names a format of {@link ENV_FORMATS}. */
export function isEnvFormat(text: string): text is EnvFormat {
  return (ENV_FORMATS as readonly string[]).includes(text);
}

/**
 * The lines that set `variables` in `format`, each ending in a newline
 * (`json`: one object). Throws {@link UsageError} for a value `cmd` cannot
 * carry.
 */
export function formatVariables(
  variables: ReadonlyArray<readonly [string, string]>,
  format: EnvFormat,
): string {
  if (format === "json") {
    return JSON.stringify(Object.fromEntries(variables), null, 2) + "\n";
  }
  const line = {
    sh: (name: string, value: string) => `export ${name}=${quoteSh(value)}`,
    fish: (name: string, value: string) => `set -gx ${name} ${quoteFish(value)}`,
    powershell: (name: string, value: string) => `$env:${name} = ${quotePowerShell(value)}`,
    cmd: (name: string, value: string) => `set "${name}=${checkCmd(name, value)}"`,
    dotenv: (name: string, value: string) => `${name}=${quoteDotenv(value)}`,
  }[format];
  return variables.map(([name, value]) => line(name, value) + "\n").join("");
}

/** POSIX shells (sh, bash, zsh, dash, ksh): single quotes, `'` as `'\''`. */
export function quoteSh(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** fish: single quotes, in which only `\\` and `\'` are escapes. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => "\\" + c)}'`;
}

/**
 * PowerShell: a verbatim single-quoted string, with each quote doubled;
 * PowerShell also takes the typographic single quotes as quotes.
 */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

/**
 * dotenv files (Docker's `--env-file`, Compose, python-dotenv, Node's and
 * Deno's `--env-file`), whose readers agree only on simple lines: plain when
 * every character is one all of them take literally (session credentials
 * always are), else single quotes (literal in all but Docker's reader) when
 * the value has no `'` or line break, else double quotes with `\`, `"`, `$`
 * and line breaks escaped (as python-dotenv and Compose read them).
 */
export function quoteDotenv(value: string): string {
  if (/^[A-Za-z0-9+/=:._@,-]*$/.test(value)) return value;
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  const escaped = value.replace(/[\\"$]/g, (c) => "\\" + c).replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
  return `"${escaped}"`;
}

/** cmd.exe's `set "NAME=value"` takes everything literally but `%`, `!`, `"`, `^` and line breaks. */
function checkCmd(name: string, value: string): string {
  if (/[%!"^\r\n]/.test(value)) {
    throw new UsageError(`The value of ${name} holds a character cmd.exe cannot take literally.`, {
      fix: "Use --format powershell (or json) instead.",
    });
  }
  return value;
}

/**
 * The INI document's own errors: the library knows nothing of the program
 * around it (no exit codes, no other module of lib/). A program that wants
 * its own error classes passes {@link IniErrors} to `parseIni`; awsmfa's AWS
 * layer does (lib/aws/shared_files.ts), so a refused edit is its
 * FileFormatError or UsageError there.
 *
 * @module
 */

/** Options of {@link IniError}. */
export interface IniErrorOptions {
  /** What to do about it. */
  fix?: string;
}

/** Something the document refused, with what to do about it. */
export class IniError extends Error {
  /** What to do about it. */
  readonly fix?: string;

  /** Creates the error with its message and, optionally, its fix. */
  constructor(message: string, options: IniErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.fix = options.fix;
  }
}

/** The text is one the reference parser rejects, or an edit would make it one. */
export class IniFormatError extends IniError {}

/** A section name, key or value the reference parser could not read back as written. */
export class IniValueError extends IniError {}

/** Makes the errors a document throws. */
export interface IniErrors {
  /** For {@link IniFormatError}'s cases. */
  format(message: string, fix: string): Error;
  /** For {@link IniValueError}'s cases. */
  value(message: string, fix?: string): Error;
}

/** The default: the library's own {@link IniFormatError} and {@link IniValueError}. */
export const INI_ERRORS: IniErrors = {
  format: (message, fix) => new IniFormatError(message, { fix }),
  value: (message, fix) => new IniValueError(message, { fix }),
};

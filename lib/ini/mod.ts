/**
 * A lossless editor for the AWS shared credentials and config files, exact
 * to botocore, the reference parser: `parseIni(text).toString() === text`
 * for every string; `problems` lists what botocore would reject;
 * `toRecord()` and `get()` give what botocore reads; `set()`, `delete()`
 * and `removeSection()` change only the lines they must.
 *
 * Pure: strings in, strings out. Read files with {@link decodeIniBytes}.
 *
 * @module
 */

export { IniDocument, type IniRecord, parseIni, type ParseIniOptions } from "./document.ts";
export {
  INI_ERRORS,
  IniError,
  type IniErrorOptions,
  type IniErrors,
  IniFormatError,
  IniValueError,
} from "./errors.ts";
export type { IniProblem, IniValue } from "./scan_model.ts";
export { decodeIniBytes } from "./decode.ts";
export { configProfiles, configProfileSection, getConfigProfile } from "./config_profiles.ts";
export { type IniView, QuickIni, quickScanIni, type QuickScanOptions } from "./quick_scan.ts";

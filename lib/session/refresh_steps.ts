/**
 * What a refresh needs past the skip, in one module so that the refresh loads
 * it with one dynamic import: each dynamic import builds a module graph of its
 * own at run time, so one for the lot is faster than one per module. The skip
 * path loads none of it.
 *
 * @module
 */
export { chooseCodeSource, openCodeReader } from "./code_source.ts";
export { callOptionsFor, resolveCallSettings } from "../aws/api/call_settings.ts";
export { fingerprintOf } from "../files/fingerprint.ts";
export * from "./code_exchange.ts";
export * from "./source_keys.ts";
// The writer's modules, which the file layer would otherwise import on the first write.
import "../files/transaction.ts";

/**
 * How awsmfa names an access key in what it prints (pure): enough to
 * recognise the key, never enough to use it.
 *
 * @module
 */

/** `AKIA…WXYZ`: the first and last four characters of an access key id. */
export function shortKeyId(accessKeyId: string): string {
  return accessKeyId.length > 8
    ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`
    : accessKeyId;
}

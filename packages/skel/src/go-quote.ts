/**
 * The two Go formatting details skel needs beyond `@cni-ts/types`' `goQuote`: `%s` of a string list,
 * and the way Go's JSON scanner quotes the byte it stopped at.
 */

import { goQuote } from "@cni-ts/types";

/**
 * Formats a list like Go's `%s` of a `[]string`: `[a b]`. Never throws.
 */
export function goList(items: readonly string[]): string {
  return `[${items.join(" ")}]`;
}

/**
 * Quotes one byte the way Go's JSON scanner does in its syntax errors: in single quotes, `'\''` for a
 * quote, and a byte of 0x80 or more shown as the Latin-1 character of the same value. Never throws.
 */
export function goQuoteByte(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return "'\"'";
  // upstream-compat: Go converts the byte to a rune before quoting, so 0xC3 prints as 'Ã'.
  return `'${goQuote(String.fromCharCode(byte)).slice(1, -1)}'`;
}

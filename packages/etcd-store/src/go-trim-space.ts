/**
 * Go's `strings.TrimSpace`, which upstream applies to container IDs: the store keeps IDs trimmed the
 * same way so that a record reads back identically from disk and from etcd.
 */

// Go's unicode.IsSpace set: ASCII white space plus Unicode White_Space (U+0085 and U+00A0 included,
// U+FEFF not), which differs from JavaScript's trim().
const GO_SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "g");

/** `text` without leading and trailing white space as Go's `strings.TrimSpace` defines it. Never throws. */
export function goTrimSpace(text: string): string {
  return text.replace(GO_TRIM, "");
}

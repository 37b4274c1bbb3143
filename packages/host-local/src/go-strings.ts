/**
 * Go's notion of white space (`unicode.IsSpace`), which upstream's `strings.TrimSpace` and
 * `strings.Fields` use. JavaScript's `\s` and `trim()` differ: they lack U+0085 and add U+FEFF.
 */

const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "gu");
const SEPARATOR = new RegExp(`[${GO_SPACE}]+`, "u");

/** `text` without leading and trailing white space, as Go's `strings.TrimSpace`. Never throws. */
export function goTrimSpace(text: string): string {
  return text.replace(TRIM, "");
}

/** The non-empty runs of non-space characters of `text`, as Go's `strings.Fields`. Never throws. */
export function goFields(text: string): string[] {
  const trimmed = goTrimSpace(text);
  return trimmed === "" ? [] : trimmed.split(SEPARATOR);
}

/**
 * Go's `%q` formatting (`strconv.Quote`), which upstream uses inside many error messages, e.g.
 * `ARGS: invalid pair "<pair>"` or `invalid version "<v>": too many parts`.
 */

// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

function quoteChar(char: string): string {
  if (char === '"' || char === "\\") return `\\${char}`;
  if (PRINTABLE.test(char)) return char;
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  const code = char.codePointAt(0) ?? 0;
  // A lone surrogate cannot come from UTF-8 input; Go would see U+FFFD, which is printable.
  if (code >= 0xd800 && code <= 0xdfff) return "\ufffd";
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/**
 * Quotes a string exactly as Go's `%q` verb does: double quotes, backslash escapes for `"` and `\`,
 * short escapes (`\n`, `\t`, ...), `\xNN` for other ASCII controls and `\uNNNN`/`\UNNNNNNNN` for
 * non-printable runes; printable Unicode is kept as is. Never throws.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const char of value) out += quoteChar(char);
  return `${out}"`;
}

/**
 * Formats a string list as Go's `%q` verb does for a `[]string`: `["a" "b"]`. Never throws.
 */
export function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(" ")}]`;
}

/**
 * A JSON writer that reproduces Go's `encoding/json` output byte for byte, which is what every
 * upstream plugin prints: `json.MarshalIndent(v, "", "    ")` for results and errors, and
 * `json.NewEncoder(w).Encode(v)` (compact) for the VERSION document.
 *
 * Objects keep their key order: callers that need Go's struct order or sorted keys build objects in
 * that order (see `print-result.ts`).
 */

import { CNI_ERROR_CODES, CniError } from "./errors.js";

const HEX = "0123456789abcdef";

/**
 * Escapes one string the way Go's encoder does with HTML escaping on (the default for `Marshal`):
 * `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`; U+2028 and U+2029 as `\u2028`, `\u2029`;
 * `\b \f \n \r \t` in short form (Go 1.22 and later, which upstream HEAD requires); every other
 * control character as `\u00XX`. Invalid UTF-16 (a lone surrogate) becomes `\ufffd`, as Go does
 * for invalid UTF-8.
 */
function quoteJsonString(value: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    let replacement: string | undefined;
    if (code < 0x20) {
      if (code === 0x08) replacement = "\\b";
      else if (code === 0x0c) replacement = "\\f";
      else if (code === 0x0a) replacement = "\\n";
      else if (code === 0x0d) replacement = "\\r";
      else if (code === 0x09) replacement = "\\t";
      else replacement = `\\u00${HEX[code >> 4]}${HEX[code & 0xf]}`;
    } else if (code === 0x22) {
      replacement = '\\"';
    } else if (code === 0x5c) {
      replacement = "\\\\";
    } else if (code === 0x3c || code === 0x3e || code === 0x26) {
      replacement = `\\u00${HEX[code >> 4]}${HEX[code & 0xf]}`;
    } else if (code === 0x2028 || code === 0x2029) {
      replacement = `\\u${code.toString(16)}`;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      replacement = "\\ufffd";
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      replacement = "\\ufffd";
    }
    if (replacement !== undefined) {
      out += value.slice(start, i) + replacement;
      start = i + 1;
    }
  }
  return `${out}${value.slice(start)}"`;
}

function unsupported(what: string): CniError {
  // upstream-compat: the text of Go's json.UnsupportedValueError.
  return new CniError(CNI_ERROR_CODES.Internal, `json: unsupported value: ${what}`);
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) throw unsupported("NaN");
  if (!Number.isFinite(value)) throw unsupported(value > 0 ? "+Inf" : "-Inf");
  // JavaScript switches to exponent notation at the same magnitudes as Go (below 1e-6, from 1e21)
  // and writes exponents the same way (`1e-7`, `1e+21`).
  return Object.is(value, -0) ? "-0" : String(value);
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

function encode(value: unknown, indent: string, depth: string, seen: Set<object>): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quoteJsonString(value);
    case "number":
      return formatNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      // undefined, functions and symbols have no JSON form; the caller skips or nulls them.
      return undefined;
  }
  if (hasToJson(value)) return encode(value.toJSON(), indent, depth, seen);
  if (seen.has(value)) throw unsupported("encountered a cycle");
  seen.add(value);
  const inner = depth + indent;
  const open = indent === "" ? "" : `\n${inner}`;
  const close = indent === "" ? "" : `\n${depth}`;
  const comma = indent === "" ? "," : `,\n${inner}`;
  let out: string;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => encode(item, indent, inner, seen) ?? "null");
    out = items.length === 0 ? "[]" : `[${open}${items.join(comma)}${close}]`;
  } else {
    const colon = indent === "" ? ":" : ": ";
    const members: string[] = [];
    for (const [key, member] of Object.entries(value)) {
      const encoded = encode(member, indent, inner, seen);
      if (encoded !== undefined) members.push(`${quoteJsonString(key)}${colon}${encoded}`);
    }
    out = members.length === 0 ? "{}" : `{${open}${members.join(comma)}${close}}`;
  }
  seen.delete(value);
  return out;
}

/**
 * Serialises a JSON-like value as Go's encoder does (`indent` "" gives the compact form).
 * Internal: the public entry points are {@link printJson} and the printers built on it.
 */
export function encodeJson(value: unknown, indent: string): string {
  return encode(value, indent, "", new Set()) ?? "null";
}

/**
 * Prints a value as upstream's `json.MarshalIndent(v, "", "    ")` does: 4-space indent,
 * `"key": value`, `[]` and `{}` for empty containers, no trailing newline, and Go's string escaping
 * (`<` `>` `&` as `\u003c` `\u003e` `\u0026`, U+2028/U+2029 escaped, control characters other
 * than `\b \f \n \r \t` as `\u00XX`).
 *
 * Object keys keep their insertion order; `toJSON()` is honoured; `undefined` members are left out
 * (array slots become `null`); a bigint prints as its digits.
 *
 * @throws {CniError} 999 `json: unsupported value: NaN` (or `+Inf`, `-Inf`, `encountered a cycle`),
 *   as Go's encoder refuses those values.
 */
export function printJson(value: unknown): string {
  return encodeJson(value, "    ");
}

/**
 * Prints a CNI error object as upstream does: `{code, msg, details?}` in that order (no
 * `cniVersion`, like upstream), pretty-printed with {@link printJson}, no trailing newline.
 * Never throws.
 */
export function printError(err: CniError): string {
  return printJson(err.toJSON());
}

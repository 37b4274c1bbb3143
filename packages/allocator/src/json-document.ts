/**
 * A JSON reader that keeps what `JSON.parse` throws away: every object member in document order,
 * repeated keys included. Go's decoder assigns members one after another (so the last of several
 * keys that match a field case-insensitively wins, and a repeated object merges into the first),
 * and reproducing that needs the members as written. Syntax errors carry Go's scanner texts.
 */
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";

/** A JSON number, kept as its literal text so integer checks and error texts see what was written. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object: its members in document order, repeated keys kept. */
export class JsonObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, JsonValue]>) {}
}

/** Any JSON value; strings, booleans and null are plain JavaScript values. */
export type JsonValue = null | boolean | string | JsonNumber | JsonObject | JsonValue[];

// Go's scanner refuses documents nested deeper than this.
const MAX_DEPTH = 10000;

function quoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  const code = ch.charCodeAt(0);
  // Go reports the offending byte; for a multi-byte character that is its first UTF-8 byte.
  const byte = code < 0x80 ? code : (Buffer.from(ch, "utf8")[0] ?? code);
  const named: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    9: "\\t",
    10: "\\n",
    11: "\\v",
    12: "\\f",
    13: "\\r",
  };
  const name = named[byte];
  if (name !== undefined) return `'${name}'`;
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, "0")}'`;
  if (byte === 0x5c) return "'\\\\'";
  return `'${String.fromCharCode(byte)}'`;
}

/** A container still being read: an array's items, or an object's members and the pending key. */
type Frame = { items: JsonValue[] } | { entries: Array<[string, JsonValue]>; key: string };

class Scanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  private fail(context: string): never {
    if (this.pos >= this.text.length) {
      throw new CniError(CNI_ERROR_CODES.DecodingFailure, "unexpected end of JSON input");
    }
    throw new CniError(
      CNI_ERROR_CODES.DecodingFailure,
      `invalid character ${quoteChar(this.text.charAt(this.pos))} ${context}`,
    );
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") return;
      this.pos++;
    }
  }

  // Iterative rather than recursive, so that a document nested as deep as Go allows cannot exhaust
  // the call stack.
  document(): JsonValue {
    const stack: Frame[] = [];
    this.skipSpace();
    for (;;) {
      let value: JsonValue;
      const c = this.text.charAt(this.pos);
      if (c === "{" || c === "[") {
        if (stack.length >= MAX_DEPTH) this.fail("exceeded max depth");
        this.pos++;
        this.skipSpace();
        if (c === "[") {
          if (this.text.charAt(this.pos) !== "]") {
            stack.push({ items: [] });
            continue;
          }
          this.pos++;
          value = [];
        } else {
          if (this.text.charAt(this.pos) !== "}") {
            stack.push({ entries: [], key: this.key() });
            continue;
          }
          this.pos++;
          value = new JsonObject([]);
        }
      } else {
        value = this.scalar();
      }
      // Hand the finished value to its container; close every container that ends here.
      for (;;) {
        const top = stack.at(-1);
        if (top === undefined) {
          this.skipSpace();
          if (this.pos < this.text.length) this.fail("after top-level value");
          return value;
        }
        this.skipSpace();
        const next = this.text.charAt(this.pos);
        if ("items" in top) {
          top.items.push(value);
          if (next === "]") {
            this.pos++;
            stack.pop();
            value = top.items;
            continue;
          }
          if (next !== ",") this.fail("after array element");
        } else {
          top.entries.push([top.key, value]);
          if (next === "}") {
            this.pos++;
            stack.pop();
            value = new JsonObject(top.entries);
            continue;
          }
          if (next !== ",") this.fail("after object key:value pair");
        }
        this.pos++;
        this.skipSpace();
        if (!("items" in top)) top.key = this.key();
        break;
      }
    }
  }

  private key(): string {
    if (this.text.charAt(this.pos) !== '"') this.fail("looking for beginning of object key string");
    const key = this.string();
    this.skipSpace();
    if (this.text.charAt(this.pos) !== ":") this.fail("after object key");
    this.pos++;
    this.skipSpace();
    return key;
  }

  private scalar(): JsonValue {
    const c = this.text.charAt(this.pos);
    switch (c) {
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        return this.fail("looking for beginning of value");
    }
  }

  private literal<T extends JsonValue>(word: string, result: T): T {
    for (let i = 0; i < word.length; i++) {
      if (this.text.charAt(this.pos) !== word.charAt(i)) {
        this.fail(`in literal ${word} (expecting ${quoteChar(word.charAt(i))})`);
      }
      this.pos++;
    }
    return result;
  }

  private digits(context: string): void {
    const c = this.text.charAt(this.pos);
    if (!(c >= "0" && c <= "9")) this.fail(context);
    while (this.text.charAt(this.pos) >= "0" && this.text.charAt(this.pos) <= "9") this.pos++;
  }

  private number(): JsonNumber {
    const start = this.pos;
    if (this.text.charAt(this.pos) === "-") this.pos++;
    if (this.text.charAt(this.pos) === "0") {
      this.pos++;
    } else {
      this.digits("in numeric literal");
    }
    if (this.text.charAt(this.pos) === ".") {
      this.pos++;
      this.digits("after decimal point in numeric literal");
    }
    const e = this.text.charAt(this.pos);
    if (e === "e" || e === "E") {
      this.pos++;
      const sign = this.text.charAt(this.pos);
      if (sign === "+" || sign === "-") this.pos++;
      this.digits("in exponent of numeric literal");
    }
    return new JsonNumber(this.text.slice(start, this.pos));
  }

  private hex4(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.text.charAt(this.pos);
      const d = Number.parseInt(c, 16);
      if (c === "" || Number.isNaN(d)) this.fail("in \\u hexadecimal character escape");
      value = value * 16 + d;
      this.pos++;
    }
    return value;
  }

  private string(): string {
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("in string literal");
      const c = this.text.charAt(this.pos);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < " ") this.fail("in string literal");
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      this.pos++;
      const esc = this.text.charAt(this.pos);
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      const replacement = simple[esc];
      if (replacement !== undefined) {
        out += replacement;
        this.pos++;
        continue;
      }
      if (esc !== "u") this.fail("in string escape code");
      this.pos++;
      out += this.unicodeEscape();
    }
  }

  // Go decodes a \u escape pair into one character and a lone surrogate into U+FFFD.
  private unicodeEscape(): string {
    const first = this.hex4();
    if (first < 0xd800 || first > 0xdfff) return String.fromCharCode(first);
    if (first <= 0xdbff && this.text.startsWith("\\u", this.pos)) {
      const save = this.pos;
      this.pos += 2;
      const second = this.hex4();
      if (second >= 0xdc00 && second <= 0xdfff) return String.fromCharCode(first, second);
      this.pos = save; // the second escape stands on its own
    }
    return "\ufffd";
  }
}

/**
 * Parses a whole JSON document, keeping object members in order with repeated keys.
 *
 * @throws CniError 6 (decoding failure) with Go's scanner text, e.g. `unexpected end of JSON input`
 *   or `invalid character 'x' looking for beginning of value`.
 */
export function parseJsonDocument(text: string): JsonValue {
  return new Scanner(text).document();
}

/**
 * Converts a parsed value to what `JSON.parse` would have returned for it: numbers become JavaScript
 * numbers and a repeated key keeps its last value (at its first position). Iterative, like the reader.
 */
export function toPlainJson(value: JsonValue): unknown {
  const pending: Array<[JsonObject | JsonValue[], Record<string, unknown> | unknown[]]> = [];
  const convert = (v: JsonValue): unknown => {
    if (v instanceof JsonNumber) return Number(v.text);
    if (v instanceof JsonObject) {
      const target: Record<string, unknown> = {};
      pending.push([v, target]);
      return target;
    }
    if (Array.isArray(v)) {
      const target: unknown[] = [];
      pending.push([v, target]);
      return target;
    }
    return v;
  };
  const root = convert(value);
  for (let job = pending.pop(); job !== undefined; job = pending.pop()) {
    const [source, target] = job;
    if (source instanceof JsonObject) {
      for (const [k, v] of source.entries) {
        // defineProperty keeps a "__proto__" key plain data, as JSON.parse does.
        Object.defineProperty(target, k, {
          value: convert(v),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    } else if (Array.isArray(target)) {
      for (const v of source) target.push(convert(v));
    }
  }
  return root;
}

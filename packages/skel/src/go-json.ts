/**
 * Just enough of Go's `encoding/json` to give the same answers upstream's skel gives when it decodes
 * the network configuration into one-string-field structs: the same syntax error texts, the same
 * type error texts, case-insensitive key matching and "the last matching key wins".
 *
 * Runtimes and tests compare these messages verbatim, so the scanner follows Go's byte-level state
 * machine rather than `JSON.parse`, whose errors name different things.
 */

import { goJsonKind } from "@cni-ts/types";
import { goQuoteByte } from "./go-quote.js";

/** A JSON text that Go's decoder refuses; `message` is Go's error text. */
export class GoJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoJsonError";
  }
}

// Go refuses documents nested deeper than this.
const MAX_NESTING_DEPTH = 10000;

type Container = "objectKey" | "objectValue" | "arrayValue";

type State =
  | "beginValue"
  | "beginValueOrEmpty"
  | "beginKeyOrEmpty"
  | "beginKey"
  | "endValue"
  | "endTop"
  | "inString"
  | "inStringEscape"
  | "inUnicodeEscape"
  | "negative"
  | "integer"
  | "zero"
  | "dot"
  | "fraction"
  | "exponent"
  | "exponentSign"
  | "exponentDigits"
  | "literal"
  | "failed";

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Go's JSON syntax checker, fed one byte at a time. */
class SyntaxScanner {
  private state: State = "beginValue";
  private readonly stack: Container[] = [];
  private topLevelDone = false;
  private literal = "";
  private literalPos = 0;
  private hexDigitsLeft = 0;
  error: string | undefined;

  /** Feeds one byte; false once the input is known to be invalid. */
  step(c: number): boolean {
    switch (this.state) {
      case "beginValue":
        return this.beginValue(c);
      case "beginValueOrEmpty":
        if (isSpace(c)) return true;
        return c === 0x5d ? this.endValue(c) : this.beginValue(c);
      case "beginKeyOrEmpty":
        if (isSpace(c)) return true;
        if (c === 0x7d) {
          this.stack[this.stack.length - 1] = "objectValue";
          return this.endValue(c);
        }
        return this.beginKey(c);
      case "beginKey":
        return this.beginKey(c);
      case "endValue":
        return this.endValue(c);
      case "endTop":
        return this.endTop(c);
      case "inString":
        if (c === 0x22) {
          this.state = "endValue";
          return true;
        }
        if (c === 0x5c) {
          this.state = "inStringEscape";
          return true;
        }
        return c < 0x20 ? this.fail(c, "in string literal") : true;
      case "inStringEscape":
        // b f n r t \ / "
        if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) {
          this.state = "inString";
          return true;
        }
        if (c === 0x75) {
          this.state = "inUnicodeEscape";
          this.hexDigitsLeft = 4;
          return true;
        }
        return this.fail(c, "in string escape code");
      case "inUnicodeEscape":
        if (!isHexDigit(c)) return this.fail(c, "in \\u hexadecimal character escape");
        this.hexDigitsLeft--;
        if (this.hexDigitsLeft === 0) this.state = "inString";
        return true;
      case "negative":
        if (c === 0x30) {
          this.state = "zero";
          return true;
        }
        if (isDigit(c)) {
          this.state = "integer";
          return true;
        }
        return this.fail(c, "in numeric literal");
      case "integer":
        if (isDigit(c)) return true;
        return this.afterInteger(c);
      case "zero":
        return this.afterInteger(c);
      case "dot":
        if (isDigit(c)) {
          this.state = "fraction";
          return true;
        }
        return this.fail(c, "after decimal point in numeric literal");
      case "fraction":
        if (isDigit(c)) return true;
        if (c === 0x65 || c === 0x45) {
          this.state = "exponent";
          return true;
        }
        return this.endValue(c);
      case "exponent":
        if (c === 0x2b || c === 0x2d) {
          this.state = "exponentSign";
          return true;
        }
        return this.exponentSign(c);
      case "exponentSign":
        return this.exponentSign(c);
      case "exponentDigits":
        return isDigit(c) ? true : this.endValue(c);
      case "literal": {
        const expected = this.literal.charCodeAt(this.literalPos);
        if (c !== expected) {
          return this.fail(c, `in literal ${this.literal} (expecting '${this.literal[this.literalPos]}')`);
        }
        this.literalPos++;
        if (this.literalPos === this.literal.length) this.state = "endValue";
        return true;
      }
      case "failed":
        return false;
    }
  }

  /** Signals the end of input; false when the document is incomplete or was already invalid. */
  end(): boolean {
    if (this.error !== undefined) return false;
    if (this.topLevelDone) return true;
    // A trailing space completes a number such as `12`, exactly as Go does it.
    this.step(0x20);
    if (this.topLevelDone) return true;
    this.error ??= "unexpected end of JSON input";
    return false;
  }

  private fail(c: number, context: string): false {
    this.error = `invalid character ${goQuoteByte(c)} ${context}`;
    this.state = "failed";
    return false;
  }

  private push(c: number, container: Container): boolean {
    this.stack.push(container);
    return this.stack.length <= MAX_NESTING_DEPTH ? true : this.fail(c, "exceeded max depth");
  }

  private beginValue(c: number): boolean {
    if (isSpace(c)) return true;
    switch (c) {
      case 0x7b: // {
        this.state = "beginKeyOrEmpty";
        return this.push(c, "objectKey");
      case 0x5b: // [
        this.state = "beginValueOrEmpty";
        return this.push(c, "arrayValue");
      case 0x22:
        this.state = "inString";
        return true;
      case 0x2d:
        this.state = "negative";
        return true;
      case 0x30:
        this.state = "zero";
        return true;
      case 0x74:
        return this.startLiteral("true");
      case 0x66:
        return this.startLiteral("false");
      case 0x6e:
        return this.startLiteral("null");
    }
    if (isDigit(c)) {
      this.state = "integer";
      return true;
    }
    return this.fail(c, "looking for beginning of value");
  }

  private startLiteral(literal: string): true {
    this.state = "literal";
    this.literal = literal;
    this.literalPos = 1;
    return true;
  }

  private beginKey(c: number): boolean {
    if (isSpace(c)) return true;
    if (c === 0x22) {
      this.state = "inString";
      return true;
    }
    return this.fail(c, "looking for beginning of object key string");
  }

  private afterInteger(c: number): boolean {
    if (c === 0x2e) {
      this.state = "dot";
      return true;
    }
    if (c === 0x65 || c === 0x45) {
      this.state = "exponent";
      return true;
    }
    return this.endValue(c);
  }

  private exponentSign(c: number): boolean {
    if (isDigit(c)) {
      this.state = "exponentDigits";
      return true;
    }
    return this.fail(c, "in exponent of numeric literal");
  }

  private endValue(c: number): boolean {
    const depth = this.stack.length;
    if (depth === 0) {
      this.state = "endTop";
      this.topLevelDone = true;
      return this.endTop(c);
    }
    if (isSpace(c)) {
      this.state = "endValue";
      return true;
    }
    switch (this.stack[depth - 1]) {
      case "objectKey":
        if (c === 0x3a) {
          this.stack[depth - 1] = "objectValue";
          this.state = "beginValue";
          return true;
        }
        return this.fail(c, "after object key");
      case "objectValue":
        if (c === 0x2c) {
          this.stack[depth - 1] = "objectKey";
          this.state = "beginKey";
          return true;
        }
        if (c === 0x7d) return this.pop();
        return this.fail(c, "after object key:value pair");
      default:
        if (c === 0x2c) {
          this.state = "beginValue";
          return true;
        }
        if (c === 0x5d) return this.pop();
        return this.fail(c, "after array element");
    }
  }

  private pop(): true {
    this.stack.pop();
    if (this.stack.length === 0) {
      this.state = "endTop";
      this.topLevelDone = true;
    } else {
      this.state = "endValue";
    }
    return true;
  }

  private endTop(c: number): boolean {
    return isSpace(c) ? true : this.fail(c, "after top-level value");
  }
}

/**
 * Checks `data` the way Go's `json.Unmarshal` does before decoding anything.
 * Returns Go's syntax error text (e.g. `invalid character 'o' in literal null (expecting 'u')`, or
 * `unexpected end of JSON input` for empty input), or `undefined` when the document is valid.
 */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  const scanner = new SyntaxScanner();
  for (const c of data) {
    if (!scanner.step(c)) return scanner.error;
  }
  return scanner.end() ? undefined : scanner.error;
}

// Go's decoder replaces invalid UTF-8 with U+FFFD and keeps a BOM as a character (it is a syntax
// error outside strings anyway), which is what this decoder does.
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decodes bytes as UTF-8 the way Go's decoder reads them. Never throws. */
export function decodeUtf8(data: Uint8Array): string {
  return UTF8.decode(data);
}

type ValueKind = "object" | "array" | "string" | "number" | "bool" | "null";

function kindAt(text: string, i: number): ValueKind {
  switch (text[i]) {
    case "{":
      return "object";
    case "[":
      return "array";
    case '"':
      return "string";
    case "t":
    case "f":
      return "bool";
    case "n":
      return "null";
    default:
      return "number";
  }
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j;
}

/** Index just past the string token that starts at `i` (an opening quote). */
function endOfString(text: string, i: number): number {
  let j = i + 1;
  while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** Index just past the (already validated) value that starts at `i`. */
function endOfValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return endOfString(text, i);
  if (first !== "{" && first !== "[") {
    let j = i;
    while (j < text.length && /[-+.0-9a-zA-Z]/.test(text[j] ?? "")) j++;
    return j;
  }
  let depth = 0;
  let j = i;
  do {
    const ch = text[j];
    if (ch === '"') {
      j = endOfString(text, j);
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
    j++;
  } while (depth > 0);
  return j;
}

// A JSON string in Go never holds a lone surrogate: `\ud800` decodes to U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function decodeStringToken(token: string): string {
  const value: unknown = JSON.parse(token);
  return typeof value === "string" ? value.replace(LONE_SURROGATE, "\ufffd") : "";
}

/**
 * Go's key folding for struct field matching: ASCII letters compared without case, other characters
 * by their simple upper-case mapping (so `ſ` matches `s` and `ı` matches `i`).
 */
function foldKey(key: string): string {
  let out = "";
  for (const ch of key) {
    const upper = ch.toUpperCase();
    // Go maps one rune to one rune; JS may expand (`ß` to `SS`), which Go leaves alone.
    out += [...upper].length === 1 ? upper : ch;
  }
  return out;
}

// Nesting depth can never exceed the number of opening brackets (nor, so, the length of the text).
function withinNestingLimit(text: string): boolean {
  if (text.length <= MAX_NESTING_DEPTH) return true;
  let opening = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x7b || c === 0x5b) && ++opening > MAX_NESTING_DEPTH) return false;
  }
  return true;
}

/** What the fast path needs to know about a field name; undefined for a name it leaves to Go's walk. */
interface FieldProbe {
  /** The name as {@link foldKey} folds it. */
  readonly wanted: string;
  /** `"<field>"` followed by a colon, in any letter case (see {@link decodeStringFieldFast}). */
  readonly lookalike: RegExp;
}

const probes = new Map<string, FieldProbe | undefined>();

// Only ASCII names: then a key can fold to the name only if it has as many UTF-16 units, and the
// regular expression's case-insensitive match covers every ASCII spelling.
function probeFor(field: string): FieldProbe | undefined {
  if (!probes.has(field)) {
    const ascii = /^[\x20-\x7e]+$/.test(field);
    const escaped = field.replace(/[^0-9A-Za-z]/g, "\\$&");
    probes.set(
      field,
      ascii ? { wanted: foldKey(field), lookalike: new RegExp(`"${escaped}"\\s*:`, "gi") } : undefined,
    );
  }
  return probes.get(field);
}

/**
 * The fast path of {@link decodeGoStringField}: the engine's own `JSON.parse` (some 50 times faster
 * than the byte-level walk, which is what a one-shot plugin process pays for) wherever its answer
 * provably equals Go's, else undefined, and the caller takes the slow path, which also produces
 * every error text. It answers only when
 * - `JSON.parse` accepts the text: Go's scanner accepts exactly the same documents, up to its depth
 *   limit, which {@link withinNestingLimit} rules out;
 * - the document is an object or null (anything else is a type error worded by the slow path);
 * - there is no `\u` escape anywhere, so a key that means the field is spelled out in the text, and
 *   no lone surrogate can appear in the value;
 * - every spelling of the field followed by a colon in the text is a distinct top-level key. This is
 *   what makes the object `JSON.parse` built enough: a repeated key (Go reads each occurrence, in
 *   order, and the first type error wins) would have been merged.
 * Then the top-level keys, in document order, are read as Go reads them. Exported for the tests.
 */
export function decodeStringFieldFast(
  text: string,
  field: string,
): { value: string | undefined; typeError: string | undefined } | undefined {
  const probe = probeFor(field);
  if (probe === undefined || text.includes("\\u")) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!withinNestingLimit(text)) return undefined;
  if (document === null) return { value: undefined, typeError: undefined };
  if (typeof document !== "object" || Array.isArray(document)) return undefined;
  const members = document as Record<string, unknown>;
  const matching = Object.keys(members).filter(
    (key) => key.length === field.length && foldKey(key) === probe.wanted,
  );
  if (matching.length !== (text.match(probe.lookalike)?.length ?? 0)) return undefined;
  let value: string | undefined;
  let typeError: string | undefined;
  for (const key of matching) {
    const member = members[key];
    if (typeof member === "string") value = member;
    else if (member !== null) {
      typeError ??= `json: cannot unmarshal ${goJsonKind(member)} into Go struct field .${field} of type string`;
    }
  }
  return { value, typeError };
}

/**
 * Decodes the string field `field` of a JSON object the way Go's `json.Unmarshal` fills a struct with
 * one `string` field tagged `json:"<field>"`: keys match without regard to case, the last matching key
 * wins, `null` leaves the field alone, anything other than a string is a type error (the first one
 * wins, even if a later key supplies a string), and other keys are ignored.
 *
 * `goType` is the Go spelling of the struct, used in the error for a non-object document.
 * Returns the field's value, or `undefined` when no key set it.
 * Throws {@link GoJsonError} with Go's message for invalid JSON or a type mismatch.
 */
export function decodeGoStringField(data: Uint8Array, field: string, goType: string): string | undefined {
  const text = decodeUtf8(data);
  const fast = decodeStringFieldFast(text, field);
  if (fast !== undefined) {
    if (fast.typeError !== undefined) throw new GoJsonError(fast.typeError);
    return fast.value;
  }
  return decodeGoStringFieldSlow(data, text, field, goType);
}

/**
 * {@link decodeGoStringField} by Go's own method: the byte-level syntax check, then a walk over the
 * top-level members as written. Exported for the tests that hold the fast path to it.
 */
export function decodeGoStringFieldSlow(
  data: Uint8Array,
  text: string,
  field: string,
  goType: string,
): string | undefined {
  const syntax = goJsonSyntaxError(data);
  if (syntax !== undefined) throw new GoJsonError(syntax);
  let i = skipSpace(text, 0);
  const topKind = kindAt(text, i);
  if (topKind === "null") return undefined;
  if (topKind !== "object") {
    throw new GoJsonError(`json: cannot unmarshal ${topKind} into Go value of type ${goType}`);
  }
  const wanted = foldKey(field);
  let value: string | undefined;
  let typeError: string | undefined;
  i = skipSpace(text, i + 1);
  while (text[i] === '"') {
    const keyEnd = endOfString(text, i);
    const key = decodeStringToken(text.slice(i, keyEnd));
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
    const valueEnd = endOfValue(text, valueStart);
    if (foldKey(key) === wanted) {
      const kind = kindAt(text, valueStart);
      if (kind === "string") value = decodeStringToken(text.slice(valueStart, valueEnd));
      else if (kind !== "null") {
        typeError ??= `json: cannot unmarshal ${kind} into Go struct field .${field} of type string`;
      }
    }
    i = skipSpace(text, valueEnd);
    if (text[i] === ",") i = skipSpace(text, i + 1);
  }
  if (typeError !== undefined) throw new GoJsonError(typeError);
  return value;
}

/**
 * A small model of Go's `encoding/json` decoding into upstream's result structs, so that a
 * prevResult is accepted, refused and normalised the way upstream's library does it:
 *
 * - object keys are visited in byte order (upstream re-encodes the prevResult map, which sorts
 *   keys) and matched to fields case-insensitively, so the last of `IPs`/`ips` wins;
 * - decoding merges into what is already there (a struct field decoded twice keeps what the second
 *   object does not mention), except through a type's own `UnmarshalJSON`, which starts afresh;
 * - a value of the wrong JSON type is remembered and reported at the end (the first one wins),
 *   while a failure inside an `UnmarshalJSON` (a bad CIDR, a bad IP) stops decoding at once;
 * - `null` leaves a value alone, or sets a list or pointer to nil;
 * - numbers were float64 in upstream's generic map before they reach an int field, exactly like
 *   JavaScript numbers, so `1e3` and `1.0` are integers and `1.5` is refused;
 * - addresses are parsed strictly and printed back in Go's canonical form.
 *
 * Internal to this package.
 */

import { formatCidrText, formatIpText, parseCidrText, parseIpText } from "../ip-text.js";

/** A Go struct: its type name (for error context), its reflect type (for type errors), its fields. */
export interface StructSchema {
  readonly kind: "struct";
  readonly name: string;
  readonly goType: string;
  /** JSON field name to field schema. */
  readonly fields: Readonly<Record<string, Schema>>;
}

/** A type with its own `UnmarshalJSON` that decodes into a private struct, e.g. `IPConfig`. */
export interface CustomSchema {
  readonly kind: "custom";
  readonly inner: StructSchema;
}

/** Every Go type the result structs use. */
export type Schema =
  | { readonly kind: "string" }
  /** `int` or, when `pointer`, `*int` (which `null` resets); zero is undefined here. */
  | { readonly kind: "int"; readonly pointer: boolean }
  /** `types.IPNet`, decoded through its `UnmarshalJSON`. */
  | { readonly kind: "ipnet" }
  /** `net.IP`, decoded through its `UnmarshalText`. */
  | { readonly kind: "ip" }
  | { readonly kind: "slice"; readonly goType: string; readonly elem: Schema }
  | { readonly kind: "pointer"; readonly elem: StructSchema | CustomSchema }
  | StructSchema
  | CustomSchema;

/** A decoded struct: only the fields that were set; absent means Go's zero value. */
export type Decoded = Record<string, unknown>;

/** Go's `*json.UnmarshalTypeError`. */
export class GoTypeError extends Error {
  structName = "";
  field = "";

  constructor(
    readonly value: string,
    readonly goType: string,
  ) {
    super();
  }

  override get message(): string {
    if (this.structName !== "" || this.field !== "") {
      return `json: cannot unmarshal ${this.value} into Go struct field ${this.structName}.${this.field} of type ${this.goType}`;
    }
    return `json: cannot unmarshal ${this.value} into Go value of type ${this.goType}`;
  }
}

/** An error returned by a type's own decoder, e.g. `invalid CIDR address: 1.2.3.4/99`. */
export class GoDecodeError extends Error {}

interface DecodeState {
  saved: GoTypeError | undefined;
  structName: string | undefined;
  stack: string[];
}

/** Go's error context: the innermost struct's name and the field path from the decode's root. */
function addContext(err: GoTypeError, state: DecodeState): void {
  if (state.structName === undefined && state.stack.length === 0) return;
  err.structName = state.structName ?? "";
  err.field = [...state.stack, ...(err.field === "" ? [] : [err.field])].join(".");
}

function save(err: GoTypeError, state: DecodeState): void {
  if (state.saved !== undefined) return;
  addContext(err, state);
  state.saved = err;
}

/** The word Go's type errors use for a JSON value's type: string, number, bool, array, object. */
export function kindOf(input: unknown): string {
  if (Array.isArray(input)) return "array";
  switch (typeof input) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "bool";
    default:
      return "object";
  }
}

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === "object" && input !== null && !Array.isArray(input);
}

/** Go's case folding for field names: ASCII upper case, plus the two non-ASCII letters that fold to ASCII. */
function foldName(name: string): string {
  return [...name]
    .map((c) => (c === "\u017f" ? "S" : c === "\u212a" ? "K" : c < "\u0080" ? c.toUpperCase() : c))
    .join("");
}

/** Byte order of the UTF-8 encodings, which is code point order. */
function byteOrder(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

function decodeStruct(schema: StructSchema, input: unknown, current: unknown, state: DecodeState): unknown {
  if (input === null) return current;
  if (!isObject(input)) {
    save(new GoTypeError(kindOf(input), schema.goType), state);
    return current;
  }
  const out: Decoded = isObject(current) ? { ...current } : {};
  const byFold = new Map(Object.keys(schema.fields).map((name) => [foldName(name), name]));
  for (const key of Object.keys(input).sort(byteOrder)) {
    const name = byFold.get(foldName(key));
    const fieldSchema = name === undefined ? undefined : schema.fields[name];
    if (name === undefined || fieldSchema === undefined) continue;
    const outerStruct = state.structName;
    const depth = state.stack.length;
    state.stack.push(name);
    state.structName = schema.name;
    out[name] = decodeValue(fieldSchema, input[key], out[name], state);
    // Not in a `finally`: when decoding stops, the context at the failure is what Go reports.
    state.stack.length = depth;
    state.structName = outerStruct;
  }
  return out;
}

function decodeValue(schema: Schema, input: unknown, current: unknown, state: DecodeState): unknown {
  switch (schema.kind) {
    case "string":
      if (input === null) return current;
      if (typeof input === "string") return input;
      save(new GoTypeError(kindOf(input), "string"), state);
      return current;
    case "int":
      if (input === null) return schema.pointer ? undefined : current;
      if (typeof input === "number" && Number.isInteger(input) && input >= -(2 ** 63) && input < 2 ** 63)
        return input;
      save(new GoTypeError(typeof input === "number" ? `number ${input}` : kindOf(input), "int"), state);
      return current;
    case "ip": {
      if (input === null || input === "") return undefined;
      if (typeof input !== "string") {
        save(new GoTypeError(kindOf(input), "net.IP"), state);
        return current;
      }
      const ip = parseIpText(input);
      if (ip === undefined) throw new GoDecodeError(`invalid IP address: ${input}`);
      return formatIpText(ip);
    }
    case "ipnet": {
      // upstream-compat: IPNet's UnmarshalJSON reads a string (null reads as ""), then parses it.
      if (input !== null && typeof input !== "string") throw new GoTypeError(kindOf(input), "string");
      const text = input ?? "";
      const cidr = parseCidrText(text);
      if (cidr === undefined) throw new GoDecodeError(`invalid CIDR address: ${text}`);
      return formatCidrText(cidr);
    }
    case "slice": {
      if (input === null) return undefined;
      if (!Array.isArray(input)) {
        save(new GoTypeError(kindOf(input), schema.goType), state);
        return current;
      }
      const existing = Array.isArray(current) ? current : [];
      return input.map((item: unknown, i) => decodeValue(schema.elem, item, existing[i], state));
    }
    case "pointer":
      if (input === null) return undefined;
      return decodeValue(schema.elem, input, current, state);
    case "struct":
      return decodeStruct(schema, input, current, state);
    case "custom":
      // A fresh decode into the private struct, whose result replaces the value.
      return unmarshal(schema.inner, input);
  }
}

/**
 * Decodes `input` (already-parsed JSON) into `schema` as one Go `json.Unmarshal` call does.
 *
 * @throws {GoTypeError} the first value of the wrong JSON type, with Go's context.
 * @throws {GoDecodeError} a failure inside a type's own decoder.
 */
export function unmarshal(schema: StructSchema, input: unknown): Decoded {
  const state: DecodeState = { saved: undefined, structName: undefined, stack: [] };
  let value: unknown;
  try {
    value = decodeStruct(schema, input, undefined, state);
  } catch (err) {
    if (err instanceof GoTypeError) addContext(err, state);
    throw err;
  }
  if (state.saved !== undefined) throw state.saved;
  return isObject(value) ? value : {};
}

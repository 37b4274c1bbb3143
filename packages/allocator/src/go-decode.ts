/**
 * The parts of Go's `encoding/json` decoding that upstream's config loading inherits, so a config is
 * accepted, merged and refused the way the Go plugin does it:
 *
 * - object keys match field names case-insensitively (Go's folding, where `ſ` matches `s` and the
 *   Kelvin sign matches `k`), members are applied in order, so the last matching key wins and a
 *   repeated object merges into the earlier one;
 * - `null` leaves strings, numbers and structs alone and resets slices and pointers;
 * - a JSON type that does not fit a field is remembered and reported after the whole document was
 *   decoded (only the first such error counts), while a custom decoder's error (a bad CIDR or IP text)
 *   stops decoding at once and wins over a remembered type error.
 */
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { JsonValue } from "./json-document.js";
import { JsonNumber, JsonObject } from "./json-document.js";

/** Where a value sits, as Go's `UnmarshalTypeError` names it: the Go struct type and the JSON key path. */
export interface FieldContext {
  readonly struct: string;
  readonly field: string;
}

/** Go's `UnmarshalTypeError`, kept structured until the end so an outer decoder can re-label it. */
export class UnmarshalTypeError extends Error {
  constructor(
    readonly valueKind: string,
    readonly goType: string,
    readonly at: FieldContext | undefined,
  ) {
    super(
      at === undefined
        ? `json: cannot unmarshal ${valueKind} into Go value of type ${goType}`
        : `json: cannot unmarshal ${valueKind} into Go struct field ${at.struct}.${at.field} of type ${goType}`,
    );
    this.name = "UnmarshalTypeError";
  }

  /** The same error as seen from an outer decoder, which replaces the context with its own. */
  relabel(at: FieldContext): UnmarshalTypeError {
    return new UnmarshalTypeError(this.valueKind, this.goType, at);
  }

  /** The error host-local reports: code 999 with Go's text. */
  toCniError(): CniError {
    return new CniError(CNI_ERROR_CODES.Internal, this.message);
  }
}

/** Go's name for the kind of a JSON value in type errors. */
export function jsonKind(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (value instanceof JsonNumber) return "number";
  if (value instanceof JsonObject) return "object";
  return "array";
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Go's case folding of a JSON key for matching it against a field name. */
export function foldName(name: string): string {
  // Every key of a real config is ASCII, where the folding is plain upper-casing; the replace below
  // calls back into JavaScript once per letter, which a one-shot process pays for dozens of keys.
  if (!NON_ASCII.test(name)) return name.toUpperCase();
  return name.replace(/[a-z\u017f\u212a]/g, (c) => {
    if (c === "\u017f") return "S";
    if (c === "\u212a") return "K";
    return c.toUpperCase();
  });
}

/**
 * One decoding run: collects the first type mismatch, as Go's decoder does, for {@link finish}.
 */
export class GoDecoder {
  private saved: UnmarshalTypeError | undefined;

  /** Remembers a type mismatch unless an earlier one was remembered already. */
  mismatch(value: JsonValue, goType: string, at: FieldContext | undefined): void {
    this.saved ??= new UnmarshalTypeError(jsonKind(value), goType, at);
  }

  /** Remembers a mismatch whose value text Go spells out itself (`number 1.5`). */
  mismatchText(valueKind: string, goType: string, at: FieldContext): void {
    this.saved ??= new UnmarshalTypeError(valueKind, goType, at);
  }

  /**
   * Ends the run.
   *
   * @throws UnmarshalTypeError the first remembered mismatch, if any.
   */
  finish(): void {
    if (this.saved !== undefined) throw this.saved;
  }
}

/**
 * Applies an object's members to field handlers keyed by the fields' JSON names, in document order,
 * matching keys with Go's folding. Unknown keys are ignored.
 */
export function decodeMembers(
  object: JsonObject,
  handlers: Readonly<Record<string, (value: JsonValue) => void>>,
): void {
  const byFold = new Map<string, (value: JsonValue) => void>();
  for (const [name, handler] of Object.entries(handlers)) byFold.set(foldName(name), handler);
  for (const [key, value] of object.entries) byFold.get(foldName(key))?.(value);
}

/**
 * Decodes a Go struct-typed value: an object has its members applied, `null` changes nothing, and any
 * other JSON type is remembered as a mismatch against `goType`.
 */
export function decodeStruct(
  d: GoDecoder,
  value: JsonValue,
  goType: string,
  at: FieldContext | undefined,
  handlers: Readonly<Record<string, (value: JsonValue) => void>>,
): void {
  if (value instanceof JsonObject) decodeMembers(value, handlers);
  else if (value !== null) d.mismatch(value, goType, at);
}

/** Decodes a Go `string`: `null` keeps `current`, a non-string is a mismatch. */
export function decodeString(d: GoDecoder, value: JsonValue, current: string, at: FieldContext): string {
  if (typeof value === "string") return value;
  if (value !== null) d.mismatch(value, "string", at);
  return current;
}

/**
 * Decodes a Go `int`: an integer literal within JavaScript's safe range (Go allows the full 64 bits,
 * which a JavaScript number cannot carry exactly). `null` keeps `current`.
 */
export function decodeInt(d: GoDecoder, value: JsonValue, current: number, at: FieldContext): number {
  if (value instanceof JsonNumber) {
    if (/^-?[0-9]+$/.test(value.text)) {
      const n = Number(value.text);
      if (Number.isSafeInteger(n)) return n;
    }
    d.mismatchText(`number ${value.text}`, "int", at);
    return current;
  }
  if (value !== null) d.mismatch(value, "int", at);
  return current;
}

/**
 * Decodes a Go slice: `null` resets it, an array decodes element by element into the previous
 * elements (Go reuses them), any other JSON type is a mismatch that keeps `current`.
 */
export function decodeSlice<T>(
  d: GoDecoder,
  value: JsonValue,
  current: T[] | undefined,
  goType: string,
  at: FieldContext,
  element: (value: JsonValue, previous: T | undefined, index: number) => T,
): T[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) {
    d.mismatch(value, goType, at);
    return current;
  }
  return value.map((v, i) => element(v, current?.[i], i));
}

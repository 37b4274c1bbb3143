/**
 * The `CNI_ARGS` parser, with the semantics of upstream's `types.LoadArgs`.
 */

import { CNI_ERROR_CODES, CniError } from "./errors.js";
import { goQuote, goQuoteList } from "./go-quote.js";

/** Turns the text of one `CNI_ARGS` value into a typed value; throws (any Error) when it cannot. */
export type CniArgParser<T> = (value: string) => T;

/** The known keys of a `CNI_ARGS` target, each with its value parser. Keys are case-sensitive. */
export type CniArgFields = Readonly<Record<string, CniArgParser<unknown>>>;

/**
 * What {@link parseCniArgs} returns: each known key that appeared, with its parsed value, plus
 * `IgnoreUnknown` (false unless given).
 */
export type ParsedCniArgs<F extends CniArgFields> = { -readonly [K in keyof F]?: ReturnType<F[K]> } & {
  IgnoreUnknown: boolean;
};

/**
 * Upstream's `UnmarshallableBool`: `1`/`true` and `0`/`false` in any letter case.
 *
 * @throws {Error} `boolean unmarshal error: invalid input <value in lower case>`.
 */
export function parseCniArgBool(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === "1" || lower === "true") return true;
  if (lower === "0" || lower === "false") return false;
  throw new Error(`boolean unmarshal error: invalid input ${lower}`);
}

/** Upstream's `UnmarshallableString`: the text as is, the empty string included. Never throws. */
export function parseCniArgString(value: string): string {
  return value;
}

function argsError(msg: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR_CODES.Internal, msg, cause === undefined ? {} : { cause });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Parses a `CNI_ARGS` string (`K=V;K2=V2`) exactly like upstream's `LoadArgs`:
 *
 * - `""` gives nothing (just `IgnoreUnknown: false`);
 * - the string is split on `;` and every piece must split on `=` into exactly two parts, so an
 *   empty piece (a trailing `;`) or a value containing `=` is an error; nothing is trimmed;
 * - keys are matched case-sensitively against `fields`; `IgnoreUnknown` is always known and parsed
 *   by {@link parseCniArgBool} (a parser given for it in `fields` is not used);
 * - when a key appears twice the last value wins;
 * - pairs with unknown keys are collected and, once every pair is parsed, reported unless
 *   `IgnoreUnknown` ended up true.
 *
 * Pairs are processed in order and the first failure is thrown.
 *
 * @throws {CniError} 999 with upstream's texts: `ARGS: invalid pair "<piece>"`,
 *   `ARGS: error parsing value of pair "<pair>": <parser's message>`,
 *   `ARGS: unknown args ["K=V" "X=Y"]`, and for the key `CommonArgs` (the name of the struct every
 *   upstream args type embeds) `ARGS: cannot unmarshal into field 'CommonArgs' - type
 *   '*types.CommonArgs' does not implement encoding.TextUnmarshaler`.
 */
export function parseCniArgs<F extends CniArgFields>(raw: string, fields: F): ParsedCniArgs<F> {
  // No prototype, so that a field named like an Object.prototype member stays a plain key.
  const values: Record<string, unknown> = Object.create(null);
  let ignoreUnknown = false;
  if (raw === "") return { IgnoreUnknown: false } as ParsedCniArgs<F>;
  const unknown: string[] = [];
  for (const pair of raw.split(";")) {
    const parts = pair.split("=");
    if (parts.length !== 2) throw argsError(`ARGS: invalid pair ${goQuote(pair)}`);
    const [key = "", value = ""] = parts;
    if (key === "CommonArgs") {
      // upstream-compat: reflection finds the embedded CommonArgs struct itself under this name.
      throw argsError(
        "ARGS: cannot unmarshal into field 'CommonArgs' - type '*types.CommonArgs' does not implement encoding.TextUnmarshaler",
      );
    }
    const parser =
      key === "IgnoreUnknown" ? parseCniArgBool : Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (parser === undefined) {
      unknown.push(pair);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parser(value);
    } catch (err) {
      throw argsError(`ARGS: error parsing value of pair ${goQuote(pair)}: ${describe(err)}`, err);
    }
    if (key === "IgnoreUnknown") ignoreUnknown = parsed === true;
    else values[key] = parsed;
  }
  if (unknown.length > 0 && !ignoreUnknown) throw argsError(`ARGS: unknown args ${goQuoteList(unknown)}`);
  return { ...values, IgnoreUnknown: ignoreUnknown } as ParsedCniArgs<F>;
}

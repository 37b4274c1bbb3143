/**
 * The CNI error model: one error class and the spec's table of well-known codes.
 *
 * Codes 0-99 are reserved by the spec for well-known errors; plugins may use 100+ for their own.
 */

/** Every well-known CNI error code, each with the spec's meaning. */
export const CNI_ERROR_CODES = {
  /** Incompatible CNI version. */
  IncompatibleCniVersion: 1,
  /** Unsupported field in network configuration; the message must name the key and value. */
  UnsupportedField: 2,
  /** Container unknown or does not exist; the runtime need not do any container network cleanup. */
  UnknownContainer: 3,
  /** Invalid necessary environment variables, like CNI_COMMAND or CNI_CONTAINERID; the message names them. */
  InvalidEnvironmentVariables: 4,
  /** I/O failure, for example failing to read network config bytes from stdin or to write the data dir. */
  IoFailure: 5,
  /** Failed to decode content, for example failing to unmarshal network config or a version. */
  DecodingFailure: 6,
  /** Invalid network config: some validation failed. */
  InvalidNetworkConfig: 7,
  /** Network namespace problem (library code, not in the spec table). */
  InvalidNetNs: 8,
  /** Try again later: a transient condition, such as a locked or unreachable store. */
  TryAgainLater: 11,
  /** STATUS: the plugin is not available, it cannot service ADD requests. */
  PluginNotAvailable: 50,
  /** STATUS: the plugin is not available and existing containers may have limited connectivity. */
  LimitedConnectivity: 51,
  /** Internal error: anything else. */
  Internal: 999,
} as const;

/** A numeric CNI error code: one of the well-known ones, or a plugin-specific code of 100 or more. */
export type CniErrorCode = (typeof CNI_ERROR_CODES)[keyof typeof CNI_ERROR_CODES] | number;

/** The error object exactly as the spec puts it on stdout. */
export interface CniErrorJson {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

// A registered symbol (not a module-local one) so that `isCniError` recognises errors created by a
// second copy of this package, e.g. one bundled into another library.
const BRAND = Symbol.for("@cni-ts/types.CniError");

/** Options for {@link CniError}. */
export interface CniErrorOptions {
  /** Longer explanation, printed as the spec's `details`. */
  details?: string;
  /** The underlying error, kept for debugging; never printed. */
  cause?: unknown;
}

/**
 * A CNI error: what a plugin prints on stdout, with exit status 1, when a command fails.
 *
 * `message` is upstream's Go `Error()` form (`msg`, or `msg; details`), so a `CniError` wrapped into
 * another message reads the same as upstream's.
 */
export class CniError extends Error {
  readonly code: CniErrorCode;
  readonly msg: string;
  readonly details: string | undefined;

  constructor(code: CniErrorCode, msg: string, options: CniErrorOptions = {}) {
    super(options.details ? `${msg}; ${options.details}` : msg, { cause: options.cause });
    this.name = "CniError";
    this.code = code;
    this.msg = msg;
    this.details = options.details || undefined;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The spec's error object; `details` is left out when empty, as upstream does. */
  toJSON(): CniErrorJson {
    const out: CniErrorJson = { code: this.code, msg: this.msg };
    if (this.details) out.details = this.details;
    return out;
  }
}

/** True for a {@link CniError}, also one created by another copy of this package. */
export function isCniError(value: unknown): value is CniError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Turns anything thrown into a {@link CniError}: a CniError passes through unchanged, anything else
 * becomes `code` (999 unless given) with its message as `msg` and the original kept as `cause`.
 * This mirrors upstream's skel, which reports any non-CNI error as 999 with the error text.
 */
export function toCniError(err: unknown, code: CniErrorCode = CNI_ERROR_CODES.Internal): CniError {
  if (isCniError(err)) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new CniError(code, text, { cause: err });
}

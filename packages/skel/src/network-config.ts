/**
 * The two things skel reads from the network configuration itself: the network name, which it
 * validates for every command but VERSION, and the `cniVersion` that gates the commands.
 */

import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { decodeGoStringField, decodeUtf8, GoJsonError } from "./go-json.js";
import { validateNetworkName } from "./validation.js";

// Go's spelling of the anonymous structs upstream decodes into; they appear in its type errors.
const NAME_STRUCT = 'struct { Name string "json:\\"name\\"" }';
const VERSION_STRUCT = 'struct { CNIVersion string "json:\\"cniVersion\\"" }';

/** The version a configuration without `cniVersion` (or with `""`) declares. */
export const IMPLICIT_CNI_VERSION = "0.1.0";

function goMessage(err: unknown): string {
  if (err instanceof GoJsonError) return err.message;
  throw err;
}

/**
 * Checks that `stdinData` is a JSON document whose `name` is a valid network name, decoding it the way
 * upstream's Go decoder does, and returns the document parsed with `JSON.parse`.
 * Throws {@link CniError} 6 `error unmarshall network config: <Go decoder message>` (empty input gives
 * `unexpected end of JSON input`), 7 `missing network name`, or 7 `invalid characters found in network
 * name` with the name as details.
 */
export function parseNetworkConfig(stdinData: Uint8Array): Record<string, unknown> {
  let name: string | undefined;
  try {
    name = decodeGoStringField(stdinData, "name", NAME_STRUCT);
  } catch (err) {
    throw new CniError(
      CNI_ERROR_CODES.DecodingFailure,
      `error unmarshall network config: ${goMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  if (name === undefined || name === "") {
    throw new CniError(CNI_ERROR_CODES.InvalidNetworkConfig, "missing network name");
  }
  validateNetworkName(name);
  // The Go decoder accepted the document and found a name in it, so it is a JSON object.
  return JSON.parse(decodeUtf8(stdinData)) as Record<string, unknown>;
}

/**
 * Returns the configuration's `cniVersion` as upstream decodes it: matched without regard to key
 * case, the last such key winning, and `0.1.0` when absent, `null` or `""`.
 * Throws {@link CniError} 6 `decoding version from network config: <Go decoder message>`, e.g. when
 * `cniVersion` is not a string.
 */
export function decodeConfigVersion(stdinData: Uint8Array): string {
  let version: string | undefined;
  try {
    version = decodeGoStringField(stdinData, "cniVersion", VERSION_STRUCT);
  } catch (err) {
    throw new CniError(
      CNI_ERROR_CODES.DecodingFailure,
      `decoding version from network config: ${goMessage(err)}`,
      { cause: err },
    );
  }
  return version === undefined || version === "" ? IMPLICIT_CNI_VERSION : version;
}

/**
 * Version negotiation between the configuration's `cniVersion` and the versions the plugin supports.
 */

import {
  CNI_ERROR_CODES,
  CniError,
  compareVersions,
  goQuote,
  goQuoteList,
  parseVersion,
} from "@cni-ts/types";

/**
 * Requires `configVersion` to be exactly one of `supportedVersions` (string equality: `1.0` is not
 * `1.0.0`).
 * Throws {@link CniError} 1 `incompatible CNI versions` with details such as
 * `config is "1.0", plugin supports ["0.4.0" "1.0.0"]`.
 */
export function checkVersionSupported(configVersion: string, supportedVersions: readonly string[]): void {
  if (supportedVersions.includes(configVersion)) return;
  throw new CniError(CNI_ERROR_CODES.IncompatibleCniVersion, "incompatible CNI versions", {
    details: `config is ${goQuote(configVersion)}, plugin supports ${goQuoteList(supportedVersions)}`,
  });
}

function parseOrDecodingError(version: string): void {
  try {
    parseVersion(version);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    throw new CniError(CNI_ERROR_CODES.DecodingFailure, text, { cause: err });
  }
}

/** The commands that exist only from some spec version on, with that version. */
export const MINIMUM_VERSIONS = { CHECK: "0.4.0", GC: "1.1.0", STATUS: "1.1.0" } as const;

/** A command gated by {@link MINIMUM_VERSIONS}. */
export type GatedCommand = keyof typeof MINIMUM_VERSIONS;

/**
 * Decides whether CHECK, GC or STATUS may run, in upstream's order: the config version must parse and
 * be at least the command's minimum; then the first supported version at least as new as the config's
 * must exist (entries before it must parse), and the config version must be exactly supported.
 * Throws {@link CniError} 6 with the version parser's message, 1 `config version does not allow
 * <COMMAND>`, 1 `plugin version does not allow <COMMAND>`, or 1 `incompatible CNI versions`.
 */
export function checkVersionAllows(
  command: GatedCommand,
  configVersion: string,
  supportedVersions: readonly string[],
): void {
  parseOrDecodingError(configVersion);
  if (compareVersions(configVersion, MINIMUM_VERSIONS[command]) < 0) {
    throw new CniError(CNI_ERROR_CODES.IncompatibleCniVersion, `config version does not allow ${command}`);
  }
  for (const pluginVersion of supportedVersions) {
    parseOrDecodingError(pluginVersion);
    if (compareVersions(pluginVersion, configVersion) >= 0) {
      checkVersionSupported(configVersion, supportedVersions);
      return;
    }
  }
  throw new CniError(CNI_ERROR_CODES.IncompatibleCniVersion, `plugin version does not allow ${command}`);
}

/**
 * The identifier checks of upstream's `pkg/utils`: container IDs, network names and interface names.
 */

import { CNI_ERROR_CODES, CniError, hasGoSpace } from "@cni-ts/types";

// ASCII only, first character alphanumeric: the spec's rule for container IDs and network names.
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

// The kernel's IFNAMSIZ is 16 bytes including the terminating NUL.
const MAX_INTERFACE_NAME_BYTES = 15;

/**
 * Checks a container ID (`CNI_CONTAINERID`): non-empty and matching `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`.
 * Throws {@link CniError} 3 `missing containerID` when empty, or 4 `invalid characters in containerID`
 * with the ID as details.
 */
export function validateContainerId(containerId: string): void {
  if (containerId === "") {
    throw new CniError(CNI_ERROR_CODES.UnknownContainer, "missing containerID");
  }
  if (!VALID_NAME.test(containerId)) {
    throw new CniError(CNI_ERROR_CODES.InvalidEnvironmentVariables, "invalid characters in containerID", {
      details: containerId,
    });
  }
}

/**
 * Checks a network name (the config's `name`) with the container-ID rule.
 * Throws {@link CniError} 7 `missing network name:` when empty (upstream's helper text, colon
 * included), or 7 `invalid characters found in network name` with the name as details.
 */
export function validateNetworkName(networkName: string): void {
  if (networkName === "") {
    // upstream-compat: the helper's text ends in a colon; skel's own emptiness check has none.
    throw new CniError(CNI_ERROR_CODES.InvalidNetworkConfig, "missing network name:");
  }
  if (!VALID_NAME.test(networkName)) {
    throw new CniError(CNI_ERROR_CODES.InvalidNetworkConfig, "invalid characters found in network name", {
      details: networkName,
    });
  }
}

/**
 * Checks an interface name (`CNI_IFNAME`) with the kernel's rules: non-empty, at most 15 bytes of
 * UTF-8, not `.` or `..`, and no `/`, `:` or whitespace (Go's `unicode.IsSpace`).
 * Throws {@link CniError} 4 with `interface name is empty`, `interface name is too long` (details
 * `interface name should be less than 16 characters`), `interface name is . or ..`, or
 * `interface name contains / or : or whitespace characters`.
 */
export function validateInterfaceName(ifName: string): void {
  const code = CNI_ERROR_CODES.InvalidEnvironmentVariables;
  if (ifName === "") throw new CniError(code, "interface name is empty");
  // Bytes, not characters: the kernel counts bytes.
  if (Buffer.byteLength(ifName, "utf8") > MAX_INTERFACE_NAME_BYTES) {
    throw new CniError(code, "interface name is too long", {
      details: `interface name should be less than ${MAX_INTERFACE_NAME_BYTES + 1} characters`,
    });
  }
  if (ifName === "." || ifName === "..") throw new CniError(code, "interface name is . or ..");
  // Go's unicode.IsSpace, which (unlike JavaScript's \s) includes U+0085 and excludes U+FEFF.
  if (ifName.includes("/") || ifName.includes(":") || hasGoSpace(ifName)) {
    throw new CniError(code, "interface name contains / or : or whitespace characters");
  }
}

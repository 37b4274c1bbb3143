import { isIP } from "node:net";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";

/** Name of the lock file in a network directory (upstream's name). */
export const LOCK_FILE_NAME = "lock";

/** Prefix of the round-robin hint files: `last_reserved_ip.<rangeId>` (upstream's name). */
export const LAST_RESERVED_IP_PREFIX = "last_reserved_ip.";

/**
 * True when `name` is a reservation file name: it parses as an IP address the way Go's `net.ParseIP`
 * accepts one. Node's `isIP` agrees with Go (no leading zeros in IPv4, mapped forms allowed) except
 * that it takes an IPv6 zone (`fe80::1%eth0`), which Go refuses; dot-names are ours, never addresses.
 * This is what keeps `lock`, `last_reserved_ip.*` and our temp files out of every scan (upstream
 * compares their contents too, contract section 10 item 6).
 */
export function isAddressName(name: string): boolean {
  return !name.startsWith(".") && !name.includes("%") && isIP(name) !== 0;
}

/**
 * Throws CniError 999 unless `network` can be used as one directory name below the data dir: not
 * empty, not `.` or `..`, without `/` or NUL. Anything else could address a directory outside
 * `<dataDir>/`.
 */
export function checkNetworkName(network: string): void {
  const problem =
    network === ""
      ? "is empty"
      : network === "." || network === ".."
        ? `"${network}" is not a directory name`
        : network.includes("/")
          ? `"${network}" contains "/"`
          : network.includes("\0")
            ? "contains a NUL byte"
            : undefined;
  if (problem !== undefined) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid network name for the disk store: name ${problem}`);
  }
}

/** Throws CniError 999 unless `ip` is a reservation file name ({@link isAddressName}). */
export function checkAddressName(ip: string): void {
  if (!isAddressName(ip)) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid IP address for the disk store: "${ip}"`);
  }
}

/**
 * Throws CniError 999 unless `rangeId` keeps `last_reserved_ip.<rangeId>` a plain file name in the
 * network directory (not empty, no `/`, no NUL).
 */
export function checkRangeId(rangeId: string): void {
  if (rangeId === "" || rangeId.includes("/") || rangeId.includes("\0")) {
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid range id for the disk store: "${rangeId}"`);
  }
}

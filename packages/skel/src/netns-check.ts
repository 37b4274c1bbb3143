/**
 * The network-namespace self-check: a runtime must never ask a plugin to configure the namespace the
 * plugin itself runs in (that would reconfigure the host).
 */

import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { FileIdentity } from "./sys/index.js";
import { sys } from "./sys/index.js";

/** Where Linux exposes the calling process's own network namespace. */
export const OWN_NETNS_PATH = "/proc/self/ns/net";

/**
 * True when `CNI_NETNS_OVERRIDE` turns the self-check off: `1`, or `true` in any letter case.
 * Never throws.
 */
export function isNetnsOverride(value: string): boolean {
  return value === "1" || value.toUpperCase() === "TRUE";
}

/**
 * Fails when `netnsPath` names the same network namespace as `ownNetnsPath` (compared by device and
 * inode, as the kernel identifies namespaces). A path that cannot be read passes: checking that the
 * namespace exists is the plugin's business, and DEL may be called for a namespace that is gone.
 * Throws {@link CniError} 8 `plugin's netns and netns from CNI_NETNS should not be the same`, or 8
 * `get plugin's netns failed` when the plugin's own namespace cannot be read.
 */
export function checkNetns(netnsPath: string, ownNetnsPath: string = OWN_NETNS_PATH): void {
  let target: FileIdentity | undefined;
  try {
    // A namespace already gone (DEL) is common, and an exception costs start-up.
    target = sys.identify(netnsPath);
  } catch {
    // Deliberately swallowed: an unreadable CNI_NETNS is not this check's concern.
    return;
  }
  // A missing CNI_NETNS passes as well, for the same reason.
  if (target === undefined) return;
  let own: FileIdentity | undefined;
  try {
    own = sys.identify(ownNetnsPath);
  } catch (err) {
    throw new CniError(CNI_ERROR_CODES.InvalidNetNs, "get plugin's netns failed", { cause: err });
  }
  if (own === undefined) throw new CniError(CNI_ERROR_CODES.InvalidNetNs, "get plugin's netns failed");
  if (target.dev === own.dev && target.ino === own.ino) {
    throw new CniError(
      CNI_ERROR_CODES.InvalidNetNs,
      "plugin's netns and netns from CNI_NETNS should not be the same",
    );
  }
}

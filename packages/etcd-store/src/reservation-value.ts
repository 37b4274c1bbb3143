import { goTrimSpace } from "@cni-ts/types";
/**
 * The value of an address key: the same bytes as upstream's reservation file (contract 6.2), so a
 * reader of either store sees the same owner, and `etcdctl get` shows what `cat` would.
 */

/** Who holds an address, as the `Store` contract of `@cni-ts/allocator` describes an owner. */
export interface EtcdOwner {
  /** The container ID, trimmed; `""` for a value with no owner in it (written by hand). */
  containerId: string;
  /** Undefined for a legacy record that names only the container. */
  ifname: string | undefined;
}

const LINE_BREAK = "\r\n";

/**
 * The value recording `owner`: `<containerId>\r\n<ifname>`, or the container ID alone for a legacy
 * record. The caller passes a trimmed ID. Never throws.
 */
export function toReservationValue(owner: EtcdOwner): string {
  return owner.ifname === undefined ? owner.containerId : `${owner.containerId}${LINE_BREAK}${owner.ifname}`;
}

/**
 * Reads a value back as upstream reads a reservation file: trimmed like Go's `TrimSpace`, then split
 * at the first `\r\n`; without one it is a legacy record. An `<id>\r\n` with nothing after it trims to
 * the ID alone, so it reads as legacy too, exactly as the same file on disk would. Never throws.
 */
export function parseReservationValue(value: string): EtcdOwner {
  const trimmed = goTrimSpace(value);
  const at = trimmed.indexOf(LINE_BREAK);
  if (at < 0) return { containerId: trimmed, ifname: undefined };
  return { containerId: trimmed.slice(0, at), ifname: trimmed.slice(at + LINE_BREAK.length) };
}

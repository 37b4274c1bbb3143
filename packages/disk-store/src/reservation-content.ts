import { goTrimSpace } from "@cni-ts/types";

/** Separates the container ID from the ifname in a reservation file (upstream's `LineBreak`). */
export const LINE_BREAK = "\r\n";

/**
 * The content of a reservation file, and what a scan compares trimmed contents with:
 * `<trimmed id>\r\n<ifname>`, no trailing newline (contract 6.2).
 */
export function reservationKey(containerId: string, ifname: string): string {
  return `${goTrimSpace(containerId)}${LINE_BREAK}${ifname}`;
}

/** What a legacy reservation file (written by very old upstream versions) holds: the trimmed ID. */
export function legacyKey(containerId: string): string {
  return goTrimSpace(containerId);
}

/** The holder of a reservation as read from its file. */
export interface ParsedOwner {
  containerId: string;
  /** Undefined for a legacy file that names only the container. */
  ifname: string | undefined;
}

/**
 * Splits trimmed reservation content at its first `\r\n` into ID and ifname. Content without a line
 * break is a legacy record (`ifname` undefined); empty content gives the ID `""`, an ownerless
 * reservation (a crash of upstream between create and write leaves one).
 */
export function parseReservation(trimmed: string): ParsedOwner {
  const at = trimmed.indexOf(LINE_BREAK);
  if (at < 0) return { containerId: trimmed, ifname: undefined };
  return { containerId: trimmed.slice(0, at), ifname: trimmed.slice(at + LINE_BREAK.length) };
}

/**
 * Where one network's records live in etcd. Everything is under `<prefix>/<network>/`:
 *
 * ```
 * <prefix>/<network>/ips/<ip>                            "<containerId>\r\n<ifname>"  (the reservation)
 * <prefix>/<network>/owners/<containerId>/<ifname>/<ip>  "<node>"  (index of the above, and its host)
 * <prefix>/<network>/last/<rangeId>                      "<ip>"                      (round-robin hint)
 * ```
 *
 * One key per address makes a reservation a compare-and-create on that key alone, so hosts never
 * contend on a shared value. The owner index is written and deleted in the same transaction as its
 * address key, so DEL and CHECK read one small prefix instead of scanning the network. A legacy record
 * (container only) has the empty ifname segment.
 *
 * Network names, container IDs, ifnames and range ids are escaped (every byte outside
 * `[A-Za-z0-9._-]` becomes `%XX`), so none of them can smuggle a `/` into the layout; the names the
 * CNI spec allows come out unchanged. Addresses are canonical text and need no escaping.
 */
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";

const PLAIN_BYTE = /^[A-Za-z0-9._-]$/;

/** Escapes one key segment byte by byte (UTF-8), so it contains no `/`. Never throws. */
export function escapeSegment(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += PLAIN_BYTE.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Reverses {@link escapeSegment}; undefined for text it could not have produced. Never throws. */
export function unescapeSegment(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (PLAIN_BYTE.test(ch)) {
      bytes.push(ch.charCodeAt(0));
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// Canonical address text (Go's net.IP.String()): digits, hex letters, dots and colons only.
const ADDRESS_TEXT = /^[0-9a-f.:]+$/;

/** True for text made only of what canonical address text contains, so it is safe as a key segment. */
export function isAddressText(text: string): boolean {
  return ADDRESS_TEXT.test(text);
}

/**
 * Refuses address text that could break the key layout. The allocator only ever passes canonical text.
 *
 * @throws CniError 999 `invalid address "<ip>"`.
 */
export function checkAddressText(ip: string): void {
  if (!ADDRESS_TEXT.test(ip))
    throw new CniError(CNI_ERROR_CODES.Internal, `invalid address ${JSON.stringify(ip)}`);
}

/** An entry of the owner index, read back from its key. */
export interface OwnerIndexEntry {
  /** The full key, for deleting it. */
  key: string;
  /** `undefined` for a legacy record. */
  ifname: string | undefined;
  ip: string;
}

/** The keys of one network under one prefix. */
export class NetworkKeys {
  /** `<prefix>/<network>/`, the root every key of the network starts with. */
  readonly root: string;
  /** The prefix of every address key. */
  readonly ips: string;
  private readonly owners: string;
  private readonly last: string;

  /**
   * @param prefix the configured prefix, e.g. `/cni-ts`; trailing slashes are dropped, so `/cni-ts/`
   *   names the same keys.
   * @param network the network name (the config's top-level `name`).
   */
  constructor(prefix: string, network: string) {
    this.root = `${prefix.replace(/\/+$/, "")}/${escapeSegment(network)}/`;
    this.ips = `${this.root}ips/`;
    this.owners = `${this.root}owners/`;
    this.last = `${this.root}last/`;
  }

  /** The reservation key of `ip`. */
  ip(ip: string): string {
    return `${this.ips}${ip}`;
  }

  /** The address in an address key, or undefined for a key that is not one. */
  ipOf(key: string): string | undefined {
    if (!key.startsWith(this.ips)) return undefined;
    const ip = key.slice(this.ips.length);
    return ADDRESS_TEXT.test(ip) ? ip : undefined;
  }

  /** The prefix of every owner-index key of `containerId` (trimmed by the caller). */
  ownersOf(containerId: string): string {
    return `${this.owners}${escapeSegment(containerId)}/`;
  }

  /** The owner-index key of `ip` held by (`containerId`, `ifname`); `ifname` undefined for legacy. */
  owner(containerId: string, ifname: string | undefined, ip: string): string {
    return `${this.ownersOf(containerId)}${escapeSegment(ifname ?? "")}/${ip}`;
  }

  /** Reads an owner-index key of `containerId` back; undefined for anything else. */
  parseOwner(containerId: string, key: string): OwnerIndexEntry | undefined {
    const base = this.ownersOf(containerId);
    if (!key.startsWith(base)) return undefined;
    const rest = key.slice(base.length);
    const slash = rest.indexOf("/");
    if (slash < 0) return undefined;
    const ifname = unescapeSegment(rest.slice(0, slash));
    const ip = rest.slice(slash + 1);
    if (ifname === undefined || !ADDRESS_TEXT.test(ip)) return undefined;
    return { key, ifname: ifname === "" ? undefined : ifname, ip };
  }

  /** The round-robin hint of range set `rangeId`. */
  lastReserved(rangeId: string): string {
    return `${this.last}${escapeSegment(rangeId)}`;
  }
}

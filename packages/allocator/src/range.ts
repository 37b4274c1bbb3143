/**
 * One range of a range set: a subnet with the inclusive span `[rangeStart, rangeEnd]` handed out
 * from it and the gateway reported with each address (upstream `backend/allocator/range.go`).
 */
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { Cidr, Ip } from "./ip.js";
import {
  cidrContains,
  compareIp,
  formatCidr,
  formatIp,
  ipEquals,
  ipFamilyBits,
  lastAddress,
  networkAddress,
  nextIp,
  prevIp,
} from "./ip.js";

/** A range as configured, before {@link Range.canonicalize} checks it and fills in defaults. */
export interface RangeInit {
  subnet?: Cidr | undefined;
  rangeStart?: Ip | undefined;
  rangeEnd?: Ip | undefined;
  gateway?: Ip | undefined;
}

/** Every field of a canonical range. */
export interface RangeParts {
  /** The network, host bits cleared. */
  subnet: Cidr;
  /** First address handed out, inclusive. */
  rangeStart: Ip;
  /** Last address handed out, inclusive. */
  rangeEnd: Ip;
  /** Reported with each address; never handed out while it is the current range's gateway. */
  gateway: Ip;
}

function configError(msg: string): CniError {
  return new CniError(CNI_ERROR_CODES.Internal, msg);
}

// Upstream's Range.Contains, usable while rangeStart/rangeEnd are still being settled: a bound that is
// not known yet is not checked.
function within(subnet: Cidr, start: Ip | undefined, end: Ip | undefined, ip: Ip): boolean {
  if (ip.family !== subnet.ip.family || !cidrContains(subnet, ip)) return false;
  if (start !== undefined && compareIp(ip, start) < 0) return false;
  if (end !== undefined && compareIp(ip, end) > 0) return false;
  return true;
}

/** A canonical range. Build one with {@link Range.canonicalize}; the constructor trusts its input. */
export class Range implements RangeParts {
  readonly subnet: Cidr;
  readonly rangeStart: Ip;
  readonly rangeEnd: Ip;
  readonly gateway: Ip;

  /** Wraps already canonical parts without checking them (fixtures, or values read back). */
  constructor(parts: RangeParts) {
    this.subnet = parts.subnet;
    this.rangeStart = parts.rangeStart;
    this.rangeEnd = parts.rangeEnd;
    this.gateway = parts.gateway;
  }

  /**
   * Checks a configured range and fills in its defaults, in upstream's order (first failure wins):
   * subnet present; not smaller than /30 (IPv4) or /126 (IPv6); address and mask of one family; no
   * host bits; gateway defaults to network + 1 and is otherwise taken as given (upstream checks
   * nothing about it); rangeStart defaults to network + 1 and must lie in the subnet and not after
   * a given rangeEnd; rangeEnd defaults to the last address (IPv4: broadcast - 1) and must lie in the
   * subnet, not before rangeStart.
   *
   * @throws CniError 999 with upstream's reason, e.g. `Network 10.0.0.0/31 too small to allocate from`,
   *   `IPNet IP and Mask version mismatch`, `Network has host bits set. For a subnet mask of length 24
   *   the network address is 10.0.0.0`, `RangeStart 10.0.1.0 not in network 10.0.0.0/24`,
   *   `RangeEnd …`, `IP <nil> not v4 nor v6` (no subnet), and, a deliberate addition,
   *   `RangeStart <s> is after RangeEnd <e>` when a given rangeStart lies beyond the default rangeEnd.
   */
  static canonicalize(init: RangeInit): Range {
    const subnet = init.subnet;
    if (subnet === undefined) throw configError("IP <nil> not v4 nor v6");
    if (subnet.prefix > subnet.maskBits - 2) {
      throw configError(`Network ${formatCidr(subnet)} too small to allocate from`);
    }
    // Only IPv4-mapped IPv6 text (`::ffff:10.0.0.0/120`) gets here with an IPv4 address and a 128-bit mask.
    if (ipFamilyBits(subnet.ip.family) !== subnet.maskBits) {
      throw configError("IPNet IP and Mask version mismatch");
    }
    const network = networkAddress(subnet.ip, subnet.prefix);
    if (!ipEquals(network, subnet.ip)) {
      throw configError(
        `Network has host bits set. For a subnet mask of length ${subnet.prefix} the network address is ${formatIp(network)}`,
      );
    }
    // upstream-compat: a given gateway is not checked against the subnet, the range or the family.
    const gateway = init.gateway ?? nextIp(network);

    let rangeStart = nextIp(network);
    if (init.rangeStart !== undefined) {
      rangeStart = init.rangeStart;
      // upstream-compat: checked against the rangeEnd as given, so a start after a given end is
      // reported as "not in network".
      if (!within(subnet, rangeStart, init.rangeEnd, rangeStart)) {
        throw configError(`RangeStart ${formatIp(rangeStart)} not in network ${formatCidr(subnet)}`);
      }
    }

    let rangeEnd: Ip;
    if (init.rangeEnd !== undefined) {
      rangeEnd = init.rangeEnd;
      if (!within(subnet, rangeStart, rangeEnd, rangeEnd)) {
        throw configError(`RangeEnd ${formatIp(rangeEnd)} not in network ${formatCidr(subnet)}`);
      }
    } else {
      const last = lastAddress(network, subnet.prefix);
      rangeEnd = network.family === 4 ? prevIp(last) : last;
    }

    // Upstream accepts a rangeStart beyond the default rangeEnd (an IPv4 broadcast address) and then
    // hands out addresses outside the subnet; refusing it is a deliberate difference.
    if (compareIp(rangeStart, rangeEnd) > 0) {
      throw configError(`RangeStart ${formatIp(rangeStart)} is after RangeEnd ${formatIp(rangeEnd)}`);
    }
    return new Range({ subnet, rangeStart, rangeEnd, gateway });
  }

  /**
   * True when `ip` has the subnet's family, lies in the subnet and within `[rangeStart, rangeEnd]`.
   * The gateway counts as contained.
   */
  contains(ip: Ip): boolean {
    return within(this.subnet, this.rangeStart, this.rangeEnd, ip);
  }

  /** True when the ranges share an address family and either holds the other's start or end. */
  overlaps(other: Range): boolean {
    if (this.rangeStart.family !== other.rangeStart.family) return false;
    return (
      this.contains(other.rangeStart) ||
      this.contains(other.rangeEnd) ||
      other.contains(this.rangeStart) ||
      other.contains(this.rangeEnd)
    );
  }

  /** `<rangeStart>-<rangeEnd>`, the form upstream's messages use. */
  toString(): string {
    return `${formatIp(this.rangeStart)}-${formatIp(this.rangeEnd)}`;
  }
}

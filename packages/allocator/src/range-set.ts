/**
 * A range set: the ranges one allocation may draw from, all of one address family and pairwise
 * disjoint (upstream `backend/allocator/range_set.go`). Each set yields one address per ADD.
 */
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import type { Ip, IpFamily } from "./ip.js";
import { formatIp } from "./ip.js";
import type { RangeInit } from "./range.js";
import { Range } from "./range.js";

/** A canonical range set. Build one with {@link RangeSet.canonicalize}; the constructor trusts its input. */
export class RangeSet {
  readonly ranges: readonly Range[];

  /**
   * Wraps canonical ranges without checking them.
   *
   * @throws RangeError when `ranges` is empty (a set always has a first range).
   */
  constructor(ranges: readonly Range[]) {
    if (ranges.length === 0) throw new RangeError("a range set needs at least one range");
    this.ranges = Object.freeze([...ranges]);
  }

  /**
   * Canonicalizes every range (see {@link Range.canonicalize}), then checks the set: not empty, one
   * address family (the first range's), no two ranges overlapping.
   *
   * @throws CniError 999 with upstream's reason: `empty range set`, a range's reason,
   *   `mixed address families`, or `subnets <a>-<b> and <c>-<d> overlap`.
   */
  static canonicalize(inits: readonly RangeInit[]): RangeSet {
    if (inits.length === 0) throw new CniError(CNI_ERROR_CODES.Internal, "empty range set");
    const ranges: Range[] = [];
    for (const init of inits) {
      const range = Range.canonicalize(init);
      const first = ranges[0];
      if (first !== undefined && first.rangeStart.family !== range.rangeStart.family) {
        throw new CniError(CNI_ERROR_CODES.Internal, "mixed address families");
      }
      ranges.push(range);
    }
    ranges.forEach((r1, i) => {
      for (const r2 of ranges.slice(i + 1)) {
        if (r1.overlaps(r2)) {
          throw new CniError(CNI_ERROR_CODES.Internal, `subnets ${r1} and ${r2} overlap`);
        }
      }
    });
    return new RangeSet(ranges);
  }

  /** The set's address family: that of its first range. */
  get family(): IpFamily {
    return this.firstRange.rangeStart.family;
  }

  /** The first range, where a fresh round-robin walk starts. */
  get firstRange(): Range {
    const first = this.ranges[0];
    // The constructor refuses an empty set, so this cannot happen.
    if (first === undefined) throw new RangeError("empty range set");
    return first;
  }

  /** True when some range of the set contains `ip` (see {@link Range.contains}). */
  contains(ip: Ip): boolean {
    return this.ranges.some((r) => r.contains(ip));
  }

  /**
   * The first range that contains `ip`.
   *
   * @throws CniError 999 `<ip> not in range set <set>` when none does.
   */
  rangeFor(ip: Ip): Range {
    const range = this.ranges.find((r) => r.contains(ip));
    if (range === undefined) {
      throw new CniError(CNI_ERROR_CODES.Internal, `${formatIp(ip)} not in range set ${this}`);
    }
    return range;
  }

  /** True when any range of this set overlaps any range of `other`. */
  overlaps(other: RangeSet): boolean {
    return this.ranges.some((r) => other.ranges.some((o) => r.overlaps(o)));
  }

  /** The ranges' `<start>-<end>` forms joined by `,`, as upstream's messages print a set. */
  toString(): string {
    return this.ranges.map((r) => r.toString()).join(",");
  }
}

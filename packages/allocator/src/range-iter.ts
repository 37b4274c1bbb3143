/**
 * The round-robin walk over a range set (upstream `RangeIter` in `backend/allocator/allocator.go`).
 *
 * A walk resumes after the set's last reserved address and visits every address of every range once,
 * ending with the last reserved address itself, so a crash-looping container does not get the same
 * address back until the whole set has been offered. Without a usable last reserved address the walk
 * starts at the first range's rangeStart.
 */
import type { Ip } from "./ip.js";
import { ipEquals, nextIp } from "./ip.js";
import type { Range } from "./range.js";
import type { RangeSet } from "./range-set.js";

/** One address offered by the walk, with the range it belongs to (for its prefix and gateway). */
export interface RangeCandidate {
  readonly ip: Ip;
  readonly range: Range;
}

/** Iterates the candidates of one allocation attempt. */
export class RangeIter implements IterableIterator<RangeCandidate> {
  private readonly ranges: readonly Range[];
  private rangeIdx = 0;
  private cur: Ip | undefined;
  private stop: Ip | undefined;
  private done = false;

  /**
   * @param rangeSet the set to walk.
   * @param lastReservedIp the set's last reserved address; ignored unless the set contains it.
   */
  constructor(rangeSet: RangeSet, lastReservedIp?: Ip) {
    this.ranges = rangeSet.ranges;
    const idx = lastReservedIp === undefined ? -1 : this.ranges.findIndex((r) => r.contains(lastReservedIp));
    if (lastReservedIp !== undefined && idx >= 0) {
      // The first step moves past it; the first candidate then becomes the stop marker.
      this.rangeIdx = idx;
      this.cur = lastReservedIp;
    } else {
      this.stop = rangeSet.firstRange.rangeStart;
    }
  }

  /**
   * The address at which the walk ends when it comes back to it: the first candidate produced
   * (possibly a gateway that was skipped), or the first range's rangeStart for a fresh walk.
   */
  get startIp(): Ip | undefined {
    return this.stop;
  }

  private range(): Range {
    const range = this.ranges[this.rangeIdx];
    // rangeIdx always stays within the set, which is never empty.
    if (range === undefined) throw new RangeError("range index out of bounds");
    return range;
  }

  /** The next candidate, or `done` once every address has been offered (and from then on). */
  next(): IteratorResult<RangeCandidate, undefined> {
    while (!this.done) {
      let range = this.range();
      if (this.cur === undefined) {
        // Fresh walk: rangeStart itself is the first candidate.
        this.cur = range.rangeStart;
        this.stop = this.cur;
      } else {
        if (ipEquals(this.cur, range.rangeEnd)) {
          this.rangeIdx = (this.rangeIdx + 1) % this.ranges.length;
          range = this.range();
          this.cur = range.rangeStart;
        } else {
          this.cur = nextIp(this.cur);
        }
        if (this.stop === undefined) {
          this.stop = this.cur;
        } else if (ipEquals(this.cur, this.stop)) {
          this.done = true;
          break;
        }
      }
      // The gateway of the range being walked is never offered.
      if (!ipEquals(this.cur, range.gateway)) {
        return { done: false, value: { ip: this.cur, range } };
      }
    }
    return { done: true, value: undefined };
  }

  /** The iterator itself, so a walk can be consumed with `for…of`. */
  [Symbol.iterator](): this {
    return this;
  }
}

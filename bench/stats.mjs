// Summary statistics for benchmark samples. Medians and a nearest-rank p90 are robust to the odd
// slow run (a page-cache miss, a scheduler hiccup on a shared 2-core machine), unlike a mean.

/**
 * The median of a list of numbers (the mean of the two middle values for an even count).
 *
 * @param {readonly number[]} values samples in any order; not modified
 * @returns {number} the median
 * @throws {RangeError} when the list is empty
 */
export function median(values) {
  const sorted = sortedCopy(values);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2;
}

/**
 * The 90th percentile by nearest rank: the smallest sample that at least 90% of the samples do not
 * exceed.
 *
 * @param {readonly number[]} values samples in any order; not modified
 * @returns {number} the p90
 * @throws {RangeError} when the list is empty
 */
export function p90(values) {
  const sorted = sortedCopy(values);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.9) - 1)];
}

/**
 * The median of the per-pair ratios a[i] / b[i]. Pairs were measured back to back, so the ratio of
 * each pair cancels drift that affects both binaries alike (CPU frequency, a neighbour's load).
 *
 * @param {readonly number[]} numerators samples of the first binary
 * @param {readonly number[]} denominators samples of the second binary, same length and order
 * @returns {number} the median ratio
 * @throws {RangeError} when the lists are empty or differ in length, or a denominator is not positive
 */
export function medianRatio(numerators, denominators) {
  if (numerators.length !== denominators.length) {
    throw new RangeError(`cannot pair ${numerators.length} samples with ${denominators.length}`);
  }
  return median(
    numerators.map((value, i) => {
      const base = denominators[i];
      if (!(base > 0)) {
        throw new RangeError(`ratio needs a positive denominator, got ${base}`);
      }
      return value / base;
    }),
  );
}

function sortedCopy(values) {
  if (values.length === 0) {
    throw new RangeError("no samples");
  }
  return [...values].sort((a, b) => a - b);
}

import { describe, expect, it } from "vitest";
import { median, medianRatio, p90 } from "../stats.mjs";

describe("median", () => {
  it.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1, 1000], 10],
  ])("of %j is %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("p90", () => {
  it.each([
    [[7], 7],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9],
    [Array.from({ length: 20 }, (_, i) => 20 - i), 18],
    [[1, 2, 3], 3],
  ])("of %j is %d (nearest rank)", (values, expected) => {
    expect(p90(values)).toBe(expected);
  });
});

describe("medianRatio", () => {
  it.each([
    [[2, 4, 6], [1, 2, 3], 2],
    [[1, 1, 10], [10, 10, 1], 0.1],
    [[3, 1], [1, 1], 2],
  ])("of %j over %j is %d", (numerators, denominators, expected) => {
    expect(medianRatio(numerators, denominators)).toBeCloseTo(expected, 12);
  });

  it.each([
    ["lists of different lengths", [1, 2], [1]],
    ["a zero denominator", [1], [0]],
    ["no samples", [], []],
  ])("refuses %s", (_label, numerators, denominators) => {
    expect(() => medianRatio(numerators, denominators)).toThrow(RangeError);
  });
});

describe.each([
  ["median", median],
  ["p90", p90],
])("%s of no samples", (_name, statistic) => {
  it("throws a RangeError", () => {
    expect(() => statistic([])).toThrow(RangeError);
  });
});

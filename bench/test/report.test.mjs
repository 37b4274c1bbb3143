import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatMarkdown,
  formatMs,
  ratioTargetFor,
  summarizeOp,
  targetVerdicts,
} from "../report.mjs";

const samples = (ms, rssKiB = [4096]) => ({ samplesMs: ms, rssKiB });

function reportWith(cases, extra = {}) {
  return {
    sanity: false,
    machine: {
      cpus: 2,
      cpuModel: "Test CPU",
      memoryMiB: 1024,
      os: "Test OS",
      kernel: "6.0",
      node: "v20.0.0",
    },
    settings: { runs: 3, warmup: 1, timer: "test timer", fsyncCompare: false },
    binaries: { ours: { path: "/x/ours" }, upstream: { path: "/x/upstream", debianPackage: "pkg 1.1.1" } },
    cases,
    warnings: [],
    ...extra,
  };
}

describe("ratioTargetFor", () => {
  it.each([
    [0, "ADD", 2],
    [0, "DEL", 2],
    [0, "CHECK", null],
    [1000, "ADD", null],
    [1000, "CHECK", null],
    [20_000, "ADD", 0.1],
    [20_000, "DEL", 0.1],
    [50_000, "CHECK", 0.1],
  ])("at %i allocations, %s: %s", (size, op, expected) => {
    expect(ratioTargetFor(size, op)).toBe(expected);
  });
});

describe("summarizeOp", () => {
  it("reports medians, p90s, peaks and the median pairwise ratio", () => {
    const summary = summarizeOp({
      size: 1000,
      op: "ADD",
      ours: samples([1, 2, 3], [1000, 3000]),
      upstream: samples([2, 4, 6], [2000]),
    });
    expect(summary.ours).toMatchObject({ medianMs: 2, p90Ms: 3, peakKiB: 3000 });
    expect(summary.upstream).toMatchObject({ medianMs: 4, p90Ms: 6, peakKiB: 2000 });
    expect(summary.ratio).toBe(0.5);
    expect(summary.target).toBeNull();
    expect(summary.memoryTarget).toBeNull();
  });

  it.each([
    [0, "ADD", [5, 5, 5], [2, 2, 2], { maxRatio: 2, met: false }],
    [0, "ADD", [3, 3, 3], [2, 2, 2], { maxRatio: 2, met: true }],
    [20_000, "CHECK", [10, 10, 10], [100, 100, 100], { maxRatio: 0.1, met: true }],
    [50_000, "DEL", [20, 20, 20], [100, 100, 100], { maxRatio: 0.1, met: false }],
  ])("at %i allocations, %s ours %j against %j: %j", (size, op, ours, upstream, target) => {
    expect(summarizeOp({ size, op, ours: samples(ours), upstream: samples(upstream) }).target).toEqual(
      target,
    );
  });

  it.each([
    [20_000, 50 * 1024, null],
    [50_000, 40 * 1024, { maxMiB: 40, met: true }],
    [50_000, 41 * 1024, { maxMiB: 40, met: false }],
  ])("at %i allocations a peak of %i KiB gives memory target %j", (size, peakKiB, expected) => {
    const summary = summarizeOp({ size, op: "ADD", ours: samples([1], [peakKiB]), upstream: samples([1]) });
    expect(summary.memoryTarget).toEqual(expected);
  });

  it("has no peak and no memory verdict when memory was not measured", () => {
    const summary = summarizeOp({
      size: 50_000,
      op: "ADD",
      ours: samples([1], []),
      upstream: samples([1], []),
    });
    expect(summary.ours.peakKiB).toBeNull();
    expect(summary.memoryTarget).toBeNull();
  });
});

describe("formatMarkdown", () => {
  const cases = [
    {
      fs: "ext4",
      family: 4,
      size: 0,
      ops: {
        ADD: summarizeOp({ size: 0, op: "ADD", ours: samples([5, 5, 5]), upstream: samples([2, 2, 2]) }),
      },
    },
    {
      fs: "ext4",
      family: 6,
      size: 50_000,
      ops: {
        CHECK: summarizeOp({
          size: 50_000,
          op: "CHECK",
          ours: samples([4, 4, 4], [30 * 1024]),
          upstream: samples([400, 400, 400], [9000]),
        }),
      },
    },
  ];

  it("prints one table row per case and operation, with targets and their verdicts", () => {
    const text = formatMarkdown(reportWith(cases));
    const rows = text.split("\n").filter((line) => line.startsWith("| IPv"));
    expect(rows).toEqual([
      "| IPv4 | 0 | ADD | 5.00 | 5.00 | 2.00 | 2.00 | 2.50x | <= 2x MISSED | 4.0 | 4.0 |",
      "| IPv6 | 50,000 | CHECK | 4.00 | 4.00 | 400 | 400 | 0.010x | <= 0.1x met | 30.0 (met) | 8.8 |",
    ]);
    expect(text).toContain("Targets: 2 of 3 met.");
    expect(text).toContain("- missed: ADD IPv4 0 allocations (ext4): ratio 2.50 (target <= 2x)");
    expect(text).toContain("upstream: /x/upstream (pkg 1.1.1)");
    expect(text).toContain("2 CPUs (Test CPU)");
    expect(text).not.toContain("Load average");
    expect(formatMarkdown(reportWith(cases, { loadAverage1m: { start: 0.5, end: 1.25 } }))).toContain(
      "Load average (1 min) 0.5 at the start, 1.25 at the end.",
    );
  });

  it("names a sanity run and adds a file-system column and warnings when asked", () => {
    const text = formatMarkdown(
      reportWith(cases, {
        sanity: true,
        settings: { runs: 3, warmup: 1, timer: "t", fsyncCompare: true },
        warnings: ["something odd"],
      }),
    );
    expect(text).toMatch(/^Sanity run/);
    expect(text).toContain("| data dir fs | family |");
    expect(text).toContain("| ext4 | IPv4 | 0 | ADD |");
    expect(text).toContain("- warning: something odd");
  });

  it("adds the first-ADD table only when every case has one", () => {
    expect(formatMarkdown(reportWith(cases))).not.toContain("First ADD");
    const withFirst = cases.map((entry, i) => ({
      ...entry,
      firstAdd: { ours: { ms: 50 + i, peakKiB: 70 * 1024 }, upstream: { ms: 3.5, peakKiB: null } },
    }));
    const text = formatMarkdown(reportWith(withFirst));
    expect(text).toContain("First ADD on each freshly prefilled store");
    expect(text).toContain("| IPv4 | 0 | 50.0 | 3.50 | 70.0 | n/a |");
    expect(text).toContain("| IPv6 | 50,000 | 51.0 | 3.50 | 70.0 | n/a |");
  });

  it("lists every verdict in table order", () => {
    expect(targetVerdicts(reportWith(cases)).map((verdict) => verdict.met)).toEqual([false, true, true]);
  });
});

describe("number formatting", () => {
  it.each([
    [2.414, "2.41"],
    [83.24, "83.2"],
    [391.4, "391"],
  ])("formatMs(%d) is %s", (ms, expected) => {
    expect(formatMs(ms)).toBe(expected);
  });

  it.each([
    [0, "0"],
    [50_000, "50,000"],
  ])("formatCount(%d) is %s", (count, expected) => {
    expect(formatCount(count)).toBe(expected);
  });
});

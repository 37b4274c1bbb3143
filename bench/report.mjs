// Turns raw samples into the summary kept in results/latest.json, checks the issue's targets, and
// prints the Markdown table.

import { median, medianRatio, p90 } from "./stats.mjs";

/** Peak memory allowed to ours at 50,000 allocations and above, in MiB. */
export const MEMORY_TARGET_MIB = 40;

/** Store size from which the memory target applies. */
export const MEMORY_TARGET_SIZE = 50_000;

/**
 * The highest ratio ours/upstream (median of pairs) the issue allows for an operation at a store
 * size: 2x for ADD and DEL on an empty store, 0.1x for every operation from 20,000 allocations on.
 *
 * @param {number} size allocations in the store
 * @param {"ADD" | "DEL" | "CHECK"} op the operation
 * @returns {number | null} the limit, or null when the issue sets none
 */
export function ratioTargetFor(size, op) {
  if (size === 0) {
    return op === "CHECK" ? null : 2;
  }
  return size >= 20_000 ? 0.1 : null;
}

/**
 * Summarises one operation of one case.
 *
 * @param {{ size: number, op: "ADD" | "DEL" | "CHECK",
 *   ours: { samplesMs: number[], rssKiB: number[] }, upstream: { samplesMs: number[], rssKiB: number[] } }} input
 *   paired samples (index i of ours and of upstream were measured back to back) and the peak RSS
 *   of every steady-state call (all but the first iteration, warm-up included)
 * @returns {object} medians, p90s, peaks, the median pairwise ratio and the targets with verdicts
 * @throws {RangeError} when there are no samples or the two lists differ in length
 */
export function summarizeOp({ size, op, ours, upstream }) {
  const describe = ({ samplesMs, rssKiB }) => ({
    medianMs: median(samplesMs),
    p90Ms: p90(samplesMs),
    peakKiB: rssKiB.length > 0 ? Math.max(...rssKiB) : null,
    samplesMs,
  });
  const summary = {
    ours: describe(ours),
    upstream: describe(upstream),
    ratio: medianRatio(ours.samplesMs, upstream.samplesMs),
    target: null,
    memoryTarget: null,
  };
  const maxRatio = ratioTargetFor(size, op);
  if (maxRatio !== null) {
    summary.target = { maxRatio, met: summary.ratio <= maxRatio };
  }
  if (size >= MEMORY_TARGET_SIZE && summary.ours.peakKiB !== null) {
    summary.memoryTarget = {
      maxMiB: MEMORY_TARGET_MIB,
      met: summary.ours.peakKiB / 1024 <= MEMORY_TARGET_MIB,
    };
  }
  return summary;
}

/**
 * Every target verdict of a report, one line each, for the summary under the table.
 *
 * @param {{ cases: Array<{ fs: string, family: number, size: number, ops: Record<string, object> }> }} report
 * @returns {Array<{ label: string, met: boolean }>} the verdicts in table order
 */
export function targetVerdicts(report) {
  const verdicts = [];
  for (const entry of report.cases) {
    for (const [op, summary] of Object.entries(entry.ops)) {
      const where = `${op} IPv${entry.family} ${formatCount(entry.size)} allocations (${entry.fs})`;
      if (summary.target !== null) {
        verdicts.push({
          label: `${where}: ratio ${formatRatio(summary.ratio)} (target <= ${summary.target.maxRatio}x)`,
          met: summary.target.met,
        });
      }
      if (summary.memoryTarget !== null) {
        verdicts.push({
          label: `${where}: ours peak ${formatMiB(summary.ours.peakKiB)} MiB (target <= ${summary.memoryTarget.maxMiB} MiB)`,
          met: summary.memoryTarget.met,
        });
      }
    }
  }
  return verdicts;
}

/**
 * The Markdown report: a heading line on what ran where, the table of medians, p90s, ratios and
 * peak memory, the target verdicts and any warnings.
 *
 * @param {object} report the object written to results/latest.json
 * @returns {string} Markdown text ending in a newline
 */
export function formatMarkdown(report) {
  const lines = [];
  const { machine, settings, binaries } = report;
  lines.push(
    report.sanity
      ? `Sanity run: "ours" is the upstream binary itself (${binaries.ours.path}); ratios should be near 1.`
      : `ours: ${binaries.ours.path}; upstream: ${binaries.upstream.path}${binaries.upstream.debianPackage ? ` (${binaries.upstream.debianPackage})` : ""}.`,
  );
  lines.push(
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryMiB} MiB, ${machine.os}, kernel ${machine.kernel}, Node ${machine.node}.`,
  );
  lines.push(
    `${settings.runs} measured pairs per row after ${settings.warmup} warm-up pairs; timer: ${settings.timer}.` +
      (report.loadAverage1m
        ? ` Load average (1 min) ${report.loadAverage1m.start} at the start, ${report.loadAverage1m.end} at the end.`
        : ""),
  );
  lines.push("");
  const showFs = new Set(report.cases.map((entry) => entry.fs)).size > 1 || settings.fsyncCompare;
  const showSync = report.cases.some((entry) => Object.values(entry.ops).some((op) => op.syncCalls));
  const header = [
    ...(showFs ? ["data dir fs"] : []),
    "family",
    "allocations",
    "op",
    "ours median ms",
    "ours p90 ms",
    "upstream median ms",
    "upstream p90 ms",
    "ours / upstream",
    "target",
    "ours peak MiB",
    "upstream peak MiB",
    ...(showSync ? ["fsync calls ours / upstream"] : []),
  ];
  lines.push(`| ${header.join(" | ")} |`);
  lines.push(`| ${header.map((_, i) => (i < (showFs ? 4 : 3) ? "---" : "---:")).join(" | ")} |`);
  for (const entry of report.cases) {
    for (const [op, summary] of Object.entries(entry.ops)) {
      const cells = [
        ...(showFs ? [entry.fs] : []),
        `IPv${entry.family}`,
        formatCount(entry.size),
        op,
        formatMs(summary.ours.medianMs),
        formatMs(summary.ours.p90Ms),
        formatMs(summary.upstream.medianMs),
        formatMs(summary.upstream.p90Ms),
        `${formatRatio(summary.ratio)}x`,
        formatTarget(summary),
        formatMiB(summary.ours.peakKiB) +
          (summary.memoryTarget ? ` (${summary.memoryTarget.met ? "met" : "MISSED"})` : ""),
        formatMiB(summary.upstream.peakKiB),
        ...(showSync
          ? [summary.syncCalls ? `${summary.syncCalls.ours} / ${summary.syncCalls.upstream}` : ""]
          : []),
      ];
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  if (report.cases.every((entry) => entry.firstAdd?.ours !== undefined)) {
    lines.push("");
    lines.push(
      "First ADD on each freshly prefilled store (one call each, not in the table above; for ours it includes building any index it keeps):",
    );
    lines.push("");
    lines.push(
      `| ${showFs ? "data dir fs | " : ""}family | allocations | ours ms | upstream ms | ours peak MiB | upstream peak MiB |`,
    );
    lines.push(`| ${showFs ? "--- | " : ""}--- | --- | ---: | ---: | ---: | ---: |`);
    for (const entry of report.cases) {
      const { ours, upstream } = entry.firstAdd;
      const cells = [
        ...(showFs ? [entry.fs] : []),
        `IPv${entry.family}`,
        formatCount(entry.size),
        formatMs(ours.ms),
        formatMs(upstream.ms),
        formatMiB(ours.peakKiB),
        formatMiB(upstream.peakKiB),
      ];
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  const verdicts = targetVerdicts(report);
  if (verdicts.length > 0) {
    const met = verdicts.filter((verdict) => verdict.met).length;
    lines.push("");
    lines.push(
      report.sanity
        ? `Targets: ${met} of ${verdicts.length} met (meaningless here: both sides are the same binary).`
        : `Targets: ${met} of ${verdicts.length} met.`,
    );
    for (const verdict of verdicts.filter((entry) => !entry.met)) {
      lines.push(`- missed: ${verdict.label}`);
    }
  }
  if (report.warnings.length > 0) {
    lines.push("");
    for (const warning of report.warnings) {
      lines.push(`- warning: ${warning}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function formatTarget(summary) {
  if (summary.target === null) {
    return "";
  }
  return `<= ${summary.target.maxRatio}x ${summary.target.met ? "met" : "MISSED"}`;
}

/**
 * Formats a duration in milliseconds with two significant decimals for small values.
 *
 * @param {number} ms the duration
 * @returns {string} e.g. "2.41", "83.2", "391"
 */
export function formatMs(ms) {
  if (ms < 10) {
    return ms.toFixed(2);
  }
  return ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

function formatRatio(ratio) {
  return ratio < 0.1 ? ratio.toFixed(3) : ratio.toFixed(2);
}

function formatMiB(kib) {
  return kib === null ? "n/a" : (kib / 1024).toFixed(1);
}

/**
 * Formats a store size with thousands separators ("50,000").
 *
 * @param {number} count the number
 * @returns {string} the text
 */
export function formatCount(count) {
  return count.toLocaleString("en-US");
}

// Hand-written SVG chart of median latency against store size, one panel per address family (and
// per data-dir file system with --fsync-compare), one line per binary and operation.
//
// The x axis is asinh(size / 500): linear near 0 (so the empty store has a place) and logarithmic
// beyond a few thousand. The y axis is logarithmic, so a 0.1x target is the same distance
// everywhere and both binaries stay readable when one is 100 times slower.
//
// Re-render from a saved run:  node bench/chart.mjs [results.json] [out.svg]

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const PANEL_WIDTH = 480;
const PANEL_HEIGHT = 340;
const MARGIN = { top: 34, right: 18, bottom: 52, left: 64 };
const HEADER_HEIGHT = 64;
const LEGEND_HEIGHT = 52;
const X_SCALE = 500;

const BINARY_STYLES = Object.freeze({
  ours: { color: "#1f63b4", label: "ours" },
  upstream: { color: "#d9641c", label: "upstream" },
});

const OP_STYLES = Object.freeze({
  ADD: { dash: "", marker: "circle" },
  DEL: { dash: "8 4", marker: "square" },
  CHECK: { dash: "2 4", marker: "triangle" },
});

/**
 * Renders the latency chart of a benchmark report as a standalone SVG document.
 *
 * @param {{ cases: Array<{ fs: string, family: number, size: number, ops: Record<string, { ours: { medianMs: number }, upstream: { medianMs: number } }> }>,
 *   machine: { cpus: number, cpuModel: string, kernel: string, node: string }, settings: { runs: number },
 *   sanity: boolean, finishedAt: string }} report the object written to results/latest.json
 * @returns {string} the SVG text
 * @throws {RangeError} when the report has no cases
 */
export function renderLatencyChart(report) {
  if (report.cases.length === 0) {
    throw new RangeError("nothing to chart: the report has no cases");
  }
  const panels = groupPanels(report.cases);
  const columns = Math.min(panels.length, 2);
  const rows = Math.ceil(panels.length / columns);
  const width = columns * PANEL_WIDTH;
  const height = HEADER_HEIGHT + LEGEND_HEIGHT + rows * PANEL_HEIGHT + 8;

  const allSizes = report.cases.map((entry) => entry.size);
  const allMs = report.cases.flatMap((entry) =>
    Object.values(entry.ops).flatMap((summary) => [summary.ours.medianMs, summary.upstream.medianMs]),
  );
  const xDomain = paddedDomain(Math.min(...allSizes.map(sizeToX)), Math.max(...allSizes.map(sizeToX)));
  const yLow = 10 ** Math.floor(Math.log10(Math.min(...allMs)));
  const yHigh = 10 ** Math.ceil(Math.log10(Math.max(...allMs)));
  const yDomain = [
    Math.log10(yLow),
    Math.log10(yHigh) === Math.log10(yLow) ? Math.log10(yLow) + 1 : Math.log10(yHigh),
  ];
  const xTicks = [...new Set(allSizes)].sort((a, b) => a - b);
  const yTicks = logTicks(yLow, 10 ** yDomain[1]);

  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
  );
  parts.push("<title>host-local latency against store size</title>");
  parts.push(
    `<desc>Median whole-process wall time of ADD, DEL and CHECK for ours and upstream host-local, by number of allocations in the store.</desc>`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  const title = report.sanity
    ? "Sanity run (upstream against itself): latency against store size"
    : "host-local latency against store size";
  parts.push(text(width / 2, 24, title, { size: 16, anchor: "middle", weight: "bold" }));
  const { machine } = report;
  parts.push(
    text(
      width / 2,
      44,
      `median whole-process wall time of ${report.settings.runs} runs; ${machine.cpus} CPUs (${machine.cpuModel}), kernel ${machine.kernel}, Node ${machine.node}; ${report.finishedAt.slice(0, 10)}`,
      { size: 11, anchor: "middle", fill: "#555555" },
    ),
  );
  parts.push(renderLegend(width, HEADER_HEIGHT, report.sanity));

  panels.forEach((panel, index) => {
    const originX = (index % columns) * PANEL_WIDTH;
    const originY = HEADER_HEIGHT + LEGEND_HEIGHT + Math.floor(index / columns) * PANEL_HEIGHT;
    parts.push(renderPanel(panel, { originX, originY, xDomain, yDomain, xTicks, yTicks }));
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function groupPanels(cases) {
  const panels = new Map();
  for (const entry of cases) {
    const key = `${entry.fs}|${entry.family}`;
    if (!panels.has(key)) {
      panels.set(key, { fs: entry.fs, family: entry.family, cases: [] });
    }
    panels.get(key).cases.push(entry);
  }
  const multipleFs = new Set(cases.map((entry) => entry.fs)).size > 1;
  return [...panels.values()].map((panel) => ({
    ...panel,
    title: `IPv${panel.family} (${panel.family === 4 ? "/16" : "/64"})${multipleFs ? `, data dir on ${panel.fs}` : ""}`,
    cases: panel.cases.sort((a, b) => a.size - b.size),
  }));
}

function renderPanel(panel, { originX, originY, xDomain, yDomain, xTicks, yTicks }) {
  const left = originX + MARGIN.left;
  const right = originX + PANEL_WIDTH - MARGIN.right;
  const top = originY + MARGIN.top;
  const bottom = originY + PANEL_HEIGHT - MARGIN.bottom;
  const x = (size) => left + ((sizeToX(size) - xDomain[0]) / (xDomain[1] - xDomain[0])) * (right - left);
  const y = (ms) => bottom - ((Math.log10(ms) - yDomain[0]) / (yDomain[1] - yDomain[0])) * (bottom - top);
  const parts = [`<g>`];
  parts.push(
    text((left + right) / 2, originY + 20, panel.title, { size: 13, anchor: "middle", weight: "bold" }),
  );
  for (const tick of yTicks) {
    const ty = y(tick);
    parts.push(line(left, ty, right, ty, { stroke: "#e6e6e6" }));
    parts.push(text(left - 6, ty + 4, formatTickMs(tick), { anchor: "end", fill: "#444444" }));
  }
  for (const tick of xTicks) {
    const tx = x(tick);
    parts.push(line(tx, top, tx, bottom, { stroke: "#e6e6e6" }));
    parts.push(text(tx, bottom + 16, formatTickSize(tick), { anchor: "middle", fill: "#444444" }));
  }
  parts.push(
    `<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}" fill="none" stroke="#888888"/>`,
  );
  parts.push(
    text((left + right) / 2, bottom + 36, "allocations in the store (asinh scale)", {
      anchor: "middle",
      fill: "#222222",
    }),
  );
  const midY = (top + bottom) / 2;
  parts.push(
    text(originX + 16, midY, "median ms (log scale)", {
      anchor: "middle",
      fill: "#222222",
      transform: `rotate(-90 ${fmt(originX + 16)} ${fmt(midY)})`,
    }),
  );
  for (const binary of ["upstream", "ours"]) {
    const { color, label } = BINARY_STYLES[binary];
    for (const [op, style] of Object.entries(OP_STYLES)) {
      const points = panel.cases
        .filter((entry) => entry.ops[op] !== undefined)
        .map((entry) => ({ size: entry.size, ms: entry.ops[op][binary].medianMs }));
      if (points.length === 0) {
        continue;
      }
      const path = points.map((point) => `${fmt(x(point.size))},${fmt(y(point.ms))}`).join(" ");
      parts.push(
        `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`,
      );
      for (const point of points) {
        parts.push(
          marker(
            style.marker,
            x(point.size),
            y(point.ms),
            color,
            `${label} ${op}, ${formatTickSize(point.size)}: ${formatTickMs(point.ms)} ms`,
          ),
        );
      }
    }
  }
  parts.push("</g>");
  return parts.join("\n");
}

function renderLegend(width, originY, sanity) {
  const entries = [];
  for (const binary of ["ours", "upstream"]) {
    for (const op of Object.keys(OP_STYLES)) {
      entries.push({ binary, op });
    }
  }
  const columns = 3;
  const cellWidth = 190;
  const startX = (width - columns * cellWidth) / 2;
  const parts = ["<g>"];
  entries.forEach(({ binary, op }, index) => {
    const cx = startX + (index % columns) * cellWidth;
    const cy = originY + 14 + Math.floor(index / columns) * 20;
    const { color } = BINARY_STYLES[binary];
    const style = OP_STYLES[op];
    const label = binary === "ours" && sanity ? "ours (upstream)" : BINARY_STYLES[binary].label;
    parts.push(
      `<line x1="${fmt(cx)}" y1="${fmt(cy)}" x2="${fmt(cx + 36)}" y2="${fmt(cy)}" stroke="${color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`,
    );
    parts.push(marker(style.marker, cx + 18, cy, color, null));
    parts.push(text(cx + 44, cy + 4, `${label} ${op}`, { fill: "#222222" }));
  });
  parts.push("</g>");
  return parts.join("\n");
}

function marker(shape, cx, cy, color, tooltip) {
  const inner = tooltip === null ? "" : `<title>${escapeXml(tooltip)}</title>`;
  const close =
    inner === ""
      ? "/>"
      : `>${inner}</${shape === "circle" ? "circle" : shape === "square" ? "rect" : "path"}>`;
  if (shape === "circle") {
    return `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="4" fill="${color}"${close}`;
  }
  if (shape === "square") {
    return `<rect x="${fmt(cx - 4)}" y="${fmt(cy - 4)}" width="8" height="8" fill="${color}"${close}`;
  }
  return `<path d="M ${fmt(cx)} ${fmt(cy - 5)} L ${fmt(cx + 5)} ${fmt(cy + 4)} L ${fmt(cx - 5)} ${fmt(cy + 4)} Z" fill="${color}"${close}`;
}

function text(
  x,
  y,
  content,
  { size = 12, anchor = "start", weight = "normal", fill = "#000000", transform = "" } = {},
) {
  const extra = `${weight === "normal" ? "" : ` font-weight="${weight}"`}${transform ? ` transform="${transform}"` : ""}`;
  return `<text x="${fmt(x)}" y="${fmt(y)}" font-size="${size}" text-anchor="${anchor}" fill="${fill}"${extra}>${escapeXml(content)}</text>`;
}

function line(x1, y1, x2, y2, { stroke }) {
  return `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="${stroke}" stroke-width="1"/>`;
}

function sizeToX(size) {
  return Math.asinh(size / X_SCALE);
}

function paddedDomain(low, high) {
  if (high - low < 1e-9) {
    return [low - 1, high + 1];
  }
  const pad = (high - low) * 0.04;
  return [low - pad, high + pad];
}

// 1, 2, 5 times each power of ten from low to high inclusive.
function logTicks(low, high) {
  const ticks = [];
  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const tick = decade * step;
      if (tick <= high * 1.0001) {
        ticks.push(tick);
      }
    }
  }
  return ticks;
}

function formatTickMs(ms) {
  if (ms >= 10) {
    return String(Math.round(ms));
  }
  return ms >= 1 ? String(Number(ms.toFixed(1))) : String(Number(ms.toPrecision(2)));
}

function formatTickSize(size) {
  return size >= 1000 && size % 1000 === 0 ? `${size / 1000}k` : size.toLocaleString("en-US");
}

function fmt(value) {
  return Number(value.toFixed(1)).toString();
}

function escapeXml(value) {
  return String(value).replace(
    /[&<>"]/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char],
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const input = process.argv[2] ?? new URL("./results/latest.json", import.meta.url);
  const output = process.argv[3] ?? new URL("./results/latency.svg", import.meta.url);
  writeFileSync(output, renderLatencyChart(JSON.parse(readFileSync(input, "utf8"))));
}

import { describe, expect, it } from "vitest";
import { renderLatencyChart } from "../chart.mjs";

const op = (ours, upstream) => ({ ours: { medianMs: ours }, upstream: { medianMs: upstream } });

function report(cases, sanity = false) {
  return {
    sanity,
    finishedAt: "2026-01-02T03:04:05.000Z",
    machine: { cpus: 2, cpuModel: "Test <CPU> & co", kernel: "6.0", node: "v20.0.0" },
    settings: { runs: 20 },
    cases,
  };
}

const sizes = [0, 1000, 20_000, 50_000];
const familyCases = (family, fs = "ext4") =>
  sizes.map((size) => ({
    fs,
    family,
    size,
    ops: {
      ADD: op(3 + size / 1e4, 2.5 + size / 130),
      DEL: op(2.5, 2 + size / 130),
      CHECK: op(2.4, 2 + size / 128),
    },
  }));

// Checks that every element opened is closed in order: enough to catch a broken generator
// without an XML parser.
function assertBalanced(svg) {
  const stack = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) {
      continue;
    }
    if (closing) {
      expect(stack.pop()).toBe(name);
    } else {
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
}

describe("renderLatencyChart", () => {
  it.each([
    ["one family", [4], 1],
    ["two families", [4, 6], 2],
  ])("draws %s as balanced SVG with one line per binary and operation", (_label, families, panels) => {
    const svg = renderLatencyChart(report(families.flatMap((family) => familyCases(family))));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertBalanced(svg);
    expect(svg.match(/<polyline /g)).toHaveLength(panels * 6);
    // Four points per line, each a marker with a tooltip.
    expect(svg.match(/<title>/g)).toHaveLength(1 + panels * 6 * sizes.length);
    for (const family of families) {
      expect(svg).toContain(`IPv${family} (${family === 4 ? "/16" : "/64"})`);
    }
    expect(svg).toContain("allocations in the store (asinh scale)");
    expect(svg).toContain("median ms (log scale)");
    for (const label of [
      "ours ADD",
      "ours DEL",
      "ours CHECK",
      "upstream ADD",
      "upstream DEL",
      "upstream CHECK",
    ]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    for (const tick of ["0", "1k", "20k", "50k"]) {
      expect(svg).toContain(`>${tick}</text>`);
    }
  });

  it("escapes text taken from the machine description", () => {
    const svg = renderLatencyChart(report(familyCases(4)));
    expect(svg).toContain("Test &lt;CPU&gt; &amp; co");
    expect(svg).not.toContain("Test <CPU>");
  });

  it("places a slower median higher up (smaller y) than a faster one", () => {
    const svg = renderLatencyChart(report([{ fs: "ext4", family: 4, size: 0, ops: { ADD: op(1, 100) } }]));
    const y = (label) => Number(new RegExp(`cy="([\\d.]+)"[^>]*><title>${label}`).exec(svg)?.[1]);
    expect(y("ours ADD")).toBeGreaterThan(y("upstream ADD"));
  });

  it("labels a sanity run and, with two file systems, names the file system of each panel", () => {
    const svg = renderLatencyChart(report([...familyCases(4, "ext4"), ...familyCases(4, "tmpfs")], true));
    expect(svg).toContain("Sanity run");
    expect(svg).toContain("data dir on ext4");
    expect(svg).toContain("data dir on tmpfs");
    expect(svg).toContain(">ours (upstream) ADD</text>");
  });

  it("refuses a report without cases", () => {
    expect(() => renderLatencyChart(report([]))).toThrow(RangeError);
  });
});

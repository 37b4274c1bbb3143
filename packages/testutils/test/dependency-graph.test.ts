// The repository's dependency rules (STYLE.md, reference/decisions.md), checked on every package.json:
// runtime edges only towards `types` (and host-local towards all), dev-only edges to testutils and to
// allocator's contract suite, nothing towards host-local, and no cycle.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const packagesDir = join(import.meta.dirname, "..", "..");

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifests: Manifest[] = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => JSON.parse(readFileSync(join(packagesDir, d.name, "package.json"), "utf8")) as Manifest);

const internal = (deps: Record<string, string> | undefined): string[] =>
  Object.keys(deps ?? {}).filter((n) => n.startsWith("@cni-ts/"));

const allowedRuntime: Record<string, string[]> = {
  "@cni-ts/types": [],
  "@cni-ts/skel": ["@cni-ts/types"],
  "@cni-ts/allocator": ["@cni-ts/types"],
  "@cni-ts/disk-store": ["@cni-ts/types"],
  "@cni-ts/etcd-store": ["@cni-ts/types"],
  "@cni-ts/host-local": [
    "@cni-ts/types",
    "@cni-ts/skel",
    "@cni-ts/allocator",
    "@cni-ts/disk-store",
    "@cni-ts/etcd-store",
  ],
  "@cni-ts/testutils": [],
};
const allowedDevOnly: Record<string, string[]> = {
  "@cni-ts/disk-store": ["@cni-ts/allocator"],
  "@cni-ts/etcd-store": ["@cni-ts/allocator"],
};

describe("package dependency graph", () => {
  it("knows every package in the repository", () => {
    for (const m of manifests) expect(Object.keys(allowedRuntime)).toContain(m.name);
  });

  it.each(manifests.map((m) => [m.name, m] as const))("%s has only allowed runtime edges", (name, m) => {
    const deps = [...internal(m.dependencies), ...internal(m.peerDependencies)];
    for (const dep of deps) expect(allowedRuntime[name], `${name} -> ${dep}`).toContain(dep);
  });

  it.each(manifests.map((m) => [m.name, m] as const))("%s has only allowed dev edges", (name, m) => {
    for (const dep of internal(m.devDependencies)) {
      const ok = dep === "@cni-ts/testutils" || (allowedDevOnly[name] ?? []).includes(dep);
      expect(ok, `${name} -(dev)-> ${dep}`).toBe(true);
    }
  });

  it("has nothing depending on host-local", () => {
    for (const m of manifests) {
      const all = [
        ...internal(m.dependencies),
        ...internal(m.devDependencies),
        ...internal(m.peerDependencies),
      ];
      expect(all, m.name).not.toContain("@cni-ts/host-local");
    }
  });

  it("has no cycle", () => {
    const edges = new Map(
      manifests.map((m) => [m.name, [...internal(m.dependencies), ...internal(m.devDependencies)]]),
    );
    const state = new Map<string, "visiting" | "done">();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === "done") return;
      if (state.get(name) === "visiting") throw new Error(`cycle: ${[...path, name].join(" -> ")}`);
      state.set(name, "visiting");
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
      state.set(name, "done");
    };
    expect(() => {
      for (const name of edges.keys()) visit(name, []);
    }).not.toThrow();
  });
});

#!/usr/bin/env node
// Sums every package's vitest JSON report into the one closing line CI reads:
// "tests: N passed, N failed, N skipped". Exits 1 when anything failed, was skipped, or a package that
// has test files produced no report (a crashed runner must not look like a green one).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
let passed = 0;
let failed = 0;
let skipped = 0;
let problems = 0;
// Every workspace package, plus bench/ (plain scripts with tests of their own, run by `npm test`).
const suites = [
  ...readdirSync(join(root, "packages"))
    .sort()
    .map((dir) => ({ dir, pkg: join(root, "packages", dir) })),
  { dir: "bench", pkg: join(root, "bench") },
];
for (const { dir, pkg } of suites) {
  const testDir = join(pkg, "test");
  const hasTests =
    existsSync(testDir) &&
    readdirSync(testDir, { recursive: true }).some((f) => /\.test\.m?[jt]s$/.test(String(f)));
  const report = join(pkg, "test-results.json");
  if (!existsSync(report)) {
    if (hasTests) {
      console.log(`${dir}: no test report (the test task did not finish)`);
      problems++;
    }
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  const p = r.numPassedTests ?? 0;
  const f = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (r.success === false && f === 0) problems++;
  console.log(`${dir}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log(`tests: ${passed} passed, ${failed + problems} failed, ${skipped} skipped`);
process.exit(failed + problems + skipped > 0 || passed === 0 ? 1 : 0);

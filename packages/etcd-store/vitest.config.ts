import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "etcd-store",
    include: ["test/**/*.test.ts"],
    // Tests start private etcd clusters, which takes a few seconds on a loaded 2-core machine; these
    // are limits against hangs, not timing assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

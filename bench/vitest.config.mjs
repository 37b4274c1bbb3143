import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// bench/ is not a workspace package (plain Node scripts, no build step); run its tests with
//   npx vitest run --config bench/vitest.config.mjs
export default defineConfig({
  test: {
    name: "bench",
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["test/**/*.test.mjs"],
    // The end-to-end tests exec the upstream plugin a few hundred times.
    testTimeout: 60_000,
  },
});

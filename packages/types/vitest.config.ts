import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "types",
    include: ["test/**/*.test.ts"],
    // Until this package has tests of its own.
    passWithNoTests: true,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "testutils",
    include: ["test/**/*.test.ts"],
  },
});

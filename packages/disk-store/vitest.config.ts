import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "disk-store",
    include: ["test/**/*.test.ts"],
  },
});

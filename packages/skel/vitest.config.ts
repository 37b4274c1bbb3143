import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "skel",
    include: ["test/**/*.test.ts"],
  },
});

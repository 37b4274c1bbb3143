import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "host-local",
    include: ["test/**/*.test.ts"],
  },
});

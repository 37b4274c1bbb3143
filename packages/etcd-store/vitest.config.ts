import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "etcd-store",
    include: ["test/**/*.test.ts"],
  },
});

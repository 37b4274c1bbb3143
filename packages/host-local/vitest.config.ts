import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig({
  // The build-time define of src/version.ts, as build.mjs applies it to the built code.
  define: { CNI_TS_VERSION: JSON.stringify(version) },
  test: {
    name: "host-local",
    include: ["test/**/*.test.ts"],
  },
});

// The compiled plugin ignores Bun's per-directory files in its working directory: a runtime runs it
// wherever it happens to be, so a `bunfig.toml` there (whose `preload` runs code) or a `.env` (which
// sets variables) must change nothing. Compiled Bun programs load both unless built not to.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_NETNS, netConf, OURS } from "./harness.js";

let place: TempDir;
let marker = "";
beforeAll(() => {
  place = makeTempDataDir("cni-ts-working-dir-");
  marker = join(place.path, "preload-ran");
  writeFileSync(
    join(place.path, "preload.js"),
    `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x");\n`,
  );
  writeFileSync(join(place.path, "bunfig.toml"), 'preload = ["./preload.js"]\n');
  // CNI_ARGS is left unset by the calls below, so a loaded .env would request this address.
  writeFileSync(join(place.path, ".env"), "CNI_ARGS=IP=10.1.2.77\nCNI_COMMAND=VERSION\n");
});
afterAll(() => place.cleanup());

describe("files in the plugin's working directory", { timeout: 60_000 }, () => {
  it.each(["VERSION", "ADD"])("%s runs no bunfig.toml preload and reads no .env", async (command) => {
    const run = await runPlugin(OURS, {
      command,
      containerId: "c1",
      ifname: "eth0",
      netns: NO_NETNS,
      path: "/opt/cni/bin",
      cwd: place.path,
      stdin: netConf("1.0.0", join(place.path, "data"), { ranges: [[{ subnet: "10.1.2.0/24" }]] }),
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(existsSync(marker)).toBe(false);
    if (command === "ADD") {
      expect(run.json).toMatchObject({ ips: [{ address: "10.1.2.2/24" }] });
    }
  });

  it("without CNI_COMMAND the plugin prints its about text, not the VERSION a .env names", async () => {
    const run = await runPlugin(OURS, {
      command: "",
      env: { CNI_COMMAND: undefined },
      cwd: place.path,
      stdin: "",
    });
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("CNI host-local plugin");
  });
});

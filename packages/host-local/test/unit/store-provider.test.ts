// configuredStoreProvider: ipam.store picks the store, and the etcd code loads only when it is picked.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadIpamConfig } from "@cni-ts/allocator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configuredStoreProvider } from "../../src/index.js";
import { makeTempDir, netConf, readTree, removeTempDir } from "./support/plugin.js";

let tmp = "";
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(tmp);
});

const nodeBin = join(import.meta.dirname, "..", "..", "dist", "bin.js");
const tracer = join(import.meta.dirname, "fixtures", "trace-imports.mjs");

function configWith(store: unknown) {
  const ipam: Record<string, unknown> = { dataDir: join(tmp, "data"), subnet: "10.1.2.0/24" };
  if (store !== undefined) ipam.store = store;
  return netConf("1.1.0", ipam);
}

describe("configuredStoreProvider", () => {
  it.each([
    ["no store", undefined],
    ["the disk store", { type: "disk" }],
  ])("opens the disk store for %s", async (_case, store) => {
    const config = loadIpamConfig(JSON.stringify(configWith(store)), "");
    const opened = await configuredStoreProvider.openStore(config);
    await opened.close();
    expect(await readTree(join(tmp, "data", "mynet"))).toEqual({ lock: "" });
  });

  it("opens the etcd store for an etcd config, touching no data dir", async () => {
    const config = loadIpamConfig(
      JSON.stringify(configWith({ type: "etcd", endpoints: ["http://127.0.0.1:1"], timeoutMs: 1000 })),
      "",
    );
    const opened = await configuredStoreProvider.openExistingStore(config);
    await expect(opened?.list()).rejects.toMatchObject({ code: 11 });
    await opened?.close();
    await expect(configuredStoreProvider.checkUsable(config)).rejects.toMatchObject({ code: 50 });
    expect(await readTree(join(tmp, "data"))).toBeUndefined();
  });
});

describe("module loading of the built plugin (dist/bin.js on Node)", () => {
  function tracedAdd(store: unknown): { stdout: string; modules: string[] } {
    const r = spawnSync(process.execPath, ["--import", tracer, nodeBin], {
      env: {
        CNI_COMMAND: "ADD",
        CNI_CONTAINERID: "c1",
        CNI_IFNAME: "eth0",
        CNI_NETNS: "/nonexistent/netns",
        CNI_PATH: "/nonexistent",
      },
      input: JSON.stringify(configWith(store)),
      encoding: "utf8",
      timeout: 20_000,
    });
    const modules = r.stderr
      .split("\n")
      .filter((line) => line.startsWith("TRACE "))
      .map((line) => line.slice("TRACE ".length));
    return { stdout: r.stdout, modules };
  }

  const etcdModules = (modules: string[]) =>
    modules.filter(
      (url) =>
        url.includes("/etcd-store/") || url.endsWith("/etcd-store-provider.js") || /^node:https?$/.test(url),
    );

  it("loads nothing of the etcd store for an ADD on disk", () => {
    const { stdout, modules } = tracedAdd(undefined);
    expect(JSON.parse(stdout)).toMatchObject({ ips: [{ address: "10.1.2.2/24" }] });
    expect(modules.some((url) => url.endsWith("/dist/disk-store-provider.js"))).toBe(true);
    expect(etcdModules(modules)).toEqual([]);
  });

  it("loads it, and node:http with it, when the config names an etcd store", () => {
    const { stdout, modules } = tracedAdd({ type: "etcd", endpoints: ["http://127.0.0.1:1"] });
    expect(JSON.parse(stdout)).toMatchObject({ code: 11 });
    expect(modules.some((url) => url.endsWith("/dist/etcd-store-provider.js"))).toBe(true);
    expect(modules.some((url) => url.includes("/etcd-store/dist/"))).toBe(true);
    expect(modules).toContain("node:http");
  });
});

import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadIpamConfig } from "@cni-ts/allocator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diskStoreProvider } from "../../src/index.js";
import { makeTempDir, netConf, readTree, removeTempDir } from "./support/plugin.js";

let tmp = "";
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(tmp);
});

const configIn = (dataDir: string) =>
  loadIpamConfig(JSON.stringify(netConf("1.1.0", { dataDir, subnet: "10.1.2.0/24" })), "");

describe("diskStoreProvider", () => {
  it("opens an existing store only when its directory exists", async () => {
    const config = configIn(join(tmp, "data"));
    expect(await diskStoreProvider.openExistingStore(config)).toBeUndefined();
    expect(await readTree(join(tmp, "data"))).toBeUndefined();

    const created = await diskStoreProvider.openStore(config);
    await created.close();
    const existing = await diskStoreProvider.openExistingStore(config);
    expect(existing).toBeDefined();
    await existing?.close();
    expect(await readTree(join(tmp, "data", "mynet"))).toEqual({ lock: "" });
  });

  it.each([
    ["nothing exists yet", async () => {}],
    [
      "the network dir exists without a lock",
      async () => mkdir(join(tmp, "data", "mynet"), { recursive: true }),
    ],
    [
      "the network dir and lock exist",
      async () => {
        await mkdir(join(tmp, "data", "mynet"), { recursive: true });
        await writeFile(join(tmp, "data", "mynet", "lock"), "");
      },
    ],
  ])("finds the store usable when %s, changing nothing", async (_name, prepare) => {
    await prepare();
    const before = await readTree(join(tmp, "data", "mynet"));
    await expect(diskStoreProvider.checkUsable(configIn(join(tmp, "data")))).resolves.toBeUndefined();
    expect(await readTree(join(tmp, "data", "mynet"))).toEqual(before);
  });

  it.each([
    [
      "the network dir is a file",
      async () => {
        await mkdir(join(tmp, "data"));
        await writeFile(join(tmp, "data", "mynet"), "");
      },
      () => `cannot use the data dir: ${join(tmp, "data", "mynet")} is not a directory`,
    ],
    [
      "the network dir is a symbolic link",
      async () => {
        await mkdir(join(tmp, "elsewhere"));
        await mkdir(join(tmp, "data"));
        await symlink(join(tmp, "elsewhere"), join(tmp, "data", "mynet"));
      },
      () => `cannot use the data dir: ${join(tmp, "data", "mynet")} is a symbolic link`,
    ],
    [
      "the lock is a directory",
      () => mkdir(join(tmp, "data", "mynet", "lock"), { recursive: true }),
      () => `cannot use the data dir: lock file ${join(tmp, "data", "mynet", "lock")} is not a regular file`,
    ],
    [
      "an ancestor is a file",
      async () => {
        await mkdir(join(tmp, "data"));
        await writeFile(join(tmp, "data", "x"), "");
      },
      () => `cannot use the data dir: lstat ${join(tmp, "data", "x", "y", "mynet")}: not a directory`,
      join("data", "x", "y"),
    ],
  ])("refuses with code 50 when %s", async (_name, prepare, msg, dataDir = "data") => {
    await prepare();
    await expect(diskStoreProvider.checkUsable(configIn(join(tmp, dataDir)))).rejects.toMatchObject({
      code: 50,
      msg: msg(),
    });
  });
});

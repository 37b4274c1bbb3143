// GC (spec 1.1.0; contract 7.3, DECISION): releases what no valid attachment owns, in this network only.
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorOf, netConf, readTree, runPlugin, useTestDirs } from "../support/plugin.js";
import { withReadOnlyMount } from "../support/read-only-mount.js";

const dirs = useTestDirs();

const OK = { status: 0, stdout: "", stderr: "" };

async function plant(network: string, files: Record<string, string>, root = dirs.dataDir): Promise<void> {
  await mkdir(join(root, network), { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(root, network, name), content);
}

const attachments = (...pairs: Array<[string, string]>) =>
  pairs.map(([containerID, ifname]) => ({ containerID, ifname }));

const gc = (extra: Record<string, unknown>, version = "1.1.0", root = dirs.dataDir) =>
  runPlugin({ command: "GC", config: netConf(version, { dataDir: root, subnet: "10.1.2.0/24" }, extra) });

const KEPT = { lock: "", "last_reserved_ip.0": "10.1.2.4" };

describe("GC", () => {
  it("removes unlisted reservations and keeps listed and legacy ones of a listed container (contract 7.3 example)", async () => {
    await plant("mynet", { ...KEPT, "10.1.2.2": "a\r\neth0", "10.1.2.3": "b\r\neth0", "10.1.2.4": "c" });
    expect(await gc({ "cni.dev/valid-attachments": attachments(["a", "eth0"], ["c", "net1"]) })).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({
      ...KEPT,
      "10.1.2.2": "a\r\neth0",
      "10.1.2.4": "c",
    });
  });

  it("does nothing when the config carries no attachment list", async () => {
    const files = { ...KEPT, "10.1.2.2": "a\r\neth0", "10.1.2.3": "b\r\neth0" };
    await plant("mynet", files);
    expect(await gc({})).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual(files);
  });

  it("treats an empty list as: every reservation is stale", async () => {
    await plant("mynet", { ...KEPT, "10.1.2.2": "a\r\neth0", "2001:db8::5": "b\r\neth0", "10.1.2.4": "c" });
    expect(await gc({ "cni.dev/valid-attachments": [] })).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual(KEPT);
  });

  it.each([
    ["cni.dev/attachments alone", { "cni.dev/attachments": attachments(["a", "eth0"]) }],
    [
      "the union of both keys",
      {
        "cni.dev/valid-attachments": attachments(["a", "eth0"]),
        "cni.dev/attachments": attachments(["b", "eth1"]),
      },
    ],
  ])("reads %s", async (_name, extra) => {
    await plant("mynet", { "10.1.2.2": "a\r\neth0", "10.1.2.3": "b\r\neth1", "10.1.2.5": "b\r\neth0" });
    expect(await gc(extra)).toEqual(OK);
    const expected =
      "cni.dev/valid-attachments" in extra
        ? { "10.1.2.2": "a\r\neth0", "10.1.2.3": "b\r\neth1", lock: "" }
        : { "10.1.2.2": "a\r\neth0", lock: "" };
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual(expected);
  });

  it("removes legacy records of unlisted containers and ownerless (empty) files", async () => {
    await plant("mynet", { "10.1.2.2": "a\r\neth0", "10.1.2.3": "z", "10.1.2.4": "", "10.1.2.5": " \n" });
    expect(await gc({ "cni.dev/valid-attachments": attachments(["a", "eth0"]) })).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({ "10.1.2.2": "a\r\neth0", lock: "" });
  });

  it("judges reservations outside the current ranges by their owner too", async () => {
    await plant("mynet", { "192.168.7.7": "a\r\neth0", "192.168.7.8": "b\r\neth0" });
    expect(await gc({ "cni.dev/valid-attachments": attachments(["a", "eth0"]) })).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({
      "192.168.7.7": "a\r\neth0",
      lock: "",
    });
  });

  it("never touches another network's directory", async () => {
    await plant("mynet", { "10.1.2.2": "b\r\neth0" });
    await plant("othernet", { "10.1.2.2": "b\r\neth0", "10.1.2.3": "" });
    expect(await gc({ "cni.dev/valid-attachments": [] })).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({ lock: "" });
    expect(await readTree(join(dirs.dataDir, "othernet"))).toStrictEqual({
      "10.1.2.2": "b\r\neth0",
      "10.1.2.3": "",
    });
  });

  it("removes temp files a killed ADD left behind, and no other dot-name", async () => {
    await plant("mynet", {
      ".10.1.2.9.tmp-4242-1": "x\r\neth0",
      ".cni-ts-index": "index",
      "10.1.2.2": "a\r\neth0",
    });
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dirs.dataDir, "mynet", ".10.1.2.9.tmp-4242-1"), past, past);
    expect(await gc({ "cni.dev/valid-attachments": attachments(["a", "eth0"]) })).toEqual(OK);
    expect(await readTree(join(dirs.dataDir, "mynet"))).toStrictEqual({
      ".cni-ts-index": "index",
      "10.1.2.2": "a\r\neth0",
      lock: "",
    });
  });

  it("succeeds for a network never used, and creates nothing", async () => {
    expect(await gc({ "cni.dev/valid-attachments": [] })).toEqual(OK);
    expect(await readTree(dirs.dataDir)).toBeUndefined();
  });

  it("is refused by skel for a config older than 1.1.0", async () => {
    const refused = await gc({ "cni.dev/valid-attachments": [] }, "1.0.0");
    expect(errorOf(refused)).toEqual({ code: 1, msg: "config version does not allow GC" });
  });

  it("tries every stale file, then reports all failures in one error", async () => {
    const mount = join(dirs.tmp, "ro");
    await withReadOnlyMount(
      mount,
      () => plant("mynet", { lock: "", "10.1.2.2": "a\r\neth0", "10.1.2.3": "b\r\neth0" }, mount),
      async () => {
        const failed = await gc({ "cni.dev/valid-attachments": [] }, "1.1.0", mount);
        const dir = join(mount, "mynet");
        expect(errorOf(failed)).toEqual({
          code: 999,
          msg: `remove ${dir}/10.1.2.2: read-only file system; remove ${dir}/10.1.2.3: read-only file system`,
        });
      },
    );
  });
});

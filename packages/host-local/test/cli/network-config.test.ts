import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, type TempDir } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPluginConfig } from "../../src/cli/network-config.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-conf-");
});
afterEach(() => tmp.cleanup());

function write(name: string, doc: unknown): string {
  const file = join(tmp.path, name);
  writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
  return file;
}

const hostLocal = { type: "host-local", ranges: [[{ subnet: "10.0.0.0/24" }]] };

describe("readPluginConfig", () => {
  it("passes a .conf through byte for byte", () => {
    const text = `{"cniVersion":"0.4.0","name":"n","type":"bridge","ipam":${JSON.stringify(hostLocal)}}`;
    const file = write("n.conf", text);
    expect(readPluginConfig(file)).toEqual({ file, name: "n", stdinData: text });
  });

  it.each([
    ["the list's cniVersion", { cniVersion: "0.3.1", cniVersions: ["1.0.0"] }, "0.3.1"],
    [
      "the highest of cniVersions when cniVersion is absent",
      { cniVersions: ["0.4.0", "1.1.0", "0.10.0"] },
      "1.1.0",
    ],
    ["none when the list has neither", {}, undefined],
  ])("gives the host-local entry of a list the list's name and %s", (_name, versions, expected) => {
    const file = write("n.conflist", {
      name: "listnet",
      ...versions,
      plugins: [
        { type: "bridge", name: "ignored", ipam: { type: "static" } },
        { type: "ptp", ipam: hostLocal },
      ],
    });
    const config = readPluginConfig(file);
    expect(config.name).toBe("listnet");
    const doc = JSON.parse(config.stdinData) as Record<string, unknown>;
    expect(doc).toEqual({
      type: "ptp",
      ipam: hostLocal,
      name: "listnet",
      ...(expected === undefined ? {} : { cniVersion: expected }),
    });
  });

  it("treats any file with a plugins array as a list, whatever its extension", () => {
    const file = write("n.json", {
      name: "x",
      cniVersion: "1.0.0",
      plugins: [{ type: "ptp", ipam: hostLocal }],
    });
    expect(JSON.parse(readPluginConfig(file).stdinData)).toMatchObject({ type: "ptp", name: "x" });
  });

  it.each([
    ["n.conflist", { name: "n" }, 7, 'the network config list has no "plugins" array'],
    ["n.conf", { name: "", ipam: hostLocal }, 7, "the network config has no name"],
    ["n.conf", "null", 6, "not a JSON object"],
    ["n.conf", "{", 6, "not valid JSON"],
  ])("refuses %s holding %j (code %d)", (name, doc, code, message) => {
    const file = write(name, doc);
    expect(() => readPluginConfig(file)).toThrow(
      expect.objectContaining({ code, msg: `${file}: ${message}` }),
    );
  });

  it("reports an unreadable file with code 5 and Go's wording", () => {
    const file = join(tmp.path, "missing.conf");
    expect(() => readPluginConfig(file)).toThrow(
      expect.objectContaining({
        code: 5,
        msg: `cannot read the network config: open ${file}: no such file or directory`,
      }),
    );
  });
});

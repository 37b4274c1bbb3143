import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDataDir, type TempDir } from "@cni-ts/testutils";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli, type Planted, plantNetwork } from "../harness.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDataDir("cni-ts-cli-fsck-");
});
afterEach(() => tmp.cleanup());

interface JsonProblem {
  network: string;
  file: string;
  kind: string;
  detail: string;
}

async function fsck(
  ...extra: string[]
): Promise<{ code: number; problems: JsonProblem[]; repaired: JsonProblem[] }> {
  const run = await cli(["fsck", "--data-dir", tmp.path, "--json", ...extra]);
  expect(run.stderr).toBe("");
  const doc = JSON.parse(run.stdout) as { problems: JsonProblem[]; repaired: JsonProblem[] };
  return { code: run.code, ...doc };
}

const kinds = (problems: readonly JsonProblem[]): string[][] => problems.map((p) => [p.file, p.kind]);

describe("fsck finds", () => {
  it.each<[string, Planted, string[][]]>([
    ["10.1.2.9", "c9\r\neth0", []],
    ["10.1.2.9", "legacy-id", []],
    ["10.1.2.9", "c9\r\neth0\n", []],
    ["2001:db8::9", "c9\r\neth0", []],
    ["10.1.2.9", "", [["10.1.2.9", "empty-allocation"]]],
    ["10.1.2.9", " \r\n\t", [["10.1.2.9", "empty-allocation"]]],
    ["10.1.2.9", "c9\neth0", [["10.1.2.9", "malformed-allocation"]]],
    ["10.1.2.9", "c9\r\neth0\r\nmore", [["10.1.2.9", "malformed-allocation"]]],
    ["10.1.2.9", "c9\r\nbad/if", [["10.1.2.9", "malformed-allocation"]]],
    ["10.1.2.9", "c9\r\nabcdefghijklmnop", [["10.1.2.9", "malformed-allocation"]]],
    ["10.1.2.9", "-c9\r\neth0", [["10.1.2.9", "malformed-allocation"]]],
    ["10.1.2.9", Buffer.from([0xff, 0xfe, 0x41]), [["10.1.2.9", "malformed-allocation"]]],
    ["2001:DB8::9", "c9\r\neth0", [["2001:DB8::9", "non-canonical-name"]]],
    ["::ffff:10.1.2.9", "c9\r\neth0", [["::ffff:10.1.2.9", "non-canonical-name"]]],
    [
      "2001:0db8::9",
      "",
      [
        ["2001:0db8::9", "non-canonical-name"],
        ["2001:0db8::9", "empty-allocation"],
      ],
    ],
    ["10.1.2.9", { dir: true }, [["10.1.2.9", "not-a-regular-file"]]],
    ["10.1.2.9", { symlink: "/etc/hostname" }, [["10.1.2.9", "symlink"]]],
    ["notes.txt", "c9\r\neth0", [["notes.txt", "unknown-name"]]],
    ["last_reserved_ip", "10.1.2.2", [["last_reserved_ip", "unknown-name"]]],
    ["last_reserved_ip.x", "10.1.2.2", [["last_reserved_ip.x", "unknown-name"]]],
    ["010.1.2.9", "c9\r\neth0", [["010.1.2.9", "unknown-name"]]],
    ["fe80::1%eth0", "c9\r\neth0", [["fe80::1%eth0", "unknown-name"]]],
    ["subdir", { dir: true }, [["subdir", "unknown-name"]]],
    [".hidden", "x", [[".hidden", "foreign-dot-name"]]],
    [".cni-ts-index", "anything", []],
    [
      ".10.1.2.9.tmp-999-0",
      { content: "c9\r\neth0", ageSeconds: 60 },
      [[".10.1.2.9.tmp-999-0", "leftover-temp-file"]],
    ],
    [
      ".last_reserved_ip.0.tmp-1-2",
      { content: "10.1.2.9", ageSeconds: 60 },
      [[".last_reserved_ip.0.tmp-1-2", "leftover-temp-file"]],
    ],
    [".10.1.2.9.tmp-999-0", { content: "c9\r\neth0", ageSeconds: -60 }, []],
    ["last_reserved_ip.0", "10.1.2.2", []],
    ["last_reserved_ip.1", "2001:DB8::1", []],
    ["last_reserved_ip.0", "10.1.2.2\n", [["last_reserved_ip.0", "bad-last-reserved-ip"]]],
    ["last_reserved_ip.0", "", [["last_reserved_ip.0", "bad-last-reserved-ip"]]],
    ["last_reserved_ip.3", "garbage", [["last_reserved_ip.3", "bad-last-reserved-ip"]]],
    ["last_reserved_ip.0", { dir: true }, [["last_reserved_ip.0", "bad-last-reserved-ip"]]],
    ["last_reserved_ip.0", { symlink: "/etc/hostname" }, [["last_reserved_ip.0", "symlink"]]],
    ["lock", { dir: true }, [["lock", "unreadable-lock"]]],
    ["lock", { symlink: "/etc/hostname" }, [["lock", "symlink"]]],
  ])("%s holding %j: %j", async (name, planted, expected) => {
    plantNetwork(tmp.path, "mynet", { "10.1.2.2": "c1\r\neth0", [name]: planted });
    const result = await fsck();
    expect(kinds(result.problems)).toEqual(expected);
    expect(result.problems.every((p) => p.network === "mynet" && p.detail !== "")).toBe(true);
    expect(result.code).toBe(expected.length === 0 ? 0 : 1);
  });

  it.each([
    ["10.1.2.9", "not-a-regular-file"],
    ["last_reserved_ip.0", "bad-last-reserved-ip"],
  ])("a FIFO named %s without blocking on it: %s", async (name, kind) => {
    const dir = plantNetwork(tmp.path, "mynet", {});
    execFileSync("mkfifo", [join(dir, name)]);
    const result = await fsck();
    expect(kinds(result.problems)).toEqual([[name, kind]]);
  });

  it("a network directory that is a symbolic link", async () => {
    plantNetwork(tmp.path, "real", { "10.0.0.2": "c1\r\neth0" });
    plantNetwork(tmp.path, "", { alias: { symlink: join(tmp.path, "real") } });
    const result = await fsck();
    expect(result.problems).toEqual([
      {
        network: "alias",
        file: "",
        kind: "symlink",
        detail: "the network directory is a symbolic link; the disk store refuses to use it",
      },
    ]);
  });

  it("only the network asked for with --network", async () => {
    plantNetwork(tmp.path, "a", { "10.0.0.2": "" });
    plantNetwork(tmp.path, "b", { "10.0.0.3": "" });
    expect(kinds((await fsck("--network", "b")).problems)).toEqual([["10.0.0.3", "empty-allocation"]]);
  });

  it.each([
    [{ "10.1.2.7": "" }, "; --repair fixes the kinds that are safe to fix"],
    [{ stray: "x" }, ""],
  ])("and says whether --repair would help with %j", async (files, hint) => {
    plantNetwork(tmp.path, "mynet", files);
    const run = await cli(["fsck", "--data-dir", tmp.path]);
    expect(run.code).toBe(1);
    expect(run.stdout.endsWith(`problems: 1 remain in 1 network under ${tmp.path}${hint}\n`)).toBe(true);
  });

  it("nothing in a data dir written only by valid writers, and says so", async () => {
    plantNetwork(tmp.path, "mynet", { lock: "", "last_reserved_ip.0": "10.1.2.2", "10.1.2.2": "c1\r\neth0" });
    expect(await cli(["fsck", "--data-dir", tmp.path])).toEqual({
      code: 0,
      stderr: "",
      stdout: `ok: no problems in 1 network under ${tmp.path}\n`,
    });
  });
});

describe("fsck --repair", () => {
  const REPAIRABLE: Record<string, Planted> = {
    "10.1.2.7": "",
    "10.1.2.8": "c8\neth0",
    ".10.1.2.9.tmp-4242-0": { content: "c9\r\neth0", ageSeconds: 3600 },
    "last_reserved_ip.0": "10.1.2.2\n",
  };
  const VALID: Record<string, string> = {
    lock: "",
    "10.1.2.2": "c1\r\neth0",
    "10.1.2.3": "legacy-id",
    "2001:db8::2": "c1\r\neth0",
    "last_reserved_ip.1": "2001:db8::2",
    ".cni-ts-index": "ours",
  };

  it("removes what is safe to remove, keeps every valid file, and exits 0 when nothing remains", async () => {
    const dir = plantNetwork(tmp.path, "mynet", { ...VALID, ...REPAIRABLE });
    const result = await fsck("--repair");
    expect(result.code).toBe(0);
    expect(result.problems).toEqual([]);
    expect(kinds(result.repaired)).toEqual([
      [".10.1.2.9.tmp-4242-0", "leftover-temp-file"],
      ["10.1.2.7", "empty-allocation"],
      ["10.1.2.8", "malformed-allocation"],
      ["last_reserved_ip.0", "bad-last-reserved-ip"],
    ]);
    expect(readdirSync(dir).sort()).toEqual(Object.keys(VALID).sort());
    for (const [name, content] of Object.entries(VALID))
      expect(readFileSync(join(dir, name), "utf8")).toBe(content);
    expect((await fsck()).code).toBe(0);
  });

  it("leaves what is not safe to fix, and exits 1", async () => {
    const dir = plantNetwork(tmp.path, "mynet", {
      ...VALID,
      "10.1.2.7": "",
      "2001:DB8::5": "c5\r\neth0",
      stray: "x",
      "10.1.2.6": { symlink: "/etc/hostname" },
    });
    const result = await fsck("--repair");
    expect(result.code).toBe(1);
    expect(kinds(result.repaired)).toEqual([["10.1.2.7", "empty-allocation"]]);
    expect(kinds(result.problems)).toEqual([
      ["10.1.2.6", "symlink"],
      ["2001:DB8::5", "non-canonical-name"],
      ["stray", "unknown-name"],
    ]);
    expect(existsSync(join(dir, "2001:DB8::5"))).toBe(true);
  });

  it("repairs nothing in a network whose lock cannot be taken", async () => {
    const dir = plantNetwork(tmp.path, "mynet", { lock: { dir: true }, "10.1.2.7": "" });
    const result = await fsck("--repair");
    expect(result.code).toBe(1);
    expect(result.repaired).toEqual([]);
    expect(kinds(result.problems)).toEqual([
      ["10.1.2.7", "empty-allocation"],
      ["lock", "unreadable-lock"],
    ]);
    expect(existsSync(join(dir, "10.1.2.7"))).toBe(true);
  });

  it("prints a table with what it did", async () => {
    plantNetwork(tmp.path, "mynet", { "10.1.2.2": "c1\r\neth0", "10.1.2.7": "", stray: "x" });
    const run = await cli(["fsck", "--data-dir", tmp.path, "--repair"]);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      "NETWORK  FILE      PROBLEM           ACTION    DETAIL",
      "mynet    10.1.2.7  empty-allocation  repaired  the allocation file is empty",
      "mynet    stray     unknown-name      manual    a file named neither an address, lock nor last_reserved_ip.<n>",
      `problems: 1 remain in 1 network under ${tmp.path} (1 repaired)`,
      "",
    ]);
  });

  // Valid content as any upstream version writes it: `<id>\r\n<ifname>` or a legacy ID.
  const containerId = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,20}$/);
  const ifname = fc.stringMatching(/^[a-z][a-z0-9]{0,14}$/);
  const validContent = fc.oneof(
    fc.tuple(containerId, ifname).map(([id, ifn]) => `${id}\r\n${ifn}`),
    containerId,
  );
  const junkContent = fc.oneof(
    fc.constant(""),
    fc.constant("\n"),
    fc.string({ maxLength: 12 }).map((s) => `${s} \u0000 ${s}`),
    fc
      .tuple(containerId, fc.constantFrom("a/b", "x:y", "toolonginterfacename"))
      .map(([id, bad]) => `${id}\r\n${bad}`),
  );

  it("never removes or changes a valid allocation (property)", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 2, max: 250 }), { minLength: 1, maxLength: 12 }),
        fc.array(validContent, { minLength: 12, maxLength: 12 }),
        fc.array(junkContent, { minLength: 12, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        async (hosts, valids, junks, isValid) => {
          const network = `n${++runs}`;
          const files: Record<string, string> = {};
          const kept: Record<string, string> = {};
          hosts.forEach((host, i) => {
            const name = i % 2 === 0 ? `10.9.0.${host}` : `2001:db8::${host.toString(16)}`;
            const content = isValid[i] ? (valids[i] ?? "c") : (junks[i] ?? "");
            files[name] = content;
            if (isValid[i]) kept[name] = content;
          });
          const dir = plantNetwork(tmp.path, network, files);
          const result = await fsck("--network", network, "--repair");
          expect(result.problems).toEqual([]);
          const left = readdirSync(dir).filter((n) => n !== "lock");
          expect(left.sort()).toEqual(Object.keys(kept).sort());
          for (const [name, content] of Object.entries(kept)) {
            expect(readFileSync(join(dir, name), "utf8")).toBe(content);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

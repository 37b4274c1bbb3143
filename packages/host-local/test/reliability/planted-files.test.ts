// Links and odd files planted in the data dir (issue #8): an address name, `last_reserved_ip.<n>`, the
// lock, the network directory, our index or a temp name pointing outside the data dir. Whatever the
// plugin does with them, nothing outside the data dir is created, written or removed: a snapshot of the
// rest of the sandbox (sentinel files that the links point at, the working directory) and of the
// machine's default data dir is taken before and compared after every scenario.
import { execFileSync } from "node:child_process";
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { type PluginRun, parseJsonOutput, pluginEnv } from "@cni-ts/testutils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addressesOf,
  CALL_TIMEOUT_MS,
  call,
  expectCniError,
  invocation,
  type Json,
  makeSandbox,
  netConf,
  PLUGIN,
  reservationsIn,
  type Sandbox,
  SENTINEL,
  sh,
  snapshotOutside,
  tempFilesIn,
} from "./harness.js";

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox("plant");
});
afterEach(() => box.cleanup());

const conf = (): Json => netConf(box.dataDir);
const run = (command: string, id = "c1"): Promise<PluginRun> =>
  call({ command, containerId: id, stdin: conf(), cwd: box.cwd });
const inNet = (name: string): string => join(box.networkDir, name);
const outside = (name: string): string => join(box.outside, name);

/** Makes the network directory the way a first ADD leaves it: `lock`, hint, and c0 holding 10.77.0.2. */
async function prepareNetwork(): Promise<void> {
  const first = await run("ADD", "c0");
  expect(addressesOf(first)).toEqual(["10.77.0.2"]);
}

/** The disk store's index directory (a dot-name, see the disk-store README). */
const INDEX = ".cni-ts-index";

/**
 * A network big enough for the store's index (64 reservations and more, see the disk-store README):
 * c0 and c1 hold 10.77.0.2 and .3, p10 to p89 hold 10.77.0.10 to .89, and the index has been built.
 */
async function prepareIndexedNetwork(): Promise<void> {
  await prepareNetwork();
  for (let i = 10; i < 90; i++) writeFileSync(inNet(`10.77.0.${i}`), `p${i}\r\neth0`);
  expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.3"]);
  expect(lstatSync(inNet(INDEX)).isDirectory()).toBe(true);
}

/** ADD, DEL and CHECK on the indexed network still answer from the reservation files themselves. */
async function exerciseIndexedNetwork(): Promise<void> {
  expect(addressesOf(await run("ADD", "c2"))).toEqual(["10.77.0.4"]);
  expect((await run("DEL", "p15")).code).toBe(0);
  expect((await run("CHECK", "p20")).code).toBe(0);
  expectCniError(await run("CHECK", "p15"), "CHECK of a released container", 999);
  expect((await run("DEL", "c2")).code).toBe(0);
  const expected = ["10.77.0.2", "10.77.0.3", ...Array.from({ length: 80 }, (_, k) => `10.77.0.${k + 10}`)];
  expect(reservationsIn(box.networkDir).sort()).toEqual(expected.filter((ip) => ip !== "10.77.0.15").sort());
}

/** Replaces every file of the index directory by a link (symbolic or hard) to an outside file. */
function replaceIndexFiles(kind: "symbolic" | "hard"): void {
  const names = readdirSync(inNet(INDEX));
  expect(names).toContain("state");
  for (const name of names) {
    rmSync(inNet(`${INDEX}/${name}`));
    if (kind === "symbolic") symlinkSync(outside("victim-file"), inNet(`${INDEX}/${name}`));
    else linkSync(outside("victim-file"), inNet(`${INDEX}/${name}`));
  }
}

interface Scenario {
  readonly name: string;
  /** Builds the network directory and plants the odd file. */
  readonly plant: () => Promise<void>;
  /** Drives the plugin and checks what it answered and what the data dir holds. */
  readonly exercise: () => Promise<void>;
}

const scenarios: readonly Scenario[] = [
  {
    name: "an address name linked to a file outside: taken for ADD, never read, written or removed",
    plant: async () => {
      await prepareNetwork();
      symlinkSync(outside("victim-owner"), inNet("10.77.0.3"));
    },
    exercise: async () => {
      // The link holds `victim\r\neth0` for a reader that follows it: that must not make it victim's.
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.4"]);
      expectCniError(await run("CHECK", "victim"), "CHECK through a planted link", 999);
      expect((await run("ADD", "victim")).code).toBe(0);
      for (const id of ["victim", "c1", "c0"]) expect((await run("DEL", id)).code).toBe(0);
      expect(lstatSync(inNet("10.77.0.3")).isSymbolicLink()).toBe(true);
      expect(reservationsIn(box.networkDir)).toEqual(["10.77.0.3"]);
    },
  },
  {
    name: "an address name linked to a missing file outside: ADD never creates it",
    plant: async () => {
      await prepareNetwork();
      symlinkSync(outside("created-by-add"), inNet("10.77.0.3"));
    },
    exercise: async () => {
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.4"]);
      expect((await run("DEL", "c1")).code).toBe(0);
    },
  },
  {
    name: "an address name hard-linked to a file outside: DEL unlinks only the name in the data dir",
    plant: async () => {
      await prepareNetwork();
      linkSync(outside("victim-owner"), inNet("10.77.0.3"));
    },
    exercise: async () => {
      // A hard link is an ordinary reservation of `victim`; releasing it must not touch the other name.
      expect((await run("CHECK", "victim")).code).toBe(0);
      expect((await run("DEL", "victim")).code).toBe(0);
      expect(reservationsIn(box.networkDir)).toEqual(["10.77.0.2"]);
      expect(readFileSync(outside("victim-owner"), "utf8")).toBe(SENTINEL["victim-owner"]);
    },
  },
  {
    name: "last_reserved_ip linked to a file outside: never read through, replaced, not written through",
    plant: async () => {
      await prepareNetwork();
      rmSync(inNet("last_reserved_ip.0"));
      symlinkSync(outside("victim-hint"), inNet("last_reserved_ip.0"));
    },
    exercise: async () => {
      // Read through the link, the hint would say 10.77.0.9 and ADD would hand out 10.77.0.10.
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.3"]);
      expect(lstatSync(inNet("last_reserved_ip.0")).isFile()).toBe(true);
      expect(readFileSync(inNet("last_reserved_ip.0"), "utf8")).toBe("10.77.0.3");
    },
  },
  {
    name: "last_reserved_ip linked to a missing file outside: ADD never creates it",
    plant: async () => {
      await prepareNetwork();
      rmSync(inNet("last_reserved_ip.0"));
      symlinkSync(outside("created-by-hint"), inNet("last_reserved_ip.0"));
    },
    exercise: async () => {
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.3"]);
      expect(lstatSync(inNet("last_reserved_ip.0")).isFile()).toBe(true);
    },
  },
  {
    name: "last_reserved_ip hard-linked to a file outside: replaced, the other name keeps its content",
    plant: async () => {
      await prepareNetwork();
      rmSync(inNet("last_reserved_ip.0"));
      linkSync(outside("victim-hint"), inNet("last_reserved_ip.0"));
    },
    exercise: async () => {
      // A hard link is a regular file, so its hint is honoured (10.77.0.9, then .10 is next); the
      // rename replaces the name in the data dir and leaves the outside name with its old content.
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.10"]);
      expect(readFileSync(inNet("last_reserved_ip.0"), "utf8")).toBe("10.77.0.10");
    },
  },
  {
    name: "the lock linked to a file outside: every command refuses with code 5",
    plant: async () => {
      mkdirSync(box.networkDir);
      symlinkSync(outside("victim-file"), inNet("lock"));
    },
    exercise: async () => {
      for (const command of ["ADD", "DEL", "CHECK"]) {
        const err = expectCniError(await run(command), `${command} with a linked lock`, 5);
        expect(err.msg).toBe(`open ${inNet("lock")}: too many levels of symbolic links`);
      }
    },
  },
  {
    name: "the lock linked to a missing file outside: never created",
    plant: async () => {
      mkdirSync(box.networkDir);
      symlinkSync(outside("created-by-lock"), inNet("lock"));
    },
    exercise: async () => {
      for (const command of ["ADD", "DEL", "CHECK"]) {
        expectCniError(await run(command), `${command} with a dangling linked lock`, 5);
      }
    },
  },
  {
    name: "the network directory linked to a directory outside: refused with code 5",
    plant: async () => {
      symlinkSync(outside("victim-dir"), box.networkDir);
    },
    exercise: async () => {
      for (const command of ["ADD", "DEL", "CHECK"]) {
        const err = expectCniError(await run(command), `${command} with a linked network dir`, 5);
        expect(err.msg).toBe(`network directory ${box.networkDir} is a symbolic link; refusing to use it`);
      }
    },
  },
  {
    name: "our index name linked to a directory outside: ADD and DEL still work",
    plant: async () => {
      await prepareNetwork();
      symlinkSync(outside("victim-dir"), inNet(".cni-ts-index"));
    },
    exercise: async () => {
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.3"]);
      expect((await run("DEL", "c1")).code).toBe(0);
      expect(reservationsIn(box.networkDir)).toEqual(["10.77.0.2"]);
    },
  },
  {
    name: "our index (64+ reservations) replaced by a link to a directory outside",
    plant: async () => {
      await prepareIndexedNetwork();
      rmSync(inNet(INDEX), { recursive: true });
      symlinkSync(outside("victim-dir"), inNet(INDEX));
    },
    exercise: exerciseIndexedNetwork,
  },
  {
    name: "every file of our index replaced by a symbolic link to a file outside",
    plant: async () => {
      await prepareIndexedNetwork();
      replaceIndexFiles("symbolic");
    },
    exercise: exerciseIndexedNetwork,
  },
  {
    name: "every file of our index replaced by a hard link to a file outside",
    plant: async () => {
      await prepareIndexedNetwork();
      replaceIndexFiles("hard");
    },
    exercise: exerciseIndexedNetwork,
  },
  {
    name: "a directory and a FIFO under address names: taken, no hang",
    plant: async () => {
      await prepareNetwork();
      mkdirSync(inNet("10.77.0.3"));
      await sh("mkfifo", [inNet("10.77.0.4")]);
    },
    exercise: async () => {
      expect(addressesOf(await run("ADD", "c1"))).toEqual(["10.77.0.5"]);
      expect((await run("CHECK", "c1")).code).toBe(0);
      expect((await run("DEL", "c1")).code).toBe(0);
      expect(lstatSync(inNet("10.77.0.3")).isDirectory()).toBe(true);
      expect(lstatSync(inNet("10.77.0.4")).isFIFO()).toBe(true);
    },
  },
];

describe("planted links and odd files", { timeout: 60_000 }, () => {
  it.each(scenarios.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    await scenario.plant();
    const before = snapshotOutside(box);
    await scenario.exercise();
    expect(snapshotOutside(box)).toEqual(before);
    expect(tempFilesIn(box.networkDir)).toEqual([]);
  });

  // A writer's temp name is `.<ip>.tmp-<pid>-<n>`. Run in a fresh PID namespace the plugin is pid 1, so
  // its first temp names are known in advance and can be planted as links pointing outside.
  it("temp names planted as links to outside files: skipped, never written through", async () => {
    await prepareNetwork();
    for (let n = 0; n < 4; n++) symlinkSync(outside(`created-by-temp-${n}`), inNet(`.10.77.0.3.tmp-1-${n}`));
    symlinkSync(outside("victim-file"), inNet(".10.77.0.3.tmp-1-4"));
    const before = snapshotOutside(box);

    const env = pluginEnv(invocation({ command: "ADD", containerId: "c1", stdin: conf() }));
    const stdout = execFileSync("unshare", ["--pid", "--fork", PLUGIN], {
      env,
      cwd: box.cwd,
      input: JSON.stringify(conf()),
      timeout: CALL_TIMEOUT_MS,
      encoding: "utf8",
    });
    const result = parseJsonOutput(stdout) as { ips: { address: string }[] };
    expect(result.ips.map((ip) => ip.address)).toEqual(["10.77.0.3/24"]);
    expect(snapshotOutside(box)).toEqual(before);
    expect(readFileSync(inNet("10.77.0.3"), "utf8")).toBe("c1\r\neth0");
    // Only the planted links remain under temp names; GC leaves links alone as well.
    expect(tempFilesIn(box.networkDir).every((n) => lstatSync(inNet(n)).isSymbolicLink())).toBe(true);
  });
});

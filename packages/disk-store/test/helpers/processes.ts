// Child processes for the lock tests: util-linux flock, the upstream binary, and our code under Node
// and Bun. Every wait here polls a condition; nothing asserts on elapsed time.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Path of the Bun binary the repository pins (a root dev dependency). */
export const BUN = join(
  createRequire(import.meta.url).resolve("@oven/bun-linux-x64/package.json"),
  "..",
  "bin",
  "bun",
);

/** An explicit environment for children (tests never touch process.env). */
export const CHILD_ENV: Record<string, string> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
};

/** How a finished child ended. */
export interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A started child with its collected output. */
export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Output so far. */
  stdout(): string;
  /** Resolves when the child has exited. */
  readonly done: Promise<Outcome>;
}

/** Starts `cmd` with `args`, stdin piped (closing it is the child's signal to finish). */
export function start(
  cmd: string,
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Started {
  const child = spawn(cmd, args, { env: options.env ?? CHILD_ENV, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  return { child, pid: child.pid, stdout: () => stdout, done };
}

/** Runs `cmd` to completion. */
export function run(cmd: string, args: readonly string[], options: { env?: Record<string, string> } = {}) {
  const started = start(cmd, args, options);
  started.child.stdin?.end();
  return started.done;
}

/** Polls `condition` until it holds (the test's own timeout bounds the wait). */
export async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

/** Exit status of `flock -n <path> true`: 0 when nobody holds the lock, 1 when somebody does. */
export async function flockNonBlocking(path: string): Promise<number | null> {
  return (await run("flock", ["-n", path, "true"])).code;
}

/** True when process `pid` is queued in the kernel waiting for a flock on the file at `path`. */
export function isWaitingForFlock(pid: number, path: string): boolean {
  const inode = statSync(path).ino;
  return readFileSync("/proc/locks", "utf8")
    .split("\n")
    .some((line) => {
      const f = line.trim().split(/\s+/);
      // "<n>: -> FLOCK ADVISORY WRITE <pid> <maj:min:inode> 0 EOF"
      return (
        f[1] === "->" && f[2] === "FLOCK" && f[5] === String(pid) && f[6]?.split(":")[2] === String(inode)
      );
    });
}

/** Debian's build of upstream's plugin: the oracle for the on-disk format. */
export const UPSTREAM_HOST_LOCAL = "/usr/lib/cni/host-local";

/** Runs upstream's host-local to completion; see {@link startUpstream}. */
export function runUpstream(
  command: "ADD" | "DEL" | "CHECK",
  dataDir: string,
  containerId: string,
  ifname: string,
  subnets: readonly string[] = ["10.1.2.0/24"],
): Promise<Outcome> {
  return startUpstream(command, dataDir, containerId, ifname, subnets).done;
}

/** Starts upstream's host-local with one `ranges` set per subnet, network `net`, in `dataDir`. */
export function startUpstream(
  command: "ADD" | "DEL" | "CHECK",
  dataDir: string,
  containerId: string,
  ifname: string,
  subnets: readonly string[] = ["10.1.2.0/24"],
): Started {
  const config = {
    cniVersion: "0.4.0",
    name: "net",
    type: "host-local",
    ipam: { type: "host-local", dataDir, ranges: subnets.map((subnet) => [{ subnet }]) },
  };
  return start(UPSTREAM_HOST_LOCAL, [], {
    env: {
      ...CHILD_ENV,
      CNI_COMMAND: command,
      CNI_CONTAINERID: containerId,
      CNI_NETNS: "/var/run/netns/none",
      CNI_IFNAME: ifname,
      CNI_PATH: "/usr/lib/cni",
    },
    stdin: JSON.stringify(config),
  });
}

/** A util-linux `flock` process holding a lock until told to let go. */
export interface FlockHolder {
  /** Lets go: the holder marks {@link FlockHolder.releasedMarker}, then exits, releasing the lock. */
  release(): void;
  /** A file that exists once the holder is about to release the lock. */
  readonly releasedMarker: string;
  readonly done: Promise<Outcome>;
}

/**
 * Runs `flock <mode> <lockPath>` around a shell that waits for its stdin to close, and resolves once
 * the lock is held. Whoever takes the lock after {@link FlockHolder.release} must see the released
 * marker: that proves it waited, without measuring time. Markers go in `scratchDir`.
 */
export async function holdFlock(
  lockPath: string,
  mode: "-x" | "-s",
  scratchDir: string,
): Promise<FlockHolder> {
  const held = join(scratchDir, "held");
  const releasedMarker = join(scratchDir, "released");
  const holder = start("flock", [
    mode,
    lockPath,
    "sh",
    "-c",
    `: > ${held}; read -r _; : > ${releasedMarker}`,
  ]);
  await waitUntil(() => existsSync(held));
  return { release: () => holder.child.stdin?.end(), releasedMarker, done: holder.done };
}

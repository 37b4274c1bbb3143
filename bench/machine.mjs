// Describes the machine and file systems a benchmark ran on, so a results table can say where its
// numbers come from.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statfsSync } from "node:fs";
import { availableParallelism, release, totalmem } from "node:os";

// statfs(2) f_type values of the file systems a data dir is likely to live on (linux/magic.h).
const FS_NAMES = new Map([
  [0x01021994, "tmpfs"],
  [0xef53, "ext4"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x794c7630, "overlayfs"],
  [0x2fc12fc1, "zfs"],
  [0x6969, "nfs"],
]);

/**
 * The machine the benchmark runs on: CPU count and model, kernel, distribution, memory, Node.
 *
 * @returns {{ cpus: number, cpuModel: string, kernel: string, os: string, memoryMiB: number, node: string }}
 *   the description; fields that cannot be read (no /proc, no /etc/os-release) say "unknown"
 */
export function describeMachine() {
  return {
    cpus: availableParallelism(),
    cpuModel: firstMatch("/proc/cpuinfo", /^model name\s*:\s*(.+)$/m),
    kernel: release(),
    os: firstMatch("/etc/os-release", /^PRETTY_NAME="?([^"\n]+)"?$/m),
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
  };
}

/**
 * The type of the file system holding a path (e.g. "ext4", "tmpfs"). fsync costs real time on a
 * disk-backed file system and nothing on tmpfs, which is why the report names it.
 *
 * @param {string} path an existing path
 * @returns {string} a file system name, or `0x<magic>` for one not in the table above
 * @throws {Error} when the path does not exist (from statfs)
 */
export function fileSystemOf(path) {
  const type = statfsSync(path).type;
  return FS_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

function firstMatch(file, pattern) {
  if (!existsSync(file)) {
    return "unknown";
  }
  return pattern.exec(readFileSync(file, "utf8"))?.[1]?.trim() ?? "unknown";
}

/**
 * The Debian package that installed a file, with its version (e.g.
 * "containernetworking-plugins 1.1.1+ds1-3+b2"), since the upstream binary's about text says
 * "version unknown".
 *
 * @param {string} path an absolute path, symlinks resolved
 * @returns {string | null} "<package> <version>", or null when dpkg is absent or owns no such file
 */
export function debianPackageOf(path) {
  const owner = spawnSync("dpkg", ["-S", path], { encoding: "utf8" });
  const name = owner.status === 0 ? /^([^:\s]+)(:[^:\s]+)?: /.exec(owner.stdout)?.[1] : undefined;
  if (name === undefined) {
    return null;
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
  const version = spawnSync("dpkg-query", ["-W", "-f", "${Version}", name], { encoding: "utf8" });
  return version.status === 0 ? `${name} ${version.stdout.trim()}` : name;
}

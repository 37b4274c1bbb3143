/**
 * The plugin's store: `@cni-ts/disk-store`, upstream's file-per-address layout under the config's
 * `dataDir`.
 */
// STATUS's checks use node:fs, synchronous and obtained only when they run (not imported): the
// compiled plugin's other calls never load it (see @cni-ts/disk-store's system calls), and
// node:fs/promises (with node:events) would cost more still.
import type { IpamConfig } from "@cni-ts/allocator";
import { DEFAULT_DATA_DIR, openDiskStore, openExistingDiskStore } from "@cni-ts/disk-store";
import { CNI_ERROR_CODES, CniError, isCniError } from "@cni-ts/types";
import { errnoCode, goPathErrorText } from "./go-error-text.js";
import type { StoreProvider } from "./store-provider.js";

function diskOptions(config: IpamConfig): { dataDir: string; network: string } {
  return { dataDir: config.dataDir === "" ? DEFAULT_DATA_DIR : config.dataDir, network: config.name };
}

function unusable(err: unknown, path: string, op: string): CniError {
  return new CniError(
    CNI_ERROR_CODES.PluginNotAvailable,
    `cannot use the data dir: ${goPathErrorText(err, path, op)}`,
    {
      cause: err,
    },
  );
}

/** node:fs, loaded on first use (STATUS only). */
function fs(): typeof import("node:fs") {
  return process.getBuiltinModule("node:fs");
}

/** node:path, loaded on first use (STATUS only). */
function path(): typeof import("node:path") {
  return process.getBuiltinModule("node:path");
}

function checkWritableDir(path: string): void {
  const { accessSync, constants } = fs();
  try {
    // W_OK is refused on a read-only mount even for root; X_OK is needed to create entries inside.
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw unusable(err, path, "access");
  }
}

/**
 * An ADD creates a file (an inode) with a few bytes of content: with no free inode or no free block on
 * the file system of `path`, it would fail with ENOSPC. File systems that report no totals (a count
 * of 0, such as btrfs for inodes) are not judged on that count. Root may use the blocks reserved for
 * it, as the plugin running as root would.
 */
function checkFreeSpace(path: string): void {
  let stats: ReturnType<typeof import("node:fs").statfsSync>;
  try {
    stats = fs().statfsSync(path);
  } catch (err) {
    throw unusable(err, path, "statfs");
  }
  const freeBlocks = process.geteuid?.() === 0 ? stats.bfree : stats.bavail;
  const lacking =
    stats.files > 0 && stats.ffree === 0 ? "inodes" : stats.blocks > 0 && freeBlocks === 0 ? "blocks" : "";
  if (lacking !== "") {
    throw new CniError(
      CNI_ERROR_CODES.PluginNotAvailable,
      `cannot use the data dir: ${path}: no space left on device (no free ${lacking})`,
    );
  }
}

/**
 * The network directory does not exist: ADD would create it under the nearest existing ancestor,
 * which therefore has to be a writable directory.
 */
function checkCreatable(dir: string): void {
  const { dirname, resolve } = path();
  let ancestor = dirname(resolve(dir));
  for (;;) {
    try {
      // stat, not lstat: creating the directories follows links in the parents, like mkdir -p.
      const st = fs().statSync(ancestor);
      if (!st.isDirectory()) {
        throw new CniError(
          CNI_ERROR_CODES.PluginNotAvailable,
          `cannot use the data dir: ${ancestor} is not a directory`,
        );
      }
      checkWritableDir(ancestor);
      checkFreeSpace(ancestor);
      return;
    } catch (err) {
      if (errnoCode(err) !== "ENOENT" || ancestor === dirname(ancestor)) {
        throw isCniError(err) ? err : unusable(err, ancestor, "stat");
      }
      ancestor = dirname(ancestor);
    }
  }
}

function checkLockFile(dir: string): void {
  const lockPath = path().join(dir, "lock");
  const { accessSync, constants, lstatSync } = fs();
  try {
    const st = lstatSync(lockPath);
    if (!st.isFile()) {
      throw new CniError(
        CNI_ERROR_CODES.PluginNotAvailable,
        `cannot use the data dir: lock file ${lockPath} is not a regular file`,
      );
    }
    accessSync(lockPath, constants.R_OK);
  } catch (err) {
    // A missing lock file is created by the next ADD, in a directory already known to be writable.
    if (errnoCode(err) === "ENOENT") return;
    throw isCniError(err) ? err : unusable(err, lockPath, "open");
  }
}

/**
 * The disk store of `<dataDir>/<name>` (`dataDir` `""` means `/var/lib/cni/networks`).
 * `openStore` creates the directory and lock file like upstream; `openExistingStore` creates nothing;
 * `checkUsable` checks, read-only, that the network directory (or, when it does not exist yet, its
 * nearest existing ancestor) is a writable directory on a file system with a free inode and a free
 * block, and that the lock file, if present, can be opened.
 */
export const diskStoreProvider: StoreProvider = {
  openStore: (config) => openDiskStore(diskOptions(config)),
  openExistingStore: (config) => openExistingDiskStore(diskOptions(config)),
  async checkUsable(config) {
    const { dataDir, network } = diskOptions(config);
    const dir = path().join(dataDir, network);
    let kind: "directory" | "link" | "other";
    try {
      const st = fs().lstatSync(dir);
      kind = st.isDirectory() ? "directory" : st.isSymbolicLink() ? "link" : "other";
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return checkCreatable(dir);
      throw unusable(err, dir, "lstat");
    }
    // The disk store refuses a linked network directory (it could send every write elsewhere).
    if (kind === "link") {
      throw new CniError(
        CNI_ERROR_CODES.PluginNotAvailable,
        `cannot use the data dir: ${dir} is a symbolic link`,
      );
    }
    if (kind !== "directory") {
      throw new CniError(
        CNI_ERROR_CODES.PluginNotAvailable,
        `cannot use the data dir: ${dir} is not a directory`,
      );
    }
    checkWritableDir(dir);
    checkFreeSpace(dir);
    checkLockFile(dir);
  },
};

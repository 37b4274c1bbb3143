/**
 * The plugin's store: `@cni-ts/disk-store`, upstream's file-per-address layout under the config's
 * `dataDir`.
 */
// Synchronous fs only: the plugin is one short call, and loading node:fs/promises (with node:events)
// only for STATUS's checks would cost every command's start-up.
import { accessSync, constants, lstatSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

function checkWritableDir(path: string): void {
  try {
    // W_OK is refused on a read-only mount even for root; X_OK is needed to create entries inside.
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw unusable(err, path, "access");
  }
}

/**
 * The network directory does not exist: ADD would create it under the nearest existing ancestor,
 * which therefore has to be a writable directory.
 */
function checkCreatable(dir: string): void {
  let ancestor = dirname(resolve(dir));
  for (;;) {
    try {
      // stat, not lstat: creating the directories follows links in the parents, like mkdir -p.
      const st = statSync(ancestor);
      if (!st.isDirectory()) {
        throw new CniError(
          CNI_ERROR_CODES.PluginNotAvailable,
          `cannot use the data dir: ${ancestor} is not a directory`,
        );
      }
      checkWritableDir(ancestor);
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
  const path = join(dir, "lock");
  try {
    const st = lstatSync(path);
    if (!st.isFile()) {
      throw new CniError(
        CNI_ERROR_CODES.PluginNotAvailable,
        `cannot use the data dir: lock file ${path} is not a regular file`,
      );
    }
    accessSync(path, constants.R_OK);
  } catch (err) {
    // A missing lock file is created by the next ADD, in a directory already known to be writable.
    if (errnoCode(err) === "ENOENT") return;
    throw isCniError(err) ? err : unusable(err, path, "open");
  }
}

/**
 * The disk store of `<dataDir>/<name>` (`dataDir` `""` means `/var/lib/cni/networks`).
 * `openStore` creates the directory and lock file like upstream; `openExistingStore` creates nothing;
 * `checkUsable` checks, read-only, that the network directory (or, when it does not exist yet, its
 * nearest existing ancestor) is a writable directory and that the lock file, if present, can be opened.
 */
export const diskStoreProvider: StoreProvider = {
  openStore: (config) => openDiskStore(diskOptions(config)),
  openExistingStore: (config) => openExistingDiskStore(diskOptions(config)),
  async checkUsable(config) {
    const { dataDir, network } = diskOptions(config);
    const dir = join(dataDir, network);
    let kind: "directory" | "link" | "other";
    try {
      const st = lstatSync(dir);
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
    checkLockFile(dir);
  },
};

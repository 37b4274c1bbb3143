import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { errnoCode, goPathErrorText } from "../go-error-text.js";

/** One entry directly under a data dir: a network directory, or something that should not be there. */
export interface DataDirEntry {
  /** The entry's name, which is the network name for a directory. */
  name: string;
  /** Absolute or relative path (the data dir joined with the name). */
  path: string;
  /** `directory` for a network; a `symlink` is reported by fsck and refused by the disk store. */
  type: "directory" | "symlink" | "other";
}

/** Byte-wise order of UTF-8 names: what upstream's directory walk uses, independent of the locale. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * The entries of `dataDir` in byte-wise name order, without dot-names, or `undefined` when `dataDir`
 * does not exist (nothing was ever allocated there). When `network` is given, only that entry (or none).
 * Throws CniError 5 when `dataDir` is not a directory or cannot be read.
 */
export function readDataDirEntries(dataDir: string, network?: string): DataDirEntry[] | undefined {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw new CniError(
      CNI_ERROR_CODES.IoFailure,
      `cannot read the data dir: ${goPathErrorText(err, dataDir, "open")}`,
      {
        cause: err,
      },
    );
  }
  const wanted = names
    .filter((n) => !n.startsWith(".") && (network === undefined || n === network))
    .sort(compareNames);
  const entries: DataDirEntry[] = [];
  for (const name of wanted) {
    const path = join(dataDir, name);
    let type: DataDirEntry["type"];
    try {
      const st = lstatSync(path);
      type = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "directory" : "other";
    } catch (err) {
      // Removed between readdir and lstat (a concurrent cleanup): it is simply not there any more.
      if (errnoCode(err) === "ENOENT") continue;
      throw new CniError(
        CNI_ERROR_CODES.IoFailure,
        `cannot read the data dir: ${goPathErrorText(err, path, "lstat")}`,
        {
          cause: err,
        },
      );
    }
    entries.push({ name, path, type });
  }
  return entries;
}

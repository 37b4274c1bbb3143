/**
 * Locating a plugin executable on `CNI_PATH`, as runtimes and delegating plugins do.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { CNI_ERROR_CODES, CniError, goQuote } from "@cni-ts/types";
import { goList } from "./go-quote.js";

/**
 * Splits a `CNI_PATH` value into directories on `:`; the empty string means no directory at all.
 * Never throws.
 */
export function splitCniPath(cniPath: string): string[] {
  return cniPath === "" ? [] : cniPath.split(":");
}

/**
 * Returns the path of the plugin named `plugin` (a config's `type`): the first `<dir>/<plugin>` that is
 * a regular file (symlinks followed), trying the directories of `cniPath` in order. `cniPath` is a
 * `CNI_PATH` value (`:`-separated) or a list of directories.
 * Throws {@link CniError} 999 with upstream's texts: `no plugin name provided`, `invalid plugin name:
 * <name>` (a name containing `/`), `no paths provided`, or `failed to find plugin "<name>" in path
 * [<dir> <dir>]`.
 */
export function findInPath(plugin: string, cniPath: string | readonly string[]): string {
  const fail = (msg: string): CniError => new CniError(CNI_ERROR_CODES.Internal, msg);
  if (plugin === "") throw fail("no plugin name provided");
  if (plugin.includes("/")) throw fail(`invalid plugin name: ${plugin}`);
  const dirs = typeof cniPath === "string" ? splitCniPath(cniPath) : cniPath;
  if (dirs.length === 0) throw fail("no paths provided");
  for (const dir of dirs) {
    const candidate = join(dir, plugin);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Deliberately ignored: a directory without the plugin (or unreadable) just isn't a match.
    }
  }
  throw fail(`failed to find plugin ${goQuote(plugin)} in path ${goList(dirs)}`);
}

import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A directory that exists until {@link TempDir.cleanup} is called. */
export interface TempDir {
  /** Absolute, symlink-free path of the directory. */
  readonly path: string;
  /** Removes the directory and everything in it; safe to call more than once. Never throws. */
  cleanup(): void;
}

/**
 * Creates a fresh, empty directory under the system temp dir (or `parent`), for use as a plugin's
 * `ipam.dataDir` or any other scratch space. Throws the underlying fs error when it cannot be created.
 */
export function makeTempDataDir(prefix = "cni-ts-", parent: string = tmpdir()): TempDir {
  const path = realpathSync(mkdtempSync(join(parent, prefix)));
  return {
    path,
    cleanup: () => {
      try {
        rmSync(path, { recursive: true, force: true });
      } catch {
        // Clean-up is best effort: a leftover temp dir must not turn a passing test into a failure.
      }
    },
  };
}

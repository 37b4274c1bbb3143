// Small file trees from object literals, and the views of a directory the tests assert on.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One entry of a planted tree: file content, a symbolic link, or a subdirectory. */
export type TreeEntry = string | { readonly symlink: string } | { readonly dir: Tree };
/** A directory's entries by name. */
export interface Tree {
  readonly [name: string]: TreeEntry;
}

/** Creates every entry of `tree` under `dir` (files with mode 0600, like ours). */
export function plantTree(dir: string, tree: Tree): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, entry] of Object.entries(tree)) {
    const path = join(dir, name);
    if (typeof entry === "string") writeFileSync(path, entry, { mode: 0o600 });
    else if ("symlink" in entry) symlinkSync(entry.symlink, path);
    else plantTree(path, entry.dir);
  }
}

/** A scratch directory and its removal. */
export interface Scratch {
  readonly path: string;
  cleanup(): void;
}

/** A fresh directory under the system temp dir, symlink-free. */
export function makeScratch(): Scratch {
  const path = realpathSync(mkdtempSync(join(tmpdir(), "cni-ts-disk-store-")));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Names in `dir`, byte order. */
export function namesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Every top-level regular file of `dir` with its exact content, dot-names included. */
export function filesIn(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of namesIn(dir)) {
    if (lstatSync(join(dir, name)).isFile()) out[name] = readFileSync(join(dir, name), "latin1");
  }
  return out;
}

/** Permission bits of `path` (not following a link). */
export function modeOf(path: string): number {
  return lstatSync(path).mode & 0o7777;
}

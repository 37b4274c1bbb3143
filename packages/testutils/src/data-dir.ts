import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One regular file of a data dir: its bytes and its permission bits. */
export interface DataFile {
  readonly bytes: Buffer;
  /** Permission bits only (`st_mode & 0o7777`). */
  readonly mode: number;
}

/** Options of {@link readDataDir}. */
export interface ReadDataDirOptions {
  /** Leave out names starting with `.` (our index and temp files, per the data dir decisions). */
  ignoreDotNames?: boolean;
}

/**
 * Reads every regular file under `dir`, recursively, into a map from path (relative to `dir`, `/`
 * separated) to bytes and mode, in byte-wise name order. Directories appear only through their files;
 * other file types are skipped. Throws the fs error when `dir` does not exist or cannot be read.
 */
export function readDataDir(dir: string, options: ReadDataDirOptions = {}): Map<string, DataFile> {
  const files = new Map<string, DataFile>();
  const walk = (rel: string): void => {
    const names = readdirSync(join(dir, rel)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      if (options.ignoreDotNames === true && name.startsWith(".")) continue;
      const relName = rel === "" ? name : `${rel}/${name}`;
      const full = join(dir, relName);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(relName);
      else if (st.isFile()) files.set(relName, { bytes: readFileSync(full), mode: st.mode & 0o7777 });
    }
  };
  walk("");
  return files;
}

/** The text view of {@link readDataDir}: file name → UTF-8 content, for readable assertions. */
export function dataDirContents(files: ReadonlyMap<string, DataFile>): Record<string, string> {
  return Object.fromEntries([...files].map(([name, f]) => [name, f.bytes.toString("utf8")]));
}

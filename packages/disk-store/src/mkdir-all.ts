import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";
import { ioError } from "./io-error.js";
import type { FileStat } from "./sys/index.js";
import { sys } from "./sys/index.js";
import { dirname } from "./sys/path.js";

/**
 * Creates `path` and any missing parents with `mode` (the umask applies), like Go's `os.MkdirAll`,
 * which upstream calls for the network directory. Node's own recursive mkdir is not used because it
 * reports the error of the deepest path (ENOENT) rather than the one that failed (EROFS, EACCES).
 *
 * Throws CniError 5 worded like Go's error for the directory that could not be made
 * (`mkdir /var/lib/cni: read-only file system`, `mkdir <path>: not a directory`).
 */
export function mkdirAll(path: string, mode: number): void {
  const existing = statOrUndefined(path);
  if (existing !== undefined) {
    if (existing.isDirectory()) return;
    throw notADirectory(path);
  }
  const parent = dirname(path);
  if (parent !== path) mkdirAll(parent, mode);
  try {
    sys.mkdir(path, mode);
  } catch (err) {
    // Someone else (another ADD) may have made it meanwhile: that is success.
    if (isDirectory(path)) return;
    throw ioError("mkdir", path, err);
  }
}

function statOrUndefined(path: string): FileStat | undefined {
  try {
    // A missing directory (ADD's first call) is an answer, not an exception.
    return sys.statIfExists(path);
  } catch {
    // As Go's MkdirAll: any failure to stat means "go on and create it"; if that is impossible, the
    // mkdir below (or the parent's) reports why, for the directory that actually failed.
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return sys.lstat(path).isDirectory();
  } catch {
    // Whatever made the mkdir fail is reported by the caller; this only answers yes or no.
    return false;
  }
}

function notADirectory(path: string): CniError {
  return new CniError(CNI_ERROR_CODES.IoFailure, `mkdir ${path}: not a directory`);
}

// The store's system calls on Node: node:fs, obtained when this module loads (not imported, so a
// bundle for Bun, which never takes this path, does not load node:fs either). No flock(2) here;
// Node has none, and the lock code loads koffi for it.
import type { Sys } from "./api.js";

/** {@link Sys} over node:fs. */
export function nodeSys(): Sys {
  const fs = process.getBuiltinModule("node:fs");
  return {
    open: (path, flags, mode) => fs.openSync(path, flags, mode),
    close: (fd) => fs.closeSync(fd),
    read: (fd, buffer, offset, length) => fs.readSync(fd, buffer, offset, length, null),
    write: (fd, buffer, offset, length, position) =>
      fs.writeSync(fd, buffer, offset, length, position ?? null),
    fsync: (fd) => fs.fsyncSync(fd),
    fstat: (fd) => fs.fstatSync(fd, { bigint: true }),
    stat: (path) => fs.statSync(path, { bigint: true }),
    lstat: (path) => fs.lstatSync(path, { bigint: true }),
    statIfExists: (path) => fs.statSync(path, { bigint: true, throwIfNoEntry: false }),
    lstatIfExists: (path) => fs.lstatSync(path, { bigint: true, throwIfNoEntry: false }),
    readdir: (path) => fs.readdirSync(path, { withFileTypes: true }),
    mkdir: (path, mode) => {
      fs.mkdirSync(path, { mode });
    },
    rmdir: (path) => fs.rmdirSync(path),
    link: (existingPath, newPath) => fs.linkSync(existingPath, newPath),
    rename: (oldPath, newPath) => fs.renameSync(oldPath, newPath),
    unlink: (path) => fs.unlinkSync(path),
    flock: undefined,
  };
}

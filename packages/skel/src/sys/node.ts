// skel's system calls on Node: node:fs, obtained when this module loads rather than imported, so a
// build for Bun, which never takes this path, does not load it.
import type { PluginSys } from "./api.js";

/** {@link PluginSys} over node:fs. */
export function nodeSys(): PluginSys {
  const fs = process.getBuiltinModule("node:fs");
  return {
    read: (fd, buffer, offset, length) => fs.readSync(fd, buffer, offset, length, null),
    write: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
    identify: (path) => fs.statSync(path, { bigint: true, throwIfNoEntry: false }),
  };
}

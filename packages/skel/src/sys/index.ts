// skel's system calls (see ./api.ts): libc through bun:ffi in Bun, node:fs on Node, chosen once when
// the module loads. Neither runtime loads the other's module.
import type { PluginSys } from "./api.js";
import { bunSys } from "./bun.js";
import { nodeSys } from "./node.js";

export type { FileIdentity, PluginSys } from "./api.js";

function chooseSys(): PluginSys {
  if (typeof process.versions.bun !== "string") return nodeSys();
  try {
    return bunSys(process.getBuiltinModule("bun:ffi"));
  } catch {
    // Deliberately not fatal (a libc without these functions): node:fs works in Bun too.
    return nodeSys();
  }
}

/** The system calls of this runtime. */
export const sys: PluginSys = chooseSys();

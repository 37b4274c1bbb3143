/**
 * The five commands of the plugin, wired to one store provider.
 */
import type { PluginCommands } from "@cni-ts/skel";
import { createAddCommand } from "./commands/add.js";
import { createCheckCommand } from "./commands/check.js";
import { createDelCommand } from "./commands/del.js";
import { createGcCommand } from "./commands/gc.js";
import { createStatusCommand } from "./commands/status.js";
import type { StoreProvider } from "./store-provider.js";

/**
 * ADD, DEL, CHECK, GC and STATUS over `provider`, ready for skel's `dispatch` or `pluginMain`. The
 * commands return or throw (see each `create*Command`), and never print. Never throws.
 */
export function createPluginCommands(provider: StoreProvider): Required<PluginCommands> {
  return {
    add: createAddCommand(provider),
    del: createDelCommand(provider),
    check: createCheckCommand(provider),
    gc: createGcCommand(provider),
    status: createStatusCommand(provider),
  };
}

/**
 * DEL (contract 7.1): release what the container's interface holds. Idempotent.
 */
import { IpAllocator, loadIpamConfig } from "@cni-ts/allocator";
import type { CmdArgs } from "@cni-ts/skel";
import { CniError, toCniError } from "@cni-ts/types";
import type { StoreProvider } from "../store-provider.js";
import { underLock } from "./store-session.js";

/** The DEL command: resolves when nothing of the attachment is left. */
export type DelCommand = (args: CmdArgs) => Promise<void>;

/**
 * Builds DEL over `provider`. The command loads and checks the config and `CNI_ARGS` like ADD (a
 * broken config fails DEL too, as upstream), then releases, holding the lock once, every address of
 * (container, ifname) once per range set, which also removes the container's legacy records as
 * upstream's per-set loop does. A network whose store does not exist has nothing to release: it
 * succeeds without creating the store (upstream creates the directory and lock file).
 *
 * The command rejects with the config's CniError 999 texts, or the store's error (5 when a file cannot
 * be removed, so the runtime retries; upstream ignores such failures), messages of several failures
 * joined with `;` as upstream joins them.
 */
export function createDelCommand(provider: StoreProvider): DelCommand {
  return async (args) => {
    const config = loadIpamConfig(args.stdinData, args.args);
    const store = await provider.openExistingStore(config);
    if (store === undefined) return;
    await underLock(store, async () => {
      const failures: CniError[] = [];
      for (const [index, rangeSet] of config.rangeSets.entries()) {
        try {
          await new IpAllocator(rangeSet, store, index).release(args.containerId, args.ifName);
        } catch (err) {
          failures.push(toCniError(err));
        }
      }
      const [first] = failures;
      if (first === undefined) return;
      // Every set releases from the same store, so the same failure tends to repeat: report it once.
      const messages = [...new Set(failures.map((f) => f.message))];
      if (messages.length === 1) throw first;
      throw new CniError(first.code, messages.join(";"), { cause: failures });
    });
  };
}

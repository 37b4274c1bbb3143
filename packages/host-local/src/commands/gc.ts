/**
 * GC (spec 1.1.0; contract 7.3 with the DECISION there): release every reservation that belongs to no
 * still valid attachment.
 */
import type { Allocation, Attachment } from "@cni-ts/allocator";
import { loadIpamConfig } from "@cni-ts/allocator";
import type { CmdArgs } from "@cni-ts/skel";
import { CNI_ERROR_CODES, CniError, goTrimSpace, toCniError } from "@cni-ts/types";
import type { StoreProvider } from "../store-provider.js";
import { underLock } from "./store-session.js";

/** The GC command: resolves when every stale reservation is gone. */
export type GcCommand = (args: CmdArgs) => Promise<void>;

/** Decides staleness from the valid attachments (contract 7.3 step 5). */
function stalenessTest(valid: readonly Attachment[]): (allocation: Allocation) => boolean {
  const attachments = new Set(valid.map((a) => `${goTrimSpace(a.containerId)}\r\n${a.ifname}`));
  const containers = new Set(valid.map((a) => goTrimSpace(a.containerId)));
  return (allocation) => {
    // Empty content: an upstream writer died between create and write; nobody can own it.
    if (allocation.containerId === "") return true;
    // A legacy record names only the container: keep it while the container has any attachment.
    if (allocation.ifname === undefined) return !containers.has(allocation.containerId);
    return !attachments.has(`${allocation.containerId}\r\n${allocation.ifname}`);
  };
}

/**
 * Builds GC over `provider`. The command loads and checks the config like ADD. When the config has
 * neither `cni.dev/valid-attachments` nor `cni.dev/attachments`, it does nothing (deleting every
 * reservation because a runtime sent no list would be a disaster); an empty list makes every
 * reservation stale. Holding the lock, it removes each reservation of the network (inside the
 * current ranges or not) whose owner is not a valid attachment, keeping legacy records of a listed
 * container, and the temp files of writers killed before GC started. `last_reserved_ip.*` and other
 * networks are never touched; a network whose store does not exist succeeds.
 *
 * Removal failures do not stop GC: it goes on, then rejects with one CniError 999 joining their
 * messages with `; `. Also rejects with the config's errors and the store's (listing it, 5).
 */
export function createGcCommand(provider: StoreProvider): GcCommand {
  return async (args) => {
    const config = loadIpamConfig(args.stdinData, args.args);
    const valid = config.validAttachments;
    if (valid === undefined) return;
    const store = await provider.openExistingStore(config);
    if (store === undefined) return;
    await underLock(store, async () => {
      // Taken under the lock: a temp file older than this cannot belong to a live writer, because
      // writers hold the same lock.
      const started = new Date();
      const isStale = stalenessTest(valid);
      const failures: string[] = [];
      for (const allocation of await store.list()) {
        if (!isStale(allocation)) continue;
        try {
          await store.releaseAllocation(allocation);
        } catch (err) {
          failures.push(toCniError(err).message);
        }
      }
      try {
        await store.removeStaleTempFiles(started);
      } catch (err) {
        failures.push(toCniError(err).message);
      }
      if (failures.length > 0) throw new CniError(CNI_ERROR_CODES.Internal, failures.join("; "));
    });
  };
}

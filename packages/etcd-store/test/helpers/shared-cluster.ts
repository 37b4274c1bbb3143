/**
 * One private etcd per test file, started on first use and torn down after the file's tests, plus a
 * fresh network name per test so tests never see each other's keys.
 */
import { afterAll } from "vitest";
import { EtcdClient, NetworkKeys } from "../../src/index.js";
import type { EtcdCluster, EtcdClusterOptions } from "../../src/testing/index.js";
import { startEtcdCluster } from "../../src/testing/index.js";

let counter = 0;

/** A unique network name for one test. */
export function freshNetwork(): string {
  counter += 1;
  return `net-${process.pid}-${counter}`;
}

/**
 * Registers the file's cluster: the returned function starts it on first call and resolves it; an
 * `afterAll` tears it down.
 */
export function sharedCluster(options: EtcdClusterOptions = {}): () => Promise<EtcdCluster> {
  let started: Promise<EtcdCluster> | undefined;
  afterAll(async () => {
    if (started !== undefined) await (await started).cleanup();
  });
  return () => {
    started ??= startEtcdCluster(options);
    return started;
  };
}

/**
 * Writes a legacy record (the container ID alone, with its index entry) the way a hand-written or
 * migrated record would look.
 */
export async function plantLegacyRecord(
  endpoints: readonly string[],
  network: string,
  ip: string,
  containerId: string,
  prefix = "/cni-ts",
): Promise<void> {
  const keys = new NetworkKeys(prefix, network);
  const client = new EtcdClient({ endpoints, timeoutMs: 5000, tls: undefined });
  try {
    await client.txn(
      [],
      [
        { put: keys.ip(ip), value: containerId },
        { put: keys.owner(containerId, undefined, ip), value: "" },
      ],
    );
  } finally {
    client.close();
  }
}

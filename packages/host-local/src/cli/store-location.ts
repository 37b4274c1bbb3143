/**
 * Where an operator command found a network's allocations: a data dir on disk, or a prefix in etcd.
 */

/** The store an operator command read. */
export type StoreLocation =
  /** Upstream's layout under a data dir. */
  | { type: "disk"; dataDir: string }
  /** An etcd cluster: the network's key root and the endpoints asked. */
  | { type: "etcd"; root: string; endpoints: readonly string[] };

/** `etcd /cni-ts/mynet/ at http://10.0.0.1:2379, http://10.0.0.2:2379`, or the data dir itself. */
export function describeLocation(location: StoreLocation): string {
  return location.type === "disk"
    ? location.dataDir
    : `etcd ${location.root} at ${location.endpoints.join(", ")}`;
}

export type {
  EtcdClientOptions,
  EtcdCompare,
  EtcdKeyValue,
  EtcdOp,
  EtcdTlsMaterial,
  EtcdTxnResult,
} from "./etcd-client.js";
export { EtcdClient, parseEndpoints } from "./etcd-client.js";
export type { EtcdAllocation, EtcdStore, EtcdStoreOptions, ReleaseAllocationOptions } from "./etcd-store.js";
export {
  DEFAULT_ETCD_PREFIX,
  DEFAULT_ETCD_TIMEOUT_MS,
  MAX_ETCD_TIMEOUT_MS,
  openEtcdStore,
} from "./etcd-store.js";
export type { OwnerIndexEntry } from "./key-layout.js";
export { escapeSegment, NetworkKeys, unescapeSegment } from "./key-layout.js";
export type { EtcdOwner } from "./reservation-value.js";
export { parseReservationValue, toReservationValue } from "./reservation-value.js";
export type { EtcdTlsFiles } from "./tls-files.js";
export { readTlsFiles } from "./tls-files.js";

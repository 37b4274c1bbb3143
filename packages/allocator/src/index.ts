export type { RequestAssignment } from "./allocator.js";
export { assignRequestedIps, IpAllocator } from "./allocator.js";
export type {
  Attachment,
  DiskStoreConfig,
  EtcdStoreConfig,
  EtcdTlsConfig,
  IpamConfig,
  StoreConfig,
} from "./config.js";
export { loadIpamConfig } from "./config.js";
export type { Cidr, Ip, IpFamily } from "./ip.js";
export {
  cidrContains,
  compareIp,
  formatCidr,
  formatIp,
  ipEquals,
  ipFamilyBits,
  ipFromValue,
  lastAddress,
  networkAddress,
  nextIp,
  parseCidr,
  parseIp,
  prevIp,
  tryParseCidr,
  tryParseIp,
} from "./ip.js";
export type { RangeInit, RangeParts } from "./range.js";
export { Range } from "./range.js";
export type { RangeCandidate } from "./range-iter.js";
export { RangeIter } from "./range-iter.js";
export { RangeSet } from "./range-set.js";
export type { Allocation, Owner, Store } from "./store.js";

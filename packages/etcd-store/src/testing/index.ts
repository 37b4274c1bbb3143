/**
 * `@cni-ts/etcd-store/testing`: private etcd clusters and throw-away certificates for tests. Needs
 * `/usr/bin/etcd` (Debian's `etcd-server`) and `openssl`.
 */
export type { EtcdCluster, EtcdClusterOptions, EtcdMember, EtcdServerTls } from "./etcd-cluster.js";
export { ETCD_BINARY, startEtcdCluster } from "./etcd-cluster.js";
export type { TestCertificates } from "./test-certificates.js";
export { makeTestCertificates } from "./test-certificates.js";

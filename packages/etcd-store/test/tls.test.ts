// A TLS etcd that demands client certificates (--client-cert-auth), as production clusters run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEtcdStore } from "../src/index.js";
import type { EtcdCluster, TestCertificates } from "../src/testing/index.js";
import { makeTestCertificates, startEtcdCluster } from "../src/testing/index.js";

let dir = "";
let certs: TestCertificates;
let cluster: EtcdCluster;
let endpoint = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "etcd-tls-"));
  certs = await makeTestCertificates(dir);
  cluster = await startEtcdCluster({
    tls: {
      caFile: certs.caFile,
      certFile: certs.serverCertFile,
      keyFile: certs.serverKeyFile,
      clientCertFile: certs.clientCertFile,
      clientKeyFile: certs.clientKeyFile,
    },
  });
  endpoint = cluster.endpoints[0] ?? "";
});

afterAll(async () => {
  await cluster?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("EtcdStore over TLS with client certificates", () => {
  it("reserves and lists with the CA and a client certificate", async () => {
    const store = await openEtcdStore({
      endpoints: [endpoint],
      network: "tls-net",
      tls: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile },
    });
    try {
      expect(endpoint.startsWith("https://127.0.0.1:")).toBe(true);
      expect(await store.reserve("c1", "eth0", "10.9.0.2", "0")).toBe(true);
      expect(await store.list()).toEqual([{ ip: "10.9.0.2", containerId: "c1", ifname: "eth0" }]);
    } finally {
      await store.close();
    }
  });

  it.each([
    [
      "without a client certificate",
      () => ({ caFile: certs.caFile }),
      /^TLS: the member (rejected our client certificate \(none given, or not signed by a CA it trusts\)|requires a client certificate)$/,
    ],
    [
      "with a certificate of another CA",
      () => ({ caFile: certs.caFile, certFile: certs.strangerCertFile, keyFile: certs.strangerKeyFile }),
      /^TLS: the member (rejected our client certificate \(none given, or not signed by a CA it trusts\)|does not trust the CA of our client certificate)$/,
    ],
    [
      "without the CA that signs the member",
      () => ({ certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }),
      /^TLS: the member's certificate is not signed by a trusted CA$/,
    ],
  ])("answers %s with code 11 naming the TLS problem", async (_case, tls, reason) => {
    const store = await openEtcdStore({ endpoints: [endpoint], network: "tls-net", tls: tls() });
    try {
      const err: unknown = await store.list().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 11 });
      const msg = (err as { msg: string }).msg;
      expect(msg.startsWith(`cannot reach etcd: ${endpoint}: `)).toBe(true);
      expect(msg.slice(`cannot reach etcd: ${endpoint}: `.length)).toMatch(reason);
    } finally {
      await store.close();
    }
  });
});

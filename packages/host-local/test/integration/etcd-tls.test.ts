// The standalone executable, copied away from the repository, against an etcd that serves TLS and
// demands client certificates: the store needs nothing but the binary and the PEM files.
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { EtcdCluster, TestCertificates } from "@cni-ts/etcd-store/testing";
import { makeTestCertificates, startEtcdCluster } from "@cni-ts/etcd-store/testing";
import { makeTempDataDir, OURS, runPlugin, type TempDir } from "@cni-ts/testutils";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Private etcd clusters take a few seconds to start on a loaded machine: limits against hangs, not timings.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tmp: TempDir;
let certs: TestCertificates;
let cluster: EtcdCluster;
let binary = "";

beforeAll(async () => {
  tmp = makeTempDataDir("cni-ts-etcd-tls-");
  certs = await makeTestCertificates(tmp.path);
  cluster = await startEtcdCluster({
    tls: {
      caFile: certs.caFile,
      certFile: certs.serverCertFile,
      keyFile: certs.serverKeyFile,
      clientCertFile: certs.clientCertFile,
      clientKeyFile: certs.clientKeyFile,
    },
  });
  binary = join(tmp.path, "host-local");
  await copyFile(OURS, binary);
});

afterAll(async () => {
  await cluster?.cleanup();
  tmp?.cleanup();
});

function conf(tls: Record<string, string>): Record<string, unknown> {
  return {
    cniVersion: "1.1.0",
    name: "tlsnet",
    type: "bridge",
    ipam: {
      type: "host-local",
      ranges: [[{ subnet: "10.50.0.0/24" }]],
      store: { type: "etcd", endpoints: cluster.endpoints, timeoutMs: 3000, tls },
    },
  };
}

function run(command: string, config: Record<string, unknown>, containerId: string) {
  return runPlugin(binary, {
    command,
    containerId,
    ifname: "eth0",
    netns: "/var/run/netns/cni-ts-etcd-absent",
    path: "/nonexistent",
    cwd: tmp.path,
    env: { PATH: "/nonexistent" },
    stdin: config,
  });
}

describe("dist/host-local (copied out of the repository) on a TLS etcd with client certificates", () => {
  it("serves ADD, CHECK and DEL with the CA, a client certificate and its key", async () => {
    expect(cluster.endpoints[0]?.startsWith("https://")).toBe(true);
    const good = conf({ caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile });
    const added = await run("ADD", good, "c1");
    expect({ code: added.code, json: added.json }).toEqual({
      code: 0,
      json: { cniVersion: "1.1.0", ips: [{ address: "10.50.0.2/24", gateway: "10.50.0.1" }] },
    });
    expect((await run("CHECK", good, "c1")).code).toBe(0);
    expect((await run("DEL", good, "c1")).code).toBe(0);
    expect((await run("CHECK", good, "c1")).json).toMatchObject({ code: 999 });
  });

  it.each([
    ["without a client certificate", () => ({ caFile: certs.caFile })],
    [
      "with a client certificate of another CA",
      () => ({ caFile: certs.caFile, certFile: certs.strangerCertFile, keyFile: certs.strangerKeyFile }),
    ],
    [
      "without the CA of the members",
      () => ({ certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }),
    ],
  ])("refuses to work %s: code 11 naming the TLS problem", async (_case, tls) => {
    const refused = await run("ADD", conf(tls()), "c2");
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({
      code: 11,
      msg: expect.stringMatching(
        /^failed to allocate for range 0: cannot reach etcd: https:\/\/127\.0\.0\.1:\d+: TLS: /,
      ),
    });
  });

  it("answers an unreadable CA file with code 5 before contacting etcd", async () => {
    const missing = join(tmp.path, "missing.crt");
    const run5 = await run("ADD", conf({ caFile: missing }), "c3");
    expect(run5.json).toEqual({
      code: 5,
      msg: `cannot read etcd TLS file: open ${missing}: no such file or directory`,
    });
  });
});

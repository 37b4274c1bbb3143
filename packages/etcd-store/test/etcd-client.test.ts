import { afterEach, describe, expect, it } from "vitest";
import { EtcdClient, parseEndpoints } from "../src/index.js";
import type { FakeServer } from "./helpers/fake-servers.js";
import { cannedServer, refusingUrl, silentServer } from "./helpers/fake-servers.js";
import { freshNetwork, sharedCluster } from "./helpers/shared-cluster.js";

const cluster = sharedCluster();

const fakes: FakeServer[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function fake(server: Promise<FakeServer>): Promise<FakeServer> {
  const f = await server;
  fakes.push(f);
  return f;
}

function client(endpoints: readonly string[], timeoutMs = 5000): EtcdClient {
  return new EtcdClient({ endpoints, timeoutMs, tls: undefined });
}

describe("parseEndpoints", () => {
  it.each([
    ["http://127.0.0.1:2379", "http://127.0.0.1:2379"],
    ["https://etcd.example:2379/", "https://etcd.example:2379"],
    ["http://[::1]:2379", "http://[::1]:2379"],
    ["http://etcd:2379/base/", "http://etcd:2379/base"],
  ])("accepts %s as %s", (text, url) => {
    expect(parseEndpoints([text])).toEqual([url]);
  });

  it.each([
    ["127.0.0.1:2379"],
    ["unix:///run/etcd.sock"],
    ["ftp://etcd:2379"],
    ["http://user:pw@etcd:2379"],
    ["http://etcd:2379/?x=1"],
    [""],
  ])("refuses %j with code 999", (text) => {
    expect(() => parseEndpoints([text])).toThrow(
      expect.objectContaining({
        code: 999,
        msg: `etcd endpoint ${JSON.stringify(text)} is not an http:// or https:// URL`,
      }),
    );
  });

  it("refuses an empty list", () => {
    expect(() => parseEndpoints([])).toThrow(
      expect.objectContaining({ code: 999, msg: "no etcd endpoints given" }),
    );
  });
});

describe("EtcdClient against etcd", () => {
  it("puts in a transaction, reads back, and compares", async () => {
    const { endpoints } = await cluster();
    const c = client(endpoints);
    const base = `/client-test/${freshNetwork()}/`;
    try {
      const created = await c.txn([{ key: `${base}a`, absent: true }], [{ put: `${base}a`, value: "one" }]);
      expect(created).toEqual({ succeeded: true, reads: [] });
      const again = await c.txn(
        [{ key: `${base}a`, absent: true }],
        [{ put: `${base}a`, value: "two" }],
        [{ get: `${base}a` }],
      );
      expect(again).toEqual({ succeeded: false, reads: [[{ key: `${base}a`, value: "one" }]] });
      await c.txn([{ key: `${base}a`, equals: "one" }], [{ put: `${base}b`, value: "" }]);
      expect(await c.range(base, { prefix: true })).toEqual([
        { key: `${base}a`, value: "one" },
        { key: `${base}b`, value: "" },
      ]);
      expect(await c.range(base, { prefix: true, limit: 1 })).toEqual([{ key: `${base}a`, value: "one" }]);
      const removed = await c.txn([{ key: `${base}a`, equals: "one" }], [{ delete: `${base}a` }]);
      expect(removed.succeeded).toBe(true);
      expect(await c.range(`${base}a`)).toEqual([]);
    } finally {
      c.close();
    }
  });

  it("does not count a missing key as holding the empty value", async () => {
    const { endpoints } = await cluster();
    const c = client(endpoints);
    try {
      const key = `/client-test/${freshNetwork()}/missing`;
      expect((await c.txn([{ key, equals: "" }], [{ put: key, value: "x" }])).succeeded).toBe(false);
      expect(await c.range(key)).toEqual([]);
    } finally {
      c.close();
    }
  });

  it("moves on to the next endpoint when the first refuses connections", async () => {
    const { endpoints } = await cluster();
    const c = client([await refusingUrl(), ...endpoints]);
    try {
      expect(await c.range(`/client-test/${freshNetwork()}`)).toEqual([]);
    } finally {
      c.close();
    }
  });
});

describe("EtcdClient failures", () => {
  it("answers a refused connection with code 11 naming the endpoint", async () => {
    const url = await refusingUrl();
    const c = client([url]);
    await expect(c.range("/k")).rejects.toMatchObject({
      code: 11,
      msg: `cannot reach etcd: ${url}: connection refused`,
    });
    c.close();
  });

  it("lists every endpoint it tried", async () => {
    const [a, b] = [await refusingUrl(), await refusingUrl()];
    const c = client([a, b]);
    await expect(c.range("/k")).rejects.toMatchObject({
      code: 11,
      msg: `cannot reach etcd: ${a}: connection refused; ${b}: connection refused`,
    });
    c.close();
  });

  it("answers a member that never answers with code 11 after the timeout", async () => {
    const silent = await fake(silentServer());
    const c = client([silent.url], 200);
    await expect(c.range("/k")).rejects.toMatchObject({
      code: 11,
      msg: `cannot reach etcd: ${silent.url}: no answer within 200 ms`,
    });
    c.close();
  });

  it("never sends a request a second time once a member may have received it", async () => {
    const silent = await fake(silentServer());
    const good = await fake(cannedServer(200, '{"header":{}}'));
    const c = client([silent.url, good.url], 200);
    await expect(c.txn([], [{ put: "/k", value: "v" }])).rejects.toMatchObject({ code: 11 });
    expect(good.requests).toEqual([]);
    c.close();
  });

  it.each([
    ["unavailable (no leader)", 503, { error: "etcdserver: no leader", code: 14 }, 11, "unavailable"],
    ["deadline exceeded", 504, { error: "etcdserver: request timed out", code: 4 }, 11, "deadline exceeded"],
    ["permission denied", 403, { error: "etcdserver: permission denied", code: 7 }, 999, "permission denied"],
    [
      "invalid argument",
      400,
      { error: "etcdserver: too many operations in txn request", code: 3 },
      999,
      "invalid argument",
    ],
  ])("maps the gateway's %s to code %s without etcd's own words", async (_case, status, body, code, name) => {
    const server = await fake(cannedServer(status, JSON.stringify(body)));
    const c = client([server.url]);
    const expectedMsg =
      code === 11
        ? `cannot reach etcd: ${server.url}: the member refused the request: ${name}`
        : `etcd error: ${server.url}: the member refused the request: ${name}`;
    await expect(c.range("/k")).rejects.toMatchObject({ code, msg: expectedMsg });
    c.close();
  });

  it.each([
    [404, 999, "unexpected HTTP status 404 (is this an etcd 3.4+ client URL?)"],
    [502, 11, "unexpected HTTP status 502"],
  ])("maps a plain HTTP %s to code %s", async (status, code, reason) => {
    const server = await fake(cannedServer(status, "<html>nope</html>"));
    const c = client([server.url]);
    await expect(c.range("/k")).rejects.toMatchObject({
      code,
      msg: expect.stringContaining(`${server.url}: ${reason}`),
    });
    c.close();
  });

  it("refuses an answer that is not JSON with code 999", async () => {
    const server = await fake(cannedServer(200, "not json"));
    const c = client([server.url]);
    await expect(c.range("/k")).rejects.toMatchObject({
      code: 999,
      msg: `etcd error: ${server.url}: the answer is not JSON`,
    });
    c.close();
  });
});

/**
 * A minimal client of etcd's v3 JSON gateway (`POST /v3/kv/range`, `/v3/kv/txn`, served by etcd 3.4
 * and later next to gRPC), over `node:http`/`node:https`. It needs no npm dependency, runs unchanged
 * in Node and in Bun's compiled executable, and takes client certificates, which Node 20's global
 * `fetch` cannot.
 *
 * `node:http` and `node:https` are imported on the first call, not with this module: a bundle that
 * contains the etcd store (the compiled plugin) must not load TLS on its disk path.
 *
 * Every call is bounded by one deadline (`timeoutMs`). A request that certainly never reached a
 * member (connection refused, unknown host, TLS handshake refused, no connection within its share of
 * the time) moves on to the next endpoint; once a request may have been delivered, its failure is
 * final, so a transaction is never sent twice.
 */
import type http from "node:http";
import type https from "node:https";
import { CNI_ERROR_CODES, CniError } from "@cni-ts/types";

/** PEM material for TLS, already read from the files the config names. */
export interface EtcdTlsMaterial {
  /** CA bundle that signs the members' certificates; the system's CAs when undefined. */
  ca: Buffer | undefined;
  /** Client certificate, for members that demand one (`--client-cert-auth`). */
  cert: Buffer | undefined;
  /** The client certificate's private key. */
  key: Buffer | undefined;
}

/** What an {@link EtcdClient} connects to. */
export interface EtcdClientOptions {
  /** Member URLs, `http://host:port` or `https://host:port`, tried in order. At least one. */
  endpoints: readonly string[];
  /** Upper bound of every call, in milliseconds. */
  timeoutMs: number;
  /** TLS material for `https` endpoints. */
  tls: EtcdTlsMaterial | undefined;
}

/** One key and its value as etcd returns them, decoded from base64 as UTF-8. */
export interface EtcdKeyValue {
  key: string;
  value: string;
}

/** A condition of a transaction. */
export type EtcdCompare =
  /** The key does not exist (its create revision is 0). */
  | { key: string; absent: true }
  /** The key exists and holds exactly this value. */
  | { key: string; equals: string };

/** An operation of a transaction. */
export type EtcdOp =
  | { put: string; value: string }
  | { delete: string }
  /** Reads `get`, or every key with that prefix when `prefix` is true. */
  | { get: string; prefix?: boolean };

/** The outcome of a transaction. */
export interface EtcdTxnResult {
  /** Whether every compare held (the success branch ran) or not (the failure branch ran). */
  succeeded: boolean;
  /** The key-values of each `get` of the branch that ran, in order. */
  reads: EtcdKeyValue[][];
}

// Failures that prove the request never reached a member: trying the next endpoint is safe.
const NOT_SENT_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network is unreachable",
  EADDRNOTAVAIL: "address not available",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS: the member's certificate is not signed by a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "TLS: the member's certificate is not signed by a trusted CA",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS: the member's certificate is not signed by a trusted CA",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS: the member's certificate is self-signed and not trusted",
  CERT_HAS_EXPIRED: "TLS: the member's certificate has expired",
  CERT_NOT_YET_VALID: "TLS: the member's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS: the member's certificate does not name this host",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE:
    "TLS: the member rejected our client certificate (none given, or not signed by a CA it trusts)",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "TLS: the member requires a client certificate",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "TLS: the member does not trust the CA of our client certificate",
  ERR_SSL_WRONG_VERSION_NUMBER: "TLS: the member does not speak TLS (http endpoint?)",
};

// Failures after which the request may have been delivered.
const SENT_CODES: Readonly<Record<string, string>> = {
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ECONNABORTED: "connection aborted",
  ETIMEDOUT: "connection timed out",
};

// gRPC status codes that mean "not now" (the member has no leader, is overloaded, or timed out).
const TRANSIENT_GRPC = new Set([1, 4, 8, 10, 14]);
const GRPC_NAMES: Readonly<Record<number, string>> = {
  1: "canceled",
  2: "unknown error",
  3: "invalid argument",
  4: "deadline exceeded",
  5: "not found",
  7: "permission denied",
  8: "resource exhausted",
  9: "failed precondition",
  10: "aborted",
  11: "out of range",
  12: "unimplemented",
  13: "internal error",
  14: "unavailable",
  16: "unauthenticated",
};

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}

/** A failed attempt at one endpoint, worded for people. */
class AttemptError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    /** True when the request certainly never reached the member. */
    readonly notSent: boolean,
    /** The CNI code the whole call fails with when this is the last word. */
    readonly cniCode: number,
    readonly original: unknown,
  ) {
    super(`${endpoint}: ${reason}`);
  }
}

function describeNetworkError(endpoint: string, err: unknown, connected: boolean): AttemptError {
  const code = errorCode(err);
  if (code !== undefined && code in NOT_SENT_CODES) {
    return new AttemptError(endpoint, NOT_SENT_CODES[code] ?? code, true, CNI_ERROR_CODES.TryAgainLater, err);
  }
  if (code !== undefined && code in SENT_CODES) {
    return new AttemptError(endpoint, SENT_CODES[code] ?? code, false, CNI_ERROR_CODES.TryAgainLater, err);
  }
  const tls = code !== undefined && /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_)/.test(code);
  const reason = tls
    ? `TLS handshake failed (${code})`
    : `connection failed${code === undefined ? "" : ` (${code})`}`;
  // A TLS failure happens before any request byte is sent; anything else after connecting may not.
  return new AttemptError(endpoint, reason, tls || !connected, CNI_ERROR_CODES.TryAgainLater, err);
}

function describeHttpError(endpoint: string, status: number, body: string): AttemptError {
  let grpc: number | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "code" in parsed &&
      typeof parsed.code === "number"
    ) {
      grpc = parsed.code;
    }
  } catch {
    // Not the gateway's JSON error (a proxy's page, say): judged by the HTTP status below.
  }
  if (grpc !== undefined) {
    const name = GRPC_NAMES[grpc] ?? `gRPC code ${grpc}`;
    const code = TRANSIENT_GRPC.has(grpc) ? CNI_ERROR_CODES.TryAgainLater : CNI_ERROR_CODES.Internal;
    return new AttemptError(endpoint, `the member refused the request: ${name}`, false, code, undefined);
  }
  const transient = status === 429 || status >= 500;
  return new AttemptError(
    endpoint,
    `unexpected HTTP status ${status}${status === 404 ? " (is this an etcd 3.4+ client URL?)" : ""}`,
    false,
    transient ? CNI_ERROR_CODES.TryAgainLater : CNI_ERROR_CODES.Internal,
    undefined,
  );
}

/**
 * Checks and normalises the endpoint URLs.
 *
 * @throws CniError 999 `etcd endpoint "<url>" is not an http:// or https:// URL` (also for a URL with
 *   credentials, a query or a fragment), `no etcd endpoints given`.
 */
export function parseEndpoints(endpoints: readonly string[]): string[] {
  if (endpoints.length === 0) throw new CniError(CNI_ERROR_CODES.Internal, "no etcd endpoints given");
  return endpoints.map((text) => {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== "http:" && url.protocol !== "https:") ||
      url.hostname === "" ||
      url.username !== "" ||
      url.password !== "" ||
      url.search !== "" ||
      url.hash !== ""
    ) {
      throw new CniError(
        CNI_ERROR_CODES.Internal,
        `etcd endpoint ${JSON.stringify(text)} is not an http:// or https:// URL`,
      );
    }
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  });
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

function fromBase64(value: unknown): string {
  return typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : "";
}

/** The first key after every key starting with `prefix` (etcd's `range_end` for a prefix). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, "utf8");
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] ?? 0;
    if (byte < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = byte + 1;
      return end.toString("base64");
    }
  }
  // Only 0xff bytes (or empty): every key from the prefix on (etcd's "\0" end means "to the end").
  return Buffer.from([0]).toString("base64");
}

function rangeRequest(key: string, prefix: boolean): Record<string, unknown> {
  return prefix ? { key: base64(key), range_end: prefixEnd(key) } : { key: base64(key) };
}

function toRequestOp(op: EtcdOp): Record<string, unknown> {
  if ("put" in op) return { request_put: { key: base64(op.put), value: base64(op.value) } };
  if ("delete" in op) return { request_delete_range: { key: base64(op.delete) } };
  return { request_range: rangeRequest(op.get, op.prefix === true) };
}

function toCompare(compare: EtcdCompare): Record<string, unknown> {
  if ("absent" in compare) {
    return { key: base64(compare.key), target: "CREATE", result: "EQUAL", create_revision: "0" };
  }
  return { key: base64(compare.key), target: "VALUE", result: "EQUAL", value: base64(compare.equals) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// proto3 JSON leaves out empty fields: no `kvs` for an empty range, no `value` for "".
function readKvs(response: unknown): EtcdKeyValue[] {
  if (!isRecord(response) || !Array.isArray(response.kvs)) return [];
  return response.kvs
    .filter(isRecord)
    .map((kv) => ({ key: fromBase64(kv.key), value: fromBase64(kv.value) }));
}

/** The two transports with their connection pools, made on the first call. */
interface Transports {
  http: typeof http;
  https: typeof https;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

async function makeTransports(tls: EtcdTlsMaterial | undefined): Promise<Transports> {
  const [httpModule, httpsModule] = await Promise.all([import("node:http"), import("node:https")]);
  return {
    http: httpModule.default,
    https: httpsModule.default,
    httpAgent: new httpModule.default.Agent({ keepAlive: true }),
    httpsAgent: new httpsModule.default.Agent({
      keepAlive: true,
      ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls?.key === undefined ? {} : { key: tls.key }),
    }),
  };
}

/**
 * A client of one etcd cluster. Keeps connections alive between the calls of one command; {@link close}
 * drops them.
 */
export class EtcdClient {
  private readonly endpoints: string[];
  private readonly timeoutMs: number;
  private readonly tls: EtcdTlsMaterial | undefined;
  private transports: Promise<Transports> | undefined;
  private closed = false;
  // The endpoint that answered last is asked first next time.
  private preferred = 0;

  /**
   * @throws CniError 999 for bad endpoints (see {@link parseEndpoints}).
   */
  constructor(options: EtcdClientOptions) {
    this.endpoints = parseEndpoints(options.endpoints);
    this.timeoutMs = options.timeoutMs;
    this.tls = options.tls;
  }

  /** The endpoints as normalised, in the configured order. */
  get endpointList(): readonly string[] {
    return this.endpoints;
  }

  /**
   * Reads `key`, or every key starting with it when `prefix` is true, sorted by key bytes.
   *
   * @throws CniError 11 when no member answers within the timeout or the cluster is not available;
   *   999 when a member refuses the request for good (e.g. permission denied).
   */
  async range(key: string, options: { prefix?: boolean; limit?: number } = {}): Promise<EtcdKeyValue[]> {
    const body = rangeRequest(key, options.prefix === true);
    if (options.limit !== undefined) body.limit = String(options.limit);
    return readKvs(await this.call("/v3/kv/range", body));
  }

  /**
   * Runs a transaction: if every compare holds, the `success` operations, else the `failure` ones,
   * atomically. Resolves which branch ran and what its reads returned.
   *
   * @throws CniError 11 or 999 like {@link EtcdClient.range}. A timeout leaves it unknown whether the
   *   transaction was applied; it is never sent a second time.
   */
  async txn(compare: EtcdCompare[], success: EtcdOp[], failure: EtcdOp[] = []): Promise<EtcdTxnResult> {
    const response = await this.call("/v3/kv/txn", {
      compare: compare.map(toCompare),
      success: success.map(toRequestOp),
      failure: failure.map(toRequestOp),
    });
    const succeeded = isRecord(response) && response.succeeded === true;
    const branch = succeeded ? success : failure;
    const responses = isRecord(response) && Array.isArray(response.responses) ? response.responses : [];
    const reads: EtcdKeyValue[][] = [];
    branch.forEach((op, i) => {
      if (!("get" in op)) return;
      const entry: unknown = responses[i];
      reads.push(readKvs(isRecord(entry) ? entry.response_range : undefined));
    });
    return { succeeded, reads };
  }

  /** Drops the kept-alive connections; later calls reject. Idempotent; never throws. */
  close(): void {
    this.closed = true;
    void this.transports?.then((t) => {
      t.httpAgent.destroy();
      t.httpsAgent.destroy();
    });
  }

  private async call(path: string, body: Record<string, unknown>): Promise<unknown> {
    if (this.closed) throw new CniError(CNI_ERROR_CODES.Internal, "etcd client is closed");
    const deadline = Date.now() + this.timeoutMs;
    this.transports ??= makeTransports(this.tls);
    const transports = await this.transports;
    const data = Buffer.from(JSON.stringify(body), "utf8");
    const failures: AttemptError[] = [];
    const count = this.endpoints.length;
    for (let n = 0; n < count; n++) {
      const index = (this.preferred + n) % count;
      const endpoint = this.endpoints[index] ?? "";
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        // Each endpoint left gets an equal share of the time to connect; once connected, the request
        // may use whatever is left.
        const result = await this.post(transports, endpoint, path, data, deadline, remaining / (count - n));
        this.preferred = index;
        return result;
      } catch (err) {
        if (!(err instanceof AttemptError)) throw err;
        failures.push(err);
        if (!err.notSent) break;
      }
    }
    throw this.failure(failures);
  }

  private failure(failures: readonly AttemptError[]): CniError {
    const last = failures[failures.length - 1];
    if (last === undefined) {
      return new CniError(CNI_ERROR_CODES.TryAgainLater, `etcd did not answer within ${this.timeoutMs} ms`);
    }
    const what = failures.map((f) => f.message).join("; ");
    const msg =
      last.cniCode === CNI_ERROR_CODES.TryAgainLater ? `cannot reach etcd: ${what}` : `etcd error: ${what}`;
    return new CniError(last.cniCode, msg, { cause: failures.map((f) => f.original ?? f) });
  }

  private post(
    transports: Transports,
    endpoint: string,
    path: string,
    data: Buffer,
    deadline: number,
    connectMs: number,
  ): Promise<unknown> {
    const secure = endpoint.startsWith("https:");
    const transport = secure ? transports.https : transports.http;
    return new Promise((resolve, reject) => {
      let connected = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        outcome();
      };
      const req = transport.request(
        `${endpoint}${path}`,
        {
          method: "POST",
          agent: secure ? transports.httpsAgent : transports.httpAgent,
          headers: { "content-type": "application/json", "content-length": String(data.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (err) => finish(() => reject(describeNetworkError(endpoint, err, true))));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status !== 200) {
              finish(() => reject(describeHttpError(endpoint, status, text)));
              return;
            }
            try {
              const parsed: unknown = JSON.parse(text);
              finish(() => resolve(parsed));
            } catch (err) {
              const bad = new AttemptError(
                endpoint,
                "the answer is not JSON",
                false,
                CNI_ERROR_CODES.Internal,
                err,
              );
              finish(() => reject(bad));
            }
          });
        },
      );
      req.on("socket", (socket) => {
        if (!socket.connecting) connected = true;
        else
          socket.once("connect", () => {
            connected = true;
          });
      });
      req.on("error", (err) => finish(() => reject(describeNetworkError(endpoint, err, connected))));
      timers.push(
        setTimeout(() => {
          if (connected) return;
          const err = new AttemptError(
            endpoint,
            `no connection within ${Math.round(connectMs)} ms`,
            true,
            CNI_ERROR_CODES.TryAgainLater,
            undefined,
          );
          finish(() => reject(err));
          req.destroy();
        }, connectMs),
        setTimeout(
          () => {
            const err = new AttemptError(
              endpoint,
              `no answer within ${this.timeoutMs} ms`,
              false,
              CNI_ERROR_CODES.TryAgainLater,
              undefined,
            );
            finish(() => reject(err));
            req.destroy();
          },
          Math.max(0, deadline - Date.now()),
        ),
      );
      req.end(data);
    });
  }
}

/**
 * Blocking access to the process's own stdin, stdout and stderr.
 *
 * A plugin is a short-lived process whose whole job is one read and one write, so plain synchronous
 * syscalls on fds 0/1/2 are both the simplest and the fastest way (no stream machinery), and the
 * output is complete before the process exits, in Node and in Bun.
 */

import type { PluginIo } from "./plugin-types.js";
import { sys } from "./sys/index.js";

const CHUNK_BYTES = 64 * 1024;

// How long to sleep when a descriptor is non-blocking and not ready (a parent may hand us such a pipe).
const RETRY_SLEEP_MS = 2;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}

/**
 * The operating system's description of a failed syscall, without Node's decoration: Node says
 * `EIO: i/o error, read`, this returns `i/o error`.
 */
function describeSystemError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const match = /^[A-Z0-9_]+: (.*), [a-z_]+(?: .*)?$/.exec(message);
  return match?.[1] ?? errnoCode(err) ?? message;
}

function isRetryable(err: unknown): boolean {
  const code = errnoCode(err);
  return code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR";
}

/**
 * Reads file descriptor `fd` to end of file.
 * Throws an `Error` such as `read /dev/stdin: i/o error` when the read fails.
 */
export function readAll(fd: number, name: string): Buffer {
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (;;) {
    let count: number;
    try {
      count = sys.read(fd, buffer, 0, buffer.length);
    } catch (err) {
      if (isRetryable(err)) {
        sleep(RETRY_SLEEP_MS);
        continue;
      }
      // Some platforms report end of input as an error rather than a zero-length read.
      if (errnoCode(err) === "EOF") break;
      throw new Error(`read ${name}: ${describeSystemError(err)}`, { cause: err });
    }
    if (count === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, count)));
  }
  return Buffer.concat(chunks);
}

/**
 * Writes all of `text` to file descriptor `fd`, retrying short writes and a non-blocking descriptor.
 * Throws an `Error` such as `write /dev/stdout: broken pipe` when the write fails.
 */
export function writeAll(fd: number, name: string, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += sys.write(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      if (isRetryable(err)) {
        sleep(RETRY_SLEEP_MS);
        continue;
      }
      throw new Error(`write ${name}: ${describeSystemError(err)}`, { cause: err });
    }
  }
}

/**
 * The {@link PluginIo} of the running process: `env` as given (normally `process.env`), blocking reads
 * of fd 0 and blocking writes to fds 1 and 2. Never throws; its methods throw as described on
 * {@link readAll} and {@link writeAll}.
 */
export function processIo(env: Readonly<Record<string, string | undefined>>): PluginIo {
  return {
    env,
    readStdin: () => readAll(0, "/dev/stdin"),
    writeStdout: (text) => writeAll(1, "/dev/stdout", text),
    writeStderr: (text) => writeAll(2, "/dev/stderr", text),
  };
}

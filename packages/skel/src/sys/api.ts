// The few system calls skel makes for a plugin (read stdin, write stdout and stderr, identify the
// network namespace), with two implementations: node:fs on Node (./node.ts) and libc through bun:ffi
// in Bun and compiled plugins (./bun.ts). In a compiled plugin, loading node:fs alone costs about
// 0.7 ms of a call that takes a few milliseconds; a plugin that makes its other calls without node:fs
// (as host-local's store does) then never loads it.

/** What identifies a file system object: the device and inode numbers, as Node's bigint stats give. */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/**
 * The calls. A failure throws an `Error` whose `code` is the errno name (`EAGAIN`, ...), like Node's
 * errors, and whose message reads `<CODE>: <description>, <call>`.
 */
export interface PluginSys {
  /** read(2) into `buffer[offset, offset + length)`; returns the count, 0 at end of file. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** write(2) of `buffer[offset, offset + length)`; returns the count written. */
  write(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** The identity of what `path` names (links followed), or undefined when nothing is there (ENOENT). */
  identify(path: string): FileIdentity | undefined;
}

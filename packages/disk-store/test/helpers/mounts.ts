// Small tmpfs mounts for the failure tests (read-only file system, full disk). Needs root, as the
// repository's integration tests do.
import { mkdirSync } from "node:fs";
import { run } from "./processes.js";

async function mustRun(cmd: string, args: readonly string[]): Promise<void> {
  const outcome = await run(cmd, args);
  if (outcome.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${outcome.stderr}`);
}

/** Mounts a fresh tmpfs of `size` (e.g. `64k`) on `dir`, creating the directory. */
export async function mountTmpfs(dir: string, size: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await mustRun("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", dir]);
}

/** Makes the tmpfs on `dir` read-only. */
export async function remountReadOnly(dir: string): Promise<void> {
  await mustRun("mount", ["-o", "remount,ro", dir]);
}

/** Unmounts `dir` (lazily, so a leftover open descriptor cannot fail the clean-up). */
export async function unmount(dir: string): Promise<void> {
  await mustRun("umount", ["-l", dir]);
}

/**
 * Mounts a fresh ramfs on `dir`: unlike tmpfs and ext4 on kernels from 6.13, it has no multigrain
 * timestamps, so two changes within one clock tick leave a directory's mtime the same.
 */
export async function mountRamfs(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await mustRun("mount", ["-t", "ramfs", "-o", "mode=0755", "ramfs", dir]);
}

/**
 * Test support: a directory that becomes read-only for everybody, root included (a tmpfs remounted
 * read-only; chmod does not stop root). Needs root, like the CI that runs these tests.
 */
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";

/**
 * Mounts a small tmpfs on `dir` (created if missing), lets `prepare` fill it, remounts it read-only,
 * runs `work`, and always unmounts it.
 */
export async function withReadOnlyMount(
  dir: string,
  prepare: () => Promise<void>,
  work: () => Promise<void>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", dir]);
  try {
    await prepare();
    execFileSync("mount", ["-o", "remount,ro", dir]);
    await work();
  } finally {
    try {
      execFileSync("umount", [dir]);
    } catch {
      // Busy (an open descriptor of a failed test): detach it so the temp dir can still be removed.
      execFileSync("umount", ["-l", dir]);
    }
  }
}

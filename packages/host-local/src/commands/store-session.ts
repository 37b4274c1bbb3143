/**
 * One command's use of a store: take the lock once, do everything, close (which releases the lock).
 */
import type { Store } from "@cni-ts/allocator";

/**
 * Runs `work` holding `store`'s exclusive lock, then closes the store, which releases the lock. One
 * lock for the whole command (upstream takes it once per range set), so no other process can
 * interleave between the range sets of one ADD or DEL.
 *
 * Rejects with the error of `lock()` or `work`; a failure to close after a failed `work` is dropped
 * in favour of the first error. Rejects with the close error when only closing fails.
 */
export function underLock<T>(store: Store, work: () => Promise<T>): Promise<T> {
  return withoutLock(store, async () => {
    await store.lock();
    return work();
  });
}

/**
 * Runs `work` with `store` without taking its lock (read-only commands), then closes the store.
 * Rejects with the error of `work`; a failure to close after a failed `work` is dropped in favour of
 * the first error. Rejects with the close error when only closing fails.
 */
export async function withoutLock<T>(store: Store, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    try {
      await store.close();
    } catch {
      // Deliberately dropped: the command's own error is the one the runtime needs, and the process
      // exits right after, which releases a lock in any case.
    }
    throw err;
  }
  await store.close();
  return result;
}

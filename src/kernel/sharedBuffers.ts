/**
 * This thread's free list of shared buffers (SharedArrayBuffer) for the stage's per-batch
 * outputs and pass-through bodies. A result message shares such a buffer with the main thread
 * instead of copying it; once the main thread has written a batch out, it hands the buffers back
 * with a later task (ScoreTask.recycle), and they are reused here. So, after the first batches,
 * the stage allocates nothing per batch: no fresh pages to fault in (~25 ms for a 26 MB batch),
 * and no shared memory waiting for a garbage collection that a small heap rarely runs.
 */

/** Buffers kept at most; more are left to the garbage collector. */
const KEEP = 32;
const free: SharedArrayBuffer[] = [];

/** Takes back buffers the main thread is done with. */
export function recycleShared(buffers: readonly SharedArrayBuffer[]): void {
  for (const buffer of buffers) if (free.length < KEEP) free.push(buffer);
}

/** A shared buffer of at least `bytes` bytes: the smallest free one that fits (at most twice the size), else a new one; its contents are stale. */
export function takeShared(bytes: number): SharedArrayBuffer {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const size = free[i]!.byteLength;
    if (size >= bytes && size <= 2 * bytes + 4096 && (best < 0 || size < free[best]!.byteLength)) best = i;
  }
  return best < 0 ? new SharedArrayBuffer(bytes) : free.splice(best, 1)[0]!;
}

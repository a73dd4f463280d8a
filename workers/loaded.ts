/**
 * The worker tells the pool that its module has loaded (pool/task.ts, WORKER_LOADED). Node 20
 * aborts the whole process (a V8 fatal error, "IsGraphAsync ... must be used on an instantiated
 * module") when a worker is terminated while it is still instantiating its ES module; a run that
 * fails early (an input refused on the main thread) would otherwise destroy a pool whose workers
 * are still booting. So the pool waits, briefly, for every worker's announcement first.
 */
import { parentPort } from 'node:worker_threads';
import { WORKER_LOADED } from '../src/pool/task.ts';

/**
 * Called once by the worker entry, at the end of its module's evaluation. The message goes in a
 * microtask: piscina loads the entry with a synchronous require(), which is still wrapping the
 * module (the same abort's window) when the evaluation ends, and returns before the microtask
 * runs. Not later (setImmediate): once loaded, piscina's worker blocks its event loop in
 * Atomics.wait until a task arrives.
 */
export function announceLoaded(): void {
  queueMicrotask(() => parentPort?.postMessage({ [WORKER_LOADED]: true }));
}

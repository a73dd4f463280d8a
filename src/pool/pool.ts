/**
 * The worker pool: piscina's, with one worker per thread, a watchdog on every task, and failures
 * turned into FocalEvalErrors that name the batch; and the warm pool the CLI starts before it
 * loads the rest of itself. Whoever takes a pool (evaluate, the stage) destroys it on every path.
 * The order in which results are used is ordered.ts's business.
 */
import { availableParallelism } from 'node:os';
import { abortErrorOf, FocalEvalError, UsageError } from '../errors.ts';
import { FROM_SOURCE, WORKER_URL } from '../paths.ts';
import { Piscina } from './piscina.ts';
import { isLoadedMessage, taskBatches, type QueuedTask, type ScoreResult, type ScoreTask } from './task.ts';

/**
 * What bounds a task besides the pool: the watchdog, `timeoutMs` (the taskTimeout option: how long
 * one batch may take, from its submission, before its worker is presumed stuck; 0, none), and the
 * run's own AbortSignal (evaluate's `signal`, the CLI's SIGINT / SIGTERM). Either rejects the
 * task at once; the run's owner then destroys the pool, which terminates its workers (even a busy
 * loop ends). Neither is handed to piscina as the task's signal: piscina runs an "abortable" task
 * alone on its worker, and the worker would idle for a round trip between tasks.
 */
export interface TaskControl {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * A cap on each worker's JavaScript heap, in MiB (FOCAL_EVAL_WORKER_HEAP_MB; default none, Node's
 * own): a worker past it is stopped by Node and its task fails, rather than the process. Typed
 * arrays and wasm memory, where batches live, are not on that heap.
 */
function workerHeapMb(): number | undefined {
  const raw = process.env.FOCAL_EVAL_WORKER_HEAP_MB;
  if (raw === undefined || raw === '') return undefined;
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 16) throw new UsageError(`FOCAL_EVAL_WORKER_HEAP_MB must be a whole number of MiB, at least 16, not "${raw}"`);
  return mb;
}

/** Tasks piscina hands each worker at once (see the constructor). */
export const TASKS_PER_WORKER = 2;

/** How long destroy() waits for workers still loading their module (workers/loaded.ts). */
const BOOT_WAIT_MS = 10_000;

/** Default thread count: one per core. */
export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * The worker entry (paths.ts), and the Node options its threads need: from the .ts sources they
 * need tsx's loader, unless the process already has it. Otherwise the workers inherit the
 * process's Node options the way Node itself filters them (passing process.execArgv explicitly
 * would make `node --max-old-space-size=...` fail: such options are not allowed in a worker).
 */
function workerFile(): { filename: string; execArgv: string[] | undefined } {
  const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
  return { filename: WORKER_URL.href, execArgv: FROM_SOURCE && !hasTsx ? ['--import', 'tsx'] : undefined };
}

/** A pool of score workers; every run is bounded by a watchdog, and failures become FocalEvalErrors. */
export class ScorePool {
  readonly threads: number;
  readonly #pool: Piscina<ScoreTask, ScoreResult>;
  #destroyed = false;
  #failure: unknown = null;
  /** Resolves once every worker first started has loaded its module (workers/loaded.ts). */
  readonly #booted: Promise<void>;

  constructor(threads: number) {
    const { filename, execArgv } = workerFile();
    this.threads = threads;
    const heap = workerHeapMb();
    const resourceLimits = heap === undefined ? undefined : { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: Math.min(16, heap / 4) };
    // Two tasks per worker: the second waits in the worker (workers/score.ts runs its tasks one
    // after the other), so a worker starts its next batch without waiting for a round trip.
    this.#pool = new Piscina({
      filename,
      execArgv,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 1_000,
      resourceLimits,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
    });
    // Piscina reports trouble outside a task (a worker dying between tasks, or a result that
    // arrives while destroy() runs, which it calls "Unexpected message") as an 'error' event,
    // which would crash the process unheard. During destroy it is expected; before, it fails
    // the next run.
    this.#pool.on('error', (error: unknown) => {
      if (!this.#destroyed) this.#failure ??= error;
    });
    let loaded = 0;
    this.#booted = new Promise((resolve) => {
      this.#pool.on('message', (message: unknown) => {
        if (isLoadedMessage(message) && ++loaded >= threads) resolve();
      });
    });
  }

  /**
   * Runs one task; `index` is its batch number, for messages. The run's signal aborted rejects
   * with its AbortError; a task past the watchdog is an E_TIMEOUT error; a worker that fails
   * outside its own error handling (it threw past it, exited, ran out of heap) is E_WORKER:
   * input errors come back as results. Each names the batch, in one line.
   */
  run(queued: QueuedTask, index: number, control: TaskControl): Promise<ScoreResult> {
    const { task } = queued;
    const where = `${task.file}: ${taskBatches({ ...task, index })}`;
    const run = this.#start(queued, control, where).catch((error: unknown): never => {
      if (control.signal?.aborted) throw abortErrorOf(control.signal);
      if (error instanceof FocalEvalError) throw error;
      throw new FocalEvalError('E_WORKER', `${where}: the worker failed: ${oneLine(error)}`, { cause: error });
    });
    run.catch(() => {}); // awaited in batch order by the caller; this only keeps an early rejection from being "unhandled"
    return run;
  }

  /** The task on the pool, raced against the watchdog's timer and the run's signal. */
  async #start(queued: QueuedTask, control: TaskControl, where: string): Promise<ScoreResult> {
    if (this.#failure !== null) throw this.#failure;
    const { signal, timeoutMs } = control;
    if (signal?.aborted) throw abortErrorOf(signal);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const bounds = new Promise<never>((_, reject) => {
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const message = `${where} did not finish within ${timeoutMs / 1000} s (--task-timeout): a stuck worker, or a batch too big for the time allowed`;
          reject(new FocalEvalError('E_WORKER', message));
        }, timeoutMs);
      }
      onAbort = () => reject(abortErrorOf(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.#pool.run(queued.task, { transferList: queued.transferList }), bounds]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Stops every worker (pending tasks are dropped), once the workers still booting have loaded
   * (at most BOOT_WAIT_MS: a worker that cannot load exits by itself).
   */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, BOOT_WAIT_MS);
    });
    await Promise.race([this.#booted, waited]);
    clearTimeout(timer);
    await this.#pool.destroy();
  }
}

/** A pool started ahead of time (by the CLI, before it loads the rest of itself), not yet taken. */
let warm: ScorePool | null = null;

/** Starts a pool now, so its workers boot while the caller does other things; takePool hands it out. */
export function warmPool(threads: number): void {
  warm ??= new ScorePool(threads);
}

/** The warm pool if it has this many threads, else a new pool. */
export function takePool(threads: number): ScorePool {
  const pool = warm?.threads === threads ? warm : new ScorePool(threads);
  if (pool === warm) warm = null;
  return pool;
}

/** Destroys the warm pool if no run took it (its idle workers would keep the process alive). */
export async function releaseWarmPool(): Promise<void> {
  const pool = warm;
  warm = null;
  await pool?.destroy();
}

/** A worker's failure in one line: its message (Node's code too, ERR_WORKER_OUT_OF_MEMORY say), without a stack. */
function oneLine(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = error instanceof Error ? error.message || error.name : String(error);
  const first = message.split('\n')[0]!;
  return typeof code === 'string' && !first.includes(code) ? `${first} (${code})` : first;
}

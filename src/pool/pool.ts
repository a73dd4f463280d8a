/**
 * The worker pool: piscina's, with one worker per thread, a watchdog on every task, and failures
 * turned into FocalEvalErrors that name the batch; and the warm pool the CLI starts before it
 * loads the rest of itself. Whoever takes a pool (evaluate, the stage) destroys it on every path.
 * The order in which results are used is ordered.ts's business.
 */
import { availableParallelism } from 'node:os';
import { FocalEvalError, UsageError } from '../errors.ts';
import { FROM_SOURCE, WORKER_URL } from '../paths.ts';
import { Piscina } from './piscina.ts';
import type { QueuedTask, ScoreResult, ScoreTask } from './task.ts';

/**
 * How long one batch may take, from its submission, before its worker is presumed stuck (a
 * corrupt input): FOCAL_EVAL_TASK_TIMEOUT_MS, default 120 s. The watchdog is a timer of ours, not
 * an AbortSignal handed to piscina: piscina runs an abortable task alone on its worker, and the
 * worker then idles for a round trip between tasks. When the timer fires the run fails, and its
 * owner destroys the pool, which stops the stuck worker.
 */
function taskTimeoutMs(): number {
  const raw = process.env.FOCAL_EVAL_TASK_TIMEOUT_MS;
  if (raw === undefined || raw === '') return 120_000;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`FOCAL_EVAL_TASK_TIMEOUT_MS must be a positive number of milliseconds, not "${raw}"`);
  }
  return ms;
}

/** Tasks piscina hands each worker at once (see the constructor). */
export const TASKS_PER_WORKER = 2;

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

  constructor(threads: number) {
    const { filename, execArgv } = workerFile();
    this.threads = threads;
    // Two tasks per worker: the second waits in the worker (workers/score.ts runs its tasks one
    // after the other), so a worker starts its next batch without waiting for a round trip.
    this.#pool = new Piscina({
      filename,
      execArgv,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 1_000,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
    });
    // Piscina reports trouble outside a task (a worker dying between tasks, or a result that
    // arrives while destroy() runs, which it calls "Unexpected message") as an 'error' event,
    // which would crash the process unheard. During destroy it is expected; before, it fails
    // the next run.
    this.#pool.on('error', (error: unknown) => {
      if (!this.#destroyed) this.#failure ??= error;
    });
  }

  /**
   * Runs one task; `index` is its batch number, for messages. A task past the watchdog is taken
   * for a corrupt input (E_INPUT); a worker that fails outside its own error handling (it died,
   * or piscina could not run it) is a bug (E_INTERNAL): input errors come back as results.
   */
  run(queued: QueuedTask, index: number): Promise<ScoreResult> {
    const { task } = queued;
    const run = this.#start(queued, index).catch((error: unknown): never => {
      if (error instanceof FocalEvalError) throw error;
      const reason = error instanceof Error ? error.message || error.name : String(error);
      throw new FocalEvalError('E_INTERNAL', `internal error: ${task.file}: batch ${index}: the worker failed: ${reason}`, { cause: error });
    });
    run.catch(() => {}); // awaited in batch order by the caller; this only keeps an early rejection from being "unhandled"
    return run;
  }

  async #start(queued: QueuedTask, index: number): Promise<ScoreResult> {
    if (this.#failure !== null) throw this.#failure;
    const ms = taskTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new FocalEvalError('E_INPUT', `${queued.task.file}: batch ${index} did not finish within ${ms / 1000} s (corrupt input?)`));
      }, ms);
    });
    try {
      return await Promise.race([this.#pool.run(queued.task, { transferList: queued.transferList }), watchdog]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every worker (pending tasks are dropped). */
  destroy(): Promise<void> {
    this.#destroyed = true;
    return this.#pool.destroy();
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

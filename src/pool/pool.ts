/**
 * The dispatcher: runs score tasks on a piscina pool with a bounded number in flight, and merges
 * their partials strictly in batch order. The order of the additions, not the order in which
 * workers finish, decides the float64 sums: that is why the report is bit-identical for any
 * thread count. The first invalid row in input order stops the run; whoever made the pool
 * (evaluate, the stage) destroys it on every path.
 */
import { availableParallelism } from 'node:os';
import { FROM_SOURCE, WORKER_URL } from '../paths.ts';
import { Piscina } from './piscina.ts';
import { DataError, FocalEvalError } from '../errors.ts';
import { createPartial, mergeInto, ROWS, type PartialShape } from '../kernel/partial.ts';
import type { Plan } from '../input/plan.ts';
import type { ScoreResult, ScoreTask } from './task.ts';

/** A task with the buffers to transfer along with it (copied columns of a streamed batch). */
export interface QueuedTask {
  task: ScoreTask;
  transferList?: ArrayBuffer[];
}

/**
 * How long one batch may take before its worker is presumed stuck (a corrupt input) and stopped.
 * The watchdog is an AbortSignal per task, which makes every task "abortable" to piscina: it then
 * runs at most one task per worker, whatever concurrentTasksPerWorker says. Measured without the
 * signal and with a second task queued in each worker: the pauses between a worker's tasks go,
 * but W1 is no faster (reading from the page cache bounds it), so the watchdog stays as it is.
 */
const TASK_TIMEOUT_MS = Number(process.env.FOCAL_EVAL_TASK_TIMEOUT_MS ?? 120_000);

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
    this.#pool = new Piscina({ filename, execArgv, minThreads: threads, maxThreads: threads, idleTimeout: 1_000 });
    // Piscina reports trouble outside a task (a worker dying between tasks, or a result that
    // arrives while destroy() runs, which it calls "Unexpected message") as an 'error' event,
    // which would crash the process unheard. During destroy it is expected; before, it fails
    // the next run.
    this.#pool.on('error', (error: unknown) => {
      if (!this.#destroyed) this.#failure ??= error;
    });
  }

  /** Runs one task; `index` is its batch number, for messages. */
  run(queued: QueuedTask, index: number): Promise<ScoreResult> {
    const { task } = queued;
    const options = { transferList: queued.transferList, signal: AbortSignal.timeout(TASK_TIMEOUT_MS) };
    const started = this.#failure === null ? this.#pool.run(task, options) : Promise.reject(this.#failure);
    const run = started.catch((error: unknown): never => {
        if (error instanceof Error && error.name === 'AbortError') {
          throw new FocalEvalError(
            'E_INPUT',
            `${task.file}: batch ${index} did not finish within ${TASK_TIMEOUT_MS / 1000} s (corrupt input?)`,
          );
        }
        throw new FocalEvalError('E_INPUT', `${task.file}: batch ${index}: ${(error as Error).message}`, { cause: error });
      });
    run.catch(() => {}); // awaited in batch order by the caller; this only keeps an early rejection from being "unhandled"
    return run;
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

/** Merges batch results in input order into the run's partial; the first invalid row throws a DataError. */
export class OrderedMerge {
  readonly total: Float64Array;
  #batch = 0;
  #rowsBefore = 0;

  constructor(
    readonly plan: Plan,
    shape: PartialShape,
  ) {
    this.total = createPartial(shape);
  }

  /** Adds the next batch's result (call in batch order). */
  add(result: ScoreResult, file: string): void {
    const batch = this.#batch++;
    if (result.failure) throw new FocalEvalError(result.failure.code, result.failure.message);
    if (result.error) {
      const e = result.error;
      throw new DataError({
        file,
        batch,
        row: e.row,
        globalRow: this.#rowsBefore + e.row,
        column: e.column === 'pred' ? this.plan.predColumn : this.plan.labelColumn,
        value: e.value,
        reason: e.reason,
      });
    }
    for (const partial of [result.partial, ...(result.more ?? [])]) {
      this.#rowsBefore += partial[ROWS]!;
      mergeInto(this.total, partial);
    }
  }
}

/** Runs every task on `pool` (at most two per thread in flight) and returns the merged partial. */
export async function dispatch(
  tasks: AsyncIterable<QueuedTask>,
  plan: Plan,
  shape: PartialShape,
  pool: ScorePool,
): Promise<Float64Array> {
  const threads = pool.threads;
  const merge = new OrderedMerge(plan, shape);
  const inFlight: { run: Promise<ScoreResult>; file: string }[] = [];
  let submitted = 0;
  const mergeNext = async (): Promise<void> => {
    const { run, file } = inFlight.shift()!;
    merge.add(await run, file);
  };
  // On a failure the caller destroys the pool, which drops the tasks still in flight.
  for await (const queued of tasks) {
    inFlight.push({ run: pool.run(queued, submitted++), file: queued.task.file });
    while (inFlight.length >= 2 * threads) await mergeNext();
  }
  while (inFlight.length > 0) await mergeNext();
  return merge.total;
}

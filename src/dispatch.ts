/**
 * The dispatcher: runs score tasks on a piscina pool with a bounded number in flight, and merges
 * their partials strictly in batch order. The order of the additions, not the order in which
 * workers finish, decides the float64 sums: that is why the report is bit-identical for any
 * thread count. The first invalid row in input order stops the run; the pool is destroyed on
 * every path.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { DataError, FocalEvalError } from './errors.ts';
import { createPartial, mergeInto, ROWS, type PartialShape } from './partial.ts';
import type { Plan } from './plan.ts';
import type { ScoreResult, ScoreTask } from './task.ts';

/** A task with the buffers to transfer along with it (copied columns of a streamed batch). */
export interface QueuedTask {
  task: ScoreTask;
  transferList?: ArrayBuffer[];
}

/** How long one batch may take before its worker is presumed stuck (a corrupt input) and stopped. */
const TASK_TIMEOUT_MS = Number(process.env.FOCAL_EVAL_TASK_TIMEOUT_MS ?? 120_000);

/** The worker entry: compiled JS next to the compiled sources, or the .ts source under tsx/vitest. */
function workerFile(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? '../workers/score.ts' : '../workers/score.js', import.meta.url).href;
  const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
  return { filename, execArgv: fromSource && !hasTsx ? [...process.execArgv, '--import', 'tsx'] : process.execArgv };
}

/** Default thread count: one per core. */
export function defaultThreads(): number {
  return availableParallelism();
}

/** Runs every task and returns the merged partial; rejects with a DataError at the first invalid row. */
export async function dispatch(
  tasks: AsyncIterable<QueuedTask>,
  plan: Plan,
  shape: PartialShape,
  threads: number,
): Promise<Float64Array> {
  const { filename, execArgv } = workerFile();
  const pool = new Piscina<ScoreTask, ScoreResult>({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1_000,
  });
  const total = createPartial(shape);
  const inFlight = new Map<number, { run: Promise<ScoreResult>; file: string }>();
  const maxInFlight = 2 * threads;
  let submitted = 0;
  let merged = 0;
  let rowsBefore = 0;

  const submit = (queued: QueuedTask): void => {
    const { task } = queued;
    const index = submitted;
    const run = pool
      .run(task, { transferList: queued.transferList, signal: AbortSignal.timeout(TASK_TIMEOUT_MS) })
      .catch((error: unknown): never => {
        if (error instanceof Error && error.name === 'AbortError') {
          throw new FocalEvalError(
            'E_INPUT',
            `${task.file}: batch ${index} did not finish within ${TASK_TIMEOUT_MS / 1000} s (corrupt input?)`,
          );
        }
        throw new FocalEvalError('E_INPUT', `${task.file}: batch ${index}: ${(error as Error).message}`, {
          cause: error,
        });
      });
    run.catch(() => {}); // awaited in order below; this only keeps an early rejection from being "unhandled"
    inFlight.set(submitted++, { run, file: task.file });
  };

  // Merge the next batch in input order: its result decides whether the run goes on.
  const mergeNext = async (): Promise<void> => {
    const { run, file } = inFlight.get(merged)!;
    const result = await run;
    inFlight.delete(merged);
    const batch = merged++;
    if (result.failure) throw new FocalEvalError(result.failure.code, result.failure.message);
    if (result.error) {
      const e = result.error;
      throw new DataError({
        file,
        batch,
        row: e.row,
        globalRow: rowsBefore + e.row,
        column: e.column === 'pred' ? plan.predColumn : plan.labelColumn,
        value: e.value,
        reason: e.reason,
      });
    }
    rowsBefore += result.partial[ROWS]!;
    mergeInto(total, result.partial);
  };

  try {
    for await (const queued of tasks) {
      submit(queued);
      while (inFlight.size >= maxInFlight) await mergeNext();
    }
    while (inFlight.size > 0) await mergeNext();
    return total;
  } finally {
    await pool.destroy();
  }
}

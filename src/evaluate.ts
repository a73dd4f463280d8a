/**
 * The library's main call: input in, report out. Options are validated before any data is read,
 * the plan is made from the schema before any work starts, each batch becomes a task scored on
 * the pool, and the partials, merged in batch order, are finalized into a checked report.
 */
import { FocalEvalError } from './errors.ts';
import { openInput, type InputSource, type OpenedInput } from './input/open.ts';
import { kernelParams, makePlan, partialShape, planNeeds } from './input/plan.ts';
import { parseOptions, type Options, type OptionsInput } from './options.ts';
import { InFlightWindow, OrderedMerge, type RunTask } from './pool/ordered.ts';
import { defaultThreads, takePool } from './pool/pool.ts';
import type { ScoreTask } from './pool/task.ts';
import { finalize } from './report/finalize.ts';
import type { Report } from './report/schema.ts';

/**
 * Scores a prediction dump: a file path ('-' for stdin), a Table, or (async) iterable of
 * RecordBatches. Resolves to the report; rejects with a FocalEvalError carrying a stable `code`.
 */
export async function evaluate(source: InputSource, options: OptionsInput = {}): Promise<Report> {
  const opts = parseOptions(options);
  // The workers start now, so that they boot while this thread checks the input and plans.
  const pool = takePool(opts.threads ?? defaultThreads());
  let destroyed: Promise<void> | null = null;
  try {
    return await runPipeline(source, opts, {
      run: (queued, index) => pool.run(queued, index),
      inFlight: 2 * pool.threads,
      // The workers are done: they stop (a few ms) while the report is made.
      scored: () => void (destroyed = pool.destroy()),
    });
  } catch (error) {
    throw error instanceof FocalEvalError
      ? error
      : new FocalEvalError('E_INTERNAL', `internal error: ${(error as Error)?.stack ?? String(error)}`, { cause: error });
  } finally {
    await (destroyed ?? pool.destroy());
  }
}

/** Who scores the tasks: the pool (evaluate), or the workers' own function on this thread (the bench). */
export interface TaskRunner {
  run: RunTask;
  /** Tasks in flight at most. */
  inFlight: number;
  /** Called once the last partial is merged, before the report is made. */
  scored?: () => void;
}

/**
 * evaluate's pipeline with the runner given: open the input, plan, score every batch in a
 * bounded window, merge in batch order, finalize. Not part of the public surface: the bench runs
 * the workers' code through it without a pool.
 */
export async function runPipeline(source: InputSource, opts: Options, runner: TaskRunner): Promise<Report> {
  const input = await openInput(source, opts.inputFormat);
  try {
    const plan = makePlan(input.schema, opts, await planBatches(input, opts), input.name);
    const shape = partialShape(plan, opts);
    const params = kernelParams(plan, opts);
    const merge = new OrderedMerge({ pred: plan.predColumn, label: plan.labelColumn }, shape);
    const window = new InFlightWindow(runner.run, runner.inFlight, (result) => merge.add(result, input.name));
    let index = 0;
    for await (const { batch, transferList } of input.batchRefs(plan)) {
      const task: ScoreTask = { plan, params, shape, file: input.name, index: index++, batch };
      await window.submit({ task, transferList }, null);
    }
    await window.drain();
    runner.scored?.();
    return finalize(merge.total, plan, opts);
  } finally {
    await input.close();
  }
}

/**
 * Batches are read before the plan only when the schema alone cannot say C or the class names
 * (and classNames are not given): a dictionary-encoded label (its first batch), or a List or
 * LargeList prediction (batches up to the first with a non-null row). Other columns do not matter.
 */
async function planBatches(input: OpenedInput, opts: Options) {
  const needs = planNeeds(input.schema, opts);
  return needs.batches ? input.planBatches(needs.widthColumn) : null;
}

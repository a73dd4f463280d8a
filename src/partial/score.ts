/**
 * Scoring an input (or a batch range of one) into a RunPartial instead of a report: the same
 * pipeline as evaluate, on the pool, with every partial the run's merge adds collected in order.
 */
import { UsageError } from '../errors.ts';
import { scoreRun, withPool, type BatchRange, type TaskRunner } from '../evaluate.ts';
import type { InputSource } from '../input/open.ts';
import { partialShape } from '../input/plan.ts';
import { parseOptions, type Options, type OptionsInput } from '../options.ts';
import { PartialCollector, reportOptions, type RunPartial } from './partial.ts';

/** What scorePartial can be asked beyond the options. */
export interface PartialRunOptions {
  /** Only these batches of the input (0-based, end exclusive): a shard of a big file. */
  batches?: BatchRange;
  /** Called after each batch is merged, with the number merged so far. */
  onBatch?: (merged: number) => void;
  /** Stops the run (as evaluate's signal does). */
  signal?: AbortSignal;
}

/**
 * Scores a source into its mergeable partial state; `mergePartials` and `partialReport` turn
 * partials of several sources into the report of one run over them in order.
 */
export async function scorePartial(source: InputSource, options: OptionsInput = {}, run: PartialRunOptions = {}): Promise<RunPartial> {
  const opts = parseOptions(options);
  const range = run.batches;
  if (range !== undefined && !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end > range.start)) {
    throw new UsageError(`option batches: ${range.start}:${range.end} is not a range of batches (0 <= start < end)`, 'batches');
  }
  return withPool(opts, (runner) => partialOf(source, opts, runner, run), run.signal);
}

/**
 * scorePartial with the runner given (the pool, or the workers' own function on this thread, for
 * the tests and the bench). Not part of the public surface.
 */
export async function partialOf(source: InputSource, opts: Options, runner: TaskRunner, run: PartialRunOptions = {}): Promise<RunPartial> {
  const range = run.batches;
  // Copies: a partial's buffer is the worker's message, and the plan (the shape) comes with the result.
  const merged: Float64Array[] = [];
  const scored = await scoreRun(source, opts, runner, {
    range,
    onMerged: (partial) => merged.push(partial.slice()),
    onBatch: run.onBatch,
    keepExtraPieces: true,
  });
  const collector = new PartialCollector(partialShape(scored.plan, opts));
  for (const partial of merged) collector.add(partial);
  const name = range === undefined ? scored.name : `${scored.name}[${range.start}:${range.end}]`;
  const part = collector.finish([name], scored.plan, reportOptions(opts));
  if (scored.extras !== null) part.extras = scored.extras.finish();
  return part;
}

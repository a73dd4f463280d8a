/**
 * The library's main call: input in, report out. Options are validated before any data is read,
 * the plan is made from the schema before any work starts, batches are scored on the pool, and
 * the merged partial is finalized into a checked report.
 */
import { defaultThreads, dispatch, takePool } from './pool/pool.ts';
import { FocalEvalError } from './errors.ts';
import { finalize } from './report/finalize.ts';
import { parseOptions, type Options, type OptionsInput } from './options.ts';
import { kernelParams, makePlan, partialShape, predColumnOf } from './input/plan.ts';
import type { Report } from './report/schema.ts';
import { openInput, type InputSource, type OpenedInput } from './input/open.ts';
import { TYPE } from './input/arrowTypes.ts';

/**
 * Scores a prediction dump: a file path ('-' for stdin), a Table, or (async) iterable of
 * RecordBatches. Resolves to the report; rejects with a FocalEvalError carrying a stable `code`.
 */
export async function evaluate(source: InputSource, options: OptionsInput = {}): Promise<Report> {
  const opts = parseOptions(options);
  // The workers start now, so that they boot while this thread checks the input and plans.
  const pool = takePool(threadsOf(opts));
  let destroyed: Promise<void> | null = null;
  let input: OpenedInput | null = null;
  try {
    input = await openInput(source, opts.inputFormat);
    const plan = makePlan(input.schema, opts, await needFirstBatch(input, opts), input.name);
    const shape = partialShape(plan, opts);
    const merged = await dispatch(input.tasks(plan, kernelParams(plan, opts), shape), plan, shape, pool);
    // The workers are done: they stop (a few ms) while the report is made.
    destroyed = pool.destroy();
    return finalize(merged, plan, opts);
  } catch (error) {
    throw error instanceof FocalEvalError
      ? error
      : new FocalEvalError('E_INTERNAL', `internal error: ${(error as Error)?.stack ?? String(error)}`, { cause: error });
  } finally {
    await Promise.all([destroyed ?? pool.destroy(), input?.close()]);
  }
}

function threadsOf(opts: Options): number {
  return opts.threads ?? defaultThreads();
}

/**
 * The first batch is read before the plan only when the schema alone cannot say C or the class
 * names: a dictionary-encoded label, or a List prediction. Other columns do not matter.
 */
async function needFirstBatch(input: OpenedInput, opts: Options) {
  const fields = input.schema.fields;
  const pred = predColumnOf(input.schema, opts);
  const needs = fields.some(
    (f) =>
      (f.name === opts.label && f.type.typeId === TYPE.Dictionary) || (f.name === pred && f.type.typeId === TYPE.List),
  );
  return needs ? input.firstBatch() : null;
}

/**
 * The library's main call: input in, report out. Options are validated before any data is read,
 * the plan is made from the schema before any work starts, each batch (or run of small batches)
 * becomes a task scored on the pool, and the partials, merged in batch order, are finalized into a checked report.
 */
import { abortable, raceAbort } from './abortable.ts';
import { abortErrorOf, FocalEvalError, UsageError } from './errors.ts';
import { BatchRuns, type BatchRun } from './input/batchRuns.ts';
import { openInput, type InputSource, type OpenedInput } from './input/open.ts';
import { kernelParams, makePlan, partialShape, planNeeds, type Plan } from './input/plan.ts';
import { maxBatchBytesOf, parseOptions, type Options, type OptionsInput } from './options.ts';
import { InFlightWindow, OrderedMerge, type RunTask } from './pool/ordered.ts';
import { defaultThreads, takePool, TASKS_PER_WORKER } from './pool/pool.ts';
import type { ScoreTask } from './pool/task.ts';
import { finalize } from './report/finalize.ts';
import { withExtras } from './report/extras.ts';
import { extrasCollector, type ExtrasCollector } from './report/runExtras.ts';
import type { Report } from './report/schema.ts';

/** What a call of the library takes beside its options: an AbortSignal that stops the run. */
export interface RunSignal {
  /**
   * Aborting stops reading, cancels the tasks on the pool (their workers are stopped), releases
   * the pool, and rejects the call with an AbortError (code E_ABORTED, cause: the signal's reason).
   */
  signal?: AbortSignal;
}

/**
 * Scores a prediction dump: a file path ('-' for stdin), a Table, or (async) iterable of
 * RecordBatches. Resolves to the report; rejects with a FocalEvalError carrying a stable `code`.
 */
export async function evaluate(source: InputSource, options: OptionsInput & RunSignal = {}): Promise<Report> {
  return evaluateWith(source, options);
}

/** evaluate, with a run's hooks (the CLI's progress line). Not part of the public surface. */
export async function evaluateWith(source: InputSource, options: OptionsInput & RunSignal = {}, hooks: RunHooks = {}): Promise<Report> {
  const { signal, ...rest } = options;
  const opts = parseOptions(rest);
  return withPool(opts, (runner) => runPipeline(source, opts, runner, hooks), signal);
}

/**
 * Runs `body` with a pool of the options' threads, started now so that the workers boot while
 * this thread checks the input and plans; the pool is destroyed on every path, and an error that
 * is not a FocalEvalError becomes an E_INTERNAL one (once `signal` has aborted, every failure is
 * its AbortError: what broke was cut short on purpose).
 */
export async function withPool<T>(opts: Options, body: (runner: TaskRunner) => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw abortErrorOf(signal);
  const pool = takePool(opts.threads ?? defaultThreads());
  let destroyed: Promise<void> | null = null;
  const control = { timeoutMs: opts.taskTimeout * 1000, signal };
  try {
    return await body({
      run: (queued, index) => pool.run(queued, index, control),
      // Enough that every worker holds TASKS_PER_WORKER tasks while the oldest is awaited.
      inFlight: (TASKS_PER_WORKER + 1) * pool.threads,
      // The workers are done: they stop (a few ms) while the report is made.
      scored: () => void (destroyed = pool.destroy()),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw abortErrorOf(signal);
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
  /** Stops the reading of the input when it aborts. */
  signal?: AbortSignal | undefined;
}

/** Batches [start, end) of an input, 0-based: a shard of a big file (an end past the last batch reads to the end). */
export interface BatchRange {
  start: number;
  end: number;
}

/** What a run may be asked beyond its merged partial (the partial files and the cluster use these). */
export interface RunHooks {
  /** Score only these batches; the plan is still made from the input's first batches, as for the whole input. */
  range?: BatchRange;
  /** Each partial as the run's merge adds it, in the order of the additions. */
  onMerged?: (partial: Float64Array) => void;
  /** After each batch is merged: how many batches this run has merged. */
  onBatch?: (merged: number) => void;
  /** Once the input is open: how many batches it holds, when a file says so before they are read. */
  onStart?: (input: { batches: number | null }) => void;
  /** Keep each batch's calibration sums (for a partial: see report/runExtras.ts). */
  keepExtraPieces?: boolean;
}

/** A run scored and merged, before finalize: the input's name, the plan and the merged partial. */
export interface ScoredRun {
  name: string;
  plan: Plan;
  total: Float64Array;
  /** The calibration sums and hardest units, when the options ask for them. */
  extras: ExtrasCollector | null;
}

/**
 * evaluate's pipeline with the runner given: open the input, plan, score every batch in a
 * bounded window, merge in batch order, finalize. Not part of the public surface: the bench runs
 * the workers' code through it without a pool.
 */
export async function runPipeline(source: InputSource, opts: Options, runner: TaskRunner, hooks: RunHooks = {}): Promise<Report> {
  const run = await scoreRun(source, opts, runner, hooks);
  const extras = run.extras === null ? null : { calibration: run.extras.calibrationTotal(), hardest: run.extras.hardestUnits() };
  return withExtras(finalize(run.total, run.plan, opts), extras, run.plan, opts);
}

/** The pipeline up to the merged partial: open, plan, score every batch (of the range) in order, merge. */
export async function scoreRun(source: InputSource, opts: Options, runner: TaskRunner, hooks: RunHooks = {}): Promise<ScoredRun> {
  const { signal } = runner;
  const opening = openInput(source, opts.inputFormat, undefined, { maxBatchBytes: maxBatchBytesOf(opts) });
  const input = await raceAbort(opening, signal).catch((error: unknown) => {
    opening.then((late) => late.close(), () => {}).catch(() => {}); // opened after the abort: let it go
    throw error;
  });
  hooks.onStart?.({ batches: hooks.range === undefined ? (input.batchCount ?? null) : null });
  try {
    const plan = makePlan(input.schema, opts, await raceAbort(planBatches(input, opts), signal), input.name);
    const shape = partialShape(plan, opts);
    const params = kernelParams(plan, opts);
    const { range } = hooks;
    const name = range === undefined ? input.name : `${input.name} (batches ${range.start}..${range.end - 1})`;
    const extras = extrasCollector(plan, opts, hooks.keepExtraPieces ?? false);
    const merge = new OrderedMerge({ pred: plan.predColumn, label: plan.labelColumn }, shape, {
      firstBatch: range?.start ?? 0,
      onMerged: hooks.onMerged,
      onResult: extras === null ? undefined : (result, rowsBefore) => extras.add(result, rowsBefore),
    });
    let merged = 0;
    const window = new InFlightWindow(runner.run, runner.inFlight, (result) => {
      merge.add(result, name);
      hooks.onBatch?.((merged += result.batches ?? 1));
    });
    const submit = async ({ item, first }: BatchRun): Promise<void> => {
      const task: ScoreTask = { plan, params, shape, file: input.name, index: first, batch: item.batch };
      if (extras !== null) task.extras = extras.spec;
      await window.submit({ task, transferList: item.transferList }, null);
    };
    const runs = new BatchRuns();
    let index = 0;
    for await (const item of abortable(input.batchRefs(plan), signal)) {
      const at = index++;
      if (range !== undefined && at >= range.end) break;
      if (range !== undefined && at < range.start) continue;
      for (const run of runs.add(item, at)) await submit(run);
    }
    for (const run of runs.flush()) await submit(run);
    await window.drain();
    if (range !== undefined && range.start > 0 && index <= range.start) {
      throw new UsageError(`${input.name}: batches ${range.start}..${range.end - 1}: the input has ${index} batches`, 'batches');
    }
    runner.scored?.();
    return { name: input.name, plan, total: merge.total, extras };
  } finally {
    // Aborted, the source may be inside a read that never ends (stdin that sends nothing): not awaited then.
    if (signal?.aborted) input.close().catch(() => {});
    else await input.close();
  }
}

/**
 * Batches are read before the plan only when the schema alone cannot say C or the class names
 * (and classNames are not given): a dictionary-encoded label (its first batch), or a List or
 * LargeList prediction (batches up to the first with a non-null row). Other columns do not matter.
 */
async function planBatches(input: OpenedInput, opts: Options) {
  const needs = planNeeds(input.schema, opts);
  return needs.batches ? input.planBatches(needs.widthColumn, needs.dictionaryColumn) : null;
}

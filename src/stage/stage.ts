/**
 * The pipeline stage: a Node Transform (object mode, RecordBatch in, RecordBatch out) that
 * appends the per-row loss columns to every batch, computed on the worker pool, in input order.
 *
 * Backpressure: at most two batches per thread are in flight (pool/ordered.ts's window), and the
 * transform's callback is held while the window is full, so a slow consumer (a full readable
 * side) slows the source and memory stays bounded. When the stream ends, `stage.report` resolves to the same report `evaluate`
 * gives for the same data (a promise rather than an event, so it can be awaited after
 * `stream.pipeline` and cannot be missed); it rejects when the stage fails.
 *
 * The plan is made from the first batch, unless it needs a later one: a List prediction whose
 * first batches have no non-null row (so no width) is held, batch by batch (up to PLAN_HOLD),
 * until one has; the held batches then go out in order.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { RecordBatch, Schema } from 'apache-arrow';
import { classAlphas, groupWeights } from '../report/weights.ts';
import { detachColumns, extractColumns } from '../input/columns.ts';
import { InFlightWindow, OrderedMerge } from '../pool/ordered.ts';
import { defaultThreads, takePool, type ScorePool } from '../pool/pool.ts';
import { abortErrorOf, FocalEvalError, UsageError } from '../errors.ts';
import { finalize } from '../report/finalize.ts';
import { refuseExtrasInStage } from '../report/extras.ts';
import { appendLossColumns, outputSchema } from './lossColumns.ts';
import { parseOptions, type Options, type OptionsInput } from '../options.ts';
import { kernelParams, listWidth, makePlan, mayHoldMore, partialShape, planNeeds, type Plan } from '../input/plan.ts';
import type { Report } from '../report/schema.ts';
import type { ScoreResult, ScoreTask } from '../pool/task.ts';

/** A stage: a Transform of RecordBatches, and the report it resolves when the input ends. */
export interface FocalStage extends Transform {
  /** Resolves to the run's report when the stream finishes; rejects if the stage fails. */
  readonly report: Promise<Report>;
}

/**
 * Stage options: the library options, a name for the input in messages, and an AbortSignal:
 * aborting destroys the stage with an AbortError (downstream sees the error, never a silent
 * end), cancels its tasks and releases its pool.
 */
export type StageOptions = OptionsInput & { name?: string; signal?: AbortSignal };

interface Running {
  plan: Plan;
  schema: Schema;
  /** What every task of the run shares. */
  common: Omit<ScoreTask, 'index' | 'batch'>;
  pool: ScorePool;
  merge: OrderedMerge;
  /** The batches in flight, each settled in order by emitting it with its loss columns. */
  window: InFlightWindow<RecordBatch>;
  submitted: number;
}

/**
 * Creates a stage. With `alpha: "auto"` the class counts are needed before the first row goes
 * out: pass `alphaEstimates` (saved by `focal-eval alphas --out`, or from an earlier run).
 */
export function focalStage(options: StageOptions = {}): FocalStage {
  const { name = 'stream', signal, ...rest } = options;
  const opts = parseOptions(rest);
  refuseExtrasInStage(opts);
  if (opts.alpha === 'auto' && opts.alphaEstimates === undefined) {
    throw new UsageError(
      'option alpha: "auto" in a stage needs the class counts before the first row goes out: ' +
        'pass alphaEstimates (saved by `focal-eval alphas --out`), or an explicit alpha',
      'alpha',
    );
  }
  const stage = new Stage(opts, name, signal);
  if (signal?.aborted) stage.destroy(abortErrorOf(signal));
  else if (signal) {
    const onAbort = (): void => void stage.destroy(abortErrorOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    stage.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return stage;
}

class Stage extends Transform implements FocalStage {
  readonly report: Promise<Report>;
  #resolve!: (report: Report) => void;
  #reject!: (error: unknown) => void;
  #running: Running | null = null;
  /** Batches received before the plan could be made (a List's width not yet seen), in order. */
  #held: RecordBatch[] = [];
  #heldBytes = 0;
  readonly #opts: Options;
  readonly #name: string;
  readonly #signal: AbortSignal | undefined;

  constructor(opts: Options, name: string, signal: AbortSignal | undefined) {
    super({ objectMode: true, readableHighWaterMark: 2, writableHighWaterMark: 2 });
    this.#opts = opts;
    this.#name = name;
    this.#signal = signal;
    this.report = new Promise<Report>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.report.catch(() => {}); // the stream's own 'error' reports the failure; awaiting is optional
  }

  override _transform(batch: RecordBatch, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#accept(batch).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    const pool = this.#running?.pool;
    this.#reject(error ?? new FocalEvalError('E_INPUT', `${this.#name}: the stage was destroyed before the end`));
    (pool ? pool.destroy() : Promise.resolve()).then(
      () => callback(error),
      () => callback(error),
    );
  }

  async #accept(batch: RecordBatch): Promise<void> {
    if (this.#running !== null) return this.#submit(this.#running, batch);
    this.#held.push(batch);
    this.#heldBytes += batch.data.byteLength;
    if (!this.#waitsForWidth(batch)) await this.#startHeld();
  }

  /** Whether the plan should wait for a later batch: a List prediction with no width so far, within PLAN_HOLD. */
  #waitsForWidth(latest: RecordBatch): boolean {
    const { widthColumn } = planNeeds(this.#held[0]!.schema, this.#opts);
    if (widthColumn === null || !mayHoldMore(this.#held.length, this.#heldBytes)) return false;
    return listWidth(latest, widthColumn) === undefined;
  }

  /** Makes the plan from the held batches (an error when they say too little) and submits them in order. */
  async #startHeld(): Promise<void> {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    const r = (this.#running = this.#start(held));
    for (const batch of held) await this.#submit(r, batch);
  }

  async #submit(r: Running, batch: RecordBatch): Promise<void> {
    const index = r.submitted++;
    const { columns, transferList } = detachColumns(extractColumns(batch, r.plan, this.#name, index));
    const task: ScoreTask = { ...r.common, index, batch: { kind: 'columns', columns } };
    await r.window.submit({ task, transferList }, batch);
  }

  #start(batches: readonly RecordBatch[]): Running {
    const first = batches[0]!;
    const plan = makePlan(first.schema, this.#opts, batches, this.#name);
    const schema = outputSchema(first.schema, plan);
    const weights = groupWeights(plan, this.#opts, classAlphas(plan, this.#opts, null));
    const pool = takePool(this.#opts.threads ?? defaultThreads());
    const shape = partialShape(plan, this.#opts);
    const common = { plan, params: kernelParams(plan, this.#opts), shape, file: this.#name, weights };
    const merge = new OrderedMerge({ pred: plan.predColumn, label: plan.labelColumn }, shape);
    const control = { timeoutMs: this.#opts.taskTimeout * 1000, signal: this.#signal };
    const window = new InFlightWindow<RecordBatch>(
      (queued, index) => pool.run(queued, index, control),
      2 * pool.threads,
      (result, batch) => this.#emit(result, batch, merge, plan, schema),
    );
    return { plan, schema, common, pool, merge, window, submitted: 0 };
  }

  /** Merges a batch's partial (in order) and pushes the batch out with its loss columns. */
  #emit(result: ScoreResult, batch: RecordBatch, merge: OrderedMerge, plan: Plan, schema: Schema): void {
    merge.add(result, this.#name);
    this.push(appendLossColumns(batch, schema, plan, result.rows!));
  }

  async #finish(): Promise<void> {
    if (this.#running === null && this.#held.length > 0) await this.#startHeld();
    const r = this.#running;
    if (r === null) throw new FocalEvalError('E_INPUT', `${this.#name}: no batches, no schema (empty input)`);
    await r.window.drain();
    await r.pool.destroy();
    this.#resolve(finalize(r.merge.total, r.plan, this.#opts));
  }
}

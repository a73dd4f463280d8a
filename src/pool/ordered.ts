/**
 * Results in input order. Workers finish in any order, but the order of the float64 additions
 * decides the sums, so partials are merged strictly in batch order: that is why the report is
 * bit-identical for any thread count. The first invalid row in input order stops the run.
 *
 * The in-flight window is the one backpressure of both evaluate() and the stage: at most
 * `limit` tasks are submitted and not yet settled, and each is settled (merged, and for the stage
 * its output batch pushed) in submission order.
 */
import { DataError, FocalEvalError } from '../errors.ts';
import { createPartial, mergeInto, ROWS, type PartialShape } from '../kernel/partial.ts';
import type { QueuedTask, ScoreResult } from './task.ts';

/** Runs one task; `index` is its batch number, for messages. ScorePool.run is one. */
export type RunTask = (queued: QueuedTask, index: number) => Promise<ScoreResult>;

/** The columns an invalid row is blamed on, by their names in the input. */
export interface BlameColumns {
  pred: string;
  label: string;
}

/** What a run's merge also does: see each partial it adds, and number batches from a shard's first. */
export interface MergeHooks {
  /** The number of the first batch (a shard that is a batch range of a file starts past 0). */
  firstBatch?: number;
  /** Called with each partial right after it is added, in the order of the additions. */
  onMerged?: (partial: Float64Array) => void;
  /** Called with each batch's result once it is known to be valid, with the rows of the batches before it. */
  onResult?: (result: ScoreResult, rowsBefore: number) => void;
}

/** Merges batch results in input order into the run's partial; the first invalid row throws a DataError. */
export class OrderedMerge {
  readonly total: Float64Array;
  #batch: number;
  #rowsBefore = 0;
  readonly #onMerged: ((partial: Float64Array) => void) | undefined;
  readonly #onResult: MergeHooks['onResult'];

  constructor(
    readonly columns: BlameColumns,
    shape: PartialShape,
    hooks: MergeHooks = {},
  ) {
    this.total = createPartial(shape);
    this.#batch = hooks.firstBatch ?? 0;
    this.#onMerged = hooks.onMerged;
    this.#onResult = hooks.onResult;
  }

  /** Adds the next result (call in batch order): one batch's, or a run's (result.batches). */
  add(result: ScoreResult, file: string): void {
    const batch = this.#batch;
    this.#batch += result.batches ?? 1;
    if (result.failure) throw new FocalEvalError(result.failure.code, result.failure.message);
    if (result.error) {
      const e = result.error;
      const at = result.errorAt ?? { batch: 0, rowsBefore: 0 };
      throw new DataError({
        file,
        batch: batch + at.batch,
        row: e.row,
        globalRow: this.#rowsBefore + at.rowsBefore + e.row,
        column: e.column === 'pred' ? this.columns.pred : this.columns.label,
        value: e.value,
        reason: e.reason,
      });
    }
    this.#onResult?.(result, this.#rowsBefore);
    for (const partial of [result.partial, ...(result.more ?? [])]) {
      this.#rowsBefore += partial[ROWS]!;
      mergeInto(this.total, partial);
      this.#onMerged?.(partial);
    }
  }
}

/**
 * At most `limit` tasks in flight; each result is handed to `settle` with its tag, in submission
 * order. On a failure the caller destroys the pool, which drops the tasks still in flight.
 */
export class InFlightWindow<Tag> {
  readonly #queue: { run: Promise<ScoreResult>; tag: Tag }[] = [];
  #submitted = 0;

  constructor(
    private readonly run: RunTask,
    private readonly limit: number,
    private readonly settle: (result: ScoreResult, tag: Tag) => void,
  ) {}

  /** Submits a task; while the window is full, settles the oldest first. */
  async submit(queued: QueuedTask, tag: Tag): Promise<void> {
    this.#queue.push({ run: this.run(queued, this.#submitted++), tag });
    while (this.#queue.length >= this.limit) await this.#settleOldest();
  }

  /** Settles every task still in flight, in order. */
  async drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#settleOldest();
  }

  async #settleOldest(): Promise<void> {
    const { run, tag } = this.#queue.shift()!;
    this.settle(await run, tag);
  }
}

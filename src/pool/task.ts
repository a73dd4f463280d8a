/**
 * What crosses the thread boundary: a score task (the plan, the kernel parameters, and where its
 * batch is: a file batch for the worker to read itself, or columns copied out of a batch) and its
 * result. Plain data only. The leaf both sides import: the pool and the worker import it, it
 * imports neither.
 */
import type { ErrorCode } from '../errors.ts';
import type { LeanColumn } from '../input/ipc/batch.ts';
import type { BatchRef } from '../input/open.ts';
import type { Plan } from '../input/plan.ts';
import type { BatchExtras, ExtrasSpec } from '../kernel/extras.ts';
import type { PartialShape } from '../kernel/partial.ts';
import type { KernelError, KernelParams, RowColumns } from '../kernel/types.ts';

/** One batch to score. */
export interface ScoreTask {
  plan: Plan;
  params: KernelParams;
  shape: PartialShape;
  /** The input's name and the batch's number (row group, for Parquet), for messages. */
  file: string;
  index: number;
  batch: BatchRef;
  /** For the stage: the group weights; the worker then returns per-row outputs too. */
  weights?: Float64Array;
  /**
   * For the stage fed from an uncompressed IPC file (an 'ipc-lean' batch): the worker reads the
   * whole batch, or rows [from, to) of all its columns (`all`, every one fixed-width without
   * nulls), and sends its bytes back (ScoreResult.body) with the rows, so the file is read once.
   */
  passThrough?: { slice: { from: number; to: number; all: LeanColumn[] } | null };
  /** Shared buffers of earlier results that the main thread has written out: the worker may reuse them. */
  recycle?: SharedArrayBuffer[];
  /** Calibration sums and hardest units to compute beside the partial (kernel/extras.ts). */
  extras?: ExtrasSpec;
}

/** A batch's bytes as read by a worker for the stage (shared buffer: it crosses uncopied). */
export interface PassedBody {
  numRows: number;
  bytes: Uint8Array;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  /** The view-typed columns' data buffer counts (RecordBatch.variadicBufferCounts), as the input's batch had them. */
  variadic: number[];
}

/** A scored batch: its partial, and its first invalid row when not skipping. */
export interface ScoreResult {
  partial: Float64Array;
  error: KernelError | null;
  /** Set when the batch could not be read or scored at all (error codes do not survive a thread hop). */
  failure?: { code: ErrorCode; message: string };
  /**
   * A Parquet row group read as several batches: the partials of the batches after the first,
   * merged in order after `partial`, so that the sums are added as they would be batch by batch.
   */
  more?: Float64Array[];
  /** Per-row columns, when the task asked for them (shared buffers: they cross uncopied). */
  rows?: RowColumns;
  /** The batch's (or slice's) bytes, when the task asked for them (passThrough). */
  body?: PassedBody;
  /** How many input batches the result covers (an 'ipc-lean-run'); 1 when absent. */
  batches?: number;
  /** With `error` in a run: the invalid row's batch within the run, and the rows of the run's batches before it. */
  errorAt?: { batch: number; rowsBefore: number };
  /** What the task's `extras` asked for: one entry per input batch the result covers (a Parquet row group is one). */
  extras?: BatchExtras[];
}

/** A task with the buffers to transfer along with it (the copied columns of a streamed batch). */
export interface QueuedTask {
  task: ScoreTask;
  transferList?: ArrayBuffer[];
}

/**
 * What a worker posts once its module has loaded (workers/loaded.ts): the pool waits for it
 * before terminating a worker, since Node 20 aborts the whole process when a worker is
 * terminated while it is still instantiating its ES module.
 */
export const WORKER_LOADED = 'focalEvalWorkerLoaded';

/** Whether a message from a worker is its WORKER_LOADED announcement. */
export function isLoadedMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && WORKER_LOADED in message;
}

/** What a task reads, for messages: "row group 3", "batch 3", or a run of batches "batches 0-3". */
export function taskBatches(task: ScoreTask): string {
  const { batch, index } = task;
  if (batch.kind === 'parquet' || batch.kind === 'parquet-lean') return `row group ${index}`;
  if (batch.kind === 'ipc-lean-run' && batch.blocks.length > 1) return `batches ${index}-${index + batch.blocks.length - 1}`;
  return `batch ${index}`;
}

/**
 * The pool's worker: scores one batch per task. For an IPC file or a Parquet row group it reads
 * the batch itself (the main thread sends only the path and where the batch is, so no data
 * crosses threads); otherwise it gets the batch's columns, copied and transferred by the main
 * thread. Imports the kernel, the readers and the task messages only: never the pool, never the
 * public barrel. apache-arrow is loaded only if a task needs it (dictionaries, Utf8View, Parquet),
 * and the decoders of compressed IPC bodies only if the file's batches are compressed (the task
 * says which codecs the file uses; they are loaded before its first batch is read).
 *
 * Errors: the readers' own (FocalEvalErrors, and Node's I/O errors) are the input's and come back
 * as E_INPUT naming the file and batch; anything else thrown here is a bug and comes back as
 * E_INTERNAL, so that the user is not told their data is bad when it is not.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { AsyncRecordBatchFileReader } from 'apache-arrow';
import { FocalEvalError, type ErrorCode } from '../src/errors.ts';
import { arrowFileReader, readArrowBatch } from '../src/input/arrowFile.ts';
import { extractColumns } from '../src/input/columns.ts';
import { bodyBatch, openLeanBatch, readOwnedBatch, readOwnedSlice, type LeanBatch, type SlicePlace } from '../src/input/ipc/batch.ts';
import { loadCodecs, type Codec } from '../src/input/ipc/codecs.ts';
import type { BatchRef } from '../src/input/open.ts';
import type { BatchLike } from '../src/input/arrowTypes.ts';
import { PARQUET_BATCH_ROWS, parquetBatches } from '../src/input/parquet.ts';
import { NotLean } from '../src/input/parquet/decompress.ts';
import type { ColumnReader } from '../src/input/parquet/columnReader.ts';
import { leanBatches, LeanRowGroupReader } from '../src/input/parquet/rowGroup.ts';
import type { Plan } from '../src/input/plan.ts';
import { kernelFor, type Kernel } from '../src/kernel/index.ts';
import { ExtrasBuilder, type BatchExtras } from '../src/kernel/extras.ts';
import { createPartial, ROWS } from '../src/kernel/partial.ts';
import { atBatchRow } from '../src/kernel/slice.ts';
import { createRowColumns, scalarRowKernel, type RowKernel } from '../src/kernel/rowColumns.ts';
import { recycleShared } from '../src/kernel/sharedBuffers.ts';
import type { Columns } from '../src/kernel/types.ts';
import { chunkRowsOf, wasmKernelFailure, wasmKernelFor, wasmPredictionSlot, wasmRowKernelFor } from '../src/kernel/wasm/index.ts';
import { taskBatches, type ScoreResult, type ScoreTask } from '../src/pool/task.ts';
import { faultArmed, injectFault } from './testFault.ts';
import { announceLoaded } from './loaded.ts';

/** The file this worker has open, kept across tasks (and its apache-arrow reader, once needed). */
let openFile: { path: string; handle: FileHandle; reader: AsyncRecordBatchFileReader | null } | null = null;

async function fileHandle(path: string): Promise<NonNullable<typeof openFile>> {
  if (openFile?.path === path) return openFile;
  if (openFile) await openFile.handle.close();
  openFile = null;
  openFile = { path, handle: await open(path, 'r'), reader: null };
  return openFile;
}

async function fileReader(path: string, codecs: readonly Codec[]): Promise<AsyncRecordBatchFileReader> {
  const file = await fileHandle(path);
  return (file.reader ??= await arrowFileReader(file.handle, path, codecs));
}

/** This worker's Parquet column readers, kept (with their buffers) from row group to row group: a worker runs one task at a time. */
const parquetReaders: ColumnReader[] = [];

/** The task before this one: piscina hands a worker two at a time, and they run one after the other. */
let previous: Promise<unknown> = Promise.resolve();

/**
 * Scores one batch into a fresh partial, after the task before it has finished (the open file,
 * the Parquet readers and the wasm memory are this worker's, one task's at a time); a batch that
 * cannot be read or scored comes back as a failure.
 */
export default function score(task: ScoreTask): Promise<ScoreResult> {
  const run = previous.then(() => scoreOne(task));
  previous = run.catch(() => {});
  return run;
}

async function scoreOne(task: ScoreTask): Promise<ScoreResult> {
  // Outside the try: an injected fault fails the task as a fault of the worker itself would.
  if (faultArmed) await injectFault(task.index, task.batch.kind === 'ipc-lean-run' ? task.batch.blocks.length : 1);
  try {
    return await scoreBatch(task);
  } catch (error) {
    if (error instanceof FocalEvalError) return failure(error.code, error.message);
    const where = `${task.file}: ${taskBatches(task)}`;
    const reason = error instanceof Error ? error.message || error.name : String(error);
    // Node's I/O errors carry a system code (EIO, ENOENT, ...): the input could not be read.
    if (typeof (error as NodeJS.ErrnoException)?.code === 'string') return failure('E_INPUT', `${where}: cannot be read: ${reason}`);
    const detail = error instanceof Error && error.stack ? error.stack : reason;
    return failure('E_INTERNAL', `internal error: ${where}: ${detail}`);
  }
}

/**
 * The kernel that fills partials: the WebAssembly SIMD one where it loads (it falls back to the
 * scalar kernel itself for batches it cannot take), else, or with FOCAL_EVAL_KERNEL=scalar (the
 * baseline the benchmarks compare against), the scalar one. FOCAL_EVAL_KERNEL=wasm makes a
 * module that does not load an error instead (for tests and benchmarks of the built worker).
 */
function kernelOf(plan: Plan): Kernel {
  const scalar = kernelFor(plan.mode, plan.input);
  if (process.env.FOCAL_EVAL_KERNEL === 'scalar') return scalar;
  const wasm = wasmKernelFor(plan.mode, plan.input);
  if (wasm === null && process.env.FOCAL_EVAL_KERNEL === 'wasm') {
    throw new FocalEvalError('E_INTERNAL', `FOCAL_EVAL_KERNEL=wasm: the wasm kernel did not load (${wasmKernelFailure()})`);
  }
  return wasm ?? scalar;
}

function failure(code: ErrorCode, message: string): ScoreResult {
  return { partial: new Float64Array(0), error: null, failure: { code, message } };
}

async function scoreBatch(task: ScoreTask): Promise<ScoreResult> {
  const { plan, batch } = task;
  if (batch.kind === 'parquet') return scoreRowGroup(task, batch.path, batch.rowGroup, batch.columns);
  if (batch.kind === 'parquet-lean') return scoreLeanRowGroup(task, batch);
  if (batch.kind === 'ipc-lean-run') return scoreLeanRun(task, batch);
  let columns: Columns;
  if (batch.kind === 'ipc-lean') {
    const { handle } = await fileHandle(batch.path);
    if (batch.codecs.length > 0) await loadCodecs(batch.codecs);
    if (task.recycle) recycleShared(task.recycle);
    if (task.passThrough && task.weights) return scorePassThrough(task, batch, handle.fd, task.weights, task.passThrough.slice);
    const lean = openLeanBatch(handle.fd, batch.block, batch.columns, task.file, task.index);
    if (lean.sliceable && !task.weights) return scoreSlices(task, lean);
    columns = extractColumns(lean.read(), plan, task.file, task.index);
  } else if (batch.kind === 'ipc-body') {
    if (batch.codecs.length > 0) await loadCodecs(batch.codecs);
    columns = extractColumns(bodyBatch(batch.header, batch.body, batch.columns, task.file, batch.index), plan, task.file, batch.index);
  } else if (batch.kind === 'ipc-file') {
    const reader = await fileReader(batch.path, batch.codecs);
    const recordBatch = await readArrowBatch(reader, task.file, batch.index);
    columns = extractColumns(recordBatch, plan, task.file, batch.index);
  } else {
    columns = batch.columns;
  }
  if (task.weights) return scoreRows(task, columns, task.weights);
  return scoreWhole(task, columns);
}

/** The collector of the task's extras (calibration, hardest units), when it asks for them. */
function extrasOf(task: ScoreTask): ExtrasBuilder | null {
  return task.extras ? new ExtrasBuilder(task.extras, task.plan.mode, task.plan.input, task.params) : null;
}

/**
 * The stage: the per-row columns come out of the same kernel pass as the sums (the wasm
 * kernel's sums are evaluate's, so stage.report is evaluate's report), into shared buffers that
 * reach the main thread uncopied.
 */
function scoreRows(task: ScoreTask, columns: Columns, weights: Float64Array): ScoreResult {
  const { plan } = task;
  const partial = createPartial(task.shape);
  const rows = createRowColumns(weights, columns.length, plan.mode === 'multilabel' ? plan.classes : 0);
  const error = rowKernelOf(plan)(columns, task.params, partial, rows, 0);
  return { partial, error, rows };
}

/**
 * The stage fed from an IPC file: the batch (or a slice of its rows) read whole into a shared
 * buffer, its scored columns viewed in place, scored with per-row columns, and sent back with
 * its bytes, which the main thread writes out as they are.
 */
function scorePassThrough(
  task: ScoreTask,
  batch: Extract<BatchRef, { kind: 'ipc-lean' }>,
  fd: number,
  weights: Float64Array,
  slice: NonNullable<ScoreTask['passThrough']>['slice'],
): ScoreResult {
  const scored = batch.columns.map((c) => c.name);
  const owned =
    slice === null
      ? readOwnedBatch(fd, batch.block, batch.columns, task.file)
      : readOwnedSlice(fd, batch.block, slice.all, scored, slice.from, slice.to, task.file);
  const columns = extractColumns(owned.columns, task.plan, task.file, task.index);
  const { numRows, body: bytes, nodes, buffers, variadic } = owned;
  return { ...scoreRows(task, columns, weights), body: { numRows, bytes, nodes, buffers, variadic } };
}

/** The row kernel: kernelOf's choice, with per-row columns. */
function rowKernelOf(plan: Plan): RowKernel {
  const scalar = scalarRowKernel(plan.mode, plan.input);
  if (process.env.FOCAL_EVAL_KERNEL === 'scalar') return scalar;
  kernelOf(plan); // the same check: FOCAL_EVAL_KERNEL=wasm and no module is an error
  return wasmRowKernelFor(plan.mode, plan.input) ?? scalar;
}

/**
 * Consecutive batches of an IPC file (input/batchRuns.ts), each scored into a partial of its own
 * exactly as a task of its own would score it; the first invalid row stops the run, and says
 * which of its batches it is in.
 */
async function scoreLeanRun(task: ScoreTask, run: Extract<BatchRef, { kind: 'ipc-lean-run' }>): Promise<ScoreResult> {
  const { handle } = await fileHandle(run.path);
  if (run.codecs.length > 0) await loadCodecs(run.codecs);
  const batches = run.blocks.length;
  const partials: Float64Array[] = [];
  const extras: BatchExtras[] = [];
  let rowsBefore = 0;
  for (let k = 0; k < batches; k++) {
    const one: ScoreTask = { ...task, index: task.index + k };
    const lean = openLeanBatch(handle.fd, run.blocks[k]!, run.columns, task.file, one.index);
    const result = lean.sliceable ? scoreSlices(one, lean) : scoreWhole(one, extractColumns(lean.read(), task.plan, task.file, one.index));
    if (result.error) return { ...result, batches, errorAt: { batch: k, rowsBefore } };
    partials.push(result.partial);
    if (result.extras) extras.push(...result.extras);
    rowsBefore += result.partial[ROWS]!;
  }
  const [partial, ...more] = partials;
  return { partial: partial!, error: null, more, batches, extras: task.extras ? extras : undefined };
}

/** A batch's columns scored into a fresh partial. */
function scoreWhole(task: ScoreTask, columns: Columns): ScoreResult {
  const partial = createPartial(task.shape);
  const error = kernelOf(task.plan)(columns, task.params, partial, null);
  const extras = error ? null : extrasOf(task);
  if (extras === null) return { partial, error };
  extras.add(columns, 0);
  return { partial, error, extras: [extras.finish()] };
}

/**
 * A batch of fixed-width columns without nulls, read and scored a kernel chunk at a time
 * (chunkRowsOf rows, from row 0): a small reused buffer, still in cache when the kernel copies
 * it, and the same sums as the whole batch at once, since the kernel sums chunk by chunk.
 */
function scoreSlices(task: ScoreTask, lean: LeanBatch): ScoreResult {
  const { plan, params } = task;
  const kernel = kernelOf(plan);
  const partial = createPartial(task.shape);
  const rows = chunkRowsOf(plan.mode === 'binary' ? 1 : plan.classes);
  const extras = extrasOf(task);
  // The predictions are read straight into the wasm kernel's memory, where it would copy them.
  const inPlace = process.env.FOCAL_EVAL_KERNEL !== 'scalar';
  for (let from = 0; from === 0 || from < lean.numRows; from += rows) {
    const to = Math.min(from + rows, lean.numRows);
    const place: SlicePlace | undefined = inPlace
      ? (column, bytes) => (column === plan.predColumn ? wasmPredictionSlot(plan.mode, params, to - from, bytes) : null)
      : undefined;
    const columns = extractColumns(lean.read(from, to, place), plan, task.file, task.index);
    const error = kernel(columns, params, partial, null);
    if (error) return { partial, error: atBatchRow(error, from) };
    extras?.add(columns, from);
  }
  return { partial, error: null, extras: extras ? [extras.finish()] : undefined };
}

/**
 * A Parquet row group, read here in batches of at most 65,536 rows, each summed into a partial
 * of its own (the main thread merges them in order, as it would separate batches); an invalid
 * row's place is its row within the row group.
 */
async function scoreRowGroup(task: ScoreTask, path: string, rowGroup: number, columns: string[]): Promise<ScoreResult> {
  return scoreBatches(task, parquetBatches(path, columns, rowGroup), rowGroup);
}

/**
 * A row group whose scored columns the lean reader reads (input/parquet/): straight from its
 * pages into the kernel's arrays, batch by batch as scoreRowGroup does (so the sums are the same
 * bits). What the lean reader meets and does not read (an encoding, say) sends the whole row
 * group to parquet-wasm instead.
 */
async function scoreLeanRowGroup(task: ScoreTask, batch: Extract<BatchRef, { kind: 'parquet-lean' }>): Promise<ScoreResult> {
  const { group } = batch;
  const { handle } = await fileHandle(batch.path);
  if (group.codecs.length > 0) await loadCodecs(group.codecs);
  try {
    if (process.env.FOCAL_EVAL_KERNEL === 'scalar') return await scoreBatches(task, leanBatches(handle.fd, group, task.file, PARQUET_BATCH_ROWS, parquetReaders), group.rowGroup);
    return scoreLeanChunks(task, new LeanRowGroupReader(handle.fd, group, task.file, parquetReaders));
  } catch (error) {
    if (!(error instanceof NotLean)) throw error;
    return scoreRowGroup(task, batch.path, group.rowGroup, group.columns.map((c) => c.column.name));
  }
}

/**
 * scoreBatches for the lean reader and the wasm kernel: each batch of PARQUET_BATCH_ROWS rows
 * (a partial of its own, as there) read and scored a kernel chunk at a time (chunkRowsOf rows,
 * from the batch's row 0, so the sums are the same bits), the predictions decoded straight into
 * the kernel's memory where it would copy them (wasmPredictionSlot), as scoreSlices does for IPC.
 * A chunk with null rows goes to the scalar kernel (the wasm kernel's own fallback), so a batch
 * with nulls in some chunks may differ in the last bits from the same rows scored as one batch,
 * as sums do where batch boundaries differ.
 */
function scoreLeanChunks(task: ScoreTask, reader: LeanRowGroupReader): ScoreResult {
  const { plan, params } = task;
  const kernel = kernelOf(plan);
  const extras = extrasOf(task);
  const width = plan.mode === 'binary' ? 1 : plan.classes;
  const chunk = chunkRowsOf(width);
  const partials: Float64Array[] = [];
  for (let batch = 0; batch < reader.rows; batch += PARQUET_BATCH_ROWS) {
    const batchEnd = Math.min(batch + PARQUET_BATCH_ROWS, reader.rows);
    const partial = createPartial(task.shape);
    for (let from = batch; from < batchEnd; from += chunk) {
      const rows = Math.min(chunk, batchEnd - from);
      const place = (column: string): Uint8Array | null => (column === plan.predColumn ? wasmPredictionSlot(plan.mode, params, rows, rows * width * 4) : null);
      const columns = extractColumns(reader.read(rows, place), plan, task.file, reader.rowGroup);
      const error = kernel(columns, params, partial, null);
      if (error) return { partial, error: atBatchRow(error, from) };
      extras?.add(columns, from);
    }
    partials.push(partial);
  }
  reader.finish();
  const [first = createPartial(task.shape), ...more] = partials;
  return { partial: first, error: null, more, extras: extras ? [extras.finish()] : undefined };
}

/** Scores a row group's batches, each into a partial of its own, merged by the main thread in order. */
async function scoreBatches(task: ScoreTask, batches: AsyncIterable<BatchLike> | Iterable<BatchLike>, rowGroup: number): Promise<ScoreResult> {
  const partials: Float64Array[] = [];
  const kernel = kernelOf(task.plan);
  const extras = extrasOf(task);
  let offset = 0;
  for await (const recordBatch of batches) {
    const columns = extractColumns(recordBatch, task.plan, task.file, rowGroup);
    const partial = createPartial(task.shape);
    const error = kernel(columns, task.params, partial, null);
    if (error) return { partial, error: { ...error, row: error.row + offset } };
    extras?.add(columns, offset);
    partials.push(partial);
    offset += recordBatch.numRows;
  }
  const [first = createPartial(task.shape), ...more] = partials;
  return { partial: first, error: null, more, extras: extras ? [extras.finish()] : undefined };
}

announceLoaded();

/**
 * `score FILE --emit` on an uncompressed Arrow IPC file without dictionaries or list views: the
 * workers read their own batches (the file goes in once, never through apache-arrow or this
 * thread), score them with per-row columns in the kernel's one pass, and send back the batch's
 * bytes and the columns in shared buffers; this thread writes each batch as the input's body
 * followed by the loss columns, in one vectored write (cork/uncork: fs streams writev), waiting
 * for 'drain' when the output is slow; to a file, with a synchronous writev at the batch's
 * position (this thread has nothing else to do, and the event loop's round trip per batch was
 * what limited the write rate). Nothing of a batch is copied on the way out, and apache-arrow is
 * never loaded: the messages are encoded by ipcEncode.ts, the schema from the input's footer.
 *
 * Memory is bounded whatever the batch size: a batch whose bytes in and out exceed SLICE_BYTES
 * and whose columns are all fixed-width without nulls is read, scored and written SLICE_BYTES at
 * a time, each slice an output batch of its own, in order (spec §5's one output batch per input
 * batch holds for every batch under the bound); and at most IN_FLIGHT_BYTES of tasks are in flight
 * (and two per thread). A sliced batch's partials are merged slice by slice, so its sums agree
 * with evaluate's to rounding rather than to the bit.
 */
import { WriteStream, writevSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { TYPE } from '../input/arrowTypes.ts';
import { openLeanBatch, type LeanColumn } from '../input/ipc/batch.ts';
import { columnPlaces, type IpcField, type IpcType } from '../input/ipc/schema.ts';
import type { BatchItem, OpenedInput } from '../input/open.ts';
import { kernelParams, makePlan, partialShape, planNeeds, type Plan } from '../input/plan.ts';
import { chunkRowsOf } from '../kernel/wasm/index.ts';
import type { Options } from '../options.ts';
import { OrderedMerge } from '../pool/ordered.ts';
import { defaultThreads, takePool, type ScorePool } from '../pool/pool.ts';
import type { ScoreResult, ScoreTask } from '../pool/task.ts';
import { classAlphas, groupWeights } from '../report/weights.ts';
import { finalize } from '../report/finalize.ts';
import type { Report } from '../report/schema.ts';
import { abortErrorOf, UsageError } from '../errors.ts';
import { END_OF_STREAM, recordBatchChunks, schemaMessage } from './ipcMessages.ts';
import { lossColumnNames } from './lossNames.ts';

/** A batch bigger than this (its bytes in plus out) is written a slice of rows at a time. */
export const SLICE_BYTES = 16 << 20;
/** Tasks in flight hold at most this many bytes (but at least one task is in flight). */
const IN_FLIGHT_BYTES = 64 << 20;

/**
 * Whether a type can pass through as it is: no dictionary (its batches would be needed too), no
 * list view. Utf8View and BinaryView pass: each batch's variadic buffer counts go out with it.
 */
function passes(type: IpcType): boolean {
  if (type.typeId === TYPE.Dictionary || type.typeId === TYPE.ListView || type.typeId === TYPE.LargeListView) return false;
  return type.children.every((c) => passes(c.type));
}

/** One task: a batch, or rows [from, to) of it, and the bytes it holds. */
interface Piece {
  task: ScoreTask;
  bytes: number;
  /** Its batch, the slice's first row, and whether it is the batch's last piece. */
  batch: number;
  from: number;
  last: boolean;
}

/**
 * Emits `input` (an opened IPC file) to `out` when it can pass through; resolves to the report,
 * or to null (nothing written) when the file is not one this path takes.
 */
export async function emitIpcFile(path: string, input: OpenedInput, out: Writable, opts: Options, signal?: AbortSignal): Promise<Report | null> {
  const fields = input.schema.fields as readonly IpcField[];
  if (!fields.every((f) => passes(f.type))) return null;
  const needs = planNeeds(input.schema, opts);
  const plan = makePlan(input.schema, opts, needs.batches ? await input.planBatches(needs.widthColumn, needs.dictionaryColumn) : null, input.name);
  const refs = input.batchRefs(plan)[Symbol.asyncIterator]();
  const first = await refs.next();
  if (first.done || first.value.batch.kind !== 'ipc-lean' || first.value.batch.codecs.length > 0) {
    await refs.return?.();
    return null;
  }
  const handle = await open(path, 'r');
  let pool: ScorePool | null = null;
  try {
    pool = takePool(opts.threads ?? defaultThreads());
    checkNoClash(fields, plan);
    const sink = await outputOf(out);
    await sink.write([schemaMessage(await footerOf(handle), plan)]);
    const shape = partialShape(plan, opts);
    const weights = groupWeights(plan, opts, classAlphas(plan, opts, null));
    const common = { plan, params: kernelParams(plan, opts), shape, file: input.name, weights };
    const places = columnPlaces(fields, true);
    const all = fields.every((f) => places.has(f.name)) ? fields.map((f) => ({ name: f.name, type: f.type, place: places.get(f.name)! })) : null;
    const merge = new OrderedMerge({ pred: plan.predColumn, label: plan.labelColumn }, shape);
    const run = pool;
    const control = { timeoutMs: opts.taskTimeout * 1000, signal };
    const inFlight: { piece: Piece; result: Promise<ScoreResult> }[] = [];
    let held = 0;
    let done: ScoreResult[] = [];
    const spare: SharedArrayBuffer[] = [];
    const settleOldest = async (): Promise<void> => {
      const { piece, result } = inFlight.shift()!;
      held -= piece.bytes;
      const r = await result;
      const failed = r.failure !== undefined || r.error !== null;
      if (!failed) {
        // Once written, the batch's shared buffers go back to a worker with the next task.
        const { body, rows } = r as Required<ScoreResult>;
        const shared = [body.bytes, rows.pt, rows.ce, rows.loss, rows.easy, rows.valid, rows.perClass].map((a) => a?.buffer);
        await sink.write(recordBatchChunks(body, rows, plan.classes), () => {
          for (const b of shared) if (b instanceof SharedArrayBuffer) spare.push(b);
        });
      }
      done.push(failed && r.error ? { ...r, error: { ...r.error, row: r.error.row + piece.from } } : r);
      if (piece.last || failed) {
        // The batch's pieces in order: the first failure is the batch's, else its partials in order.
        const bad = done.find((d) => d.failure !== undefined || d.error !== null);
        merge.add(bad ?? { partial: done[0]!.partial, error: null, more: done.slice(1).map((d) => d.partial) }, input.name);
        done = [];
      }
    };
    let index = 0;
    for (let item: IteratorResult<BatchItem> = first; !item.done; item = await refs.next(), index++) {
      if (signal?.aborted) throw abortErrorOf(signal);
      const batch = item.value.batch;
      if (batch.kind !== 'ipc-lean') throw new Error(`internal error: batch ${index} of an IPC file is not a lean batch`);
      for (const piece of piecesOf(handle.fd, batch, all, plan, { ...common, index, batch }, index)) {
        while (inFlight.length > 0 && (inFlight.length >= 2 * run.threads || held + piece.bytes > IN_FLIGHT_BYTES)) await settleOldest();
        inFlight.push({ piece, result: run.run({ task: { ...piece.task, recycle: spare.splice(0) } }, index, control) });
        held += piece.bytes;
      }
    }
    while (inFlight.length > 0) await settleOldest();
    // Aborted after the last batch: still no end-of-stream marker, so that the output never looks whole.
    if (signal?.aborted) throw abortErrorOf(signal);
    await sink.write([END_OF_STREAM]);
    await sink.end();
    return finalize(merge.total, plan, opts);
  } finally {
    await pool?.destroy();
    await handle.close();
  }
}

/** The flatbuffer of an IPC file's footer (checked before: fileCheck.ts): its length is the int32 before the closing magic. */
async function footerOf(handle: FileHandle): Promise<Uint8Array> {
  const { size } = await handle.stat();
  const tail = new Uint8Array(10);
  await handle.read(tail, 0, 10, size - 10);
  const length = new DataView(tail.buffer).getInt32(0, true);
  const footer = new Uint8Array(length);
  await handle.read(footer, 0, length, size - 10 - length);
  return footer;
}

/** A loss column's name already in the input is a usage error (as outputSchema says for the stage). */
function checkNoClash(fields: readonly IpcField[], plan: Plan): void {
  for (const name of lossColumnNames(plan)) {
    if (fields.some((f) => f.name === name)) {
      throw new UsageError(`the input already has a column "${name}", which the stage would add; rename or drop it first`);
    }
  }
}

/** A batch's tasks: the batch whole, or slices of SLICE_BYTES when it is bigger and its columns allow. */
function piecesOf(
  fd: number,
  batch: Extract<ScoreTask['batch'], { kind: 'ipc-lean' }>,
  all: LeanColumn[] | null,
  plan: Plan,
  task: ScoreTask,
  index: number,
): Piece[] {
  const lean = openLeanBatch(fd, batch.block, all ?? batch.columns, task.file, index);
  const n = lean.numRows;
  const outPerRow = plan.mode === 'multilabel' ? plan.classes * 4 + 8.125 : 25.125;
  const bytes = batch.block.bodyLength + n * outPerRow;
  const whole: Piece = { task: { ...task, passThrough: { slice: null } }, bytes, batch: index, from: 0, last: true };
  if (bytes <= SLICE_BYTES || all === null || !lean.sliceable) return [whole];
  const chunk = chunkRowsOf(plan.mode === 'binary' ? 1 : plan.classes);
  const perRow = bytes / n;
  const step = Math.max(chunk, Math.floor(SLICE_BYTES / perRow / chunk) * chunk);
  const pieces: Piece[] = [];
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step);
    const slice = { from, to, all };
    pieces.push({ task: { ...task, passThrough: { slice } }, bytes: (to - from) * perRow, batch: index, from, last: to === n });
  }
  return pieces;
}

/**
 * Where the batches go: writes of a batch's chunks (`flushed` runs once they are written and their
 * buffers may be reused), and the end.
 */
interface Sink {
  write(chunks: readonly Uint8Array[], flushed?: () => void): Promise<void>;
  end(): Promise<void>;
}

/**
 * A file stream is written through its descriptor, synchronously at each batch's position (and
 * ended, which closes it); any other stream through write() with backpressure (and the
 * process's stdio is not ended, as stream.pipeline leaves it).
 */
async function outputOf(out: Writable): Promise<Sink> {
  if (out instanceof WriteStream && out.writableLength === 0 && out.bytesWritten === 0) {
    if (out.pending) await once(out, 'ready');
    const fd = (out as unknown as { fd: number }).fd;
    let position = 0;
    return {
      async write(chunks, flushed) {
        let bytes = 0;
        for (const c of chunks) bytes += c.byteLength;
        for (let done = 0; done < bytes; ) done += writevSync(fd, remaining(chunks, done), position + done);
        position += bytes;
        flushed?.();
      },
      async end() {
        out.end();
        await finished(out);
      },
    };
  }
  // Not `flushed`: a stream may keep the chunks it was given (a PassThrough hands the very views
  // on), so their buffers are never reused; they go when the garbage collector takes them.
  return {
    write: (chunks) => write(out, chunks),
    async end() {
      if ((out as { _isStdio?: boolean })._isStdio === true) return;
      out.end();
      await finished(out);
    },
  };
}

/** The chunks past their first `skip` bytes (after a short write). */
function remaining(chunks: readonly Uint8Array[], skip: number): Uint8Array[] {
  if (skip === 0) return chunks as Uint8Array[];
  const rest: Uint8Array[] = [];
  for (const c of chunks) {
    if (skip >= c.byteLength) skip -= c.byteLength;
    else {
      rest.push(c.subarray(skip));
      skip = 0;
    }
  }
  return rest;
}

/** Writes a batch's chunks as one vectored write (cork/uncork); waits for 'drain' when the stream asks to. */
async function write(out: Writable, chunks: readonly Uint8Array[]): Promise<void> {
  if (out.errored) throw out.errored;
  out.cork();
  let ok = true;
  for (const chunk of chunks) ok = out.write(chunk);
  out.uncork();
  if (!ok) await drained(out);
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      out.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      out.off('drain', onDrain);
      reject(error);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

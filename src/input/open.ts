/**
 * Opening an input, on the main thread: an Arrow IPC file or a Parquet file (parquetInput.ts;
 * workers read the batches of both themselves), an IPC stream from a file or stdin
 * (ipcStream.ts: its record batches go to the workers as their bodies), an in-memory Table, or
 * any (async) iterable of RecordBatches (read here, their columns copied and transferred to the
 * workers). An input says where each of its batches is (BatchRef); the caller makes the pool
 * tasks. Every input is checked before apache-arrow decodes it: see ipc/messageCheck.ts for why.
 * An IPC file whose scored columns the lean reader reads (numbers, bools, Utf8/LargeUtf8, a
 * dictionary of them, lists of numbers and bools, Utf8View and a dictionary of it: polars'
 * strings) is planned and read without
 * apache-arrow at all (ipc/schema.ts, ipc/batch.ts): it is loaded only for the other inputs, and
 * only then (through arrow.ts, which registers our decoders of compressed bodies). A compressed
 * input's decoders are loaded before its batches are read: for a file, by whoever reads it (the
 * BatchRef carries the file's codecs to the worker); for a stream, by its check.
 */
import { closeSync, createReadStream, fstatSync, openSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AsyncRecordBatchFileReader, RecordBatch, Schema, Table } from 'apache-arrow';
import { FocalEvalError, UsageError } from '../errors.ts';
import type { Columns } from '../kernel/types.ts';
import { asInputError } from './arrow.ts';
import { arrowFileReader, readArrowBatch } from './arrowFile.ts';
import { arrowCannotRead, typeName, type BatchLike, type SchemaLike } from './arrowTypes.ts';
import { detachColumns, extractColumns } from './columns.ts';
import { checkBatchBytes, firstBatch, keptForPlan, widthBatch } from './fileBatches.ts';
import { leanDictionary, leanReads, readDictionary, readLeanBatch, type LeanColumn } from './ipc/batch.ts';
import { loadCodecs, type Codec } from './ipc/codecs.ts';
import { checkIpcFile, isIpcFileMagic, type IpcBlock } from './ipc/fileCheck.ts';
import { columnPlaces } from './ipc/schema.ts';
import { openIpcStream } from './ipcStream.ts';
import type { LeanRowGroup } from './parquet/rowGroup.ts';
import { openParquet } from './parquetInput.ts';
import { listWidth, mayHoldMore, type Plan } from './plan.ts';

/** What `evaluate` accepts: a path ('-' for stdin), a Table, or batches. */
export type InputSource = string | Table | AsyncIterable<RecordBatch> | Iterable<RecordBatch>;

/**
 * Where one batch is, for a worker: a batch of an IPC file or a Parquet row group, which the
 * worker reads itself (through the lean reader when it reads the plan's columns: leanReads), or
 * the columns of a batch read on this thread, copied out so that they can be transferred. An IPC
 * file's reference carries the body compression codecs the file uses, whose decoders the worker
 * loads before it reads. An 'ipc-lean-run' is consecutive 'ipc-lean' batches of one file scored
 * by one task (batchRuns.ts), each into a partial of its own. An 'ipc-body' is a stream's record
 * batch, its message and its body (transferred) read here, its columns built by the worker.
 */
export type BatchRef =
  | { kind: 'ipc-file'; path: string; index: number; codecs: Codec[] }
  | { kind: 'ipc-lean'; path: string; block: IpcBlock; columns: LeanColumn[]; codecs: Codec[] }
  | { kind: 'ipc-lean-run'; path: string; blocks: IpcBlock[]; columns: LeanColumn[]; codecs: Codec[] }
  | { kind: 'parquet'; path: string; rowGroup: number; columns: string[] }
  | { kind: 'parquet-lean'; path: string; group: LeanRowGroup }
  | { kind: 'ipc-body'; header: Uint8Array; body: Uint8Array; index: number; columns: LeanColumn[]; codecs: Codec[] }
  | { kind: 'columns'; columns: Columns };

/** A batch reference and the buffers to transfer with it (a copied batch's columns). */
export interface BatchItem {
  batch: BatchRef;
  transferList?: ArrayBuffer[];
}

/** An opened input: its schema, the batches its plan reads, and where each batch is. */
export interface OpenedInput {
  name: string;
  /** How many batches (Parquet: row groups) a file holds, when known before reading them (for progress). */
  batchCount?: number;
  schema: SchemaLike;
  /**
   * The batches the plan reads (plan.ts, planNeeds): the first, and with a `widthColumn` (a List
   * prediction) the batches after it up to the first with a non-null row of that column, or to the
   * end. A file is read again by the workers: only the first batch and the one with the width are
   * kept. A stream's batches are held (up to PLAN_HOLD) and then scored in order. A Parquet file
   * reads only the `widthColumn` and the `dictionaryColumn` (a dictionary label, whose first
   * batch's strings the plan takes), other inputs every column.
   */
  planBatches(widthColumn: string | null, dictionaryColumn?: string | null): Promise<BatchLike[]>;
  /** Each batch in input order, as a reference the caller wraps into a pool task. */
  batchRefs(plan: Plan): AsyncIterable<BatchItem>;
  /** The batches themselves, read on this thread in order (for the stage). */
  batches(): AsyncIterable<RecordBatch>;
  close(): Promise<void>;
}

/** Bounds on what an input may declare: bytes per batch (maxBatchBytesOf, options.ts; none when unset). */
export interface InputLimits {
  maxBatchBytes?: number;
}

/**
 * Opens an input for scoring; a missing, unreadable or corrupt input is an E_INPUT error naming it.
 * A path is read as its first bytes say (Parquet, IPC file, else IPC stream) unless `format` is set.
 * A batch declaring more bytes than `limits.maxBatchBytes` is an E_INPUT error naming it: for a
 * file, before anything is scored; for a stream, when its header arrives, before its body is read.
 */
export async function openInput(
  source: InputSource,
  format: 'auto' | 'arrow' | 'parquet' = 'auto',
  stdin?: AsyncIterable<Uint8Array>,
  limits: InputLimits = {},
): Promise<OpenedInput> {
  const max = limits.maxBatchBytes ?? Infinity;
  if (typeof source === 'string') {
    if (source === '-') {
      if (format === 'parquet') throw new UsageError('Parquet cannot be read from stdin: it needs a file to seek in', 'inputFormat');
      return openIpcStream(stdin ?? stdinBytes(), 'stdin', max);
    }
    const kind = fileKind(source);
    if (kind === 'directory') throw new FocalEvalError('E_INPUT', `${source}: is a directory, not a file`);
    if (kind === 'special') {
      // A FIFO or device is read once, as a stream: its first bytes cannot be read twice.
      if (format === 'parquet') throw new UsageError(`${source} is not a regular file: Parquet needs a file to seek in`, 'inputFormat');
      return openIpcStream(createReadStream(source, { highWaterMark: READ_CHUNK }), source, max);
    }
    const head = await readHead(source);
    const parquet = head.length >= 4 && new TextDecoder().decode(head.subarray(0, 4)) === 'PAR1';
    if (format === 'parquet' && !parquet) throw new FocalEvalError('E_INPUT', `${source}: not a Parquet file (no PAR1 magic)`);
    if (parquet && format !== 'arrow') return openParquet(source, max);
    if (isIpcFileMagic(head)) return openIpcFile(source, max);
    return openIpcStream(createReadStream(source, { highWaterMark: READ_CHUNK }), source, max);
  }
  if (isTable(source)) return openBatches('table', source.batches, source.schema);
  return openBatches('batches', source);
}

/** How much of a stream file is read at once (fs streams read 64 KiB by default: a W1 batch is 4.4 MB). */
const READ_CHUNK = 1024 * 1024;

/**
 * The process's stdin: a file it was redirected from is read a READ_CHUNK at a time (process.stdin
 * reads 64 KiB: W1 from `< w1.arrows` took 0.63 s against 0.40 s from the path); a pipe or a
 * terminal through process.stdin, which reads what the pipe holds.
 */
function stdinBytes(): AsyncIterable<Uint8Array> {
  let file = false;
  try {
    file = fstatSync(0).isFile();
  } catch {
    file = false; // no fd 0: process.stdin says so when it is read
  }
  return file ? createReadStream('', { fd: 0, highWaterMark: READ_CHUNK, autoClose: false }) : process.stdin;
}

/** A Table, told by shape so that apache-arrow need not be loaded to ask. */
function isTable(source: object): source is Table {
  return 'batches' in source && 'schema' in source && Array.isArray((source as Table).batches);
}

/** What a path is: a regular file, a directory, anything else (FIFO, device, socket), or missing (readHead says so). */
function fileKind(path: string): 'file' | 'directory' | 'special' | 'missing' {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'special';
}

async function readHead(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FocalEvalError('E_INPUT', `${path}: cannot open: ${(error as Error).message}`, { cause: error });
  }
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * An IPC file: checked, then its schema comes from the checked footer. Workers read the batches
 * themselves: through the lean reader when it reads the scored columns (leanReads, leanDictionary),
 * else through apache-arrow (which this thread then also opens, for the plan's batches or for the
 * stage).
 */
async function openIpcFile(path: string, maxBatchBytes: number): Promise<OpenedInput> {
  const layout = await checkIpcFile(path);
  const count = layout.recordBatches.length;
  layout.recordBatches.forEach((block, index) => {
    checkBatchBytes(path, `batch ${index}`, block.metaDataLength + block.bodyLength, maxBatchBytes);
  });
  const absolute = resolve(path);
  // View-typed columns (polars' strings) have data buffers counted per batch: the lean reader
  // places the columns past them by each batch's counts, and reads Utf8View labels.
  const places = columnPlaces(layout.fields, true);
  let arrowReader: Promise<{ reader: AsyncRecordBatchFileReader; close(): Promise<void> }> | null = null;
  const codecs = layout.codecs;
  const reader = async (): Promise<AsyncRecordBatchFileReader> => (await (arrowReader ??= openArrowFile(path, codecs))).reader;
  /** Every batch through apache-arrow, in order (the plan's, the stage's). */
  const all = async function* (): AsyncGenerator<RecordBatch> {
    for (let index = 0; index < count; index++) yield readArrowBatch(await reader(), path, index);
  };
  /** Before apache-arrow reads the file: a column of a type it cannot read is a clear error, naming it. */
  const arrowMayRead = (why: string): void => {
    const unreadable = layout.fields.filter((f) => arrowCannotRead(f.type));
    if (unreadable.length === 0) return;
    const named = unreadable.map((f) => `"${f.name}" (${typeName(f.type)})`).join(', ');
    throw new FocalEvalError(
      'E_INPUT',
      `${path}: ${why} are read through apache-arrow, which cannot read column${unreadable.length > 1 ? 's' : ''} ${named} of this file; ` +
        'write the file without those columns, or with the scored columns first and in plain types (numbers, lists of them, Utf8 or a dictionary of Utf8 labels)',
    );
  };
  /** Each dictionary-encoded column's strings, read once (null: not read lean). */
  const dictionaries = new Map<string, (string | null)[] | null>();
  const dictionaryOf = (field: (typeof layout.fields)[number]): (string | null)[] | null => {
    if (!dictionaries.has(field.name)) {
      const fd = openSync(path, 'r');
      try {
        dictionaries.set(field.name, readDictionary(fd, layout.dictionaries, field.type, path));
      } finally {
        closeSync(fd);
      }
    }
    return dictionaries.get(field.name)!;
  };
  /** A column as the lean reader reads it (a dictionary label with its strings), or null when it does not. */
  const leanColumn = (name: string): LeanColumn | null => {
    const field = layout.fields.find((f) => f.name === name);
    const place = places.get(name);
    if (!field || !place) return null;
    if (leanReads(field.type, true)) return { name, type: field.type, place };
    const dictionary = leanDictionary(field.type) ? dictionaryOf(field) : null;
    return dictionary === null ? null : { name, type: field.type, place, dictionary };
  };
  const leanColumns = (plan: Plan): LeanColumn[] | null => {
    const wanted = [leanColumn(plan.predColumn), leanColumn(plan.labelColumn)];
    return wanted.every((c) => c !== null) ? (wanted as LeanColumn[]) : null;
  };
  return {
    name: path,
    batchCount: count,
    schema: { fields: layout.fields },
    planBatches: async (widthColumn, dictionaryColumn = null) => {
      if (codecs.length > 0) await loadCodecs(codecs); // a dictionary batch read here may be compressed
      // Read by the lean reader where it reads the columns the plan looks at, a List's width and
      // a dictionary label's strings: then apache-arrow is not loaded, nor asked to decode the
      // schema's other columns (which may be of types it does not know, such as RunEndEncoded or ListView).
      const looked = [...new Set([widthColumn, dictionaryColumn])].filter((c): c is string => c !== null).map(leanColumn);
      if (looked.length === 0 || looked.some((c) => c === null)) {
        arrowMayRead("the columns the plan reads (a list's width, a dictionary's strings)");
        return keptForPlan(widthColumn, all);
      }
      const batches = leanIpcBatches(path, layout.recordBatches, looked as LeanColumn[], codecs);
      return widthColumn === null ? firstBatch(batches) : widthBatch(widthColumn, batches);
    },
    async *batchRefs(plan) {
      if (codecs.length > 0) await loadCodecs(codecs);
      const columns = leanColumns(plan);
      if (columns === null) arrowMayRead(`its scored columns "${plan.predColumn}" and "${plan.labelColumn}"`);
      for (let index = 0; index < count; index++) {
        const block = layout.recordBatches[index]!;
        yield columns === null
          ? { batch: { kind: 'ipc-file', path: absolute, index, codecs } }
          : { batch: { kind: 'ipc-lean', path: absolute, block, columns, codecs } };
      }
    },
    batches: all,
    close: async () => {
      if (arrowReader) await (await arrowReader).close();
    },
  };
}

async function openArrowFile(path: string, codecs: readonly Codec[]): Promise<{ reader: AsyncRecordBatchFileReader; close(): Promise<void> }> {
  const handle = await open(path, 'r');
  try {
    return { reader: await arrowFileReader(handle, path, codecs), close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The batches of lean columns of an IPC file, in order, read on this thread (for the plan). */
async function* leanIpcBatches(path: string, blocks: readonly IpcBlock[], columns: LeanColumn[], codecs: readonly Codec[]): AsyncGenerator<BatchLike> {
  if (codecs.length > 0) await loadCodecs(codecs);
  const fd = openSync(path, 'r');
  try {
    for (let index = 0; index < blocks.length; index++) yield readLeanBatch(fd, blocks[index]!, columns, path, index);
  } finally {
    closeSync(fd);
  }
}

/**
 * Batches read here: the first is held back for the schema and the plan (and more, up to
 * PLAN_HOLD, while the plan looks for a List's width), then each is copied out to a worker, the
 * held ones first, in order.
 */
async function openBatches(
  name: string,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  knownSchema?: Schema,
): Promise<OpenedInput> {
  const iterator =
    Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : (batches as Iterable<RecordBatch>)[Symbol.iterator]();
  let read = 0; // batches read so far: the index of the one being read
  const next = async (): Promise<RecordBatch | null> => {
    try {
      const r = await iterator.next();
      if (!r.done) read++;
      return r.done ? null : r.value;
    } catch (error) {
      throw asInputError(error, name, read);
    }
  };
  const first = await next();
  const schema = knownSchema ?? first?.schema ?? (batches as { schema?: Schema }).schema;
  if (!schema || schema.fields.length === 0) throw new FocalEvalError('E_INPUT', `${name}: no schema (empty input)`);
  // Batches read and not yet handed on, in order; `ended` once the source is done.
  const held: RecordBatch[] = first === null ? [] : [first];
  let ended = first === null;
  const take = async (): Promise<RecordBatch | null> => held.shift() ?? (ended ? null : await next());
  return {
    name,
    schema,
    async planBatches(widthColumn) {
      if (widthColumn === null) return held.slice(0, 1);
      let bytes = 0;
      for (let i = 0; ; i++) {
        if (i === held.length) {
          if (ended || !mayHoldMore(i, bytes)) return held.slice(0, 1);
          const more = await next();
          if (more === null) {
            ended = true;
            return held.slice(0, 1);
          }
          held.push(more);
        }
        const batch = held[i]!;
        bytes += batch.data.byteLength;
        if (listWidth(batch, widthColumn) !== undefined) return i === 0 ? [batch] : [held[0]!, batch];
      }
    },
    async *batches() {
      for (let batch = await take(); batch !== null; batch = await take()) yield batch;
    },
    async *batchRefs(plan) {
      for (let index = 0, batch = await take(); batch !== null; index++, batch = await take()) {
        const { columns, transferList } = detachColumns(extractColumns(batch, plan, name, index));
        yield { batch: { kind: 'columns', columns }, transferList };
      }
    },
    close: async () => {
      await iterator.return?.();
    },
  };
}

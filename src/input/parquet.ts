/**
 * Reading Parquet into Arrow JS record batches with parquet-wasm, row group by row group. Used by
 * the main thread (schema, first batch, the stage) and by workers (one row group per task, so
 * each worker reads its own bytes). parquet-wasm is imported lazily: Arrow inputs never pay for
 * loading its 5 MB WebAssembly module.
 */
import { openAsBlob } from 'node:fs';
import type { RecordBatch, Schema } from 'apache-arrow';
import { FocalEvalError } from '../errors.ts';

type ParquetWasm = typeof import('parquet-wasm');
type ParquetFile = Awaited<ReturnType<ParquetWasm['ParquetFile']['fromFile']>>;

/** Rows per batch read from a row group: the batch size the rest of the tool is tuned for. */
export const PARQUET_BATCH_ROWS = 65_536;

let wasm: Promise<ParquetWasm> | null = null;
/** The file each thread has open, kept across row groups. */
let cached: { path: string; file: ParquetFile } | null = null;

/** A Parquet file's row-group count and Arrow schema. */
export interface ParquetLayout {
  rowGroups: number;
  schema: Schema;
}

/** Opens (or reuses) a Parquet file; an unreadable one is an E_INPUT error naming it. */
async function parquetFile(path: string): Promise<ParquetFile> {
  if (cached?.path === path) return cached.file;
  cached?.file.free();
  cached = null;
  const { ParquetFile } = await (wasm ??= import('parquet-wasm'));
  const file = await guard(path, async () => ParquetFile.fromFile(await openAsBlob(path)));
  cached = { path, file };
  return file;
}

/** Reads a Parquet file's layout: its row groups and Arrow schema. */
export async function parquetLayout(path: string): Promise<ParquetLayout> {
  const file = await parquetFile(path);
  return guard(path, async () => {
    const metadata = file.metadata();
    const rowGroups = metadata.numRowGroups();
    metadata.free();
    const { tableFromIPC } = await import('apache-arrow');
    const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
    return { rowGroups, schema };
  });
}

/** The record batches of one row group (or of all, when `rowGroup` is undefined), only the named columns. */
export async function* parquetBatches(path: string, columns: string[], rowGroup?: number): AsyncGenerator<RecordBatch> {
  const file = await parquetFile(path);
  const where = rowGroup === undefined ? '' : ` row group ${rowGroup}`;
  const stream = await guard(path + where, () =>
    file.stream({
      batchSize: PARQUET_BATCH_ROWS,
      columns,
      ...(rowGroup === undefined ? {} : { rowGroups: [rowGroup] }),
    }),
  );
  const { tableFromIPC } = await import('apache-arrow');
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await guard(path + where, () => reader.read());
      if (done) return;
      const table = await guard(path + where, async () => tableFromIPC((value as { intoIPCStream(): Uint8Array }).intoIPCStream()));
      yield* table.batches;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The parquet-wasm calls under way on this thread, each waiting to hear of a panic. */
const pending = new Set<(error: Error) => void>();

/**
 * The one 'uncaughtException' listener, present while calls are pending: a WebAssembly trap
 * (RuntimeError) fails them all (the module's state is unknown after it); any other error is
 * not ours, and crashes the process as it would have, unless the program listens too.
 */
function onUncaught(error: Error): void {
  if (error?.name === 'RuntimeError') for (const reject of pending) reject(error);
  else if (process.listenerCount('uncaughtException') === 1) throw error;
}

/**
 * Runs a parquet-wasm call, turning its failures into errors naming the file. A Rust panic inside
 * one of its futures surfaces as an uncaught `RuntimeError: unreachable` outside the call's own
 * promise, which would then never settle: while the call runs, such an error rejects it instead.
 * (A program's own 'uncaughtException' listener hears of the panic too.)
 */
async function guard<T>(where: string, call: () => Promise<T> | T): Promise<T> {
  let reject!: (error: Error) => void;
  const panicked = new Promise<never>((_, r) => (reject = r));
  if (pending.size === 0) process.on('uncaughtException', onUncaught);
  pending.add(reject);
  try {
    return await Promise.race([call(), panicked]);
  } catch (error) {
    if (error instanceof FocalEvalError) throw error;
    const message = error instanceof Error ? error.message || error.name : String(error);
    throw new FocalEvalError('E_INPUT', `${where}: not a readable Parquet file: ${message}`, { cause: error });
  } finally {
    pending.delete(reject);
    if (pending.size === 0) process.off('uncaughtException', onUncaught);
  }
}

/**
 * Reading Parquet into Arrow JS record batches with parquet-wasm, row group by row group. Used by
 * the main thread (schema, first batch, the stage) and by workers (one row group per task, so
 * each worker reads its own bytes). parquet-wasm is imported lazily: Arrow inputs never pay for
 * loading its 5 MB WebAssembly module.
 */
import { openAsBlob } from 'node:fs';
import type { RecordBatch, Schema } from 'apache-arrow';
import { loadArrow } from './arrow.ts';
import { guard } from './parquetGuard.ts';

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
    const { tableFromIPC } = await loadArrow();
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
  const { tableFromIPC } = await loadArrow();
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

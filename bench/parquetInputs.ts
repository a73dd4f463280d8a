/**
 * The Parquet copies of the bench's workloads: the same rows as the IPC file, written with
 * parquet-wasm's writer (Snappy, the usual default) in row groups of a fixed size (W1 131,072 rows,
 * W3 16,384: a row group of either is ~5 MB of values). The file name carries the row-group size,
 * so a changed recipe never reuses a stale file.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Workload } from './workloads.ts';

/** Rows per row group of each workload's Parquet copy. */
export const ROW_GROUP_ROWS: Readonly<Record<string, number>> = { W1: 131_072, W2: 131_072, W3: 16_384, floor: 65_536 };

/** Path of a workload's Parquet copy. */
export function parquetPathOf(w: Workload): string {
  return w.path.replace(/\.arrow$/, `-rg${ROW_GROUP_ROWS[w.id] ?? 131_072}.parquet`);
}

/** Writes the Parquet copy of a workload's IPC file unless it exists; returns its path. */
export async function ensureParquet(w: Workload): Promise<string> {
  const path = parquetPathOf(w);
  if (existsSync(path)) return path;
  const { Compression, Table, WriterPropertiesBuilder, writeParquet } = await import('parquet-wasm');
  const { tableFromIPC, tableToIPC } = await import('apache-arrow');
  // parquet-wasm takes its tables as IPC stream bytes.
  const stream = tableToIPC(tableFromIPC(await readFile(w.path)), 'stream');
  const properties = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS[w.id] ?? 131_072)
    .build();
  const bytes = writeParquet(Table.fromIPCStream(stream), properties);
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
  return path;
}

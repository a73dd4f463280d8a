/**
 * A Parquet file as an input (openInput opens it here): its footer read on the main thread, each
 * row group a worker's task for the lean reader (parquet/) or, where it does not read the
 * columns, for parquet-wasm; and the plan's batches, read here by the lean reader too, with a
 * dictionary label's strings in the order parquet-wasm would give them.
 */
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import type { BatchLike, DataLike } from './arrowTypes.ts';
import { checkBatchBytes, keptForPlan, widthBatch } from './fileBatches.ts';
import { loadCodecs } from './ipc/codecs.ts';
import type { OpenedInput } from './open.ts';
import { parquetBatches, parquetLayout, PARQUET_BATCH_ROWS } from './parquet.ts';
import type { ColumnReader, StringDictionary } from './parquet/columnReader.ts';
import { NotLean } from './parquet/decompress.ts';
import { leanColumns, leanRowGroup, readParquetFooter, type ParquetFooter } from './parquet/file.ts';
import { leanBatches } from './parquet/rowGroup.ts';
import type { LeanParquetColumn } from './parquet/schema.ts';
import { listWidth } from './plan.ts';

/**
 * A Parquet file: only its footer is read here (parquet/file.ts), and each row group is a
 * worker's task: read by the lean reader when it reads the plan's two columns there, else by
 * parquet-wasm, which is also what reads the batches of the stage, and the schema when the footer
 * alone cannot tell it. The plan's batches (a List's width, a dictionary label's strings) come
 * from the lean reader too, which reads only those columns; parquet-wasm reads them (only them)
 * where it does not.
 */
export async function openParquet(path: string, maxBatchBytes: number): Promise<OpenedInput> {
  const footer = readParquetFooter(path);
  footer.meta.rowGroups.forEach((group, index) => {
    checkBatchBytes(path, `row group ${index}`, group.columns.reduce((sum, c) => sum + c.bytes, 0), maxBatchBytes);
  });
  const absolute = resolve(path);
  const schema = footer.fields !== null ? { fields: footer.fields } : (await parquetLayout(path)).schema;
  const all = (): AsyncGenerator<RecordBatch> => parquetBatches(path, schema.fields.map((f) => f.name));
  // FOCAL_EVAL_PARQUET_READER=parquet-wasm: every row group through parquet-wasm (to compare, or to step around the lean reader).
  const wasmOnly = (): boolean => process.env.FOCAL_EVAL_PARQUET_READER === 'parquet-wasm';
  return {
    name: path,
    batchCount: footer.meta.rowGroups.length,
    schema,
    planBatches: async (widthColumn, dictionaryColumn = null) => {
      const names = [...new Set([widthColumn, dictionaryColumn].filter((c): c is string => c !== null))];
      // Only the columns the plan reads (parquet-wasm may not read the others: an Int128, say); all of them when it reads none.
      const wasm = (): Promise<BatchLike[]> => keptForPlan(widthColumn, names.length === 0 ? all : () => parquetBatches(path, names));
      const lean = names.length === 0 || wasmOnly() ? null : leanColumns(footer, names, dictionaryColumn);
      if (lean === null) return wasm();
      try {
        const batches = leanPlanBatches(path, footer, lean);
        return await (dictionaryColumn === null ? widthBatch(widthColumn!, batches) : leanKeptForPlan(widthColumn, dictionaryColumn, batches));
      } catch (error) {
        if (error instanceof NotLean) return wasm();
        throw error;
      }
    },
    async *batchRefs(plan) {
      const wanted = [plan.predColumn, plan.labelColumn];
      const columns = wasmOnly() ? null : leanColumns(footer, wanted, plan.labelColumn);
      for (let rowGroup = 0; rowGroup < footer.meta.rowGroups.length; rowGroup++) {
        const group = columns === null ? null : leanRowGroup(footer.meta, rowGroup, columns);
        yield {
          batch: group === null ? { kind: 'parquet', path: absolute, rowGroup, columns: wanted } : { kind: 'parquet-lean', path: absolute, group },
        };
      }
    },
    batches: all,
    close: async () => {},
  };
}

/**
 * keptForPlan over the lean reader's batches, whose arrays are reused from batch to batch: the
 * first batch is kept as a copy (heldBatch), the one with the width as it is read. A dictionary
 * label's strings in the copy are those parquet-wasm gives for the batch: the dictionary page's,
 * in its order, or, when a value of the batch comes from a PLAIN page (where the writer fell back
 * from its dictionary), the batch's strings in order of first appearance (arrow-rs then builds
 * the batch's dictionary from its values).
 */
async function leanKeptForPlan(widthColumn: string | null, dictionaryColumn: string | null, batches: AsyncIterable<BatchLike>): Promise<BatchLike[]> {
  let first: BatchLike | null = null;
  for await (const batch of batches) {
    if (first === null) {
      first = heldBatch(batch, dictionaryColumn);
      if (widthColumn === null || listWidth(first, widthColumn) !== undefined) return [first];
      continue;
    }
    if (listWidth(batch, widthColumn!) !== undefined) return [first, batch];
  }
  return first === null ? [] : [first];
}

/** A copy of a lean batch that outlives the next read; a dictionary column's strings as parquet-wasm gives them (leanKeptForPlan). */
function heldBatch(batch: BatchLike, dictionaryColumn: string | null): BatchLike {
  const children = batch.data.children.map((data, i) => {
    const copy = copyData(data);
    return batch.schema.fields[i]!.name === dictionaryColumn ? inArrowOrder(copy) : copy;
  });
  return { numRows: batch.numRows, schema: { fields: batch.schema.fields.map((f) => ({ name: f.name })) }, data: { children } };
}

function copyData(data: DataLike): DataLike {
  const slice = <T>(a: T): T => (ArrayBuffer.isView(a) ? ((a as unknown as Uint8Array).slice() as T) : a);
  const nullBitmap = slice(data.nullBitmap);
  const strings = (data.dictionary as StringDictionary | undefined)?.toArray();
  const dictionary = data.dictionary && { toArray: () => strings, plain: (data.dictionary as StringDictionary).plain };
  return {
    typeId: data.typeId,
    length: data.length,
    offset: data.offset,
    nullCount: data.nullCount,
    nullBitmap,
    values: slice(data.values),
    valueOffsets: slice(data.valueOffsets),
    children: data.children.map(copyData),
    dictionary: dictionary as StringDictionary | undefined,
    getValid: nullBitmap === undefined ? () => true : (i) => ((nullBitmap[(data.offset + i) >>> 3]! >>> ((data.offset + i) & 7)) & 1) === 1,
  };
}

/** A lean string column whose batch took PLAIN values, re-indexed by its strings in order of first appearance among its valid rows. */
function inArrowOrder(data: DataLike): DataLike {
  const dictionary = data.dictionary as StringDictionary | undefined;
  if (!dictionary?.plain) return data;
  const strings = dictionary.toArray();
  const indices = data.values as Int32Array;
  const renumber = new Map<number, number>();
  const ordered: string[] = [];
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) continue;
    const k = indices[i]!;
    let to = renumber.get(k);
    if (to === undefined) {
      renumber.set(k, (to = ordered.length));
      ordered.push(strings[k]!);
    }
    indices[i] = to;
  }
  return { ...data, dictionary: { toArray: () => ordered, plain: true } as StringDictionary, getValid: data.getValid };
}

/** The batches of lean columns, row group after row group, read on this thread (for the plan). */
async function* leanPlanBatches(path: string, footer: ParquetFooter, columns: LeanParquetColumn[]): AsyncGenerator<BatchLike> {
  const fd = openSync(path, 'r');
  const readers: ColumnReader[] = [];
  try {
    for (let g = 0; g < footer.meta.rowGroups.length; g++) {
      const group = leanRowGroup(footer.meta, g, columns);
      if (group === null) throw new NotLean(`row group ${g}`);
      if (group.codecs.length > 0) await loadCodecs(group.codecs);
      yield* leanBatches(fd, group, path, PARQUET_BATCH_ROWS, readers);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A Parquet file as the main thread sees it before scoring: its footer read once (no parquet-wasm
 * loaded), its Arrow schema, and for a plan, each row group's task: the lean reader's
 * (LeanRowGroup: where the scored columns' chunks are) when it reads both scored columns of that
 * row group, else null (parquet-wasm reads it).
 */
import { closeSync, openSync } from 'node:fs';
import { FocalEvalError } from '../../errors.ts';
import type { IpcField } from '../ipc/schema.ts';
import { IpcFormatError } from '../ipc/flatbuffer.ts';
import { codecsToLoad, leanCodec } from './decompress.ts';
import { ParquetFormatError, readFooter, type FileMetaData } from './metadata.ts';
import type { LeanRowGroup } from './rowGroup.ts';
import { arrowFields, leanColumn, type LeanParquetColumn } from './schema.ts';

export interface ParquetFooter {
  meta: FileMetaData;
  /** The Arrow schema, or null when it cannot be told without parquet-wasm. */
  fields: IpcField[] | null;
}

/** Reads a Parquet file's footer; a corrupt one is an E_INPUT error naming the file. */
export function readParquetFooter(path: string): ParquetFooter {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new FocalEvalError('E_INPUT', `${path}: cannot open: ${(error as Error).message}`, { cause: error });
  }
  try {
    const meta = readFooter(fd);
    return { meta, fields: arrowFields(meta) };
  } catch (error) {
    if (error instanceof ParquetFormatError || error instanceof IpcFormatError) {
      throw new FocalEvalError('E_INPUT', `${path}: not a readable Parquet file: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * The lean columns for these column names, or null when the lean reader does not read one of
 * them; strings are read only in `stringColumn` (the label).
 */
export function leanColumns(footer: ParquetFooter, names: readonly string[], stringColumn: string | null = null): LeanParquetColumn[] | null {
  const columns = names.map((name) => {
    const field = footer.fields?.find((f) => f.name === name);
    return field ? leanColumn(footer.meta, name, field.type, name === stringColumn) : null;
  });
  return columns.every((c) => c !== null) ? (columns as LeanParquetColumn[]) : null;
}

/** Row group `g`'s lean task for these columns, or null when a chunk's codec or place is not the lean reader's. */
export function leanRowGroup(meta: FileMetaData, g: number, columns: readonly LeanParquetColumn[]): LeanRowGroup | null {
  const group = meta.rowGroups[g]!;
  const chunks = columns.map((column) => {
    const chunk = group.columns[column.chunk];
    if (!chunk || chunk.external || !leanCodec(chunk.codec) || chunk.path[0] !== column.name || chunk.type !== column.physical) return null;
    return { column, chunk: { codec: chunk.codec, start: chunk.start, bytes: chunk.bytes, numValues: chunk.numValues } };
  });
  if (chunks.some((c) => c === null)) return null;
  const ready = chunks as LeanRowGroup['columns'];
  return { rowGroup: g, rows: group.numRows, columns: ready, codecs: [...new Set(ready.flatMap((c) => codecsToLoad(c.chunk.codec)))] };
}

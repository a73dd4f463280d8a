/**
 * The lean Parquet reader's entry: a row group's scored columns read straight from their pages
 * into the kernel's arrays (columnReader.ts), a batch of at most `batchRows` rows at a time, with
 * no Arrow IPC in between. The main thread says where each column chunk is (LeanRowGroup, from
 * the footer); the worker reads only those bytes. A format error is an E_INPUT error naming the
 * file, the row group and the column; what the reader does not read (NotLean) is the caller's to
 * read through parquet-wasm instead.
 */
import type { BatchLike } from '../arrowTypes.ts';
import { FocalEvalError } from '../../errors.ts';
import { IpcFormatError } from '../ipc/flatbuffer.ts';
import type { Codec } from '../ipc/codecs.ts';
import { ColumnReader, type ChunkRef } from './columnReader.ts';
import { NotLean } from './decompress.ts';
import { Lz4Error } from './lz4Raw.ts';
import { ParquetFormatError } from './metadata.ts';
import type { LeanParquetColumn } from './schema.ts';
import { SnappyError } from './snappy.ts';
import { ThriftError } from './thrift.ts';

/** One row group's scored columns: what a worker needs to read them. Plain data. */
export interface LeanRowGroup {
  rowGroup: number;
  rows: number;
  columns: { column: LeanParquetColumn; chunk: ChunkRef }[];
  /** The IPC codecs' decoders the chunks need (ZSTD), loaded before reading. */
  codecs: Codec[];
}

/**
 * The row group's batches, in order; each batch's arrays are valid until the next is read. The
 * column readers come from `readers` (one per column, reused with their buffers from row group to
 * row group): a caller keeps one such array per sequence of row groups it reads, never two
 * readings at once over one array.
 */
export function* leanBatches(fd: number, group: LeanRowGroup, file: string, batchRows: number, readers: ColumnReader[]): Generator<BatchLike> {
  const where = `${file}: row group ${group.rowGroup}`;
  const located = <T>(step: () => T): T => {
    try {
      return step();
    } catch (error) {
      if (error instanceof ParquetFormatError || error instanceof ThriftError || error instanceof SnappyError || error instanceof Lz4Error || error instanceof IpcFormatError) {
        throw new FocalEvalError('E_INPUT', `${where}: ${error.message} (corrupt Parquet)`, { cause: error });
      }
      if (error instanceof NotLean || error instanceof FocalEvalError) throw error;
      if (typeof (error as NodeJS.ErrnoException)?.code === 'string') {
        throw new FocalEvalError('E_INPUT', `${where}: cannot be read: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  };
  const columns = group.columns.map(({ column, chunk }, slot) => ColumnReader.of(readers, slot, fd, column, chunk));
  const fields = group.columns.map(({ column }) => ({ name: column.name }));
  for (let from = 0; from < group.rows; from += batchRows) {
    const rows = Math.min(batchRows, group.rows - from);
    const children = located(() => columns.map((reader) => reader.read(rows)));
    yield { numRows: rows, schema: { fields }, data: { children } };
  }
  located(() => columns.forEach((reader) => reader.finish(group.rows)));
}

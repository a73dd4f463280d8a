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
 * Where a read may put a column's values: a view the caller owns (the wasm kernel's prediction
 * slot, say) of at least the bytes the rows' values take, or null for the reader's own array.
 */
export type ValuesPlace = (column: string) => Uint8Array | null;

/**
 * A row group's scored columns, read a given number of rows at a time, in order; each read's
 * arrays are valid until the next. The column readers come from `readers` (one per column, reused
 * with their buffers from row group to row group): a caller keeps one such array per sequence of
 * row groups it reads, never two readings at once over one array.
 */
export class LeanRowGroupReader {
  readonly rows: number;
  readonly rowGroup: number;
  private readonly where: string;
  private readonly columns: ColumnReader[];
  private readonly fields: { name: string }[];

  constructor(fd: number, group: LeanRowGroup, file: string, readers: ColumnReader[]) {
    this.rows = group.rows;
    this.rowGroup = group.rowGroup;
    this.where = `${file}: row group ${group.rowGroup}`;
    this.columns = group.columns.map(({ column, chunk }, slot) => ColumnReader.of(readers, slot, fd, column, chunk));
    this.fields = group.columns.map(({ column }) => ({ name: column.name }));
  }

  /** The next `rows` rows; a column that `place` gives a view for has its values read into it, where they fit. */
  read(rows: number, place?: ValuesPlace): BatchLike {
    const children = this.located(() => this.columns.map((reader, k) => reader.read(rows, place?.(this.fields[k]!.name) ?? null)));
    return { numRows: rows, schema: { fields: this.fields }, data: { children } };
  }

  /** Checks that every column held exactly the rows read. */
  finish(): void {
    this.located(() => this.columns.forEach((reader) => reader.finish(this.rows)));
  }

  /** A format error as an E_INPUT error naming the file, the row group and the column; NotLean passes through. */
  private located<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (error instanceof ParquetFormatError || error instanceof ThriftError || error instanceof SnappyError || error instanceof Lz4Error || error instanceof IpcFormatError) {
        throw new FocalEvalError('E_INPUT', `${this.where}: ${error.message} (corrupt Parquet)`, { cause: error });
      }
      if (error instanceof NotLean || error instanceof FocalEvalError) throw error;
      if (typeof (error as NodeJS.ErrnoException)?.code === 'string') {
        throw new FocalEvalError('E_INPUT', `${this.where}: cannot be read: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }
}

/** The row group's batches of at most `batchRows` rows, in order (LeanRowGroupReader's terms). */
export function* leanBatches(fd: number, group: LeanRowGroup, file: string, batchRows: number, readers: ColumnReader[]): Generator<BatchLike> {
  const reader = new LeanRowGroupReader(fd, group, file, readers);
  for (let from = 0; from < group.rows; from += batchRows) yield reader.read(Math.min(batchRows, group.rows - from));
  reader.finish();
}

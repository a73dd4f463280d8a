/**
 * Small Arrow builders for hand-made inputs: the column types the project reads, vectors, one-batch
 * tables, and a Table as IPC bytes. (Generated dumps of many rows are in dumps.ts.)
 */
import {
  Bool,
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int8,
  List,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type DataType,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';

/** A FixedSizeList<Float32>[C] (or Float64) column type. */
export function fixedFloats(C: number, double = false): FixedSizeList {
  return new FixedSizeList(C, new Field('item', double ? new Float64() : new Float32(), true));
}

/** A List<Float64> (or Float32) column type. */
export function listFloats(double = true): List {
  return new List(new Field('item', double ? new Float64() : new Float32(), true));
}

/** A FixedSizeList<Bool>[C] target column type. */
export function fixedBools(C: number): FixedSizeList {
  return new FixedSizeList(C, new Field('item', new Bool(), true));
}

/** A FixedSizeList<Int8>[C] target column type. */
export function fixedInt8(C: number): FixedSizeList {
  return new FixedSizeList(C, new Field('item', new Int8(), true));
}

/** A List<Int8> target column type. */
export function listInt8(): List {
  return new List(new Field('item', new Int8(), true));
}

/** A dictionary-encoded string column type. */
export function dictUtf8(): Dictionary {
  return new Dictionary(new Utf8(), new Int32());
}

/** A vector of the given type. */
export function vec<T extends DataType>(values: readonly unknown[], type: T): Vector<T> {
  return vectorFromArray(values as unknown[], type) as Vector<T>;
}

/** A one-batch Table from named vectors. */
export function table(columns: Record<string, Vector>): Table {
  return new Table(columns);
}

/** The single batch of a one-batch Table built from named vectors. */
export function batchOf(columns: Record<string, Vector>): RecordBatch {
  const batches = table(columns).batches;
  if (batches.length !== 1) throw new Error(`expected one batch, got ${batches.length}`);
  return batches[0]!;
}

/** Standard column types, for brevity. */
export const types = { f32: () => new Float32(), f64: () => new Float64(), i32: () => new Int32(), i8: () => new Int8(), bool: () => new Bool(), utf8: () => new Utf8() };

/** A Table as Arrow IPC bytes: the file format, or the stream format. */
export function ipc(t: Table, format: 'file' | 'stream' = 'file'): Uint8Array {
  return tableToIPC(t, format);
}

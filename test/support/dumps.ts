/**
 * Generated prediction dumps for the stage, --emit, Parquet and alpha-file tests: batches built
 * straight from typed arrays (so a few million rows take well under a second), deterministic from
 * a seed, every batch sharing one schema (and one dictionary), each with an `id` column holding
 * the row's place in the input. Writers for the forms an input can take: Arrow IPC file, IPC
 * stream, and Parquet with a chosen row-group size.
 */
import {
  Bool,
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { rng } from './rng.ts';

/** What to generate. */
export interface DumpSpec {
  mode: 'binary' | 'multiclass' | 'multilabel';
  input: 'probs' | 'logits';
  /** C (ignored in binary). */
  classes?: number;
  /** Multiclass labels: Int32 class index (default) or dictionary-encoded class names. */
  labels?: 'int' | 'dictionary';
  /** Predictions as List<Float32> (as DuckDB-written Parquet reads back) instead of FixedSizeList. */
  list?: boolean;
  /** Every k-th row (k > 0) gets a null label: an ignored row. */
  nullLabelEvery?: number;
  /** Every k-th row (k > 0, offset by 1 from the null labels) gets the label -100 (binary, multiclass). */
  ignoreEvery?: number;
  seed?: number;
}

/** Class names used for dictionary labels. */
export function classNamesFor(classes: number): string[] {
  return Array.from({ length: classes }, (_, c) => `class_${String.fromCharCode(97 + (c % 26))}${c >= 26 ? c : ''}`);
}

/** A maker of batches of one spec; call `batch(rows)` for each batch, in input order. */
export class DumpMaker {
  readonly schema: Schema;
  readonly classes: number;
  readonly #spec: DumpSpec;
  readonly #predType: DataType;
  readonly #labelType: DataType;
  readonly #dictionary: Vector<Utf8> | null;
  readonly #random: () => number;
  #rowsBefore = 0;

  constructor(spec: DumpSpec) {
    this.#spec = spec;
    this.#random = rng(spec.seed ?? 1);
    this.classes = spec.mode === 'binary' ? 2 : (spec.classes ?? 5);
    const C = this.classes;
    const item = new Field('item', new Float32(), true);
    this.#predType =
      spec.mode === 'binary' ? new Float32() : spec.list ? new List(item) : new FixedSizeList(C, item);
    this.#dictionary = null;
    if (spec.mode === 'multilabel') {
      this.#labelType = new FixedSizeList(C, new Field('item', new Bool(), true));
    } else if (spec.mode === 'multiclass' && spec.labels === 'dictionary') {
      this.#labelType = new Dictionary(new Utf8(), new Int32(), 0);
      this.#dictionary = vectorFromArray(classNamesFor(C), new Utf8());
    } else {
      this.#labelType = new Int32();
    }
    const pred = spec.input === 'logits' ? (spec.mode === 'binary' ? 'logit' : 'logits') : spec.mode === 'binary' ? 'prob' : 'probs';
    this.schema = new Schema([
      new Field('id', new Int32(), false),
      new Field(pred, this.#predType, true),
      new Field('label', this.#labelType, true),
    ]);
  }

  /** The next batch, of `rows` rows. */
  batch(rows: number): RecordBatch {
    const spec = this.#spec;
    const C = this.classes;
    const r = this.#random;
    const width = spec.mode === 'binary' ? 1 : C;
    const pred = new Float32Array(rows * width);
    const ids = new Int32Array(rows);
    const valid = new Uint8Array((rows + 7) >> 3);
    let nulls = 0;
    const isNull = (g: number): boolean => spec.nullLabelEvery !== undefined && g % spec.nullLabelEvery === 0;
    const isIgnored = (g: number): boolean => spec.ignoreEvery !== undefined && g % spec.ignoreEvery === 1;
    let labelData: Data;
    if (spec.mode === 'multilabel') {
      const targets = new Uint8Array((rows * C + 7) >> 3);
      for (let i = 0; i < rows; i++) {
        for (let c = 0; c < C; c++) {
          const positive = r() < 0.15 + 0.5 / (c + 2);
          if (positive) targets[(i * C + c) >> 3]! |= 1 << ((i * C + c) & 7);
          // A model that is right most of the time: high scores for positives.
          const p = positive ? 0.25 + 0.75 * r() : 0.6 * r() ** 2;
          pred[i * C + c] = spec.input === 'logits' ? Math.log(p / (1 - p)) : p;
        }
      }
      const child = makeData({ type: new Bool(), length: rows * C, data: targets });
      for (let i = 0; i < rows; i++) {
        ids[i] = this.#rowsBefore + i;
        if (isNull(this.#rowsBefore + i)) nulls++;
        else valid[i >> 3]! |= 1 << (i & 7);
      }
      labelData = makeData({
        type: this.#labelType as FixedSizeList<Bool>,
        length: rows,
        child,
        nullCount: nulls,
        nullBitmap: nulls > 0 ? valid : undefined,
      });
    } else {
      const labels = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const g = this.#rowsBefore + i;
        ids[i] = g;
        // An imbalanced class distribution: class 0 about half the rows.
        const y = Math.min(C - 1, Math.floor((C * r()) ** 1.6 / C ** 0.6));
        labels[i] = y;
        if (spec.mode === 'binary') {
          const p = y === 1 ? 0.2 + 0.8 * r() : 0.7 * r();
          pred[i] = spec.input === 'logits' ? Math.log(p / (1 - p)) : p;
        } else {
          let total = 0;
          for (let c = 0; c < C; c++) {
            const v = r() + (c === y ? 2 * r() : 0);
            pred[i * C + c] = v;
            total += v;
          }
          for (let c = 0; c < C; c++) {
            const p = pred[i * C + c]! / total;
            pred[i * C + c] = spec.input === 'logits' ? Math.log(p) * 1.7 + 0.3 : p;
          }
        }
        if (isNull(g)) nulls++;
        else valid[i >> 3]! |= 1 << (i & 7);
        if (isIgnored(g) && this.#dictionary === null) labels[i] = -100;
      }
      const nullBitmap = nulls > 0 ? valid : undefined;
      labelData =
        this.#dictionary === null
          ? makeData({ type: new Int32(), length: rows, data: labels, nullCount: nulls, nullBitmap })
          : makeData({
              type: this.#labelType as Dictionary<Utf8, Int32>,
              length: rows,
              data: labels,
              dictionary: this.#dictionary,
              nullCount: nulls,
              nullBitmap,
            });
    }
    const predData = this.#predData(pred, rows, width);
    const idData = makeData({ type: new Int32(), length: rows, data: ids });
    this.#rowsBefore += rows;
    const struct = makeData({ type: new Struct(this.schema.fields), length: rows, nullCount: 0, children: [idData, predData, labelData] });
    return new RecordBatch(this.schema, struct);
  }

  #predData(values: Float32Array, rows: number, width: number): Data {
    if (this.#spec.mode === 'binary') return makeData({ type: new Float32(), length: rows, data: values });
    const child = makeData({ type: new Float32(), length: rows * width, data: values });
    if (this.#spec.list) {
      const valueOffsets = Int32Array.from({ length: rows + 1 }, (_, i) => i * width);
      return makeData({ type: this.#predType as List<Float32>, length: rows, valueOffsets, child });
    }
    return makeData({ type: this.#predType as FixedSizeList<Float32>, length: rows, child });
  }
}

/** Batches of the given sizes, in order. */
export function makeBatches(spec: DumpSpec, sizes: readonly number[]): RecordBatch[] {
  const maker = new DumpMaker(spec);
  return sizes.map((rows) => maker.batch(rows));
}

/** `count` batch sizes of `rows` each. */
export function sizes(count: number, rows: number): number[] {
  return new Array<number>(count).fill(rows);
}

/** Batches as a Table (empty batches kept). */
export function tableOf(batches: readonly RecordBatch[]): Table {
  return new Table(batches[0]!.schema, [...batches]);
}

/** Batches as Arrow IPC bytes: file or stream format. */
export function ipcBytes(batches: readonly RecordBatch[], format: 'file' | 'stream'): Uint8Array {
  return tableToIPC(tableOf(batches), format);
}

/** Batches as a Parquet file with row groups of at most `rowGroupRows` rows. */
export function parquetBytes(batches: readonly RecordBatch[], rowGroupRows: number): Uint8Array {
  const table = pw.Table.fromIPCStream(ipcBytes(batches, 'stream'));
  return pw.writeParquet(table, new pw.WriterPropertiesBuilder().setMaxRowGroupSize(rowGroupRows).build());
}

/** An async iterable of the batches, one per turn of the event loop. */
export async function* asyncBatches(batches: readonly RecordBatch[]): AsyncGenerator<RecordBatch> {
  for (const batch of batches) {
    await new Promise((resolve) => setImmediate(resolve));
    yield batch;
  }
}

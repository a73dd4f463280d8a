/**
 * Reads a RecordBatch's label and prediction columns as the flat typed arrays the kernels take:
 * views into the Arrow buffers wherever the layout allows (primitive values, a FixedSizeList's
 * child values, a List's offsets), and small per-batch arrays only where it does not (bit-packed
 * bools, 64-bit integers, a LargeList's offsets, strings (Utf8, LargeUtf8, Utf8View, dictionaries
 * of them) mapped to class indices, and a null map when a column has nulls). A (Large)List whose
 * rows all hold C values is handed on as a FixedSizeList. Used by the workers and, for stream
 * input, by the main thread.
 */
import { columnOf, TYPE, type BatchLike, type DataLike } from './arrowTypes.ts';
import { FocalEvalError } from '../errors.ts';
import type { Plan } from './plan.ts';
import { StringClasses } from './stringClasses.ts';
import { checkViews, viewRange, type ViewRange } from './stringViews.ts';
import {
  ROW_IGNORED,
  ROW_NULL_PRED,
  ROW_NULL_TARGET,
  ROW_OK,
  type Columns,
  type LabelArray,
  type PredArray,
} from '../kernel/types.ts';

/** Extracts the plan's columns from one batch. `file` and `batch` only name the place in errors. */
export function extractColumns(batch: BatchLike, plan: Plan, file: string, batchIndex: number): Columns {
  const predData = columnData(batch, plan.predColumn, file, batchIndex);
  const labelData = columnData(batch, plan.labelColumn, file, batchIndex);
  const n = batch.numRows;
  // A batch with no rows may have no buffers at all (apache-arrow builds one from empty vectors).
  if (n === 0) return emptyColumns(plan);
  let rowState: Uint8Array | null = null;
  const state = (): Uint8Array => (rowState ??= new Uint8Array(n));

  // A corrupt file can declare more rows than its buffers hold: typed arrays would then read
  // undefined (NaN) past the end, and list offsets could send the null scan below far beyond
  // them. Check every buffer against the batch's length once, here, before anything walks it.
  const check = new BufferCheck(file, batchIndex);
  const C = plan.mode === 'binary' ? 1 : plan.classes;

  // Predictions: a float per row, or the child values of a (FixedSize/Large)List.
  const predChild = plan.predKind === 'scalar' ? null : predData.children[0]!;
  const pred = (predChild ?? predData).values as PredArray;
  const predOffsets = plan.predKind === 'list' ? check.offsets(plan.predColumn, predData, n) : null;

  let label: LabelArray | null = null;
  let labelValues: Map<number, bigint> | null = null;
  let target: LabelArray | null = null;
  let targetOffsets: Int32Array | null = null;
  let unknownLabels: Map<number, string> | null = null;
  if (plan.mode === 'multilabel') {
    target = asLabelArray(labelData.children[0]!, null);
    if (plan.targetIsList) targetOffsets = check.offsets(plan.labelColumn, labelData, n);
  } else if (plan.stringLabels) {
    const mapped = mapStringLabels(labelData, plan, n, check);
    label = mapped.label;
    unknownLabels = mapped.unknown;
  } else {
    const wide = new Map<number, bigint>();
    label = asLabelArray(labelData, wide);
    if (wide.size > 0) labelValues = wide;
  }

  check.values(plan.predColumn, pred, predOffsets, n, C);
  check.bitmap(plan.predColumn, predData, n);
  if (plan.predKind !== 'scalar') check.bitmap(plan.predColumn, predData.children[0]!, predData.children[0]!.length);
  if (plan.mode === 'multilabel') {
    check.values(plan.labelColumn, target!, targetOffsets, n, C);
    check.bitmap(plan.labelColumn, labelData.children[0]!, labelData.children[0]!.length);
  } else if (plan.labelKind !== 'bool' && plan.labelKind !== 'utf8') {
    check.values(plan.labelColumn, labelData.values as ArrayLike<number>, null, n, 1);
  }
  check.bitmap(plan.labelColumn, labelData, n);

  if (predChild !== null && predChild.nullCount > 0) {
    markNullChildren(predChild, predData, plan.classes, predOffsets, n, state, ROW_NULL_PRED);
  }
  if (predData.nullCount > 0) markNulls(predData, n, state, ROW_NULL_PRED);
  if (plan.mode === 'multilabel' && labelData.children[0]!.nullCount > 0) {
    markNullChildren(labelData.children[0]!, labelData, plan.classes, targetOffsets, n, state, ROW_NULL_TARGET);
  }
  // A null label (or null target list) makes the row ignored, whatever else is wrong with it.
  if (labelData.nullCount > 0) markNulls(labelData, n, state, ROW_IGNORED);

  // A List whose rows all hold C values is laid out as a FixedSizeList is (Parquet and polars
  // write every list as a List or LargeList): scored as one, by the same kernels, to the same bits.
  const predList = predOffsets !== null && !isUniform(predOffsets, n, C) ? predOffsets : null;
  const targetList = targetOffsets !== null && !isUniform(targetOffsets, n, C) ? targetOffsets : null;
  return {
    length: n,
    pred,
    predBase: predList === null ? (predOffsets?.[0] ?? 0) : 0,
    predOffsets: predList,
    label,
    target,
    targetBase: targetList === null ? (targetOffsets?.[0] ?? 0) : 0,
    targetOffsets: targetList,
    rowState,
    unknownLabels,
    labelValues,
  };
}

/** Whether every one of the n rows of a list holds `width` values, one after the other. */
function isUniform(offsets: Int32Array, n: number, width: number): boolean {
  const first = offsets[0]!;
  for (let i = 1; i <= n; i++) if (offsets[i] !== first + i * width) return false;
  return true;
}

/**
 * Copies a batch's column views into buffers of their own, so that transferring them to a worker
 * moves only these bytes (a view's buffer is the whole IPC message body, shared by every column).
 */
export function detachColumns(cols: Columns): { columns: Columns; transferList: ArrayBuffer[] } {
  const transferList: ArrayBuffer[] = [];
  const copy = <T extends { slice(): T; buffer: ArrayBufferLike }>(a: T | null): T | null => {
    if (a === null) return null;
    const c = a.slice();
    transferList.push(c.buffer as ArrayBuffer);
    return c;
  };
  const columns: Columns = {
    ...cols,
    pred: copy(cols.pred)!,
    predOffsets: copy(cols.predOffsets),
    label: copy(cols.label),
    target: copy(cols.target),
    targetOffsets: copy(cols.targetOffsets),
    rowState: copy(cols.rowState),
  };
  return { columns, transferList };
}

/** Checks that a batch's buffers are as long as its row count says. */
class BufferCheck {
  constructor(
    readonly file: string,
    readonly batch: number,
  ) {}

  fail(column: string, what: string): never {
    throw new FocalEvalError('E_INPUT', `${this.file}: batch ${this.batch}, column "${column}": ${what} (corrupt input)`);
  }

  /**
   * The n + 1 offsets of a List, LargeList, Utf8 or LargeUtf8 column as the Int32Array the
   * kernels take: a view of a List's; a LargeList's int64 offsets copied when they fit in 32 bits
   * (a batch of more than 2^31 - 1 list values could not be held anyway).
   */
  offsets(column: string, data: DataLike, n: number): Int32Array {
    const raw = data.valueOffsets;
    if (raw instanceof Int32Array) return raw.subarray(0, n + 1);
    if (!(raw instanceof BigInt64Array)) return this.fail(column, 'has no list offsets');
    if (raw.length < n + 1) this.fail(column, `has ${raw.length} list offsets for ${n} rows`);
    const out = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) {
      const v = raw[i]!;
      if (v < INT32_MIN || v > INT32_MAX) this.fail(column, `64-bit list offset ${v} (row ${i}) does not fit in 32 bits`);
      out[i] = Number(v);
    }
    return out;
  }

  /** Values of n rows of `width` each, or of List rows delimited by monotone `offsets`. */
  values(column: string, values: ArrayLike<number>, offsets: Int32Array | null, n: number, width: number): void {
    if (offsets === null) {
      if (values.length < n * width) this.fail(column, `holds ${values.length} values, ${n} rows need ${n * width}`);
      return;
    }
    if (offsets.length < n + 1) this.fail(column, `has ${offsets.length} list offsets for ${n} rows`);
    if (n === 0) return;
    if (offsets[0]! < 0 || offsets[n]! > values.length) {
      this.fail(column, `list offsets [${offsets[0]}, ${offsets[n]}] reach outside its ${values.length} values`);
    }
    for (let i = 0; i < n; i++) {
      if (offsets[i + 1]! < offsets[i]!) this.fail(column, `list offsets decrease at row ${i}`);
    }
  }

  /** A validity bitmap covering the batch's rows, when the column has nulls; bool values likewise. */
  bitmap(column: string, data: DataLike, n: number): void {
    const bytes = (data.offset + n + 7) >> 3;
    if (data.nullCount > 0 && (data.nullBitmap?.length ?? 0) < bytes) this.fail(column, 'validity bitmap shorter than the batch');
    if (data.typeId === TYPE.Bool && (data.values as Uint8Array).length < bytes) this.fail(column, 'bool values shorter than the batch');
  }
}

/** The columns of a batch with no rows: empty arrays of the plan's layout. */
function emptyColumns(plan: Plan): Columns {
  const none = new Float64Array(0);
  const multilabel = plan.mode === 'multilabel';
  return {
    length: 0,
    pred: none,
    predBase: 0,
    predOffsets: plan.predKind === 'list' ? new Int32Array(1) : null,
    label: multilabel ? null : none,
    target: multilabel ? none : null,
    targetBase: 0,
    targetOffsets: multilabel && plan.targetIsList ? new Int32Array(1) : null,
    rowState: null,
    unknownLabels: null,
  };
}

function columnData(batch: BatchLike, name: string, file: string, batchIndex: number): DataLike {
  const data = columnOf(batch, name);
  if (!data) throw new FocalEvalError('E_SCHEMA', `${file}: batch ${batchIndex} has no column "${name}"`);
  return data;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Integer or bool values as a typed array the kernels index: views where possible. 64-bit
 * values become float64, exact up to 2^53; beyond, a class label (with `wide` given) becomes NaN,
 * invalid whatever C is, and its exact value goes into `wide` for the error message, and a
 * multilabel target (no `wide`) becomes the nearest float64, which is not 0/1 either.
 */
function asLabelArray(data: DataLike, wide: Map<number, bigint> | null): LabelArray {
  const values = data.values as unknown;
  if (data.typeId === TYPE.Bool) {
    // Bools are bit-packed, and a slice keeps its bit offset: unpack into bytes.
    const bits = values as Uint8Array;
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const bit = data.offset + i;
      out[i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
    }
    return out;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // 64-bit labels: as float64, exact for every index that could be valid.
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (wide === null || (v <= SAFE_MAX && v >= -SAFE_MAX)) {
        out[i] = Number(v);
      } else {
        out[i] = NaN;
        wide.set(i, v);
      }
    }
    return out;
  }
  return values as LabelArray;
}

/**
 * Maps string labels to class indices by name; a string that names no class becomes NaN (invalid).
 * A column with a dictionary (a Dictionary label, or strings the lean Parquet reader read as
 * indices into its row group's strings) is mapped through it, each of its strings once.
 */
function mapStringLabels(
  data: DataLike,
  plan: Plan,
  n: number,
  check: BufferCheck,
): { label: Float64Array; unknown: Map<number, string> | null } {
  const classOf = new Map<string, number>();
  plan.labelStrings!.forEach((name, c) => {
    if (name !== null) classOf.set(name, c);
  });
  const label = new Float64Array(n);
  let unknown: Map<number, string> | null = null;
  const indexed = plan.labelKind === 'dictionary' || data.dictionary !== undefined;
  if (!indexed) {
    // Each row's string, matched by its bytes; decoded only to name a row that names no class.
    const classes = new StringClasses(classOf);
    const note = (i: number, c: number, bytes: Uint8Array, from: number, to: number): void => {
      label[i] = c;
      if (Number.isNaN(c) && data.getValid(i)) (unknown ??= new Map()).set(i, classes.text(bytes, from, to));
    };
    const column = plan.labelColumn;
    if (data.typeId === TYPE.Utf8View) {
      const views = data.values as Uint8Array;
      const buffers = data.variadicBuffers ?? [];
      const fail = (reason: string): never => check.fail(column, reason);
      const at = checkViews(views, n, fail);
      const row: ViewRange = { bytes: views, from: 0, to: 0 };
      for (let i = 0; i < n; i++) {
        const { bytes, from, to } = viewRange(at, views, buffers, i, fail, row);
        note(i, classes.classAt(bytes, from, to), bytes, from, to);
      }
    } else {
      const bytes = data.values as Uint8Array;
      const offsets = check.offsets(column, data, n);
      check.values(column, bytes, offsets, n, 1);
      for (let i = 0; i < n; i++) note(i, classes.classAt(bytes, offsets[i]!, offsets[i + 1]!), bytes, offsets[i]!, offsets[i + 1]!);
    }
    return { label, unknown };
  }
  if (plan.labelKind === 'utf8') check.values(plan.labelColumn, data.values as ArrayLike<number>, null, n, 1);
  // Each batch may carry its own dictionary (Parquet row groups do): map it by string.
  const dictionary = data.dictionary ? (data.dictionary.toArray() as (string | null)[]) : [];
  const byIndex = new Float64Array(dictionary.map((s) => (s === null ? NaN : (classOf.get(s) ?? NaN))));
  // Dictionary indices of any integer type (64-bit ones as bigints).
  const indices = data.values as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) {
    const k = Number(indices[i]);
    const c = byIndex[k] ?? NaN;
    label[i] = c;
    if (Number.isNaN(c) && data.getValid(i)) (unknown ??= new Map()).set(i, dictionary[k] ?? '');
  }
  return { label, unknown };
}

/** Marks rows whose own value is null; an earlier, stronger state (ignored) is kept. */
function markNulls(data: DataLike, n: number, state: () => Uint8Array, mark: number): void {
  const s = state();
  for (let i = 0; i < n; i++) {
    if (!data.getValid(i) && (mark === ROW_IGNORED || s[i] === ROW_OK)) s[i] = mark;
  }
}

/** Marks rows that hold a null inside their list. */
function markNullChildren(
  child: DataLike,
  list: DataLike,
  width: number,
  offsets: Int32Array | null,
  n: number,
  state: () => Uint8Array,
  mark: number,
): void {
  const s = state();
  for (let i = 0; i < n; i++) {
    if (s[i] !== ROW_OK || !list.getValid(i)) continue;
    const start = offsets === null ? i * width : offsets[i]!;
    const end = offsets === null ? start + width : offsets[i + 1]!;
    for (let k = start; k < end; k++) {
      if (!child.getValid(k)) {
        s[i] = mark;
        break;
      }
    }
  }
}

/**
 * Rows [from, to) of a batch's columns, as columns of their own (views, no copies): how the wasm
 * kernel hands one chunk of a batch to the scalar kernel, whose errors then name rows of the
 * slice (add `from` for the batch's row). Fixed-width predictions and targets only (the shapes
 * the wasm path takes); labels, row states, unknown-label strings and wide label values of any batch.
 */
import type { Columns, KernelError } from './types.ts';

/** Rows [from, to) of `cols`, whose predictions (and multilabel targets) are `width` values a row. */
export function sliceColumns(cols: Columns, from: number, to: number, width: number): Columns {
  // A caller's bug, not the data's: the wasm path slices fixed-width columns only.
  if (cols.predOffsets !== null || cols.targetOffsets !== null) throw new RangeError('sliceColumns: List columns are not sliced');
  let unknownLabels: Map<number, string> | null = null;
  for (const [row, text] of cols.unknownLabels ?? []) {
    if (row >= from && row < to) (unknownLabels ??= new Map()).set(row - from, text);
  }
  let labelValues: Map<number, bigint> | null = null;
  for (const [row, value] of cols.labelValues ?? []) {
    if (row >= from && row < to) (labelValues ??= new Map()).set(row - from, value);
  }
  return {
    length: to - from,
    pred: cols.pred,
    predBase: cols.predBase + from * width,
    predOffsets: null,
    label: cols.label?.subarray(from, to) ?? null,
    target: cols.target,
    targetBase: cols.targetBase + from * width,
    targetOffsets: null,
    rowState: cols.rowState?.subarray(from, to) ?? null,
    unknownLabels,
    labelValues,
  };
}

/** A slice's error as the batch's: its row moved by the slice's first row. */
export function atBatchRow(error: KernelError | null, from: number): KernelError | null {
  return error === null ? null : { ...error, row: error.row + from };
}

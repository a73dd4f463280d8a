/**
 * Which rows a kernel scores, asked again by the passes that run beside it (calibration.ts,
 * hardest.ts) over the same batch: the checks of binary.ts, multiclass.ts and multilabel.ts, in
 * their order, without counting or reporting anything. A row these say no to is one the kernel
 * ignored or found invalid (and, when not skipping, the run stops at it anyway), so the passes
 * beside the kernel see exactly the units the sums see.
 */
import { isProbability } from './unit.ts';
import { ROW_NULL_TARGET, ROW_OK, type Columns, type KernelParams } from './types.ts';

/** Binary: whether row i is scored. */
export function binaryRowScored(cols: Columns, params: KernelParams, logits: boolean, i: number): boolean {
  const s = cols.rowState === null ? ROW_OK : cols.rowState[i]!;
  const y = cols.label![i]!;
  if (s !== ROW_OK || y === params.ignoreIndex) return false;
  const v = cols.pred[cols.predBase + i]!;
  if (logits ? !Number.isFinite(v) : !isProbability(v)) return false;
  if (y !== 0 && y !== 1) return false;
  // p_t = 0 (an infinite loss) is possible only for probabilities with epsilon 0.
  return logits || params.epsilon > 0 || (y === 1 ? v : 1 - v) > 0;
}

/**
 * Multiclass: where row i's C predictions start when it is scored, else -1. For logits, the
 * caller still checks that log p_t is finite (it has the log-sum-exp at hand; the kernel rejects
 * a row whose log p_t is -Infinity).
 */
export function multiclassRowStart(cols: Columns, params: KernelParams, logits: boolean, i: number): number {
  const C = params.classes;
  const s = cols.rowState === null ? ROW_OK : cols.rowState[i]!;
  const y = cols.label![i]!;
  if (s !== ROW_OK || y === params.ignoreIndex) return -1;
  const start = rowStart(cols.predOffsets, cols.predBase, i, C);
  if (start < 0) return -1;
  const pred = cols.pred;
  for (let k = start; k < start + C; k++) {
    const v = pred[k]!;
    if (logits ? !Number.isFinite(v) : !isProbability(v)) return -1;
  }
  if (!(y >= 0 && y < C && Number.isInteger(y))) return -1;
  if (!logits && params.epsilon === 0 && pred[start + y]! === 0) return -1;
  return start;
}

/** Multilabel: where row i's C predictions start when it is scored, else -1 (its targets: multilabelTargetStart). */
export function multilabelRowStart(cols: Columns, params: KernelParams, logits: boolean, i: number): number {
  const C = params.classes;
  const s = cols.rowState === null ? ROW_OK : cols.rowState[i]!;
  // Ignored (ROW_IGNORED) or a null prediction; a null target is checked after the predictions.
  if (s !== ROW_OK && s !== ROW_NULL_TARGET) return -1;
  const p0 = rowStart(cols.predOffsets, cols.predBase, i, C);
  if (p0 < 0) return -1;
  const pred = cols.pred;
  for (let k = p0; k < p0 + C; k++) {
    const v = pred[k]!;
    if (logits ? !Number.isFinite(v) : !isProbability(v)) return -1;
  }
  if (s === ROW_NULL_TARGET) return -1;
  const t0 = multilabelTargetStart(cols, C, i);
  if (t0 < 0) return -1;
  const target = cols.target!;
  for (let c = 0; c < C; c++) {
    const t = target[t0 + c]!;
    if (t !== 0 && t !== 1) return -1;
    const p = pred[p0 + c]!;
    if (!logits && params.epsilon === 0 && (t === 1 ? p === 0 : p === 1)) return -1;
  }
  return p0;
}

/** Where row i's C multilabel targets start (-1 when the list length is not C). */
export function multilabelTargetStart(cols: Columns, C: number, i: number): number {
  return rowStart(cols.targetOffsets, cols.targetBase, i, C);
}

/** Start of row i's C values: fixed stride, or from List offsets (-1 when the list length is not C). */
function rowStart(offsets: Int32Array | null, base: number, i: number, C: number): number {
  if (offsets === null) return base + i * C;
  const start = offsets[i]!;
  return offsets[i + 1]! - start === C ? start : -1;
}

/**
 * Multilabel kernels: C independent binary problems per row; a unit is one (row, class) element.
 *
 *   probs:  p_t = clamp(t ? p : 1 - p, eps, 1 - eps),  log p_t = log(p_t)
 *   logits: log p_t = -softplus(-z) if t = 1, -softplus(z) if t = 0,
 *           p_t = exp(log p_t),  1 - p_t = -expm1(log p_t)
 *
 * Groups: (class c, target 1) = c and (class c, target 0) = C + c, so that alpha (the weight
 * on positives, 1 - alpha on negatives) can be applied per group at the end. A row is scored
 * whole or not at all: every prediction and target is checked before any unit is added
 * (with epsilon 0, a probability of exactly 0 on a true outcome too: its loss is infinite).
 * Each unit is also counted in its group's health block (health.ts): clamped low or high, or |z| > 30.
 */
import { groupOffset, histogramOffset, IGNORED, ROWS, sweepOffset, fineOffset, healthOffset } from './partial.ts';
import { countClamp, countSaturated } from './health.ts';
import { addUnit, isProbability, rejectRow, softplus } from './unit.ts';
import {
  REASON_BAD_VALUE,
  REASON_INFINITE,
  REASON_LENGTH,
  REASON_NULL_PRED,
  REASON_TARGET,
  REASON_TARGET_LENGTH,
  ROW_IGNORED,
  ROW_NULL_TARGET,
  ROW_OK,
  type Columns,
  type KernelError,
  type KernelParams,
  type RowOutputs,
} from './types.ts';

/** Scores a multilabel batch of probabilities into `out`; returns the first invalid row unless skipping. */
export function scoreMultilabelProbs(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  rows: RowOutputs | null = null,
): KernelError | null {
  return scoreMultilabel(cols, params, out, false, rows);
}

/** Scores a multilabel batch of logits into `out`; returns the first invalid row unless skipping. */
export function scoreMultilabelLogits(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  rows: RowOutputs | null = null,
): KernelError | null {
  return scoreMultilabel(cols, params, out, true, rows);
}

function scoreMultilabel(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  logits: boolean,
  rows: RowOutputs | null,
): KernelError | null {
  const n = cols.length;
  const C = params.classes;
  const pred = cols.pred;
  const target = cols.target!;
  const state = cols.rowState;
  const eps = params.epsilon;
  const shape = { groups: 2 * C, bins: params.bins, sweep: params.sweep?.length ?? 0, fine: params.fineBins ?? 0 };
  out[ROWS]! += n;
  rows: for (let i = 0; i < n; i++) {
    const s = state === null ? ROW_OK : state[i]!;
    if (s === ROW_IGNORED) {
      out[IGNORED]! += 1;
      continue;
    }
    if (s !== ROW_OK && s !== ROW_NULL_TARGET) {
      const e = rejectRow(out, params, i, 'pred', REASON_NULL_PRED, null);
      if (e) return e;
      continue;
    }
    const p0 = rowStart(cols.predOffsets, cols.predBase, i, C);
    if (p0 < 0) {
      const e = rejectRow(out, params, i, 'pred', REASON_LENGTH, listLength(cols.predOffsets!, i));
      if (e) return e;
      continue;
    }
    for (let k = p0; k < p0 + C; k++) {
      const v = pred[k]!;
      if (logits ? !Number.isFinite(v) : !isProbability(v)) {
        const e = rejectRow(out, params, i, 'pred', REASON_BAD_VALUE, v);
        if (e) return e;
        continue rows;
      }
    }
    if (s === ROW_NULL_TARGET) {
      const e = rejectRow(out, params, i, 'label', REASON_TARGET, null);
      if (e) return e;
      continue;
    }
    const t0 = rowStart(cols.targetOffsets, cols.targetBase, i, C);
    if (t0 < 0) {
      const e = rejectRow(out, params, i, 'label', REASON_TARGET_LENGTH, listLength(cols.targetOffsets!, i));
      if (e) return e;
      continue;
    }
    for (let c = 0; c < C; c++) {
      const t = target[t0 + c]!;
      if (t !== 0 && t !== 1) {
        const e = rejectRow(out, params, i, 'label', REASON_TARGET, t);
        if (e) return e;
        continue rows;
      }
      // With epsilon 0 a probability of exactly 0 on the true outcome makes the loss infinite.
      const p = pred[p0 + c]!;
      if (!logits && eps === 0 && (t === 1 ? p === 0 : p === 1)) {
        const e = rejectRow(out, params, i, 'pred', REASON_INFINITE, p);
        if (e) return e;
        continue rows;
      }
    }
    let rowLoss = 0;
    for (let c = 0; c < C; c++) {
      const v = pred[p0 + c]!;
      const positive = target[t0 + c] === 1;
      const group = positive ? c : C + c;
      const g = groupOffset(group);
      const h = histogramOffset(shape, group);
      const sw = sweepOffset(shape, group, 0);
      const fb = fineOffset(shape, group, 0);
      const hb = healthOffset(shape, group);
      let fl: number;
      if (logits) {
        countSaturated(out, hb, Math.abs(v));
        const logPt = positive ? -softplus(-v) : -softplus(v);
        fl = addUnit(out, g, h, sw, fb, Math.exp(logPt), logPt, -Math.expm1(logPt), params);
      } else {
        let pt = positive ? v : 1 - v;
        countClamp(out, hb, pt, eps);
        pt = pt < eps ? eps : pt > 1 - eps ? 1 - eps : pt;
        fl = addUnit(out, g, h, sw, fb, pt, Math.log(pt), 1 - pt, params);
      }
      if (rows !== null) {
        const loss = rows.weights[group]! * fl;
        rows.perClass![i * C + c] = loss;
        rowLoss += loss;
      }
    }
    if (rows !== null) {
      rows.scored[i] = 1;
      rows.loss[i] = rowLoss;
    }
  }
  return null;
}

/** Start of row i's C values: fixed stride, or from List offsets (-1 when the list length is not C). */
function rowStart(offsets: Int32Array | null, base: number, i: number, C: number): number {
  if (offsets === null) return base + i * C;
  const start = offsets[i]!;
  return offsets[i + 1]! - start === C ? start : -1;
}

function listLength(offsets: Int32Array, i: number): number {
  return offsets[i + 1]! - offsets[i]!;
}

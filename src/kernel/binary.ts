/**
 * Binary kernels: one prediction per row, label 0/1; scored as multiclass with C = 2.
 *
 *   probs:  p_t = clamp(y ? p : 1 - p, eps, 1 - eps),  log p_t = log(p_t),  1 - p_t direct
 *   logits: log p_t = -softplus(-z) if y = 1, -softplus(z) if y = 0   (never through a clamp)
 *           p_t = exp(log p_t),  1 - p_t = -expm1(log p_t)
 *
 * Groups: class 0 and class 1. A row whose label equals ignoreIndex, or is null, is ignored
 * before any other check; a row whose p_t is exactly 0 (possible only with epsilon 0) is invalid.
 * A scored unit is also counted in its group's health block (health.ts): clamped low or high, or
 * |z| > 30.
 */
import { histogramOffset, groupOffset, IGNORED, ROWS, sweepOffset, fineOffset, healthOffset } from './partial.ts';
import { countClamp, countSaturated } from './health.ts';
import { addUnit, isProbability, recordRow, rejectRow, softplus } from './unit.ts';
import {
  REASON_BAD_VALUE,
  REASON_INFINITE,
  REASON_LABEL_RANGE,
  REASON_NULL_PRED,
  ROW_IGNORED,
  ROW_OK,
  type Columns,
  type KernelError,
  type KernelParams,
  type RowOutputs,
} from './types.ts';

/** Scores a binary batch of probabilities into `out`; returns the first invalid row unless skipping. */
export function scoreBinaryProbs(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  rows: RowOutputs | null = null,
): KernelError | null {
  return scoreBinary(cols, params, out, false, rows);
}

/** Scores a binary batch of logits into `out`; returns the first invalid row unless skipping. */
export function scoreBinaryLogits(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  rows: RowOutputs | null = null,
): KernelError | null {
  return scoreBinary(cols, params, out, true, rows);
}

function scoreBinary(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  logits: boolean,
  rows: RowOutputs | null,
): KernelError | null {
  const n = cols.length;
  const pred = cols.pred;
  const base = cols.predBase;
  const label = cols.label!;
  const state = cols.rowState;
  const ignoreIndex = params.ignoreIndex;
  const eps = params.epsilon;
  const shape = { groups: 2, bins: params.bins, sweep: params.sweep?.length ?? 0, fine: params.fineBins ?? 0 };
  const g0 = groupOffset(0);
  const g1 = groupOffset(1);
  const h0 = histogramOffset(shape, 0);
  const h1 = histogramOffset(shape, 1);
  const s0 = sweepOffset(shape, 0, 0);
  const s1 = sweepOffset(shape, 1, 0);
  const f0 = fineOffset(shape, 0, 0);
  const f1 = fineOffset(shape, 1, 0);
  const hb0 = healthOffset(shape, 0);
  const hb1 = healthOffset(shape, 1);
  out[ROWS]! += n;
  for (let i = 0; i < n; i++) {
    const s = state === null ? ROW_OK : state[i]!;
    const y = label[i]!;
    if (s === ROW_IGNORED || y === ignoreIndex) {
      out[IGNORED]! += 1;
      continue;
    }
    if (s !== ROW_OK) {
      const e = rejectRow(out, params, i, 'pred', REASON_NULL_PRED, null);
      if (e) return e;
      continue;
    }
    const v = pred[base + i]!;
    if (logits ? !Number.isFinite(v) : !isProbability(v)) {
      const e = rejectRow(out, params, i, 'pred', REASON_BAD_VALUE, v);
      if (e) return e;
      continue;
    }
    if (y !== 0 && y !== 1) {
      const e = rejectRow(out, params, i, 'label', REASON_LABEL_RANGE, cols.labelValues?.get(i) ?? y);
      if (e) return e;
      continue;
    }
    const g = y === 1 ? g1 : g0;
    const h = y === 1 ? h1 : h0;
    const sw = y === 1 ? s1 : s0;
    const fb = y === 1 ? f1 : f0;
    const hb = y === 1 ? hb1 : hb0;
    let pt: number;
    let logPt: number;
    let oneMinusPt: number;
    if (logits) {
      logPt = y === 1 ? -softplus(-v) : -softplus(v);
      pt = Math.exp(logPt);
      oneMinusPt = -Math.expm1(logPt);
    } else {
      pt = y === 1 ? v : 1 - v;
      pt = pt < eps ? eps : pt > 1 - eps ? 1 - eps : pt;
      logPt = Math.log(pt);
      oneMinusPt = 1 - pt;
    }
    if (logPt === -Infinity) {
      const e = rejectRow(out, params, i, 'pred', REASON_INFINITE, v);
      if (e) return e;
      continue;
    }
    if (logits) countSaturated(out, hb, Math.abs(v));
    else countClamp(out, hb, y === 1 ? v : 1 - v, eps);
    const fl = addUnit(out, g, h, sw, fb, pt, logPt, oneMinusPt, params);
    if (rows !== null) recordRow(rows, i, y, pt, logPt, fl, params.easyThreshold);
  }
  return null;
}

/**
 * Multiclass kernels: C predictions per row, label = class index y in [0, C).
 *
 *   probs:  p_t = clamp(probs[y], eps, 1 - eps)  (not renormalised; every entry must lie in [0, 1])
 *           log p_t = log(p_t),  1 - p_t direct
 *   logits: log p_t = (z_y - m) - log1p(sum_{k != a} exp(z_k - m)),  m = z_a = max_k z_k
 *           (log-sum-exp with the max's own term, exactly 1, kept out of the sum so that a
 *           confident row's tiny CE keeps its relative precision)
 *           p_t = exp(log p_t),  1 - p_t = -expm1(log p_t)
 *
 * Group = class y. Checks per row, in order: ignored (null label or ignoreIndex), null
 * prediction, list length, every value finite (and in [0, 1] for probabilities), label range,
 * and a finite loss (p_t = 0 only with epsilon 0 or float64 logits ~1e308 apart). A scored row is
 * also counted in its group's health block (health.ts): probs[y] clamped low or high, or any
 * |z_k| > 30 (the largest |z_k|, found in the max loop).
 */
import { groupOffset, histogramOffset, IGNORED, ROWS, sweepOffset, fineOffset, healthOffset } from './partial.ts';
import { countClamp, countSaturated } from './health.ts';
import { addUnit, isProbability, recordRow, rejectRow } from './unit.ts';
import {
  REASON_BAD_VALUE,
  REASON_INFINITE,
  REASON_LABEL_RANGE,
  REASON_LENGTH,
  REASON_NULL_PRED,
  REASON_UNKNOWN_LABEL,
  ROW_IGNORED,
  ROW_OK,
  type Columns,
  type KernelError,
  type KernelParams,
  type RowOutputs,
} from './types.ts';

/** Scores a multiclass batch of probabilities into `out`; returns the first invalid row unless skipping. */
export function scoreMulticlassProbs(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  rows: RowOutputs | null = null,
): KernelError | null {
  return scoreMulticlass(cols, params, out, false, rows);
}

/** Scores a multiclass batch of logits into `out`; returns the first invalid row unless skipping. */
export function scoreMulticlassLogits(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  rows: RowOutputs | null = null,
): KernelError | null {
  return scoreMulticlass(cols, params, out, true, rows);
}

function scoreMulticlass(
  cols: Columns,
  params: KernelParams,
  out: Float64Array,
  logits: boolean,
  rows: RowOutputs | null,
): KernelError | null {
  const n = cols.length;
  const C = params.classes;
  const pred = cols.pred;
  const base = cols.predBase;
  const offsets = cols.predOffsets;
  const label = cols.label!;
  const state = cols.rowState;
  const ignoreIndex = params.ignoreIndex;
  const eps = params.epsilon;
  const shape = { groups: C, bins: params.bins, sweep: params.sweep?.length ?? 0, fine: params.fineBins ?? 0 };
  out[ROWS]! += n;
  rows: for (let i = 0; i < n; i++) {
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
    let start = base + i * C;
    if (offsets !== null) {
      start = offsets[i]!;
      const len = offsets[i + 1]! - start;
      if (len !== C) {
        const e = rejectRow(out, params, i, 'pred', REASON_LENGTH, len);
        if (e) return e;
        continue;
      }
    }
    const end = start + C;
    // Validate every entry (not only the true class) and find the max for log-sum-exp.
    let m = -Infinity;
    let argmax = start;
    let magnitude = 0;
    for (let k = start; k < end; k++) {
      const v = pred[k]!;
      if (logits ? !Number.isFinite(v) : !isProbability(v)) {
        const e = rejectRow(out, params, i, 'pred', REASON_BAD_VALUE, v);
        if (e) return e;
        continue rows;
      }
      if (v > m) {
        m = v;
        argmax = k;
      }
      if (logits && Math.abs(v) > magnitude) magnitude = Math.abs(v);
    }
    if (!(y >= 0 && y < C && Number.isInteger(y))) {
      const unknown = cols.unknownLabels?.get(i);
      const e =
        unknown !== undefined
          ? rejectRow(out, params, i, 'label', REASON_UNKNOWN_LABEL, unknown)
          : rejectRow(out, params, i, 'label', REASON_LABEL_RANGE, cols.labelValues?.get(i) ?? y);
      if (e) return e;
      continue;
    }
    const g = groupOffset(y);
    const h = histogramOffset(shape, y);
    const sw = sweepOffset(shape, y, 0);
    const fb = fineOffset(shape, y, 0);
    const hb = healthOffset(shape, y);
    let pt: number;
    let logPt: number;
    let oneMinusPt: number;
    if (logits) {
      let rest = 0;
      for (let k = start; k < end; k++) if (k !== argmax) rest += Math.exp(pred[k]! - m);
      logPt = pred[start + y]! - m - Math.log1p(rest);
      pt = Math.exp(logPt);
      oneMinusPt = -Math.expm1(logPt);
    } else {
      pt = pred[start + y]!;
      pt = pt < eps ? eps : pt > 1 - eps ? 1 - eps : pt;
      logPt = Math.log(pt);
      oneMinusPt = 1 - pt;
    }
    if (logPt === -Infinity) {
      const e = rejectRow(out, params, i, 'pred', REASON_INFINITE, pred[start + y]);
      if (e) return e;
      continue;
    }
    if (logits) countSaturated(out, hb, magnitude);
    else countClamp(out, hb, pred[start + y]!, eps);
    const fl = addUnit(out, g, h, sw, fb, pt, logPt, oneMinusPt, params);
    if (rows !== null) recordRow(rows, i, y, pt, logPt, fl, params.easyThreshold);
  }
  return null;
}

/**
 * Calibration sums of one batch, the pass beside the loss kernel when the run asks for
 * calibration: for each reliability series and each of B equal-width bins over [0, 1], the
 * entries that fell in the bin, how many of them were right, and the sum of their confidences.
 *
 *   bin(p)     = min(floor(p * B), B - 1)
 *   count_b   += 1,  correct_b += [outcome],  conf_b += p        for every entry p of the series
 *
 * The series (and their probability p and outcome):
 *   binary      0: 1 - p (sigmoid(-z)) against y = 0;  1: p (sigmoid(z)) against y = 1
 *   multiclass  0: top-label, max_k p_k against [argmax_k p_k = y] (ties: the lowest k);
 *               1 + k: p_k against [y = k], for every class k of every row (classwise)
 *   multilabel  k: p_k (sigmoid(z_k)) against the target of class k
 * where for logits p is the softmax (multiclass, with the kernel's max-shifted exponentials) or
 * the sigmoid. Probabilities are taken as given: no clamp to [eps, 1 - eps], no renormalising.
 *
 * Only the units the loss kernel scores are counted (scoredRow.ts). Counts are whole numbers
 * (exact in any order); the confidence sums are float64 sums in row order, added batch by batch
 * in input order by the run (extras.ts), as the loss sums are.
 */
import { binaryRowScored, multiclassRowStart, multilabelRowStart, multilabelTargetStart } from './scoredRow.ts';
import type { Columns, KernelParams, Mode } from './types.ts';

/** Slots of one (series, bin) cell. */
export const CAL_COUNT = 0;
export const CAL_CORRECT = 1;
export const CAL_CONF = 2;
export const CAL_FIELDS = 3;

/** How many series of how many bins a batch's calibration sums hold. */
export interface CalibrationShape {
  readonly series: number;
  readonly bins: number;
}

/** The series of a mode: 2 in binary, 1 + C in multiclass (top-label, then classwise), C in multilabel. */
export function calibrationShape(mode: Mode, classes: number, bins: number): CalibrationShape {
  return { series: mode === 'binary' ? 2 : mode === 'multiclass' ? 1 + classes : classes, bins };
}

/** Float64 slots of a batch's calibration sums. */
export function calibrationLength(shape: CalibrationShape): number {
  return shape.series * shape.bins * CAL_FIELDS;
}

/** Offset of series s, bin b. */
export function cellOffset(shape: CalibrationShape, s: number, b: number): number {
  return (s * shape.bins + b) * CAL_FIELDS;
}

/** Adds a batch's calibration sums into `out` (calibrationLength of the shape). */
export function accumulateCalibration(mode: Mode, logits: boolean, cols: Columns, params: KernelParams, bins: number, out: Float64Array): void {
  if (mode === 'binary') binaryCalibration(cols, params, logits, bins, out);
  else if (mode === 'multiclass') multiclassCalibration(cols, params, logits, bins, out);
  else multilabelCalibration(cols, params, logits, bins, out);
}

/** The logistic function, without overflow: 1 / (1 + e^-z). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function add(out: Float64Array, o: number, p: number, right: boolean): void {
  out[o + CAL_COUNT]! += 1;
  if (right) out[o + CAL_CORRECT]! += 1;
  out[o + CAL_CONF]! += p;
}

function binOf(p: number, bins: number): number {
  const b = Math.floor(p * bins);
  return b >= bins ? bins - 1 : b;
}

function binaryCalibration(cols: Columns, params: KernelParams, logits: boolean, B: number, out: Float64Array): void {
  const n = cols.length;
  const pred = cols.pred;
  const base = cols.predBase;
  const label = cols.label!;
  const s1 = B * CAL_FIELDS;
  for (let i = 0; i < n; i++) {
    if (!binaryRowScored(cols, params, logits, i)) continue;
    const v = pred[base + i]!;
    const y = label[i]!;
    const p1 = logits ? sigmoid(v) : v;
    const p0 = logits ? sigmoid(-v) : 1 - v;
    add(out, binOf(p0, B) * CAL_FIELDS, p0, y === 0);
    add(out, s1 + binOf(p1, B) * CAL_FIELDS, p1, y === 1);
  }
}

function multiclassCalibration(cols: Columns, params: KernelParams, logits: boolean, B: number, out: Float64Array): void {
  const n = cols.length;
  const C = params.classes;
  const pred = cols.pred;
  const label = cols.label!;
  const probs = new Float64Array(C);
  const seriesStride = B * CAL_FIELDS;
  for (let i = 0; i < n; i++) {
    const start = multiclassRowStart(cols, params, logits, i);
    if (start < 0) continue;
    const y = label[i]!;
    let m = -Infinity;
    let a = 0;
    for (let k = 0; k < C; k++) {
      const v = pred[start + k]!;
      if (v > m) {
        m = v;
        a = k;
      }
    }
    if (logits) {
      // The kernel's log-sum-exp: the max's own term (exactly 1) kept out of the sum.
      let rest = 0;
      for (let k = 0; k < C; k++) {
        const e = k === a ? 1 : Math.exp(pred[start + k]! - m);
        probs[k] = e;
        if (k !== a) rest += e;
      }
      if (pred[start + y]! - m - Math.log1p(rest) === -Infinity) continue; // the kernel rejects it: an infinite loss
      const z = 1 + rest;
      for (let k = 0; k < C; k++) probs[k] = probs[k]! / z;
    } else {
      for (let k = 0; k < C; k++) probs[k] = pred[start + k]!;
    }
    const conf = probs[a]!;
    add(out, binOf(conf, B) * CAL_FIELDS, conf, a === y);
    for (let k = 0; k < C; k++) {
      const p = probs[k]!;
      add(out, (k + 1) * seriesStride + binOf(p, B) * CAL_FIELDS, p, k === y);
    }
  }
}

function multilabelCalibration(cols: Columns, params: KernelParams, logits: boolean, B: number, out: Float64Array): void {
  const n = cols.length;
  const C = params.classes;
  const pred = cols.pred;
  const target = cols.target!;
  const seriesStride = B * CAL_FIELDS;
  for (let i = 0; i < n; i++) {
    const p0 = multilabelRowStart(cols, params, logits, i);
    if (p0 < 0) continue;
    const t0 = multilabelTargetStart(cols, C, i);
    for (let c = 0; c < C; c++) {
      const v = pred[p0 + c]!;
      const p = logits ? sigmoid(v) : v;
      add(out, c * seriesStride + binOf(p, B) * CAL_FIELDS, p, target[t0 + c] === 1);
    }
  }
}

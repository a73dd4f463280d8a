/**
 * The hardest-units pass: every unit the loss kernel scores (scoredRow.ts) offered to a TopUnits
 * with its row, class, group, p_t and alpha-free focal term, computed by the plain kernels'
 * formulas (binary.ts, multiclass.ts, multilabel.ts):
 *
 *   probs:  p_t = clamp(prob of the true outcome, eps, 1 - eps),  log p_t = log(p_t),  1 - p_t
 *   logits: log p_t = z_y - m - log1p(sum_{k != argmax} exp(z_k - m))   (multiclass)
 *           log p_t = -softplus(-z) if y = 1, -softplus(z) if y = 0      (binary, multilabel)
 *           p_t = exp(log p_t),  1 - p_t = -expm1(log p_t)
 *   fl = (1 - p_t)^gamma · (-log p_t)
 *
 * The class of a unit is its true class (binary, multiclass) or its column (multilabel); its group
 * is the partial's (kernel/partial.ts): the class, or in multilabel C + c for a target of 0.
 */
import { multiclassRowStart, binaryRowScored, multilabelRowStart, multilabelTargetStart } from './scoredRow.ts';
import { modulating } from './sweep.ts';
import type { TopUnits } from './topUnits.ts';
import type { Columns, KernelParams, Mode } from './types.ts';
import { softplus } from './unit.ts';

/** Offers every scored unit of a batch to `top`, rows numbered from `rowOffset`. */
export function offerHardest(mode: Mode, logits: boolean, cols: Columns, params: KernelParams, top: TopUnits, rowOffset: number): void {
  if (mode === 'binary') binaryUnits(cols, params, logits, top, rowOffset);
  else if (mode === 'multiclass') multiclassUnits(cols, params, logits, top, rowOffset);
  else multilabelUnits(cols, params, logits, top, rowOffset);
}

/** The focal term of a unit, as unit.ts's addUnit computes it. */
function focal(oneMinusPt: number, logPt: number, gamma: number): number {
  return modulating(gamma, oneMinusPt) * -logPt;
}

function clamp(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

function binaryUnits(cols: Columns, params: KernelParams, logits: boolean, top: TopUnits, rowOffset: number): void {
  const { gamma, epsilon: eps } = params;
  const pred = cols.pred;
  const label = cols.label!;
  for (let i = 0; i < cols.length; i++) {
    if (!binaryRowScored(cols, params, logits, i)) continue;
    const v = pred[cols.predBase + i]!;
    const y = label[i]!;
    if (logits) {
      const logPt = y === 1 ? -softplus(-v) : -softplus(v);
      top.offer(rowOffset + i, y, y, Math.exp(logPt), focal(-Math.expm1(logPt), logPt, gamma));
    } else {
      const pt = clamp(y === 1 ? v : 1 - v, eps);
      top.offer(rowOffset + i, y, y, pt, focal(1 - pt, Math.log(pt), gamma));
    }
  }
}

function multiclassUnits(cols: Columns, params: KernelParams, logits: boolean, top: TopUnits, rowOffset: number): void {
  const { gamma, epsilon: eps, classes: C } = params;
  const pred = cols.pred;
  const label = cols.label!;
  for (let i = 0; i < cols.length; i++) {
    const start = multiclassRowStart(cols, params, logits, i);
    if (start < 0) continue;
    const y = label[i]!;
    if (logits) {
      let m = -Infinity;
      let a = start;
      for (let k = start; k < start + C; k++) {
        if (pred[k]! > m) {
          m = pred[k]!;
          a = k;
        }
      }
      let rest = 0;
      for (let k = start; k < start + C; k++) if (k !== a) rest += Math.exp(pred[k]! - m);
      const logPt = pred[start + y]! - m - Math.log1p(rest);
      if (logPt === -Infinity) continue; // the kernel rejects it: an infinite loss
      top.offer(rowOffset + i, y, y, Math.exp(logPt), focal(-Math.expm1(logPt), logPt, gamma));
    } else {
      const pt = clamp(pred[start + y]!, eps);
      top.offer(rowOffset + i, y, y, pt, focal(1 - pt, Math.log(pt), gamma));
    }
  }
}

function multilabelUnits(cols: Columns, params: KernelParams, logits: boolean, top: TopUnits, rowOffset: number): void {
  const { gamma, epsilon: eps, classes: C } = params;
  const pred = cols.pred;
  const target = cols.target!;
  for (let i = 0; i < cols.length; i++) {
    const p0 = multilabelRowStart(cols, params, logits, i);
    if (p0 < 0) continue;
    const t0 = multilabelTargetStart(cols, C, i);
    for (let c = 0; c < C; c++) {
      const v = pred[p0 + c]!;
      const positive = target[t0 + c] === 1;
      const group = positive ? c : C + c;
      if (logits) {
        const logPt = positive ? -softplus(-v) : -softplus(v);
        top.offer(rowOffset + i, c, group, Math.exp(logPt), focal(-Math.expm1(logPt), logPt, gamma));
      } else {
        const pt = clamp(positive ? v : 1 - v, eps);
        top.offer(rowOffset + i, c, group, pt, focal(1 - pt, Math.log(pt), gamma));
      }
    }
  }
}

/**
 * The per-unit step shared by every kernel: given p_t and log p_t of one unit, add its terms
 * to its group's sums and histogram.
 *
 *   ce  = -log p_t
 *   mod = (1 - p_t)^gamma        (0^0 = 1; gamma 0, 1 and 2 take no Math.pow)
 *   and for each sweep entry s (sweep.ts): its mod_s * ce, into the easy or hard sum
 *   fine bin k = min(floor(p_t * F), F - 1): count, ce and fl (the concentration)
 *   fl  = mod * ce               (alpha is applied per group at the end)
 *   easy when p_t >= easyThreshold
 *   bin = min(floor(p_t * B), B - 1)
 *
 * `oneMinusPt` is passed in because the caller knows how to get it accurately: 1 - p_t for a
 * clamped probability, -expm1(log p_t) for a logit.
 */
import type { BlamedColumn, KernelError, KernelParams, RowOutputs } from './types.ts';
import {
  COUNT,
  EASY_CE,
  EASY_COUNT,
  EASY_FL,
  HARD_CE,
  HARD_FL,
  INVALID,
  SUM_CE,
  SUM_FL,
  SUM_PT,
  FINE_CE,
  FINE_COUNT,
  FINE_FIELDS,
  FINE_FL,
  SWEEP_EASY_FL,
  SWEEP_FIELDS,
  SWEEP_HARD_FL,
} from './partial.ts';
import { modulating, sweepModulating } from './sweep.ts';

/**
 * Adds one unit to group block `g`, histogram block `h`, sweep block `sw` (the group's first
 * sweep entry) and fine-bin block `fb` (its first fine bin; both unused without them) of `out`; returns its focal term fl at the main gamma.
 */
export function addUnit(
  out: Float64Array,
  g: number,
  h: number,
  sw: number,
  fb: number,
  pt: number,
  logPt: number,
  oneMinusPt: number,
  params: KernelParams,
): number {
  const gamma = params.gamma;
  const ce = -logPt;
  const fl = modulating(gamma, oneMinusPt) * ce;
  out[g + COUNT]! += 1;
  out[g + SUM_CE]! += ce;
  out[g + SUM_FL]! += fl;
  out[g + SUM_PT]! += pt;
  if (pt >= params.easyThreshold) {
    out[g + EASY_COUNT]! += 1;
    out[g + EASY_CE]! += ce;
    out[g + EASY_FL]! += fl;
  } else {
    out[g + HARD_CE]! += ce;
    out[g + HARD_FL]! += fl;
  }
  const sweep = params.sweep;
  if (sweep !== undefined && sweep.length > 0) {
    const field = pt >= params.easyThreshold ? SWEEP_EASY_FL : SWEEP_HARD_FL;
    for (let s = 0; s < sweep.length; s++) out[sw + s * SWEEP_FIELDS + field]! += sweepModulating(sweep[s]!, pt, oneMinusPt) * ce;
  }
  const fine = params.fineBins;
  if (fine !== undefined && fine > 0) {
    let k = Math.floor(pt * fine);
    if (k >= fine) k = fine - 1;
    const o = fb + k * FINE_FIELDS;
    out[o + FINE_COUNT]! += 1;
    out[o + FINE_CE]! += ce;
    out[o + FINE_FL]! += fl;
  }
  const bins = params.bins;
  let bin = Math.floor(pt * bins);
  if (bin >= bins) bin = bins - 1;
  out[h + bin]! += 1;
  return fl;
}

/** Records a binary/multiclass row's outputs for the stage. */
export function recordRow(rows: RowOutputs, i: number, group: number, pt: number, logPt: number, fl: number, easyThreshold: number): void {
  rows.scored[i] = 1;
  rows.pt[i] = pt;
  rows.ce[i] = -logPt;
  rows.loss[i] = rows.weights[group]! * fl;
  rows.easy[i] = pt >= easyThreshold ? 1 : 0;
}

/**
 * Handles an invalid row: under skip it is counted and the kernel goes on (null is returned);
 * otherwise its location is returned and the kernel stops.
 */
export function rejectRow(
  out: Float64Array,
  params: KernelParams,
  row: number,
  column: BlamedColumn,
  reason: string,
  value: unknown,
): KernelError | null {
  if (params.skipInvalid) {
    out[INVALID]! += 1;
    return null;
  }
  return { row, column, reason, value };
}

/** log(1 + e^x) without overflow for large x or loss of precision for very negative x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Whether a probability is usable: finite and in [0, 1] (NaN fails both comparisons). */
export function isProbability(p: number): boolean {
  return p >= 0 && p <= 1;
}

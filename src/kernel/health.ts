/**
 * Numerical health, counted per unit in the same pass as the sums (the partial's health block,
 * partial.ts), so that the report can say how much of the loss comes from bounded numbers:
 *
 *   probabilities, raw = the unclamped probability of the true outcome (y ? p : 1 - p, probs[y]):
 *     clamped low   raw < eps       p_t = eps, ce = -ln eps: CE at its cap
 *     clamped high  raw > 1 - eps   p_t = 1 - eps, ce = -ln(1 - eps) (about eps)
 *     (exclusive, as eps <= 1/2; with eps = 0 neither can happen)
 *   logits (no clamp exists):
 *     saturated     |z| > SATURATION for the unit's logit (binary, multilabel), or for any of the
 *                   row's C logits (multiclass: a row is one unit, counted once)
 *
 * The CE the clamped units carry is not summed: each clamped unit's ce is one of two constants,
 * so finalize forms it from the two counts (report/health.ts), exactly and in any order.
 * The wasm kernels count the same units by the same comparisons (accumulate.as, health.as).
 */
import { CLAMPED_HIGH, CLAMPED_LOW, SATURATED } from './partial.ts';

/** A logit whose magnitude exceeds this is saturated: sigmoid(30) is 1 - 9.4e-14. */
export const SATURATION = 30;

/** Counts a probability unit at health block `hb` when its raw p_t lies outside [eps, 1 - eps]. */
export function countClamp(out: Float64Array, hb: number, raw: number, eps: number): void {
  if (raw < eps) out[hb + CLAMPED_LOW]! += 1;
  else if (raw > 1 - eps) out[hb + CLAMPED_HIGH]! += 1;
}

/** Counts a logit unit at health block `hb` when `magnitude` (its largest |z|) exceeds SATURATION. */
export function countSaturated(out: Float64Array, hb: number, magnitude: number): void {
  if (magnitude > SATURATION) out[hb + SATURATED]! += 1;
}

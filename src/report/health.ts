/**
 * The report's numerical-health block, from the partial's health counts (kernel/health.ts says
 * which units each counts), per class and in total:
 *
 *   clampedUnits     units whose probability of the true outcome was clamped into [eps, 1 - eps]
 *   cappedCE         those clamped low (p_t < eps): their CE is the cap -ln eps
 *   saturatedLogits  units with |z| > 30 (multiclass: rows with any |z_k| > 30)
 *   clampedCE        the CE the clamped units carry: cappedCE (-ln eps) + (clampedUnits - cappedCE) (-ln(1 - eps)),
 *                    the very terms the kernels added for them (every clamped unit's ce is one of
 *                    the two), formed from exact counts, so it is the same for any thread count
 *   clampedShareCE   clampedCE / sumCE (null when sumCE is 0), at most 1
 *
 * With logits no clamp exists (the clamp counts are 0); with probabilities no logit is seen (the
 * saturated count is 0). A multilabel class is both of its groups (positive and negative targets).
 */
import { CLAMPED_HIGH, CLAMPED_LOW, healthOffset, SATURATED, type PartialShape } from '../kernel/partial.ts';
import type { InputKind } from '../kernel/types.ts';

/** One set of units' health counts. */
export interface HealthCounts {
  clampedUnits: number;
  cappedCE: number;
  saturatedLogits: number;
  clampedCE: number;
  clampedShareCE: number | null;
}

/** The report's health block. */
export interface Health {
  /** -ln eps, the CE of a unit clamped low; null for logits, or with eps 0 (nothing is clamped). */
  capCE: number | null;
  total: HealthCounts;
  classes: (HealthCounts & { index: number })[];
}

/**
 * The health block of a merged partial; `classGroups[c]` are class c's groups, `sumCE` the
 * report's CE sums (total and per class) that the shares divide.
 */
export function healthOf(
  partial: Float64Array,
  shape: PartialShape,
  input: InputKind,
  epsilon: number,
  classGroups: readonly (readonly number[])[],
  sumCE: { total: number; classes: readonly number[] },
): Health {
  const probs = input === 'probs' && epsilon > 0;
  const capLow = probs ? -Math.log(epsilon) : 0;
  const capHigh = probs ? -Math.log(1 - epsilon) : 0;
  const countsOf = (groups: readonly number[], ce: number): HealthCounts => {
    let low = 0;
    let high = 0;
    let saturated = 0;
    for (const g of groups) {
      const h = healthOffset(shape, g);
      low += partial[h + CLAMPED_LOW]!;
      high += partial[h + CLAMPED_HIGH]!;
      saturated += partial[h + SATURATED]!;
    }
    const clampedCE = low * capLow + high * capHigh;
    return {
      clampedUnits: low + high,
      cappedCE: low,
      saturatedLogits: saturated,
      clampedCE,
      // Rounding could take the share a hair past 1 when every unit is clamped.
      clampedShareCE: ce > 0 ? Math.min(1, clampedCE / ce) : null,
    };
  };
  return {
    capCE: probs ? capLow : null,
    total: countsOf(classGroups.flat(), sumCE.total),
    classes: classGroups.map((groups, index) => ({ index, ...countsOf(groups, sumCE.classes[index]!) })),
  };
}

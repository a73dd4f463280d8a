/**
 * The loss over a run under the normalisations training code uses, all from the per-group sums
 * (w_g: the group's alpha weight, n_g its units, FL_g its alpha-free focal sum; L = sum_g w_g FL_g):
 *
 *   perUnit            L / sum_g n_g                   torchvision / Keras reduction "mean"
 *   perRow             L / rows scored                 (rows read - ignored - invalid)
 *   perPositive        L / positives                   RetinaNet / mmdet avg_factor: multilabel,
 *                                                      the positive targets; binary, the rows of
 *                                                      label 1; multiclass, one per row (its class)
 *   alphaWeightedMean  L / sum_g w_g n_g               PyTorch cross_entropy(weight=w), "mean"
 *
 * Each is null when its denominator is 0.
 */
import { COUNT, groupOffset, IGNORED, INVALID, ROWS, SUM_FL } from '../kernel/partial.ts';
import type { Mode } from '../kernel/types.ts';

/** The report's normalisation block. */
export interface Normalisation {
  perUnit: number | null;
  perRow: number | null;
  perPositive: number | null;
  alphaWeightedMean: number | null;
}

/** The four normalisations of the partial's sums, with the groups' alpha weights. */
export function normalisationOf(partial: Float64Array, mode: Mode, classes: number, weights: Float64Array): Normalisation {
  let loss = 0;
  let units = 0;
  let weightedUnits = 0;
  for (let g = 0; g < weights.length; g++) {
    const o = groupOffset(g);
    loss += weights[g]! * partial[o + SUM_FL]!;
    units += partial[o + COUNT]!;
    weightedUnits += weights[g]! * partial[o + COUNT]!;
  }
  const rows = partial[ROWS]! - partial[IGNORED]! - partial[INVALID]!;
  let positives = units;
  if (mode === 'binary') positives = partial[groupOffset(1) + COUNT]!;
  if (mode === 'multilabel') {
    positives = 0;
    for (let c = 0; c < classes; c++) positives += partial[groupOffset(c) + COUNT]!;
  }
  const over = (d: number): number | null => (d > 0 ? loss / d : null);
  return { perUnit: over(units), perRow: over(rows), perPositive: over(positives), alphaWeightedMean: over(weightedUnits) };
}

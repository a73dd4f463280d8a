/**
 * Which alpha each class and each group gets, from the options (spec §2): none (1), a scalar
 * (binary [1 - a, a], RetinaNet's weight on positives; every class otherwise), a list, or
 * "auto" (a scheme's estimates, this run's or saved ones). In multilabel the class alpha weighs
 * positives and 1 - alpha the negatives. A null estimate leaves its units unweighted.
 */
import type { AlphaTable } from '../alpha/estimates.ts';
import type { Options } from '../options.ts';
import { FocalEvalError } from '../errors.ts';
import type { Plan } from '../input/plan.ts';

/** The alpha each class block reports (null where an "auto" estimate is null). */
export function classAlphas(plan: Plan, options: Options, estimates: AlphaTable | null): (number | null)[] {
  const alpha = options.alpha;
  return plan.classNames.map((_, c) => {
    if (alpha === null) return 1;
    if (alpha === 'auto') {
      const table = options.alphaEstimates ?? estimates;
      if (table === null) throw new FocalEvalError('E_INTERNAL', 'internal error: alpha "auto" needs estimates');
      return table[options.alphaScheme][c] ?? null;
    }
    if (Array.isArray(alpha)) return alpha[c]!;
    return plan.mode === 'binary' && c === 0 ? 1 - alpha : alpha;
  });
}

/**
 * The weight of every group of the partial: C groups, or 2C in multilabel (positives, then
 * negatives). With no alpha every unit weighs 1, multilabel negatives included (not 1 - 1).
 */
export function groupWeights(plan: Plan, options: Options, alphas: readonly (number | null)[]): Float64Array {
  const C = plan.classes;
  const multilabel = plan.mode === 'multilabel';
  const weights = new Float64Array(multilabel ? 2 * C : C);
  if (options.alpha === null) return weights.fill(1);
  for (let g = 0; g < weights.length; g++) {
    const a = alphas[g % C]!;
    weights[g] = a === null ? 1 : multilabel && g >= C ? 1 - a : a;
  }
  return weights;
}

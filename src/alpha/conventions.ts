/**
 * Every alpha scheme in the two forms focal-loss code takes alpha in, and the effective-number
 * beta with the spread of weights it implies.
 *
 *   weightOnPositives[c]  RetinaNet's form (sigmoid focal loss: alpha on class c's positives,
 *                         1 - alpha on its negatives): the scheme's two-class weights (w+, w-)
 *                         over (positives P_c, negatives M_c), alpha_c = w+ / (w+ + w-). In
 *                         binary and multiclass P_c = n_c and M_c = N - n_c (one-vs-rest).
 *   perClass[c]           the softmax form (PyTorch cross_entropy's `weight`): the scheme's
 *                         weight over the class counts n_c (multilabel: the positive counts).
 *
 *   effectiveBeta         for beta in 0.9, 0.99, 0.999, 0.9999: the effective-number weights
 *                         (1 - beta) / (1 - beta^n_c) over the class counts, and their ratio
 *                         max / min over the classes present: how far that beta separates them
 *                         (1 when the counts are all large next to 1 / (1 - beta)).
 */
import { ALPHA_SCHEMES, schemeWeights, type AlphaScheme } from './estimates.ts';

/** One scheme in both forms. */
export interface AlphaConvention {
  weightOnPositives: (number | null)[];
  perClass: (number | null)[];
}

/** One beta of the effective-number scheme and the weight ratio it implies. */
export interface EffectiveBeta {
  beta: number;
  ratio: number | null;
  weights: (number | null)[];
}

/** The betas effectiveBeta shows. */
export const EFFECTIVE_BETAS = [0.9, 0.99, 0.999, 0.9999] as const;

/** Every scheme in both forms; `negatives` per class (multilabel), else N - n_c. */
export function alphaConventions(counts: readonly number[], negatives: readonly number[] | undefined, beta: number): Record<AlphaScheme, AlphaConvention> {
  const N = counts.reduce((a, n) => a + n, 0);
  const rest = negatives ?? counts.map((n) => N - n);
  return Object.fromEntries(
    ALPHA_SCHEMES.map((scheme) => [
      scheme,
      {
        weightOnPositives: counts.map((p, c) => {
          const m = rest[c]!;
          if (p === 0 || m === 0) return null;
          const [wPos, wNeg] = schemeWeights(scheme, [p, m], beta) as [number, number];
          return wPos / (wPos + wNeg);
        }),
        perClass: schemeWeights(scheme, counts, beta),
      },
    ]),
  ) as Record<AlphaScheme, AlphaConvention>;
}

/** The effective-number weights (scaled to sum to the classes present) and their max/min ratio per beta. */
export function effectiveBetas(counts: readonly number[]): EffectiveBeta[] {
  return EFFECTIVE_BETAS.map((beta) => {
    const weights = schemeWeights('effective', counts, beta);
    const present = weights.filter((w): w is number => w !== null);
    const ratio = present.length > 0 ? Math.max(...present) / Math.min(...present) : null;
    return { beta, ratio, weights };
  });
}

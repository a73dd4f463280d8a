/**
 * Alpha estimates from class frequencies (spec §3). Only classes that occur take part; a class
 * with no units gets null (never Infinity or NaN).
 *
 *   inverse       w_c = (1/n_c) / sum_k (1/n_k)                       sums to 1
 *   balanced      w_c = N / (K n_c)                                   scikit-learn's "balanced"
 *   inverse-sqrt  w_c = (1/sqrt n_c) / sum_k (1/sqrt n_k)             sums to 1
 *   effective     w_c = (1-beta) / (1-beta^n_c), scaled to sum to K   Cui et al. 2019
 *   median        w_c = median_k(f_k) / f_c,  f_c = n_c / N           median-frequency balancing
 *
 * Multilabel: for each class, the two-class weights of (positives P_c, negatives M_c) give
 * alpha_c = w_pos / (w_pos + w_neg), the weight on positives (RetinaNet convention).
 */
import type { AlphaConvention, EffectiveBeta } from './conventions.ts';

/** The alpha schemes of the spec, in report order. */
export const ALPHA_SCHEMES = ['inverse', 'balanced', 'inverse-sqrt', 'effective', 'median'] as const;
/** One alpha scheme name. */
export type AlphaScheme = (typeof ALPHA_SCHEMES)[number];

/** Estimates per scheme, one entry per class; null for a class that cannot be estimated. */
export type AlphaTable = Record<AlphaScheme, (number | null)[]>;

/** The report's alphaEstimates block. */
export interface AlphaEstimates extends AlphaTable {
  counts: number[];
  negatives?: number[];
  /** Every scheme in RetinaNet's and the per-class form (the report adds them: conventions.ts). */
  conventions?: Record<AlphaScheme, AlphaConvention>;
  /** The effective-number weights and their max/min ratio for several betas (conventions.ts). */
  effectiveBeta?: EffectiveBeta[];
}

/** Weights of one scheme over class counts (multiclass/binary). */
export function schemeWeights(scheme: AlphaScheme, counts: readonly number[], beta: number): (number | null)[] {
  const present = counts.filter((n) => n > 0);
  const K = present.length;
  const N = present.reduce((a, n) => a + n, 0);
  const each = (f: (n: number) => number): (number | null)[] => counts.map((n) => (n > 0 ? f(n) : null));
  switch (scheme) {
    case 'inverse': {
      const total = present.reduce((a, n) => a + 1 / n, 0);
      return each((n) => 1 / n / total);
    }
    case 'balanced':
      return each((n) => N / (K * n));
    case 'inverse-sqrt': {
      const total = present.reduce((a, n) => a + 1 / Math.sqrt(n), 0);
      return each((n) => 1 / Math.sqrt(n) / total);
    }
    case 'effective': {
      // (1 - beta^n) computed as -expm1(n log beta) keeps precision for beta near 1.
      const raw = (n: number): number => (1 - beta) / -Math.expm1(n * Math.log(beta));
      const total = present.reduce((a, n) => a + raw(n), 0);
      return each((n) => (raw(n) / total) * K);
    }
    case 'median': {
      const median = medianOf(present.map((n) => n / N));
      return each((n) => median / (n / N));
    }
  }
}

/** Every scheme's estimates for multiclass/binary counts. */
export function estimateAlphas(counts: readonly number[], beta: number): AlphaEstimates {
  const table = Object.fromEntries(ALPHA_SCHEMES.map((s) => [s, schemeWeights(s, counts, beta)])) as AlphaTable;
  return { counts: [...counts], ...table };
}

/** Every scheme's estimates for multilabel positives/negatives: the weight on positives per class. */
export function estimateMultilabelAlphas(positives: readonly number[], negatives: readonly number[], beta: number): AlphaEstimates {
  const table = Object.fromEntries(
    ALPHA_SCHEMES.map((scheme) => [
      scheme,
      positives.map((p, c) => {
        const m = negatives[c]!;
        if (p === 0 || m === 0) return null;
        const [wPos, wNeg] = schemeWeights(scheme, [p, m], beta) as [number, number];
        return wPos / (wPos + wNeg);
      }),
    ]),
  ) as AlphaTable;
  return { counts: [...positives], negatives: [...negatives], ...table };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

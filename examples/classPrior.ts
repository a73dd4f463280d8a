/**
 * How often each class occurs in a generated dump. Real detection and segmentation dumps are
 * dominated by one background class with a long tail of rare ones; the tail here follows a Zipf
 * law whose exponent is solved for, so that the rarest class gets exactly the share asked for.
 */

/** Multiclass class shares: class 0 takes `background`, the rest a Zipf tail ending at `rarest`. */
export function multiclassPrior(classes: number, background: number, rarest: number): Float64Array {
  const shares = new Float64Array(classes);
  shares[0] = classes === 1 ? 1 : background;
  if (classes > 1) shares.set(zipfShares(classes - 1, 1 - background, Math.min(rarest, (1 - background) / (classes - 1))), 1);
  return shares;
}

/** Multilabel positive rates: class 0 at `top`, the others a Zipf tail (exponent 1) so that the mean rate is `mean`. */
export function multilabelRates(classes: number, top: number, mean: number): Float64Array {
  const rates = new Float64Array(classes);
  rates[0] = Math.min(top, classes * mean);
  if (classes > 1) rates.set(zipfWeights(classes - 1, 1, classes * mean - rates[0]!), 1);
  return rates;
}

/** Draws class indices from a discrete distribution by a scan of its cumulative shares (head first: fast for skewed priors). */
export class CategoricalSampler {
  private readonly cumulative: Float64Array;

  /** Builds the sampler from shares that sum to 1 (the last bucket absorbs rounding). */
  constructor(shares: Float64Array) {
    this.cumulative = new Float64Array(shares.length);
    let sum = 0;
    shares.forEach((s, i) => (this.cumulative[i] = sum += s));
    this.cumulative[shares.length - 1] = Infinity;
  }

  /** The class for a uniform draw u in [0, 1). */
  sample(u: number): number {
    let c = 0;
    while (u >= this.cumulative[c]!) c++;
    return c;
  }
}

/** n shares summing to `total`, falling as k^-s, with s solved by bisection so the last equals `last`. */
function zipfShares(n: number, total: number, last: number): Float64Array {
  let lo = 0;
  let hi = 16;
  for (let i = 0; i < 60; i++) {
    const s = (lo + hi) / 2;
    const w = zipfWeights(n, s, total);
    if (w[n - 1]! > last) lo = s;
    else hi = s;
  }
  return zipfWeights(n, (lo + hi) / 2, total);
}

function zipfWeights(n: number, s: number, total: number): Float64Array {
  const w = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += w[k] = (k + 1) ** -s;
  for (let k = 0; k < n; k++) w[k] = (w[k]! / sum) * total;
  return w;
}

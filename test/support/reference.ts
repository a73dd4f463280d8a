/**
 * The suite's one float64 reference of spec §2 and §4 (docs/semantics.md), per unit and summed,
 * written apart from the kernels and in places on purpose in another way: binary as a two-class
 * softmax over [0, z] or [1 - p, p] (it gives the same numbers as the spec's softplus form), the
 * modulating factor through `**` (x ** 0 is 1 for every x, so 0^0 = 1 needs no case of its own),
 * the alpha weights looked up from the option as the spec words them, and the Stats block summed
 * unit by unit from plain arrays.
 *
 * Logits go the spec's way: log p_t = z_y - logsumexp(z) around the largest logit, with that
 * logit's own term (exactly 1) kept out of the sum so that log1p keeps the tail, and
 * 1 - p_t = -expm1(log p_t). A naive softmax (exp of each logit over the sum of exps) would round
 * a confident unit's p_t to 1 and its CE and focal term to 0 (logits [0, 40]: CE 4.2e-18;
 * [50, -50, 0]: 1.9e-22), which the stage's per-row columns, checked to 1e-12 relative, must keep;
 * and it overflows past logits of ~709. Probabilities are clamped to [epsilon, 1 - epsilon], not
 * renormalised, and 1 - p_t is taken directly.
 */

/** What a unit comes to: p_t, cross-entropy and the alpha-free focal term. */
export interface RefUnit {
  pt: number;
  ce: number;
  fl: number;
}

/** The scalar options the reference needs. */
export interface RefParams {
  gamma: number;
  epsilon: number;
}

/** One unit from p_t, log p_t and 1 - p_t: CE = -log p_t, FL = (1 - p_t)^gamma * CE. */
function unitOf(pt: number, logPt: number, oneMinusPt: number, gamma: number): RefUnit {
  const ce = -logPt;
  return { pt, ce, fl: oneMinusPt ** gamma * ce };
}

/** One multiclass row: `values` are C probabilities (not renormalised) or logits, `y` the true class. */
export function refMulticlassUnit(
  values: readonly number[],
  y: number,
  input: 'probs' | 'logits',
  { gamma, epsilon }: RefParams,
): RefUnit {
  if (input === 'probs') {
    const pt = Math.min(Math.max(values[y]!, epsilon), 1 - epsilon);
    return unitOf(pt, Math.log(pt), 1 - pt, gamma);
  }
  // log-sum-exp around the largest logit, whose own term (1) is kept out of the sum so that
  // log1p keeps the tail when it is below float64's resolution at 1: log(1 + 2e-22) = 2e-22.
  const top = values.indexOf(Math.max(...values));
  const m = values[top]!;
  let rest = 0;
  values.forEach((z, k) => {
    if (k !== top) rest += Math.exp(z - m);
  });
  const logPt = values[y]! - m - Math.log1p(rest);
  return unitOf(Math.exp(logPt), logPt, -Math.expm1(logPt), gamma);
}

/**
 * One binary unit (or one multilabel element), `y` the target: a two-class softmax over [0, z],
 * or [1 - p, p]. For logits this is log p_t = -softplus(-z) if y = 1, -softplus(z) if y = 0.
 */
export function refBinaryUnit(value: number, y: number, input: 'probs' | 'logits', params: RefParams): RefUnit {
  return refMulticlassUnit(input === 'probs' ? [1 - value, value] : [0, value], y, input, params);
}

/** The alpha option as the reference takes it: none, a scalar, or one weight per class. */
export type RefAlpha = number | readonly number[] | null;

/**
 * a_t of a binary or multiclass row of class y: 1 without alpha; a list's weight of class y; a
 * scalar a is [1 - a, a] in binary (weight a on positives) and a for every class in multiclass.
 */
export function refAlpha(alpha: RefAlpha, mode: 'binary' | 'multiclass', y: number): number {
  if (alpha === null) return 1;
  if (typeof alpha !== 'number') return alpha[y]!;
  return mode === 'binary' && y === 0 ? 1 - alpha : alpha;
}

/**
 * a_t of a multilabel element of class c with target t: 1 without alpha; otherwise the class's
 * weight on positives a_c (the scalar, or the list's entry c), and 1 - a_c on negatives.
 */
export function refMultilabelAlpha(alpha: RefAlpha, c: number, t: number): number {
  if (alpha === null) return 1;
  const a = typeof alpha === 'number' ? alpha : alpha[c]!;
  return t === 1 ? a : 1 - a;
}

/** A unit with the group (alpha class) it belongs to and its alpha weight. */
export interface RefScored extends RefUnit {
  group: number;
  weight: number;
}

/** The per-group sums a kernel keeps in its partial, computed directly. */
export interface RefGroup {
  count: number;
  sumCE: number;
  sumFL: number;
  sumPt: number;
  easyCount: number;
  easyCE: number;
  easyFL: number;
  hardCE: number;
  hardFL: number;
  histogram: number[];
}

/** Bin of p_t among `bins` equal bins over [0, 1]. */
export function refBin(pt: number, bins: number): number {
  return Math.min(Math.floor(pt * bins), bins - 1);
}

/** Sums the units of each group 0..groups-1. */
export function refGroups(units: readonly RefScored[], groups: number, easyThreshold: number, bins: number): RefGroup[] {
  return Array.from({ length: groups }, (_, g) => {
    const mine = units.filter((u) => u.group === g);
    const easy = mine.filter((u) => u.pt >= easyThreshold);
    const hard = mine.filter((u) => u.pt < easyThreshold);
    const histogram = new Array<number>(bins).fill(0);
    for (const u of mine) histogram[refBin(u.pt, bins)]! += 1;
    return {
      count: mine.length,
      sumCE: sum(mine.map((u) => u.ce)),
      sumFL: sum(mine.map((u) => u.fl)),
      sumPt: sum(mine.map((u) => u.pt)),
      easyCount: easy.length,
      easyCE: sum(easy.map((u) => u.ce)),
      easyFL: sum(easy.map((u) => u.fl)),
      hardCE: sum(hard.map((u) => u.ce)),
      hardFL: sum(hard.map((u) => u.fl)),
      histogram,
    };
  });
}

/** The report's Stats block over a set of units, each with its alpha weight. */
export function refStats(units: readonly RefScored[], easyThreshold: number, bins: number) {
  const split = (set: readonly RefScored[]) => ({
    count: set.length,
    sumCE: sum(set.map((u) => u.ce)),
    sumFL: sum(set.map((u) => u.fl)),
    sumLoss: sum(set.map((u) => u.weight * u.fl)),
  });
  const all = split(units);
  const easy = split(units.filter((u) => u.pt >= easyThreshold));
  const hard = split(units.filter((u) => u.pt < easyThreshold));
  const histogram = new Array<number>(bins).fill(0);
  for (const u of units) histogram[refBin(u.pt, bins)]! += 1;
  const n = units.length;
  return {
    ...all,
    meanCE: n > 0 ? all.sumCE / n : null,
    meanLoss: n > 0 ? all.sumLoss / n : null,
    meanPt: n > 0 ? sum(units.map((u) => u.pt)) / n : null,
    easy,
    hard,
    easyShareCE: all.sumCE > 0 ? easy.sumCE / all.sumCE : null,
    easyShareFL: all.sumFL > 0 ? easy.sumFL / all.sumFL : null,
    histogram,
  };
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

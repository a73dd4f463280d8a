/**
 * A small float64 reference of spec §2 and §4, written apart from the kernels and on purpose in
 * another way: probabilities from a naive softmax (exp of each logit over the sum of exps, fine
 * for the moderate logits the tests feed it), binary as a two-class softmax over [0, z] or
 * [1 - p, p], the modulating factor through `**`, and the Stats block summed unit by unit from
 * plain arrays. Extreme logits (+-1000) are checked against exact values instead.
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

/** One multiclass row: `values` are C probabilities or logits, `y` the true class. */
export function refMulticlassUnit(
  values: readonly number[],
  y: number,
  input: 'probs' | 'logits',
  { gamma, epsilon }: RefParams,
): RefUnit {
  let pt: number;
  if (input === 'probs') {
    pt = Math.min(Math.max(values[y]!, epsilon), 1 - epsilon);
  } else {
    const exps = values.map((z) => Math.exp(z));
    pt = exps[y]! / exps.reduce((a, b) => a + b, 0);
  }
  const ce = -Math.log(pt);
  return { pt, ce, fl: (1 - pt) ** gamma * ce };
}

/** One binary unit (or one multilabel element): a two-class softmax over [0, z], or [1 - p, p]. */
export function refBinaryUnit(value: number, y: number, input: 'probs' | 'logits', params: RefParams): RefUnit {
  return refMulticlassUnit(input === 'probs' ? [1 - value, value] : [0, value], y, input, params);
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

/**
 * Alpha estimates (spec §3) against their formulas worked by hand on small counts, absent
 * classes null; and, through evaluate, the factorisation that lets alpha be applied at the end:
 * every alpha-weighted sum is the alpha-free sum of its group times that group's alpha.
 */
import { describe, expect, it } from 'vitest';
import { estimateAlphas, estimateMultilabelAlphas, schemeWeights } from '../src/alpha/estimates.ts';
import { evaluate } from '../src/evaluate.ts';
import { ALPHA_SCHEMES, type OptionsInput } from '../src/options.ts';
import type { Report, Stats } from '../src/report/schema.ts';
import { fixedBools, fixedFloats, table, types, vec } from './support/arrow.ts';
import { rng } from './support/rng.ts';
import { closeEnough } from './support/tolerance.ts';

/** Element-wise closeness for a list with nulls. */
function expectWeights(actual: (number | null)[], expectedWeights: (number | null)[]): void {
  expect(actual.length).toBe(expectedWeights.length);
  actual.forEach((a, c) => {
    const e = expectedWeights[c]!;
    if (e === null) expect(a, `class ${c}`).toBeNull();
    else expect(closeEnough(a as number, e), `class ${c}: ${a} vs ${e}`).toBe(true);
  });
}

describe('schemeWeights', () => {
  it('inverse: (1/n_c) / sum_k (1/n_k) on counts 10, 30, 0, 60', () => {
    // 1/10 + 1/30 + 1/60 = 9/60
    expectWeights(schemeWeights('inverse', [10, 30, 0, 60], 0.999), [6 / 9, 2 / 9, null, 1 / 9]);
  });

  it('balanced: N / (K n_c) with K the classes present, on counts 10, 30, 0, 60', () => {
    expectWeights(schemeWeights('balanced', [10, 30, 0, 60], 0.999), [100 / 30, 100 / 90, null, 100 / 180]);
  });

  it('inverse-sqrt: (1/sqrt n_c) / sum_k (1/sqrt n_k) on counts 1, 4, 0, 16', () => {
    // 1 + 1/2 + 1/4 = 7/4
    expectWeights(schemeWeights('inverse-sqrt', [1, 4, 0, 16], 0.999), [4 / 7, 2 / 7, null, 1 / 7]);
  });

  it('effective: (1 - beta)/(1 - beta^n) scaled to sum K, beta 0.5 on counts 1, 2, 0', () => {
    // raw: 0.5/0.5 = 1 and 0.5/0.75 = 2/3, total 5/3, K = 2
    expectWeights(schemeWeights('effective', [1, 2, 0], 0.5), [6 / 5, 4 / 5, null]);
  });

  it('effective: beta 0.9 on counts 1, 10', () => {
    const raw = [0.1 / (1 - 0.9), 0.1 / (1 - 0.9 ** 10)];
    const total = raw[0]! + raw[1]!;
    expectWeights(schemeWeights('effective', [1, 10], 0.9), [(2 * raw[0]!) / total, (2 * raw[1]!) / total]);
  });

  it('effective: beta 0 weighs every present class 1', () => {
    expectWeights(schemeWeights('effective', [3, 0, 50], 0), [1, null, 1]);
  });

  it('effective: beta close to 1 tends to inverse frequency, scaled to sum K', () => {
    const w = schemeWeights('effective', [100, 300], 0.999999) as number[];
    expect(w[0]! + w[1]!).toBeCloseTo(2, 12);
    expect(w[0]! / w[1]!).toBeCloseTo(3, 3);
  });

  it('median: median frequency over f_c, odd K, on counts 10, 20, 0, 70', () => {
    // f = 0.1, 0.2, 0.7 over present classes, median 0.2
    expectWeights(schemeWeights('median', [10, 20, 0, 70], 0.999), [2, 1, null, 0.2 / 0.7]);
  });

  it('median: the mean of the two middle values for an even K, on counts 10, 20, 30, 40', () => {
    // f = 0.1 .. 0.4, median 0.25
    expectWeights(schemeWeights('median', [10, 20, 30, 40], 0.999), [2.5, 1.25, 0.25 / 0.3, 0.625]);
  });

  it.each(ALPHA_SCHEMES)('%s: gives null (never Infinity or NaN) when no class is present', (scheme) => {
    expect(schemeWeights(scheme, [0, 0, 0], 0.999)).toEqual([null, null, null]);
  });

  it.each(ALPHA_SCHEMES)('%s: gives 1 to a single present class', (scheme) => {
    expectWeights(schemeWeights(scheme, [0, 7, 0], 0.999), [null, 1, null]);
  });

  it.each(ALPHA_SCHEMES)('%s: gives equal weights to equal counts', (scheme) => {
    const w = schemeWeights(scheme, [5, 5, 5, 5], 0.9) as number[];
    for (const x of w) expect(x).toBeCloseTo(w[0]!, 14);
  });

  it.each(['inverse', 'inverse-sqrt'] as const)('%s: sums to 1 over present classes', (scheme) => {
    const w = schemeWeights(scheme, [3, 0, 17, 250, 1], 0.999).filter((x): x is number => x !== null);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });
});

describe('estimateAlphas', () => {
  it('reports the counts and every scheme', () => {
    const e = estimateAlphas([10, 30, 0, 60], 0.999);
    expect(e.counts).toEqual([10, 30, 0, 60]);
    expect(e.negatives).toBeUndefined();
    for (const scheme of ALPHA_SCHEMES) expect(e[scheme]).toEqual(schemeWeights(scheme, [10, 30, 0, 60], 0.999));
  });
});

describe('estimateMultilabelAlphas', () => {
  const positives = [1, 0, 5, 2];
  const negatives = [3, 4, 0, 2];

  it('inverse gives M/(P+M), the weight on positives', () => {
    expectWeights(estimateMultilabelAlphas(positives, negatives, 0.999).inverse, [3 / 4, null, null, 1 / 2]);
  });

  it('balanced gives M/(P+M) too', () => {
    expectWeights(estimateMultilabelAlphas(positives, negatives, 0.999).balanced, [3 / 4, null, null, 1 / 2]);
  });

  it('inverse-sqrt gives sqrt M / (sqrt P + sqrt M)', () => {
    const est = estimateMultilabelAlphas([1, 9], [4, 16], 0.999);
    expectWeights(est['inverse-sqrt'], [2 / 3, 4 / 7]);
  });

  it('effective gives w_pos / (w_pos + w_neg) with beta 0.5', () => {
    // P = 1: raw 1; M = 3: raw 0.5 / (1 - 0.125) = 4/7; alpha = 1 / (1 + 4/7) = 7/11
    expectWeights(estimateMultilabelAlphas([1], [3], 0.5).effective, [7 / 11]);
  });

  it('median (K = 2, median the mean of both) gives M/(P+M)', () => {
    expectWeights(estimateMultilabelAlphas([1, 6], [3, 2], 0.999).median, [3 / 4, 2 / 8]);
  });

  it.each(ALPHA_SCHEMES)('%s: null for a class with no positives or no negatives', (scheme) => {
    const est = estimateMultilabelAlphas(positives, negatives, 0.999)[scheme];
    expect(est[1]).toBeNull();
    expect(est[2]).toBeNull();
  });

  it('reports positives as counts and negatives beside them', () => {
    const e = estimateMultilabelAlphas(positives, negatives, 0.999);
    expect(e.counts).toEqual(positives);
    expect(e.negatives).toEqual(negatives);
  });
});

// ---------------------------------------------------------------------------------------------
// Through evaluate: alpha applied per group, one pass.

function run(t: ReturnType<typeof table>, options: OptionsInput): Promise<Report> {
  return evaluate(t, { threads: 1, ...options });
}

/** Where the loss sums of `weighted` are not alpha x the FL sums of `plain` over the same units. */
function scaledProblems(weighted: Stats, plain: Stats, alpha: number, where: string): string[] {
  const problems: string[] = [];
  for (const [field, a, e] of [
    ['sumLoss', weighted.sumLoss, alpha * plain.sumFL],
    ['easy.sumLoss', weighted.easy.sumLoss, alpha * plain.easy.sumFL],
    ['hard.sumLoss', weighted.hard.sumLoss, alpha * plain.hard.sumFL],
  ] as const) {
    if (!closeEnough(a, e)) problems.push(`${where} ${field}: ${a}, expected ${e}`);
  }
  if (weighted.sumFL !== plain.sumFL) problems.push(`${where} sumFL changed with alpha`);
  if (weighted.sumCE !== plain.sumCE) problems.push(`${where} sumCE changed with alpha`);
  return problems;
}

function multiclassTable(seed: number, labels: number[], C: number) {
  const r = rng(seed);
  const logits = labels.map(() => Array.from({ length: C }, () => 8 * r() - 4));
  return table({ logits: vec(logits, fixedFloats(C, true)), label: vec(labels, types.i32()) });
}

describe.concurrent('evaluate with alpha', () => {
  const labels = Array.from({ length: 60 }, (_, i) => (i * 7) % 4);
  const mc = multiclassTable(1, labels, 4);

  it('weighs class c by alpha[c] with an alpha list (multiclass)', async ({ expect }) => {
    const alpha = [0.5, 2, 0, 1.25];
    const [weighted, plain] = await Promise.all([run(mc, { alpha }), run(mc, {})]);
    weighted.classes.forEach((c, i) => {
      expect(c.alpha).toBe(alpha[i]);
      expect(scaledProblems(c, plain.classes[i]!, alpha[i]!, `class ${i}`)).toEqual([]);
    });
    const total = plain.classes.reduce((s, c, i) => s + alpha[i]! * c.sumFL, 0);
    expect(closeEnough(weighted.total.sumLoss, total)).toBe(true);
  });

  it('weighs every class by a scalar alpha (multiclass)', async ({ expect }) => {
    const [weighted, plain] = await Promise.all([run(mc, { alpha: 0.3 }), run(mc, {})]);
    weighted.classes.forEach((c, i) => expect(scaledProblems(c, plain.classes[i]!, 0.3, `class ${i}`)).toEqual([]));
    expect(scaledProblems(weighted.total, plain.total, 0.3, 'total')).toEqual([]);
  });

  it('reports alpha 1 per class and sumLoss == sumFL with no alpha', async ({ expect }) => {
    const plain = await run(mc, {});
    for (const c of plain.classes) {
      expect(c.alpha).toBe(1);
      expect(c.sumLoss).toBe(c.sumFL);
    }
  });

  it('weighs class 1 by a and class 0 by 1 - a with a binary scalar alpha', async ({ expect }) => {
    const r = rng(2);
    const n = 50;
    const t = table({ prob: vec(Array.from({ length: n }, () => r()), types.f64()), label: vec(Array.from({ length: n }, (_, i) => i % 3 === 0), types.bool()) });
    const [weighted, plain] = await Promise.all([run(t, { alpha: 0.25 }), run(t, {})]);
    expect(weighted.classes.map((c) => c.alpha)).toEqual([0.75, 0.25]);
    expect(scaledProblems(weighted.classes[0]!, plain.classes[0]!, 0.75, 'class 0')).toEqual([]);
    expect(scaledProblems(weighted.classes[1]!, plain.classes[1]!, 0.25, 'class 1')).toEqual([]);
  });

  it('weighs classes 0 and 1 by the list with a binary alpha list', async ({ expect }) => {
    const t = table({ logit: vec([2, -1, 0.5, -3, 1], types.f32()), label: vec([1, 0, 0, 1, 1], types.i32()) });
    const [weighted, plain] = await Promise.all([run(t, { alpha: [0.9, 0.1] }), run(t, {})]);
    expect(scaledProblems(weighted.classes[0]!, plain.classes[0]!, 0.9, 'class 0')).toEqual([]);
    expect(scaledProblems(weighted.classes[1]!, plain.classes[1]!, 0.1, 'class 1')).toEqual([]);
  });

  it('weighs multilabel positives by a and negatives by 1 - a', async ({ expect }) => {
    const r = rng(3);
    const rows = 40;
    const t = table({
      logits: vec(Array.from({ length: rows }, () => [6 * r() - 3, 6 * r() - 3, 6 * r() - 3]), fixedFloats(3)),
      label: vec(Array.from({ length: rows }, () => [r() < 0.3, r() < 0.5, r() < 0.1]), fixedBools(3)),
    });
    const [weighted, plain] = await Promise.all([run(t, { alpha: 0.25 }), run(t, {})]);
    weighted.classes.forEach((c, i) => {
      expect(c.alpha).toBe(0.25);
      expect(scaledProblems(c.positive!, plain.classes[i]!.positive!, 0.25, `class ${i} positives`)).toEqual([]);
      expect(scaledProblems(c.negative!, plain.classes[i]!.negative!, 0.75, `class ${i} negatives`)).toEqual([]);
      const p = plain.classes[i]!;
      expect(closeEnough(c.sumLoss, 0.25 * p.positive!.sumFL + 0.75 * p.negative!.sumFL)).toBe(true);
    });
  });

  it('weighs every multilabel unit 1 with no alpha, negatives included', async ({ expect }) => {
    const t = table({
      probs: vec([[0.9, 0.2], [0.3, 0.6], [0.5, 0.1]], fixedFloats(2)),
      label: vec([[true, false], [false, true], [true, true]], fixedBools(2)),
    });
    const plain = await run(t, {});
    expect(plain.total.sumLoss).toBe(plain.total.sumFL);
    for (const c of plain.classes) {
      expect(c.alpha).toBe(1);
      expect(c.positive!.sumLoss).toBe(c.positive!.sumFL);
      expect(c.negative!.sumLoss).toBe(c.negative!.sumFL);
      expect(c.sumLoss).toBe(c.sumFL);
    }
  });

  it('weighs multilabel class c positives by alpha[c] and negatives by 1 - alpha[c] with a list', async ({ expect }) => {
    const t = table({
      probs: vec([[0.9, 0.2], [0.3, 0.6], [0.5, 0.1]], fixedFloats(2)),
      label: vec([[true, false], [false, true], [true, true]], fixedBools(2)),
    });
    const [weighted, plain] = await Promise.all([run(t, { alpha: [0.1, 0.8] }), run(t, {})]);
    expect(scaledProblems(weighted.classes[0]!.positive!, plain.classes[0]!.positive!, 0.1, 'class 0 positives')).toEqual([]);
    expect(scaledProblems(weighted.classes[0]!.negative!, plain.classes[0]!.negative!, 0.9, 'class 0 negatives')).toEqual([]);
    expect(scaledProblems(weighted.classes[1]!.positive!, plain.classes[1]!.positive!, 0.8, 'class 1 positives')).toEqual([]);
    expect(scaledProblems(weighted.classes[1]!.negative!, plain.classes[1]!.negative!, 0.2, 'class 1 negatives')).toEqual([]);
  });

  it('applies the chosen scheme\'s estimates under alpha "auto"', async ({ expect }) => {
    const [auto, plain] = await Promise.all([run(mc, { alpha: 'auto', alphaScheme: 'balanced' }), run(mc, {})]);
    const est = plain.alphaEstimates.balanced;
    auto.classes.forEach((c, i) => {
      expect(c.alpha).toBe(est[i]);
      expect(scaledProblems(c, plain.classes[i]!, est[i]!, `class ${i}`)).toEqual([]);
    });
  });

  it('gives an absent class alpha null under "auto", and a finite total', async ({ expect }) => {
    const t = multiclassTable(4, [0, 1, 1, 0, 1, 1, 0], 3);
    const report = await run(t, { alpha: 'auto' });
    expect(report.classes[2]).toMatchObject({ alpha: null, count: 0, sumLoss: 0, meanLoss: null });
    expectWeights(report.alphaEstimates.inverse, [4 / 7, 3 / 7, null]);
    expect(Number.isFinite(report.total.sumLoss)).toBe(true);
  });

  it('leaves the units of a multilabel class with no positives unweighted under "auto"', async ({ expect }) => {
    const t = table({
      logits: vec([[1, -2], [0.5, 2], [-1, 0.3], [2, -0.4]], fixedFloats(2)),
      label: vec([[true, false], [false, false], [true, false], [false, false]], fixedBools(2)),
    });
    const [auto, plain] = await Promise.all([run(t, { alpha: 'auto' }), run(t, {})]);
    const c1 = auto.classes[1]!;
    expect(c1.alpha).toBeNull();
    expect(c1.sumLoss).toBe(plain.classes[1]!.sumFL);
    expect(c1.negative!.sumLoss).toBe(plain.classes[1]!.negative!.sumFL);
    // class 0: 2 positives, 2 negatives: inverse alpha 1/2 on both
    expect(auto.classes[0]!.alpha).toBe(0.5);
    expect(scaledProblems(auto.classes[0]!.positive!, plain.classes[0]!.positive!, 0.5, 'class 0 positives')).toEqual([]);
  });

  it('echoes the alpha option as given', async ({ expect }) => {
    const report = await run(mc, { alpha: 'auto', alphaScheme: 'median' });
    expect(report.options).toMatchObject({ alpha: 'auto', alphaScheme: 'median' });
  });
});

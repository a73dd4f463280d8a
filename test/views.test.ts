/**
 * The report's views of its own sums: the normalisations (by hand, in float64 here), the alpha
 * conventions and effective-number betas (against direct formulas), and the alpha warning.
 */
import { describe, expect, it } from 'vitest';
import { alphaConventions, effectiveBetas } from '../src/alpha/conventions.ts';
import { evaluate } from '../src/evaluate.ts';
import { alphaWarnings } from '../src/report/warnings.ts';
import { fixedBools, fixedFloats, table, types, vec } from './support/arrow.ts';

const close = (a: number | null, b: number): void => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
};

describe('normalisation', () => {
  it('multiclass: per unit, per row, per positive (one a row) and the alpha-weighted mean, by hand', async () => {
    const probs = [
      [0.7, 0.2, 0.1],
      [0.1, 0.6, 0.3],
      [0.25, 0.25, 0.5],
      [0.9, 0.05, 0.05],
      [0.3, 0.3, 0.4],
    ];
    const labels = [0, 1, 2, 1, -100];
    const alpha = [0.2, 0.5, 1.5];
    const report = await evaluate(table({ probs: vec(probs, fixedFloats(3, true)), label: vec(labels, types.i32()) }), { threads: 1, alpha, gamma: 2 });
    let sumLoss = 0;
    let sumW = 0;
    for (let i = 0; i < 4; i++) {
      const pt = probs[i]![labels[i]!]!;
      sumLoss += alpha[labels[i]!]! * (1 - pt) ** 2 * -Math.log(pt);
      sumW += alpha[labels[i]!]!;
    }
    const n = report.normalisation;
    close(n.perUnit, sumLoss / 4);
    close(n.perRow, sumLoss / 4);
    close(n.perPositive, sumLoss / 4);
    close(n.alphaWeightedMean, sumLoss / sumW);
  });

  it('multilabel: per row over the scored rows, per positive over the positive targets', async () => {
    const pred = [
      [0.9, 0.2],
      [0.4, 0.1],
      [0.3, 0.8],
    ];
    const target = [
      [true, false],
      [false, false],
      [true, true],
    ];
    const a = 0.25;
    const report = await evaluate(table({ probs: vec(pred, fixedFloats(2, true)), label: vec(target, fixedBools(2)) }), { threads: 1, mode: 'multilabel', alpha: a });
    let sumLoss = 0;
    let sumW = 0;
    let positives = 0;
    for (let i = 0; i < 3; i++) {
      for (let c = 0; c < 2; c++) {
        const t = target[i]![c]!;
        const pt = t ? pred[i]![c]! : 1 - pred[i]![c]!;
        const w = t ? a : 1 - a;
        sumLoss += w * (1 - pt) ** 2 * -Math.log(pt);
        sumW += w;
        if (t) positives++;
      }
    }
    const n = report.normalisation;
    close(n.perUnit, sumLoss / 6);
    close(n.perRow, sumLoss / 3);
    close(n.perPositive, sumLoss / positives);
    close(n.alphaWeightedMean, sumLoss / sumW);
    expect(report.warnings).toHaveLength(1);
  });

  it('binary: per positive over the rows of label 1; no units gives nulls', async () => {
    const p = [0.8, 0.3, 0.6, 0.1];
    const y = [1, 0, 1, 0];
    const report = await evaluate(table({ prob: vec(p, types.f64()), label: vec(y, types.i32()) }), { threads: 1, gamma: 0 });
    const sum = p.reduce((s, v, i) => s - Math.log(y[i] ? v : 1 - v), 0);
    close(report.normalisation.perPositive, sum / 2);
    close(report.normalisation.alphaWeightedMean, sum / 4);
    const empty = await evaluate(table({ prob: vec([], types.f64()), label: vec([], types.i32()) }), { threads: 1 });
    expect(empty.normalisation).toEqual({ perUnit: null, perRow: null, perPositive: null, alphaWeightedMean: null });
    expect(empty.warnings).toEqual([]);
  });
});

describe('alpha conventions', () => {
  it('weight on positives is the one-vs-rest two-class estimate; per class the plain one', () => {
    const counts = [900, 90, 10];
    const conv = alphaConventions(counts, undefined, 0.999);
    // inverse: one-vs-rest weights (1/n, 1/(N - n)) normalised, alpha = (1/n) / (1/n + 1/(N - n)) = (N - n) / N.
    counts.forEach((n, c) => close(conv.inverse.weightOnPositives[c]!, (1000 - n) / 1000));
    const inv = counts.map((n) => 1 / n);
    const s = inv.reduce((a, b) => a + b, 0);
    counts.forEach((_, c) => close(conv.inverse.perClass[c]!, inv[c]! / s));
    // balanced one-vs-rest: N/(2n) against N/(2(N - n)): alpha = (N - n) / N as well.
    counts.forEach((n, c) => close(conv.balanced.weightOnPositives[c]!, (1000 - n) / 1000));
    // multilabel: negatives given; a class with no positives has no estimate.
    const ml = alphaConventions([10, 0], [90, 100], 0.999);
    close(ml['inverse-sqrt'].weightOnPositives[0]!, 1 / Math.sqrt(10) / (1 / Math.sqrt(10) + 1 / Math.sqrt(90)));
    expect(ml.inverse.weightOnPositives[1]).toBeNull();
  });

  it('effective-number betas: the weight ratio max/min of (1 - beta) / (1 - beta^n)', () => {
    const counts = [10000, 1000];
    const rows = effectiveBetas(counts);
    expect(rows.map((r) => r.beta)).toEqual([0.9, 0.99, 0.999, 0.9999]);
    for (const r of rows) {
      const w = counts.map((n) => (1 - r.beta) / (1 - r.beta ** n));
      close(r.ratio!, Math.max(...w) / Math.min(...w));
    }
    // The notes' figure: at beta 0.999, 1,000 against 10,000 units is a ratio of only ~1.58.
    expect(rows[2]!.ratio!).toBeCloseTo(1.5814, 4);
    expect(effectiveBetas([0, 0])[0]!.ratio).toBeNull();
  });
});

describe('alpha warning', () => {
  const names = ['neg', 'pos'];
  it('binary: 0.25 on a 1 % positive class warns, naming RetinaNet; 0.75 does not', () => {
    const [w] = alphaWarnings({ mode: 'binary', alpha: 0.25, classNames: names, positives: [99, 1] });
    expect(w).toContain('pos (positives 1.0% of its units, alpha 0.25)');
    expect(w).toContain('RetinaNet');
    expect(alphaWarnings({ mode: 'binary', alpha: 0.75, classNames: names, positives: [99, 1] })).toEqual([]);
    expect(alphaWarnings({ mode: 'binary', alpha: [0.9, 0.1], classNames: names, positives: [99, 1] })).toHaveLength(1);
    expect(alphaWarnings({ mode: 'binary', alpha: 'auto', classNames: names, positives: [99, 1] })).toEqual([]);
  });
  it('multiclass: a list that weighs the rarest class below the most frequent warns; a scalar never', () => {
    const three = ['a', 'b', 'c'];
    expect(alphaWarnings({ mode: 'multiclass', alpha: [1, 0.5, 0.2], classNames: three, positives: [80, 15, 5] })[0]).toContain('class c (5.0% of the units) weighs 0.2');
    expect(alphaWarnings({ mode: 'multiclass', alpha: [0.2, 0.5, 1], classNames: three, positives: [80, 15, 5] })).toEqual([]);
    expect(alphaWarnings({ mode: 'multiclass', alpha: 0.25, classNames: three, positives: [80, 15, 5] })).toEqual([]);
  });
  it('multilabel: per class, positives under half and alpha under 1/2', () => {
    const w = alphaWarnings({ mode: 'multilabel', alpha: [0.25, 0.8], classNames: names, positives: [1, 1], negatives: [99, 99] });
    expect(w[0]).toContain('neg (positives 1.0%');
    expect(w[0]).not.toContain('pos (');
  });
});

/**
 * The gamma sweep against float64 computed here, unit by unit: every entry's sums per class and in
 * total, gamma 0 as cross-entropy, the main gamma's entry as the main sums, FLSD-53 by its
 * definition; the same report for 1, 2 and 3 threads; a gamma list's errors.
 */
import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { UsageError } from '../src/errors.ts';
import { parseCommand } from '../src/cli/args.ts';
import { parseOptions } from '../src/options.ts';
import { fixedBools, fixedFloats, table, types, vec } from './support/arrow.ts';
import { rng } from './support/rng.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

/** A multiclass logits table of n rows over C classes in several batches (float64 values, so the reference sees the same numbers). */
function multiclass(n: number, C: number, seed: number) {
  const random = rng(seed);
  const logits: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    logits.push(Array.from({ length: C }, () => 6 * random() - 3));
    labels.push(Math.floor(random() * C));
  }
  const t = table({ logits: vec(logits, fixedFloats(C, true)), label: vec(labels, types.i32()) });
  const whole = t.batches[0]!;
  return { logits, labels, table: new Table([whole.slice(0, 100), whole.slice(100, 250), whole.slice(250)]) };
}

/** p_t of a softmax row at class y, in float64. */
function softmaxPt(z: number[], y: number): { pt: number; ce: number } {
  const m = Math.max(...z);
  const s = z.reduce((a, v) => a + Math.exp(v - m), 0);
  const ce = Math.log(s) - (z[y]! - m);
  return { pt: Math.exp(-ce), ce };
}

const flsd = (pt: number): number => (pt < 0.2 ? 5 : 3);

describe('gamma sweep', () => {
  it('multiclass logits: every entry per class and in total, FLSD-53 by its definition', async () => {
    const { logits, labels, table: t } = multiclass(400, 4, 7);
    const gammas = [2, 0, 0.5, 1, 5, 'FLSD-53'] as const;
    const alpha = [0.1, 0.2, 0.3, 0.4];
    const report = await evaluate(t, { threads: 1, gamma: [...gammas], alpha });
    expect(report.options.gamma).toBe(2);
    expect(report.options.gammas).toEqual([...gammas]);
    expect(report.sweep!.map((e) => e.gamma)).toEqual([...gammas]);
    gammas.forEach((gamma, s) => {
      const perClass = alpha.map(() => ({ fl: 0, easy: 0 }));
      let loss = 0;
      logits.forEach((z, i) => {
        const { pt, ce } = softmaxPt(z, labels[i]!);
        const g = gamma === 'FLSD-53' ? flsd(pt) : gamma;
        const fl = (1 - pt) ** g * ce;
        perClass[labels[i]!]!.fl += fl;
        if (pt >= 0.5) perClass[labels[i]!]!.easy += fl;
        loss += alpha[labels[i]!]! * fl;
      });
      const entry = report.sweep![s]!;
      const total = perClass.reduce((a, c) => a + c.fl, 0);
      expect(rel(entry.total.sumFL, total)).toBeLessThan(1e-9);
      expect(rel(entry.total.sumLoss, loss)).toBeLessThan(1e-9);
      expect(rel(entry.total.meanLoss!, loss / 400)).toBeLessThan(1e-9);
      expect(rel(entry.total.easyShareFL!, perClass.reduce((a, c) => a + c.easy, 0) / total)).toBeLessThan(1e-9);
      perClass.forEach((c, k) => {
        expect(rel(entry.classes[k]!.sumFL, c.fl)).toBeLessThan(1e-9);
        expect(rel(entry.classes[k]!.easyShareFL!, c.easy / c.fl)).toBeLessThan(1e-9);
      });
    });
    // gamma 0 is cross-entropy, and the main gamma's entry the main sums (the same units, summed easy and hard apart).
    expect(rel(report.sweep![1]!.total.sumFL, report.total.sumCE)).toBeLessThan(1e-13);
    expect(rel(report.sweep![0]!.total.sumFL, report.total.sumFL)).toBeLessThan(1e-13);
    expect(rel(report.sweep![0]!.total.sumLoss, report.total.sumLoss)).toBeLessThan(1e-13);
    report.classes.forEach((c, k) => expect(rel(report.sweep![0]!.classes[k]!.sumLoss, c.sumLoss)).toBeLessThan(1e-13));
    expect(report.sweep![0]!.total.easyShareFL).toBe(report.total.easyShareFL);
  });

  it('multilabel probabilities: a class is both of its groups, alpha on positives', async () => {
    const random = rng(11);
    const pred: number[][] = [];
    const target: boolean[][] = [];
    for (let i = 0; i < 120; i++) {
      pred.push([random(), random(), random()]);
      target.push([random() < 0.2, random() < 0.5, random() < 0.05]);
    }
    const a = 0.25;
    const report = await evaluate(table({ probs: vec(pred, fixedFloats(3, true)), label: vec(target, fixedBools(3)) }), {
      threads: 1,
      mode: 'multilabel',
      alpha: a,
      gamma: [0.5, 'FLSD-53'],
    });
    [0.5, 'FLSD-53'].forEach((gamma, s) => {
      const loss = [0, 0, 0];
      pred.forEach((row, i) =>
        row.forEach((p, c) => {
          const t = target[i]![c]!;
          const pt = Math.min(Math.max(t ? p : 1 - p, 1e-7), 1 - 1e-7);
          const g = gamma === 'FLSD-53' ? flsd(pt) : (gamma as number);
          loss[c]! += (t ? a : 1 - a) * (1 - pt) ** g * -Math.log(pt);
        }),
      );
      loss.forEach((l, c) => expect(rel(report.sweep![s]!.classes[c]!.sumLoss, l)).toBeLessThan(1e-9));
    });
  });

  it('gives the same report on 1, 2 and 3 threads', async () => {
    const { table: t } = multiclass(300, 3, 5);
    const runs = await Promise.all([1, 2, 3].map((threads) => evaluate(t, { threads, gamma: [2, 0, 'FLSD-53'] })));
    const texts = runs.map((r) => JSON.stringify(r));
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
  });

  it('reads --gamma 0,0.5,FLSD-53 as a gamma list', () => {
    expect(parseCommand(['score', 'x.arrow', '--gamma', '0, 0.5,FLSD-53']).options.gamma).toEqual([0, 0.5, 'FLSD-53']);
    expect(parseCommand(['score', 'x.arrow', '-g', '3']).options.gamma).toBe(3);
    expect(() => parseCommand(['score', 'x.arrow', '--gamma', '1,two'])).toThrow(/--gamma: "two" is not a number/);
  });

  it('takes one number as no sweep; refuses a list without a number and a bad entry', () => {
    expect(parseOptions({ gamma: [3] })).toMatchObject({ gamma: 3 });
    expect(parseOptions({ gamma: [3] }).gammas).toBeUndefined();
    expect(parseOptions({ gamma: ['FLSD-53', 1] })).toMatchObject({ gamma: 1, gammas: ['FLSD-53', 1] });
    expect(() => parseOptions({ gamma: ['FLSD-53'] })).toThrow(UsageError);
    expect(() => parseOptions({ gamma: [1, -2] })).toThrow(/gammas/);
    expect(() => parseOptions({ gamma: [1, 'FLSD-5'] })).toThrow(UsageError);
  });
});

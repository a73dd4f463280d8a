/**
 * The loss concentration against a sort of the units in float64: every share within the report's
 * maxError of the exact one (the hardest x N units by p_t, a fractional last unit counted in part);
 * the same report on 1 and 3 threads.
 */
import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { fixedFloats, table, types, vec } from './support/arrow.ts';
import { rng } from './support/rng.ts';

interface Unit {
  pt: number;
  ce: number;
  fl: number;
  y: number;
}

function data(n: number, C: number, seed: number) {
  const random = rng(seed);
  const logits: number[][] = [];
  const labels: number[] = [];
  const units: Unit[] = [];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(random() * C);
    // Mostly confident and right, some hard: a spread of p_t like a detector's.
    const z = Array.from({ length: C }, (_, k) => (k === y ? 4 * random() : 0) + 3 * random() - 1.5);
    logits.push(z);
    labels.push(y);
    const m = Math.max(...z);
    const ce = Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0)) - (z[y]! - m);
    const pt = Math.exp(-ce);
    units.push({ pt, ce, fl: (1 - pt) ** 2 * ce, y });
  }
  const whole = table({ logits: vec(logits, fixedFloats(C, true)), label: vec(labels, types.i32()) }).batches[0]!;
  return { units, table: new Table([whole.slice(0, 700), whole.slice(700)]) };
}

/** The exact share of `key` on the hardest x of `units` (lowest p_t first). */
function exactShare(units: readonly Unit[], key: 'ce' | 'fl', x: number): number {
  const sorted = [...units].sort((a, b) => a.pt - b.pt);
  const S = sorted.reduce((a, u) => a + u[key], 0);
  const cut = x * sorted.length;
  let sum = 0;
  for (let i = 0; i < sorted.length && i < cut; i++) sum += sorted[i]![key] * Math.min(1, cut - i);
  return sum / S;
}

describe('loss concentration', () => {
  it('every share within maxError of a float64 sort, per class and total, and the curve', async () => {
    const { units, table: t } = data(2000, 3, 3);
    const report = await evaluate(t, { threads: 1, concentrationBins: 1024 });
    const c = report.concentration!;
    expect(c.bins).toBe(1024);
    expect(c.fractions).toEqual([0.01, 0.05, 0.1, 0.2, 0.5]);
    expect(c.maxError).toBeGreaterThan(0);
    expect(c.maxError).toBeLessThan(0.05);
    const check = (got: number[], set: readonly Unit[], key: 'ce' | 'fl', xs: readonly number[]) =>
      xs.forEach((x, i) => expect(Math.abs(got[i]! - exactShare(set, key, x))).toBeLessThanOrEqual(c.maxError + 1e-12));
    check(c.total.ce, units, 'ce', c.fractions);
    check(c.total.fl, units, 'fl', c.fractions);
    c.classes.forEach((k) => {
      const set = units.filter((u) => u.y === k.index);
      check(k.ce, set, 'ce', c.fractions);
      check(k.fl, set, 'fl', c.fractions);
    });
    expect(c.curve.x).toHaveLength(101);
    check(c.curve.ce, units, 'ce', c.curve.x);
    check(c.curve.fl, units, 'fl', c.curve.x);
    expect(c.curve.fl[0]).toBe(0);
    expect(c.curve.fl[100]).toBe(1);
    // Focal loss is more concentrated on the hard units than CE: RetinaNet's Fig. 4.
    expect(c.total.fl[2]!).toBeGreaterThan(c.total.ce[2]!);
  });

  it('coarse bins have a larger bound, and the estimate stays within it', async () => {
    const { units, table: t } = data(2000, 3, 9);
    const report = await evaluate(t, { threads: 1, concentrationBins: 8 });
    const c = report.concentration!;
    expect(c.maxError).toBeGreaterThan(0.05);
    c.fractions.forEach((x, i) => expect(Math.abs(c.total.fl[i]! - exactShare(units, 'fl', x))).toBeLessThanOrEqual(c.maxError + 1e-12));
    expect(report.options.concentrationBins).toBe(8);
  });

  it('gives the same report on 1 and 3 threads; absent without concentrationBins', async () => {
    const { table: t } = data(1500, 4, 4);
    const [one, three, none] = await Promise.all([
      evaluate(t, { threads: 1, concentrationBins: 256, gamma: [2, 0] }),
      evaluate(t, { threads: 3, concentrationBins: 256, gamma: [2, 0] }),
      evaluate(t, { threads: 1 }),
    ]);
    expect(JSON.stringify(three)).toBe(JSON.stringify(one));
    expect(none.concentration).toBeUndefined();
    expect(none.options.concentrationBins).toBeUndefined();
  });
});

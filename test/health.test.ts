/**
 * The numerical-health block against float64 computed here, unit by unit, from the very values
 * the table holds (Float32, so that the wasm path scores them): units clamped low (CE at the cap)
 * and high, the CE they carry and its share of sum CE, saturated logits (multiclass: rows with any
 * |z_k| > 30), per class and in total, for every mode x input; the same report for 1, 2 and 3
 * threads; the clamp warning where clamped units carry 1% of sum CE or more, and only there; the
 * table's health line and the warning on stderr as a user sees them.
 */
import { writeFileSync } from 'node:fs';
import { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import type { Report } from '../src/report/schema.ts';
import { CLAMP_WARNING_SHARE } from '../src/report/warnings.ts';
import { cli, requireBuild } from './support/cli.ts';
import { fixedBools, fixedFloats, ipc, table, types, vec } from './support/arrow.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';

type Mode = 'binary' | 'multiclass' | 'multilabel';
type Input = 'probs' | 'logits';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(1e-300, Math.abs(b)));

/** A probability: uniform, or at or past either clamp bound, or one of the extremes. */
function prob(u: () => number, eps: number): number {
  const r = u();
  if (r < 0.05) return [0, 1, eps, 1 - eps, eps / 2, 1 - eps / 2, 1e-30, 1e-45][Math.floor(u() * 8)]!;
  if (r < 0.15) return u() * 3 * eps;
  if (r < 0.25) return 1 - u() * 3 * eps;
  return u();
}

/** A logit: normal at scale 8, or on, past or far past +-30. */
function logit(u: () => number): number {
  const r = u();
  if (r < 0.1) return [30, -30, 30.5, -30.5, 29.99, -29.99, 1000, -1000, 88, -88][Math.floor(u() * 10)]!;
  return 8 * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

interface Data {
  table: Table;
  /** Rows of prediction values as the table holds them (Float32, read back as float64). */
  values: number[][];
  /** Binary/multiclass: the label; multilabel: unused. */
  labels: number[];
  /** Multilabel: the targets. */
  targets: number[][];
}

/** n rows over C classes (binary: one value a row) in three batches. */
function dataOf(mode: Mode, input: Input, n: number, C: number, seed: number, eps: number): Data {
  const u = rng(seed);
  const width = mode === 'binary' ? 1 : C;
  const value = (): number => Math.fround(input === 'probs' ? prob(u, eps) : logit(u));
  const values = Array.from({ length: n }, () => Array.from({ length: width }, value));
  const labels = values.map(() => Math.floor(u() * (mode === 'binary' ? 2 : C)));
  const targets = values.map(() => Array.from({ length: C }, () => (u() < 0.3 ? 1 : 0)));
  const name = input === 'probs' ? 'probs' : 'logits';
  const pred = mode === 'binary' ? vec(values.map((v) => v[0]), types.f32()) : vec(values, fixedFloats(C));
  const t =
    mode === 'multilabel'
      ? table({ [name]: pred, label: vec(targets.map((r) => r.map((x) => x === 1)), fixedBools(C)) })
      : table({ [name]: pred, label: vec(labels, types.i32()) });
  const whole = t.batches[0]!;
  const a = Math.floor(n / 3);
  return { table: new Table([whole.slice(0, a), whole.slice(a, 2 * a), whole.slice(2 * a)]), values, labels, targets };
}

interface Expected {
  clamped: number;
  capped: number;
  saturated: number;
  clampedCE: number;
  sumCE: number;
}

const zero = (): Expected => ({ clamped: 0, capped: 0, saturated: 0, clampedCE: 0, sumCE: 0 });

/** The health counts per class, unit by unit, the spec's way (clamp, -log; log-sum-exp; softplus). */
function expected(mode: Mode, input: Input, d: Data, C: number, eps: number): Expected[] {
  const per = Array.from({ length: mode === 'binary' ? 2 : C }, zero);
  const add = (cls: number, raw: number | null, ce: number, saturated: boolean): void => {
    const e = per[cls]!;
    e.sumCE += ce;
    if (saturated) e.saturated += 1;
    if (raw !== null && (raw < eps || raw > 1 - eps)) {
      e.clamped += 1;
      e.clampedCE += ce;
      if (raw < eps) e.capped += 1;
    }
  };
  const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const clampCE = (raw: number): number => -Math.log(Math.min(Math.max(raw, eps), 1 - eps));
  d.values.forEach((row, i) => {
    if (mode === 'multilabel') {
      row.forEach((v, c) => {
        const t = d.targets[i]![c]!;
        if (input === 'probs') add(c, t ? v : 1 - v, clampCE(t ? v : 1 - v), false);
        else add(c, null, t ? softplus(-v) : softplus(v), Math.abs(v) > 30);
      });
      return;
    }
    const y = d.labels[i]!;
    if (mode === 'binary') {
      const v = row[0]!;
      if (input === 'probs') add(y, y ? v : 1 - v, clampCE(y ? v : 1 - v), false);
      else add(y, null, y ? softplus(-v) : softplus(v), Math.abs(v) > 30);
      return;
    }
    if (input === 'probs') add(y, row[y]!, clampCE(row[y]!), false);
    else {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
      add(y, null, lse - row[y]!, row.some((z) => Math.abs(z) > 30));
    }
  });
  return per;
}

function expectHealth(report: Report, per: Expected[], input: Input): void {
  const sum = (f: (e: Expected) => number): number => per.reduce((s, e) => s + f(e), 0);
  const total: Expected = { clamped: sum((e) => e.clamped), capped: sum((e) => e.capped), saturated: sum((e) => e.saturated), clampedCE: sum((e) => e.clampedCE), sumCE: sum((e) => e.sumCE) };
  const check = (got: Report['health']['total'], e: Expected, where: string): void => {
    expect([got.clampedUnits, got.cappedCE, got.saturatedLogits], `${where} counts`).toEqual([e.clamped, e.capped, e.saturated]);
    expect(rel(got.clampedCE, e.clampedCE), `${where} clampedCE ${got.clampedCE} vs ${e.clampedCE}`).toBeLessThan(1e-9);
    expect(rel(got.clampedShareCE!, e.clampedCE / e.sumCE), `${where} share`).toBeLessThan(1e-9);
  };
  check(report.health.total, total, 'total');
  per.forEach((e, c) => check(report.health.classes[c]!, e, `class ${c}`));
  if (input === 'logits') expect(total.clamped).toBe(0);
  else expect(total.saturated).toBe(0);
}

const CASES: [Mode, Input][] = [
  ['binary', 'probs'],
  ['binary', 'logits'],
  ['multiclass', 'probs'],
  ['multiclass', 'logits'],
  ['multilabel', 'probs'],
  ['multilabel', 'logits'],
];

describe('health: against float64 unit by unit', () => {
  for (const [mode, input] of CASES) {
    for (const eps of input === 'probs' ? [1e-7, 0.01] : [1e-7]) {
      it(`${mode} ${input}${input === 'probs' ? `, epsilon ${eps}` : ''}: random rows with values at and past the bounds`, async () => {
        const C = mode === 'binary' ? 2 : 5;
        const d = dataOf(mode, input, 1500, C, 11 + C, eps);
        const report = await evaluate(d.table, { threads: 2, epsilon: eps });
        const per = expected(mode, input, d, C, eps);
        expectHealth(report, per, input);
        // The data does hit every counter its input has.
        if (input === 'probs') expect([report.health.total.cappedCE > 0, report.health.total.clampedUnits > report.health.total.cappedCE]).toEqual([true, true]);
        else expect(report.health.total.saturatedLogits).toBeGreaterThan(0);
        expect(report.health.capCE).toBe(input === 'probs' ? -Math.log(eps) : null);
      });
    }
  }

  it('binary probabilities by hand: 0 and 1 on either label, the bounds themselves, just inside', async () => {
    const eps = 0.25; // exact in float32, so the bounds are hit exactly
    const p = [0, 1, 0.25, 0.75, 0.2, 0.8, 0.5, 1, 0];
    const y = [1, 1, 1, 1, 0, 0, 1, 0, 0];
    const report = await evaluate(table({ probs: vec(p, types.f32()), label: vec(y, types.i32()) }), { threads: 1, epsilon: eps });
    // label 1: p 0 (low), 1 (high), 0.25 (= eps: not clamped), 0.75 (= 1 - eps: not clamped), 0.5
    // label 0: 1 - p = 0.8 (high), 0.2 (low), 0 (low), 1 (high)
    expect(report.health.classes.map((c) => [c.clampedUnits, c.cappedCE])).toEqual([
      [4, 2],
      [2, 1],
    ]);
    const cap = -Math.log(0.25);
    const high = -Math.log(0.75);
    expect(report.health.total.clampedCE).toBeCloseTo(3 * cap + 3 * high, 12);
  });

  it('multiclass logits by hand: a row counts once, whichever of its logits is past 30, and 30 itself is not', async () => {
    const rows = [
      [0, 1, 2],
      [30, 0, -30],
      [31, 0, 0],
      [0, -31, 0],
      [40, -40, 35],
    ];
    const report = await evaluate(table({ logits: vec(rows, fixedFloats(3)), label: vec([0, 0, 1, 2, 2], types.i32()) }), { threads: 1 });
    expect(report.health.classes.map((c) => c.saturatedLogits)).toEqual([0, 1, 2]);
    expect(report.health.total).toMatchObject({ saturatedLogits: 3, clampedUnits: 0, clampedCE: 0, clampedShareCE: 0 });
  });

  it('no units: null shares', async () => {
    const report = await evaluate(table({ probs: vec([0.5], types.f32()), label: vec([-100], types.i32()) }), { threads: 1 });
    expect(report.health.total).toEqual({ clampedUnits: 0, cappedCE: 0, saturatedLogits: 0, clampedCE: 0, clampedShareCE: null });
  });
});

describe('health: one pass, merged exactly', () => {
  for (const [mode, input] of [['multiclass', 'probs'], ['multilabel', 'logits'], ['binary', 'probs']] as [Mode, Input][]) {
    it(`${mode} ${input}: the same report on 1, 2 and 3 threads`, async () => {
      const d = dataOf(mode, input, 900, 4, 3, 1e-7);
      const runs = await Promise.all([1, 2, 3].map((threads) => evaluate(d.table, { threads })));
      const texts = runs.map((r) => JSON.stringify(r));
      expect(texts[1]).toBe(texts[0]);
      expect(texts[2]).toBe(texts[0]);
      expect(runs[0]!.health.total.clampedUnits + runs[0]!.health.total.saturatedLogits).toBeGreaterThan(0);
    });
  }
});

/** Binary probabilities: `easy` rows at p = 0.5 on label 1 (CE ln 2 each) and `clamped` at p = 0 on label 1 (CE at the cap). */
function halves(easy: number, clamped: number): Table {
  const p = [...new Array<number>(easy).fill(0.5), ...new Array<number>(clamped).fill(0)];
  return table({ probs: vec(p, types.f32()), label: vec(p.map(() => 1), types.i32()) });
}

describe('health: the clamp warning', () => {
  const clampWarning = (r: Report): string[] => r.warnings.filter((w) => w.startsWith('probabilities clamped'));

  it('appears from 1% of sum CE on clamped units, saying logits would be exact', async () => {
    // One unit at the cap (16.12) against 2200 at ln 2: 1.05% of sum CE.
    const report = await evaluate(halves(2200, 1), { threads: 1 });
    expect(report.health.total.clampedShareCE).toBeGreaterThanOrEqual(CLAMP_WARNING_SHARE);
    const [warning, ...rest] = clampWarning(report);
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^probabilities clamped at epsilon 1e-7 carry 1\.0% of sum CE: 1 unit below epsilon, each with CE at the cap -ln\(epsilon\) = 16\.12 /);
    expect(warning).toMatch(/Logits would be exact/);
  });

  it('does not appear below 1%, nor without clamped units, nor for logits', async () => {
    // 2400 units at ln 2: 0.96%.
    const below = await evaluate(halves(2400, 1), { threads: 1 });
    expect(below.health.total.clampedShareCE).toBeLessThan(CLAMP_WARNING_SHARE);
    expect(clampWarning(below)).toEqual([]);
    expect(clampWarning(await evaluate(halves(100, 0), { threads: 1 }))).toEqual([]);
    const logits = table({ logits: vec([-40, -40, 0.5], types.f32()), label: vec([1, 1, 1], types.i32()) });
    const report = await evaluate(logits, { threads: 1 });
    expect(report.health.total.saturatedLogits).toBe(2);
    expect(clampWarning(report)).toEqual([]);
  });
});

describe('health: on the command line', () => {
  it('prints the health line in the table and the warning on stderr', async () => {
    requireBuild();
    const file = tmp.path('clamped.arrow');
    writeFileSync(file, ipc(halves(200, 3)));
    const run = await cli(['score', file, '--format', 'table', '--threads', '1']);
    expect(run.code).toBe(0);
    const out = run.stdout.toString('utf8');
    expect(out).toMatch(/^numerical health: 3 units clamped at epsilon 1e-7 \(3 with CE at the cap 16\.12\), 25\.9% of sum CE$/m);
    expect(run.stderr).toMatch(/^warning: probabilities clamped at epsilon 1e-7 carry 25\.9% of sum CE: 3 units below epsilon/m);
  });
});

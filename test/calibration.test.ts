/**
 * Calibration (ECE and reliability bins) and the K hardest units, against a direct float64
 * computation in this file: every entry binned by hand, every unit's loss computed by the test's
 * reference and fully sorted. Also: the report is the same for 1, 2 and 3 threads, and the same
 * through partial files merged shard by shard; ties of the hardest units go by row, then class.
 */
import { Table, type RecordBatch } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import type { OptionsInput } from '../src/options.ts';
import { decodePartial, encodePartial } from '../src/partial/file.ts';
import { mergePartials, partialReport } from '../src/partial/merge.ts';
import { scorePartial } from '../src/partial/score.ts';
import type { Report } from '../src/report/schema.ts';
import { batchOf, fixedFloats, fixedInt8, ipc, types, vec } from './support/arrow.ts';
import { refBinaryUnit, refMulticlassUnit } from './support/reference.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';
import { closeEnough } from './support/tolerance.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

type Mode = 'binary' | 'multiclass' | 'multilabel';
type Input = 'probs' | 'logits';

/** A generated dump: its rows as plain numbers (null label: ignored) and its batches. */
interface Dump {
  mode: Mode;
  input: Input;
  C: number;
  preds: number[][];
  labels: (number | null)[];
  targets: number[][];
  batches: RecordBatch[];
}

/** Rows of random predictions, cut into batches of `sizes`; every 17th row ignored, rows 5 and 6 equal (a tie). */
function makeDump(mode: Mode, input: Input, C: number, sizes: number[], seed: number): Dump {
  const r = rng(seed);
  const n = sizes.reduce((a, b) => a + b, 0);
  const width = mode === 'binary' ? 1 : C;
  const preds: number[][] = [];
  const labels: (number | null)[] = [];
  const targets: number[][] = [];
  for (let i = 0; i < n; i++) {
    let row = Array.from({ length: width }, () => (input === 'logits' ? 8 * r() - 4 : r()));
    if (mode === 'multiclass' && input === 'probs') {
      const s = row.reduce((a, b) => a + b, 0);
      row = row.map((v) => v / s);
    }
    preds.push(row);
    const y = Math.floor(r() * C);
    labels.push(i % 17 === 3 ? null : mode === 'binary' ? y % 2 : y);
    targets.push(Array.from({ length: C }, () => (r() < 0.3 ? 1 : 0)));
  }
  // A tie: row 6 is row 5 again.
  preds[6] = [...preds[5]!];
  labels[6] = labels[5]!;
  targets[6] = [...targets[5]!];
  const batches: RecordBatch[] = [];
  let at = 0;
  for (const size of sizes) {
    const rows = Array.from({ length: size }, (_, j) => at + j);
    const predName = input === 'logits' ? 'logits' : 'probs';
    const pred = mode === 'binary' ? vec(rows.map((i) => preds[i]![0]), types.f64()) : vec(rows.map((i) => preds[i]), fixedFloats(C, true));
    const label =
      mode === 'multilabel'
        ? vec(rows.map((i) => (labels[i] === null ? null : targets[i])), fixedInt8(C))
        : vec(rows.map((i) => labels[i]), types.i32());
    batches.push(batchOf({ [predName]: pred, label }));
    at += size;
  }
  return { mode, input, C, preds, labels, targets, batches };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The probabilities of a row, as the report reads them: softmax / sigmoid of logits. */
function probsOf(d: Dump, i: number): number[] {
  const v = d.preds[i]!;
  if (d.input === 'probs') return d.mode === 'binary' ? [1 - v[0]!, v[0]!] : v;
  if (d.mode === 'binary') return [sigmoid(-v[0]!), sigmoid(v[0]!)];
  if (d.mode === 'multilabel') return v.map(sigmoid);
  const m = Math.max(...v);
  const e = v.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** ECE of (confidence, right) entries over B equal bins, the textbook way: sum_b (n_b / N) |acc_b - conf_b|. */
function refEce(entries: [number, boolean][], B: number): { ece: number | null; counts: number[] } {
  const n = new Array<number>(B).fill(0);
  const conf = new Array<number>(B).fill(0);
  const acc = new Array<number>(B).fill(0);
  for (const [p, right] of entries) {
    const b = Math.min(Math.floor(p * B), B - 1);
    n[b]! += 1;
    conf[b]! += p;
    if (right) acc[b]! += 1;
  }
  const N = entries.length;
  if (N === 0) return { ece: null, counts: n };
  let ece = 0;
  for (let b = 0; b < B; b++) if (n[b]! > 0) ece += (n[b]! / N) * Math.abs(acc[b]! / n[b]! - conf[b]! / n[b]!);
  return { ece, counts: n };
}

/** The headline entries and each class's entries of a dump. */
function refEntries(d: Dump): { main: [number, boolean][]; classes: [number, boolean][][] } {
  const main: [number, boolean][] = [];
  const classes: [number, boolean][][] = Array.from({ length: d.C }, () => []);
  d.preds.forEach((_, i) => {
    const y = d.labels[i]!;
    if (y === null) return;
    const p = probsOf(d, i);
    if (d.mode === 'multilabel') {
      p.forEach((pk, k) => {
        main.push([pk, d.targets[i]![k] === 1]);
        classes[k]!.push([pk, d.targets[i]![k] === 1]);
      });
      return;
    }
    p.forEach((pk, k) => classes[k]!.push([pk, k === y]));
    if (d.mode === 'binary') main.push([p[1]!, y === 1]);
    else {
      const a = p.indexOf(Math.max(...p)); // the first of equal maxima
      main.push([p[a]!, a === y]);
    }
  });
  return { main, classes };
}

/** Every unit's (row, class, pt, loss) by the reference, fully sorted: loss desc, then row, then class. */
function refHardest(d: Dump, gamma: number, weightOf: (cls: number, target: number) => number, k: number) {
  const units: { row: number; cls: number; pt: number; loss: number }[] = [];
  const params = { gamma, epsilon: 1e-7 };
  d.preds.forEach((v, i) => {
    const y = d.labels[i]!;
    if (y === null) return;
    if (d.mode === 'multilabel') {
      v.forEach((z, c) => {
        const t = d.targets[i]![c]!;
        const u = refBinaryUnit(z, t, d.input, params);
        units.push({ row: i, cls: c, pt: u.pt, loss: weightOf(c, t) * u.fl });
      });
    } else {
      const u = d.mode === 'binary' ? refBinaryUnit(v[0]!, y, d.input, params) : refMulticlassUnit(v, y, d.input, params);
      units.push({ row: i, cls: y, pt: u.pt, loss: weightOf(y, 1) * u.fl });
    }
  });
  units.sort((a, b) => b.loss - a.loss || a.row - b.row || a.cls - b.cls);
  return units.slice(0, k);
}

const CASES: { mode: Mode; input: Input; C: number }[] = [
  { mode: 'binary', input: 'probs', C: 2 },
  { mode: 'binary', input: 'logits', C: 2 },
  { mode: 'multiclass', input: 'probs', C: 4 },
  { mode: 'multiclass', input: 'logits', C: 5 },
  { mode: 'multilabel', input: 'probs', C: 3 },
  { mode: 'multilabel', input: 'logits', C: 3 },
];

const SIZES = [40, 0, 75, 33];

function expectClose(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) expect(actual, what).toBeNull();
  else expect(closeEnough(actual!, expected), `${what}: ${actual} vs ${expected}`).toBe(true);
}

describe('calibration', () => {
  for (const { mode, input, C } of CASES) {
    it(`${mode} ${input}: ECE and bins as computed directly, overall and per class`, async () => {
      const d = makeDump(mode, input, C, SIZES, 11 + C);
      const B = 7;
      const report = await evaluate(new Table(d.batches), { calibration: true, calibrationBins: B, threads: 1 });
      const cal = report.calibration!;
      expect(cal.kind).toBe(mode === 'multiclass' ? 'top-label' : mode);
      expect(cal.bins).toBe(B);
      const ref = refEntries(d);
      const main = refEce(ref.main, B);
      expectClose(cal.ece, main.ece, 'ece');
      expect(cal.reliability.map((b) => b.count)).toEqual(main.counts);
      expect(cal.reliability[0]!.lower).toBe(0);
      expect(cal.reliability[B - 1]!.upper).toBe(1);
      const perClass = ref.classes.map((entries) => refEce(entries, B).ece!);
      cal.classwise!.classes.forEach((c, k) => {
        expectClose(c.ece, perClass[k]!, `class ${k}`);
        expect(c.reliability.reduce((a, b) => a + b.count, 0)).toBe(ref.classes[k]!.length);
      });
      expectClose(cal.classwise!.ece, perClass.reduce((a, b) => a + b, 0) / C, 'classwise ece');
    });
  }

  it('a perfectly calibrated bin has no error, and a confident wrong row costs its confidence', async () => {
    // Binary probabilities 0.25 (bin 1 of 4) with 1 positive in 4, and one row at 0.9 labelled 0.
    const p = [0.25, 0.25, 0.25, 0.25, 0.9];
    const y = [1, 0, 0, 0, 0];
    const report = await evaluate(new Table([batchOf({ prob: vec(p, types.f64()), label: vec(y, types.i32()) })]), {
      calibration: true,
      calibrationBins: 4,
      threads: 1,
    });
    const cal = report.calibration!;
    // Bin 1: accuracy 1/4 = confidence 0.25; bin 3: accuracy 0, confidence 0.9: ECE = (1/5) 0.9.
    expect(cal.reliability[1]).toEqual({ lower: 0.25, upper: 0.5, count: 4, meanConfidence: 0.25, accuracy: 0.25 });
    expect(cal.reliability[3]!.count).toBe(1);
    expect(cal.ece).toBeCloseTo(0.18, 15);
  });

  it('is absent unless asked, and a stage refuses it', async () => {
    const d = makeDump('multiclass', 'probs', 3, [20], 3);
    const report = await evaluate(new Table(d.batches), { threads: 1 });
    expect(report.calibration).toBeUndefined();
    expect(report.hardest).toBeUndefined();
    const { focalStage } = await import('../src/stage/stage.ts');
    expect(() => focalStage({ calibration: true })).toThrow(/calibration: not computed by the per-row stage/);
  });
});

describe('hardest units', () => {
  const alphas: { name: string; alpha: OptionsInput['alpha']; weight: (mode: Mode) => (cls: number, t: number) => number }[] = [
    { name: 'no alpha', alpha: null, weight: () => () => 1 },
    {
      name: 'alpha 0.25',
      alpha: 0.25,
      weight: (mode) => (cls, t) => (mode === 'multilabel' ? (t === 1 ? 0.25 : 0.75) : mode === 'binary' && cls === 0 ? 0.75 : 0.25),
    },
  ];
  for (const { mode, input, C } of CASES) {
    for (const { name, alpha, weight } of alphas) {
      it(`${mode} ${input}, ${name}: the K hardest of a full sort, rows counted across batches`, async () => {
        const d = makeDump(mode, input, C, SIZES, 5 + C);
        const K = 9;
        const report = await evaluate(new Table(d.batches), { top: K, alpha, threads: 1 });
        const ref = refHardest(d, 2, weight(mode), K);
        expect(report.hardest!.map((u) => [u.row, u.class])).toEqual(ref.map((u) => [u.row, u.cls]));
        report.hardest!.forEach((u, i) => {
          expectClose(u.loss, ref[i]!.loss, `loss ${i}`);
          expectClose(u.pt, ref[i]!.pt, `pt ${i}`);
          expect(u.className).toBe(report.classes[u.class]!.name);
        });
      });
    }
  }

  it('under alpha auto, ranks by the weights of the whole run', async () => {
    const d = makeDump('multiclass', 'logits', 4, SIZES, 21);
    const report = await evaluate(new Table(d.batches), { top: 12, alpha: 'auto', threads: 1 });
    const w = report.classes.map((c) => c.alpha!);
    const ref = refHardest(d, 2, (cls) => w[cls]!, 12);
    expect(report.hardest!.map((u) => [u.row, u.class])).toEqual(ref.map((u) => [u.row, u.cls]));
  });

  it('ties go by row, then class', async () => {
    // Row 2 is the hardest (p_t 0.1); then four identical rows of equal loss, in input order; in
    // multilabel two equal classes of one row come in class order.
    const probs = [
      [0.2, 0.8],
      [0.2, 0.8],
      [0.9, 0.1],
      [0.2, 0.8],
      [0.2, 0.8],
    ];
    const mc = await evaluate(new Table([batchOf({ probs: vec(probs, fixedFloats(2, true)), label: vec([0, 0, 1, 0, 0], types.i32()) })]), {
      top: 4,
      threads: 1,
    });
    expect(mc.hardest!.map((u) => u.row)).toEqual([2, 0, 1, 3]);
    const ml = await evaluate(
      new Table([batchOf({ probs: vec([[0.3, 0.3, 0.9]], fixedFloats(3, true)), label: vec([[1, 1, 0]], fixedInt8(3)) })]),
      { top: 3, threads: 1 },
    );
    expect(ml.hardest!.map((u) => u.class)).toEqual([2, 0, 1]);
  });

  it('skipped invalid rows are left out and keep their place in the row count', async () => {
    const probs = [[0.5, 0.5], [Number.NaN, 0.5], [0.99, 0.01], [0.4, 0.6]];
    const report = await evaluate(new Table([batchOf({ probs: vec(probs, fixedFloats(2, true)), label: vec([0, 0, 1, 0], types.i32()) })]), {
      top: 10,
      onInvalid: 'skip',
      calibration: true,
      threads: 1,
    });
    expect(report.hardest!.map((u) => u.row)).toEqual([2, 3, 0]);
    expect(report.calibration!.reliability.reduce((a, b) => a + b.count, 0)).toBe(3);
  });
});

describe('threads and partial files', () => {
  const options: OptionsInput = { calibration: true, calibrationBins: 10, top: 15 };

  for (const { mode, input, C } of [CASES[1]!, CASES[3]!, CASES[4]!]) {
    it(`${mode} ${input}: 1, 2 and 3 threads, and shards merged through partial files, give one report`, async () => {
      const d = makeDump(mode, input, C, [30, 50, 0, 41, 64, 7], 31 + C);
      const file = tmp.write(`${mode}-${input}.arrow`, ipc(new Table(d.batches)));
      const reports: Report[] = [];
      for (const threads of [1, 2, 3]) reports.push(await evaluate(file, { ...options, threads }));
      expect(JSON.stringify(reports[1])).toBe(JSON.stringify(reports[0]));
      expect(JSON.stringify(reports[2])).toBe(JSON.stringify(reports[0]));
      const shards = [];
      for (const batches of [{ start: 0, end: 2 }, { start: 2, end: 5 }, { start: 5, end: 6 }]) {
        const part = await scorePartial(file, { ...options, threads: 1 }, { batches });
        shards.push(decodePartial(encodePartial(part), 'shard'));
      }
      const merged = partialReport(mergePartials(shards));
      expect(JSON.stringify({ ...merged, calibration: merged.calibration, hardest: merged.hardest })).toBe(JSON.stringify(reports[0]));
    });
  }

  it('refuses a partial file whose calibration does not fit its options', async () => {
    const d = makeDump('binary', 'probs', 2, [10], 2);
    const file = tmp.write('small.arrow', ipc(new Table(d.batches)));
    const text = encodePartial(await scorePartial(file, { ...options, threads: 1 }));
    const json = JSON.parse(text) as { calibration: { cells: number } };
    json.calibration.cells = 3;
    expect(() => decodePartial(JSON.stringify(json), 'bad.partial')).toThrow(/calibration: 3 cells, expected 20/);
  });
});

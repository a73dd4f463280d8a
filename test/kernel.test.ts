/**
 * The six kernels (binary, multiclass, multilabel x probs, logits) against the float64 reference
 * of test/support/reference.ts, on columns built by hand: per-group sums, easy/hard split and
 * histogram for several gammas, thresholds and bin counts; clamped and extreme inputs with exact
 * values; every kind of invalid row (stops with its row and column, or is counted under skip);
 * ignored rows counted and never validated.
 */
import { describe, expect, it } from 'vitest';
import { scoreBinaryLogits, scoreBinaryProbs } from '../src/kernel/binary.ts';
import { kernelFor } from '../src/kernel/index.ts';
import { scoreMulticlassLogits, scoreMulticlassProbs } from '../src/kernel/multiclass.ts';
import { scoreMultilabelLogits, scoreMultilabelProbs } from '../src/kernel/multilabel.ts';
import {
  REASON_BAD_VALUE,
  REASON_LABEL_RANGE,
  REASON_LENGTH,
  REASON_NULL_PRED,
  REASON_TARGET,
  REASON_TARGET_LENGTH,
  REASON_UNKNOWN_LABEL,
  ROW_IGNORED,
  ROW_NULL_PRED,
  ROW_NULL_TARGET,
  type Columns,
  type KernelError,
  type KernelParams,
  type LabelArray,
  type PredArray,
} from '../src/kernel/types.ts';
import {
  COUNT,
  createPartial,
  EASY_CE,
  EASY_COUNT,
  EASY_FL,
  groupOffset,
  HARD_CE,
  HARD_FL,
  histogramOffset,
  IGNORED,
  INVALID,
  ROWS,
  SUM_CE,
  SUM_FL,
  SUM_PT,
} from '../src/kernel/partial.ts';
import { refBinaryUnit, refGroups, refMulticlassUnit, type RefGroup, type RefScored } from './support/reference.ts';
import { rng } from './support/rng.ts';
import { mismatches } from './support/tolerance.ts';

type Mode = 'binary' | 'multiclass' | 'multilabel';
type Input = 'probs' | 'logits';

const EPS = 1e-7;

function params(over: Partial<KernelParams> = {}): KernelParams {
  return { classes: 2, gamma: 2, epsilon: EPS, easyThreshold: 0.5, bins: 20, ignoreIndex: -100, skipInvalid: false, ...over };
}

function columns(init: Partial<Columns> & { length: number; pred: PredArray }): Columns {
  return {
    predBase: 0,
    predOffsets: null,
    label: null,
    target: null,
    targetBase: 0,
    targetOffsets: null,
    rowState: null,
    unknownLabels: null,
    ...init,
  };
}

function groupsOf(mode: Mode, C: number): number {
  return mode === 'multilabel' ? 2 * C : C;
}

/** Runs a kernel into a fresh partial; reads back its counters and group blocks. */
function run(mode: Mode, input: Input, cols: Columns, p: KernelParams) {
  const shape = { groups: groupsOf(mode, p.classes), bins: p.bins };
  const out = createPartial(shape);
  const error = kernelFor(mode, input)(cols, p, out);
  const group = (g: number): RefGroup => {
    const o = groupOffset(g);
    const h = histogramOffset(shape, g);
    return {
      count: out[o + COUNT]!,
      sumCE: out[o + SUM_CE]!,
      sumFL: out[o + SUM_FL]!,
      sumPt: out[o + SUM_PT]!,
      easyCount: out[o + EASY_COUNT]!,
      easyCE: out[o + EASY_CE]!,
      easyFL: out[o + EASY_FL]!,
      hardCE: out[o + HARD_CE]!,
      hardFL: out[o + HARD_FL]!,
      histogram: Array.from(out.subarray(h, h + p.bins)),
    };
  };
  const units = (): number => {
    let n = 0;
    for (let g = 0; g < shape.groups; g++) n += group(g).count;
    return n;
  };
  return { out, error, group, units, rows: out[ROWS]!, ignored: out[IGNORED]!, invalid: out[INVALID]! };
}

// ---------------------------------------------------------------------------------------------
// Random inputs with their reference units.

interface Case {
  cols: Columns;
  classes: number;
  units: (p: KernelParams) => RefScored[];
}

function binaryCase(input: Input, seed: number): Case {
  const r = rng(seed);
  const n = 300;
  const pred = new Float64Array(n);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    pred[i] = input === 'probs' ? r() : 16 * r() - 8;
    label[i] = r() < 0.4 ? 1 : 0;
  }
  if (input === 'probs') pred.set([0, 1, 0, 1], 0); // clamped by eps, with both labels
  label.set([1, 1, 0, 0], 0);
  return {
    cols: columns({ length: n, pred, label }),
    classes: 2,
    units: (p) => Array.from(pred, (v, i) => ({ ...refBinaryUnit(v, label[i]!, input, p), group: label[i]!, weight: 1 })),
  };
}

function multiclassCase(input: Input, seed: number): Case {
  const r = rng(seed);
  const n = 300;
  const C = 5;
  const pred = new Float32Array(n * C);
  const label = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < C; k++) pred[i * C + k] = input === 'probs' ? r() : 12 * r() - 6;
    label[i] = Math.floor(r() * C);
  }
  if (input === 'probs') {
    pred.set([0, 0.5, 0.5, 0, 0], 0); // true class 0 has p = 0
    pred.set([1, 0, 0, 0, 0], C); // true class 0 has p = 1
    label.set([0, 0], 0);
  }
  return {
    cols: columns({ length: n, pred, label }),
    classes: C,
    units: (p) =>
      Array.from(label, (y, i) => ({
        ...refMulticlassUnit(Array.from(pred.subarray(i * C, (i + 1) * C)), y, input, p),
        group: y,
        weight: 1,
      })),
  };
}

function multilabelCase(input: Input, seed: number): Case {
  const r = rng(seed);
  const n = 120;
  const C = 4;
  const pred = new Float64Array(n * C);
  const target = new Uint8Array(n * C);
  for (let k = 0; k < n * C; k++) {
    pred[k] = input === 'probs' ? r() : 16 * r() - 8;
    target[k] = r() < 0.3 ? 1 : 0;
  }
  if (input === 'probs') {
    pred.set([0, 1, 0, 1], 0);
    target.set([1, 1, 0, 0], 0);
  }
  return {
    cols: columns({ length: n, pred, target }),
    classes: C,
    units: (p) =>
      Array.from(pred, (v, k) => {
        const c = k % C;
        const t = target[k]!;
        return { ...refBinaryUnit(v, t, input, p), group: t === 1 ? c : C + c, weight: 1 };
      }),
  };
}

const CASES: Record<Mode, (input: Input, seed: number) => Case> = {
  binary: binaryCase,
  multiclass: multiclassCase,
  multilabel: multilabelCase,
};

const PAIRS: [Mode, Input][] = [
  ['binary', 'probs'],
  ['binary', 'logits'],
  ['multiclass', 'probs'],
  ['multiclass', 'logits'],
  ['multilabel', 'probs'],
  ['multilabel', 'logits'],
];

function expectMatchesReference(mode: Mode, input: Input, over: Partial<KernelParams>, seed = 7): void {
  const c = CASES[mode](input, seed);
  const p = params({ classes: c.classes, ...over });
  const result = run(mode, input, c.cols, p);
  expect(result.error).toBeNull();
  const expectedGroups = refGroups(c.units(p), groupsOf(mode, c.classes), p.easyThreshold, p.bins);
  const problems = expectedGroups.flatMap((e, g) => mismatches(result.group(g), e, `group ${g}`));
  expect(problems).toEqual([]);
  expect(result.rows).toBe(c.cols.length);
  expect(result.ignored).toBe(0);
  expect(result.invalid).toBe(0);
}

describe('kernelFor', () => {
  it('returns the named kernel of each mode and input', () => {
    expect(kernelFor('binary', 'probs')).toBe(scoreBinaryProbs);
    expect(kernelFor('binary', 'logits')).toBe(scoreBinaryLogits);
    expect(kernelFor('multiclass', 'probs')).toBe(scoreMulticlassProbs);
    expect(kernelFor('multiclass', 'logits')).toBe(scoreMulticlassLogits);
    expect(kernelFor('multilabel', 'probs')).toBe(scoreMultilabelProbs);
    expect(kernelFor('multilabel', 'logits')).toBe(scoreMultilabelLogits);
  });
});

describe.each(PAIRS)('%s %s kernel against the float64 reference', (mode, input) => {
  it.each([0, 0.5, 1, 2, 5])('matches at gamma %s', (gamma) => {
    expectMatchesReference(mode, input, { gamma });
  });

  it.each([1, 3, 7, 20, 10000])('matches the histogram with %s bins', (bins) => {
    expectMatchesReference(mode, input, { bins });
  });

  it.each([0.1, 0.5, 0.9, 1])('matches the easy/hard split at threshold %s', (easyThreshold) => {
    expectMatchesReference(mode, input, { easyThreshold });
  });

  it('matches with a large epsilon (0.2) clamping p_t into [0.2, 0.8]', () => {
    expectMatchesReference(mode, input, { epsilon: 0.2 }, 11);
  });

  it('gives sumFL == sumCE in every group at gamma 0', () => {
    const c = CASES[mode](input, 3);
    const p = params({ classes: c.classes, gamma: 0 });
    const result = run(mode, input, c.cols, p);
    for (let g = 0; g < groupsOf(mode, c.classes); g++) {
      const block = result.group(g);
      expect(block.sumFL).toBe(block.sumCE);
      expect(block.easyFL).toBe(block.easyCE);
      expect(block.hardFL).toBe(block.hardCE);
    }
  });

  it('splits every unit into easy or hard and bins it once', () => {
    const c = CASES[mode](input, 5);
    const p = params({ classes: c.classes });
    const result = run(mode, input, c.cols, p);
    for (let g = 0; g < groupsOf(mode, c.classes); g++) {
      const block = result.group(g);
      expect(block.histogram.reduce((a, b) => a + b, 0)).toBe(block.count);
      expect(Math.abs(block.easyCE + block.hardCE - block.sumCE)).toBeLessThanOrEqual(1e-9 * Math.max(1, block.sumCE));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Clamped probabilities and extreme logits, against exact values.

describe('scoreBinaryProbs', () => {
  const p = params();

  it('clamps p = 0 for the positive class to eps', () => {
    const r = run('binary', 'probs', columns({ length: 1, pred: new Float64Array([0]), label: new Uint8Array([1]) }), p);
    expect(r.group(1).sumPt).toBe(EPS);
    expect(r.group(1).sumCE).toBe(-Math.log(EPS));
    expect(r.group(1).histogram[0]).toBe(1);
  });

  it('clamps p = 1 for the positive class to 1 - eps', () => {
    const r = run('binary', 'probs', columns({ length: 1, pred: new Float64Array([1]), label: new Uint8Array([1]) }), p);
    expect(r.group(1).sumPt).toBe(1 - EPS);
    expect(r.group(1).sumCE).toBe(-Math.log(1 - EPS));
    expect(r.group(1).easyCount).toBe(1);
    expect(r.group(1).histogram[19]).toBe(1);
  });

  it('clamps p = 1 for a negative (p_t = 0) to eps', () => {
    const r = run('binary', 'probs', columns({ length: 1, pred: new Float64Array([1]), label: new Uint8Array([0]) }), p);
    expect(r.group(0).sumPt).toBe(EPS);
    expect(r.group(0).sumCE).toBe(-Math.log(EPS));
  });

  it('clamps p = 0 for a negative (p_t = 1) to 1 - eps', () => {
    const r = run('binary', 'probs', columns({ length: 1, pred: new Float64Array([0]), label: new Uint8Array([0]) }), p);
    expect(r.group(0).sumPt).toBe(1 - EPS);
  });

  it('reads Float32 predictions at their float32 value', () => {
    const pred = new Float32Array([0.3]);
    const r = run('binary', 'probs', columns({ length: 1, pred, label: new Uint8Array([1]) }), p);
    expect(r.group(1).sumCE).toBe(-Math.log(pred[0]!));
  });
});

describe('scoreBinaryLogits', () => {
  const p = params();
  const one = (z: number, y: number) =>
    run('binary', 'logits', columns({ length: 1, pred: new Float64Array([z]), label: new Uint8Array([y]) }), p).group(y);

  it('gives CE exactly 1000 for a logit of -1000 on a positive', () => {
    const g = one(-1000, 1);
    expect(g.sumCE).toBe(1000);
    expect(g.sumFL).toBe(1000);
    expect(g.sumPt).toBe(0);
    expect(g.easyCount).toBe(0);
    expect(g.histogram[0]).toBe(1);
  });

  it('gives CE exactly 1000 for a logit of +1000 on a negative', () => {
    const g = one(1000, 0);
    expect(g.sumCE).toBe(1000);
    expect(g.sumFL).toBe(1000);
  });

  it('gives CE 0 and p_t 1 for a logit of +1000 on a positive', () => {
    const g = one(1000, 1);
    expect(g.sumCE).toBe(0);
    expect(g.sumFL).toBe(0);
    expect(g.sumPt).toBe(1);
    expect(g.easyCount).toBe(1);
    expect(g.histogram[19]).toBe(1);
  });

  it('gives CE 0 for a logit of -1000 on a negative', () => {
    expect(one(-1000, 0).sumCE).toBe(0);
  });

  it('never clamps a logit: a logit of 40 on a negative has CE about 40, not -log(eps)', () => {
    expect(one(40, 0).sumCE).toBeCloseTo(40, 12);
  });

  it('keeps precision for a tiny CE: logit 30 on a positive has CE = log1p(e^-30)', () => {
    const g = one(30, 1);
    expect(g.sumCE).toBeCloseTo(Math.log1p(Math.exp(-30)), 25);
    expect(g.sumCE).toBeGreaterThan(0);
  });
});

describe('scoreMulticlassProbs', () => {
  it('does not renormalise: p_t is the true class entry as given', () => {
    const pred = new Float64Array([0.2, 0.2, 0.2]);
    const r = run('multiclass', 'probs', columns({ length: 1, pred, label: new Uint8Array([2]) }), params({ classes: 3 }));
    expect(r.group(2).sumPt).toBe(0.2);
    expect(r.group(2).sumCE).toBe(-Math.log(0.2));
  });

  it('clamps a true-class p = 0 to eps', () => {
    const pred = new Float64Array([0, 1, 0]);
    const r = run('multiclass', 'probs', columns({ length: 1, pred, label: new Uint8Array([0]) }), params({ classes: 3 }));
    expect(r.group(0).sumPt).toBe(EPS);
    expect(r.group(0).sumCE).toBe(-Math.log(EPS));
  });

  it('clamps a true-class p = 1 to 1 - eps', () => {
    const pred = new Float64Array([0, 1, 0]);
    const r = run('multiclass', 'probs', columns({ length: 1, pred, label: new Uint8Array([1]) }), params({ classes: 3 }));
    expect(r.group(1).sumPt).toBe(1 - EPS);
  });
});

describe('scoreMulticlassLogits', () => {
  const p = params({ classes: 3 });
  const one = (z: number[], y: number) =>
    run('multiclass', 'logits', columns({ length: 1, pred: new Float64Array(z), label: new Uint8Array([y]) }), p).group(y);

  it('gives CE exactly 2000 for the true class at -1000 against +1000', () => {
    const g = one([1000, -1000, 0], 1);
    expect(g.sumCE).toBe(2000);
    expect(g.sumPt).toBe(0);
  });

  it('gives CE 0 and p_t 1 for the true class at +1000 against -1000 and 0', () => {
    const g = one([1000, -1000, 0], 0);
    expect(g.sumCE).toBe(0);
    expect(g.sumPt).toBe(1);
    expect(g.sumFL).toBe(0);
  });

  it('is shift invariant: logits + 1000 score as the logits', () => {
    const a = one([0.5, -1.25, 2], 2);
    const b = one([1000.5, 998.75, 1002], 2);
    expect(b.sumCE).toBeCloseTo(a.sumCE, 10);
  });

  it('gives CE log C for equal logits', () => {
    expect(one([-1000, -1000, -1000], 1).sumCE).toBeCloseTo(Math.log(3), 15);
  });
});

describe('scoreMultilabelLogits', () => {
  it('gives CE exactly 1000 per element at logit -1000 on a positive and +1000 on a negative', () => {
    const cols = columns({ length: 1, pred: new Float64Array([-1000, 1000]), target: new Uint8Array([1, 0]) });
    const r = run('multilabel', 'logits', cols, params({ classes: 2 }));
    expect(r.group(0).sumCE).toBe(1000); // class 0, positive
    expect(r.group(2 + 1).sumCE).toBe(1000); // class 1, negative
  });

  it('gives CE 0 at logit +1000 on a positive and -1000 on a negative', () => {
    const cols = columns({ length: 1, pred: new Float64Array([1000, -1000]), target: new Uint8Array([1, 0]) });
    const r = run('multilabel', 'logits', cols, params({ classes: 2 }));
    expect(r.group(0).sumCE).toBe(0);
    expect(r.group(3).sumCE).toBe(0);
    expect(r.group(0).sumPt + r.group(3).sumPt).toBe(2);
  });
});

describe('scoreMultilabelProbs', () => {
  it('clamps p = 0 on a positive and p = 1 on a negative to eps', () => {
    const cols = columns({ length: 1, pred: new Float64Array([0, 1]), target: new Uint8Array([1, 0]) });
    const r = run('multilabel', 'probs', cols, params({ classes: 2 }));
    expect(r.group(0).sumPt).toBe(EPS);
    expect(r.group(3).sumPt).toBe(EPS);
  });

  it('puts positives of class c in group c and negatives in group C + c', () => {
    const cols = columns({ length: 2, pred: new Float64Array([0.9, 0.1, 0.8, 0.3]), target: new Uint8Array([1, 0, 0, 1]) });
    const r = run('multilabel', 'probs', cols, params({ classes: 2 }));
    expect([0, 1, 2, 3].map((g) => r.group(g).count)).toEqual([1, 1, 1, 1]);
    expect(r.group(0).sumPt).toBeCloseTo(0.9, 15); // class 0 positive, row 0
    expect(r.group(2).sumPt).toBeCloseTo(0.2, 15); // class 0 negative, row 1
    expect(r.group(1).sumPt).toBeCloseTo(0.3, 15); // class 1 positive, row 1
    expect(r.group(3).sumPt).toBeCloseTo(0.9, 15); // class 1 negative, row 0
  });

  it('reads Int8 targets and Float32 probabilities', () => {
    const pred = new Float32Array([0.7, 0.4]);
    const cols = columns({ length: 1, pred, target: new Int8Array([1, 0]) });
    const r = run('multilabel', 'probs', cols, params({ classes: 2 }));
    expect(r.group(0).sumCE).toBe(-Math.log(pred[0]!));
    expect(r.group(3).sumCE).toBe(-Math.log(1 - pred[1]!));
  });
});

// ---------------------------------------------------------------------------------------------
// Invalid rows: each kind stops at its row with its column, or is counted under skip.

interface Invalid {
  name: string;
  cols: () => Columns;
  classes: number;
  row: number;
  column: 'pred' | 'label';
  reason: string;
  /** Rows scored when the invalid one is skipped. */
  scoredRows: number;
  value?: unknown;
}

const f64 = (xs: number[]) => new Float64Array(xs);
const u8 = (xs: number[]) => new Uint8Array(xs);
const i32 = (xs: number[]) => new Int32Array(xs);

function binaryRows(pred: number[], label: number[], extra: Partial<Columns> = {}): () => Columns {
  return () => columns({ length: label.length, pred: f64(pred), label: i32(label), ...extra });
}

const BINARY_INVALID = (input: Input): Invalid[] => [
  { name: 'a null prediction', cols: binaryRows([0.3, 0, 0.6], [1, 0, 1], { rowState: u8([0, ROW_NULL_PRED, 0]) }), classes: 2, row: 1, column: 'pred', reason: REASON_NULL_PRED, scoredRows: 2, value: null },
  { name: 'a NaN prediction', cols: binaryRows([0.3, NaN, 0.6], [1, 0, 1]), classes: 2, row: 1, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: NaN },
  { name: 'a +Infinity prediction', cols: binaryRows([0.3, 0.4, Infinity], [1, 0, 1]), classes: 2, row: 2, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: Infinity },
  { name: 'a -Infinity prediction', cols: binaryRows([-Infinity, 0.4, 0.5], [0, 0, 1]), classes: 2, row: 0, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: -Infinity },
  ...(input === 'probs'
    ? [
        { name: 'a probability below 0', cols: binaryRows([0.3, -0.01, 0.6], [1, 0, 1]), classes: 2, row: 1, column: 'pred' as const, reason: REASON_BAD_VALUE, scoredRows: 2, value: -0.01 },
        { name: 'a probability above 1', cols: binaryRows([0.3, 1.01, 0.6], [1, 0, 1]), classes: 2, row: 1, column: 'pred' as const, reason: REASON_BAD_VALUE, scoredRows: 2, value: 1.01 },
      ]
    : []),
  { name: 'a label of 2', cols: binaryRows([0.3, 0.4, 0.6], [1, 2, 1]), classes: 2, row: 1, column: 'label', reason: REASON_LABEL_RANGE, scoredRows: 2, value: 2 },
  { name: 'a label of -1', cols: binaryRows([0.3, 0.4, 0.6], [1, 0, -1]), classes: 2, row: 2, column: 'label', reason: REASON_LABEL_RANGE, scoredRows: 2, value: -1 },
];

function mcRows(pred: number[], label: number[], extra: Partial<Columns> = {}): () => Columns {
  return () => columns({ length: label.length, pred: f64(pred), label: f64(label) as LabelArray, ...extra });
}

const MULTICLASS_INVALID = (input: Input): Invalid[] => [
  { name: 'a null prediction', cols: mcRows([0.2, 0.3, 0.5, 0, 0, 0, 0.1, 0.1, 0.8], [2, 0, 1], { rowState: u8([0, ROW_NULL_PRED, 0]) }), classes: 3, row: 1, column: 'pred', reason: REASON_NULL_PRED, scoredRows: 2 },
  { name: 'NaN in a class that is not the true class', cols: mcRows([0.2, 0.3, 0.5, 0.2, NaN, 0.8, 0.1, 0.1, 0.8], [2, 0, 1]), classes: 3, row: 1, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: NaN },
  { name: '+Infinity in a class that is not the true class', cols: mcRows([0.2, 0.3, 0.5, 0.2, 0.3, 0.5, 0.1, 0.1, Infinity], [2, 0, 1]), classes: 3, row: 2, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: Infinity },
  { name: '-Infinity in a class that is not the true class', cols: mcRows([-Infinity, 0.3, 0.5, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8], [2, 0, 1]), classes: 3, row: 0, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: -Infinity },
  ...(input === 'probs'
    ? [
        { name: 'a probability below 0 in a class that is not the true class', cols: mcRows([0.2, 0.3, 0.5, 0.5, -0.1, 0.6, 0.1, 0.1, 0.8], [2, 0, 1]), classes: 3, row: 1, column: 'pred' as const, reason: REASON_BAD_VALUE, scoredRows: 2, value: -0.1 },
        { name: 'a probability above 1 in a class that is not the true class', cols: mcRows([0.2, 0.3, 0.5, 0.5, 1.2, 0, 0.1, 0.1, 0.8], [2, 0, 1]), classes: 3, row: 1, column: 'pred' as const, reason: REASON_BAD_VALUE, scoredRows: 2, value: 1.2 },
      ]
    : []),
  { name: 'a label equal to C', cols: mcRows([0.2, 0.3, 0.5, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8], [2, 3, 1]), classes: 3, row: 1, column: 'label', reason: REASON_LABEL_RANGE, scoredRows: 2, value: 3 },
  { name: 'a label of -1', cols: mcRows([0.2, 0.3, 0.5, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8], [-1, 0, 1]), classes: 3, row: 0, column: 'label', reason: REASON_LABEL_RANGE, scoredRows: 2, value: -1 },
  { name: 'a fractional label', cols: mcRows([0.2, 0.3, 0.5, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8], [2, 0, 1.5]), classes: 3, row: 2, column: 'label', reason: REASON_LABEL_RANGE, scoredRows: 2, value: 1.5 },
  {
    name: 'a string label that names no class',
    cols: mcRows([0.2, 0.3, 0.5, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8], [2, NaN, 1], { unknownLabels: new Map([[1, 'zebra']]) }),
    classes: 3,
    row: 1,
    column: 'label',
    reason: REASON_UNKNOWN_LABEL,
    scoredRows: 2,
    value: 'zebra',
  },
  {
    name: 'a List row of the wrong length',
    cols: mcRows([0.2, 0.3, 0.5, 0.5, 0.5, 0.1, 0.1, 0.8], [2, 0, 1], { predOffsets: i32([0, 3, 5, 8]) }),
    classes: 3,
    row: 1,
    column: 'pred',
    reason: REASON_LENGTH,
    scoredRows: 2,
    value: 2,
  },
];

function mlRows(pred: number[], target: number[], rows: number, extra: Partial<Columns> = {}): () => Columns {
  return () => columns({ length: rows, pred: f64(pred), target: f64(target) as LabelArray, ...extra });
}

const MULTILABEL_INVALID = (input: Input): Invalid[] => [
  { name: 'a null prediction', cols: mlRows([0.2, 0.3, 0, 0, 0.1, 0.9], [1, 0, 0, 1, 1, 1], 3, { rowState: u8([0, ROW_NULL_PRED, 0]) }), classes: 2, row: 1, column: 'pred', reason: REASON_NULL_PRED, scoredRows: 2 },
  { name: 'a NaN prediction', cols: mlRows([0.2, 0.3, 0.4, NaN, 0.1, 0.9], [1, 0, 0, 1, 1, 1], 3), classes: 2, row: 1, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: NaN },
  { name: 'a +Infinity prediction', cols: mlRows([Infinity, 0.3, 0.4, 0.5, 0.1, 0.9], [1, 0, 0, 1, 1, 1], 3), classes: 2, row: 0, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: Infinity },
  { name: 'a -Infinity prediction', cols: mlRows([0.2, 0.3, 0.4, 0.5, 0.1, -Infinity], [1, 0, 0, 1, 1, 1], 3), classes: 2, row: 2, column: 'pred', reason: REASON_BAD_VALUE, scoredRows: 2, value: -Infinity },
  ...(input === 'probs'
    ? [
        { name: 'a probability below 0 on a negative', cols: mlRows([0.2, 0.3, -0.5, 0.5, 0.1, 0.9], [1, 0, 0, 1, 1, 1], 3), classes: 2, row: 1, column: 'pred' as const, reason: REASON_BAD_VALUE, scoredRows: 2, value: -0.5 },
        { name: 'a probability above 1 on a negative', cols: mlRows([0.2, 0.3, 0.5, 0.5, 0.1, 1.5], [1, 0, 0, 1, 1, 0], 3), classes: 2, row: 2, column: 'pred' as const, reason: REASON_BAD_VALUE, scoredRows: 2, value: 1.5 },
      ]
    : []),
  { name: 'a target of 2', cols: mlRows([0.2, 0.3, 0.4, 0.5, 0.1, 0.9], [1, 0, 2, 1, 1, 1], 3), classes: 2, row: 1, column: 'label', reason: REASON_TARGET, scoredRows: 2, value: 2 },
  { name: 'a target of -1', cols: mlRows([0.2, 0.3, 0.4, 0.5, 0.1, 0.9], [1, 0, 0, 1, 1, -1], 3), classes: 2, row: 2, column: 'label', reason: REASON_TARGET, scoredRows: 2, value: -1 },
  { name: 'a null target element', cols: mlRows([0.2, 0.3, 0.4, 0.5, 0.1, 0.9], [1, 0, 0, 0, 1, 1], 3, { rowState: u8([0, ROW_NULL_TARGET, 0]) }), classes: 2, row: 1, column: 'label', reason: REASON_TARGET, scoredRows: 2, value: null },
  {
    name: 'a List prediction row of the wrong length',
    cols: mlRows([0.2, 0.3, 0.4, 0.1, 0.9], [1, 0, 0, 1, 1, 1], 3, { predOffsets: i32([0, 2, 3, 5]) }),
    classes: 2,
    row: 1,
    column: 'pred',
    reason: REASON_LENGTH,
    scoredRows: 2,
    value: 1,
  },
  {
    name: 'a List target row of the wrong length',
    cols: mlRows([0.2, 0.3, 0.4, 0.5, 0.1, 0.9], [1, 0, 0, 1, 1, 1, 1], 3, { targetOffsets: i32([0, 2, 5, 7]) }),
    classes: 2,
    row: 1,
    column: 'label',
    reason: REASON_TARGET_LENGTH,
    scoredRows: 2,
    value: 3,
  },
];

const INVALID_CASES: Record<Mode, (input: Input) => Invalid[]> = {
  binary: BINARY_INVALID,
  multiclass: MULTICLASS_INVALID,
  multilabel: MULTILABEL_INVALID,
};

describe.each(PAIRS)('%s %s kernel on invalid rows', (mode, input) => {
  const cases = INVALID_CASES[mode](input);

  it.each(cases.map((c) => [c.name, c] as const))('stops at %s with its row and column', (_, c) => {
    const r = run(mode, input, c.cols(), params({ classes: c.classes }));
    expect(r.error).not.toBeNull();
    const e = r.error as KernelError;
    expect({ row: e.row, column: e.column, reason: e.reason }).toEqual({ row: c.row, column: c.column, reason: c.reason });
    if ('value' in c) expect(e.value).toEqual(c.value);
  });

  it.each(cases.map((c) => [c.name, c] as const))('counts %s under skip and scores the other rows', (_, c) => {
    const cols = c.cols();
    const r = run(mode, input, cols, params({ classes: c.classes, skipInvalid: true }));
    expect(r.error).toBeNull();
    expect(r.invalid).toBe(1);
    expect(r.ignored).toBe(0);
    expect(r.rows).toBe(cols.length);
    expect(r.units()).toBe(c.scoredRows * (mode === 'multilabel' ? c.classes : 1));
  });

  it('reports the first of two invalid rows', () => {
    const c = cases[1]!; // a NaN prediction, in every mode
    const cols = c.cols();
    // A second invalid row after the first: a NaN in the last row's first value.
    const pred = Float64Array.from(cols.pred);
    pred[pred.length - 1] = NaN;
    const r = run(mode, input, { ...cols, pred }, params({ classes: c.classes }));
    expect(r.error?.row).toBe(c.row);
  });
});

// ---------------------------------------------------------------------------------------------
// Ignored rows: counted, never validated.

describe.each(PAIRS.filter(([m]) => m !== 'multilabel'))('%s %s kernel on ignored rows', (mode, input) => {
  const C = mode === 'binary' ? 2 : 3;
  const width = mode === 'binary' ? 1 : C;
  const row = (...xs: number[]) => xs.slice(0, width);
  const good = row(0.2, 0.3, 0.5);

  it('ignores a row whose label is ignoreIndex, without scoring it', () => {
    const cols = columns({ length: 2, pred: f64([...good, ...good]), label: i32([1, -100]) });
    const r = run(mode, input, cols, params({ classes: C }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
    expect(r.units()).toBe(1);
    expect(r.rows).toBe(2);
  });

  it('ignores a row with a null label (row state), without scoring it', () => {
    const cols = columns({ length: 2, pred: f64([...good, ...good]), label: i32([1, 0]), rowState: u8([0, ROW_IGNORED]) });
    const r = run(mode, input, cols, params({ classes: C }));
    expect(r.ignored).toBe(1);
    expect(r.units()).toBe(1);
  });

  it('ignores (not rejects) a NaN prediction on a row whose label is ignoreIndex', () => {
    const cols = columns({ length: 2, pred: f64([...good, ...row(NaN, NaN, NaN)]), label: i32([1, -100]) });
    const r = run(mode, input, cols, params({ classes: C }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
    expect(r.invalid).toBe(0);
  });

  it('ignores (not rejects) a NaN prediction on a row whose label is null', () => {
    const cols = columns({ length: 2, pred: f64([...row(NaN, NaN, NaN), ...good]), label: i32([7, 1]), rowState: u8([ROW_IGNORED, 0]) });
    const r = run(mode, input, cols, params({ classes: C }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
  });

  it('ignores (not rejects) a null prediction on a row whose label is ignoreIndex', () => {
    const cols = columns({ length: 2, pred: f64([...good, ...good]), label: i32([-100, 1]), rowState: u8([ROW_NULL_PRED, 0]) });
    const r = run(mode, input, cols, params({ classes: C }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
  });

  it('uses a custom ignoreIndex (-1) and then scores -100 as an invalid label', () => {
    const cols = columns({ length: 2, pred: f64([...good, ...good]), label: i32([-1, -100]) });
    const r = run(mode, input, cols, params({ classes: C, ignoreIndex: -1 }));
    expect(r.error).toMatchObject({ row: 1, column: 'label' });
  });

  if (mode === 'multiclass') {
    it('ignores (not rejects) a List row of the wrong length whose label is ignoreIndex', () => {
      const cols = columns({ length: 2, pred: f64([...good, 0.5]), predOffsets: i32([0, 3, 4]), label: i32([1, -100]) });
      const r = run(mode, input, cols, params({ classes: C }));
      expect(r.error).toBeNull();
      expect(r.ignored).toBe(1);
    });
  }
});

describe.each(['probs', 'logits'] as const)('multilabel %s kernel on ignored rows', (input) => {
  it('ignores a row whose target list is null (row state), without scoring it', () => {
    const cols = columns({ length: 2, pred: f64([0.2, 0.3, 0.4, 0.5]), target: u8([1, 0, 0, 1]), rowState: u8([ROW_IGNORED, 0]) });
    const r = run('multilabel', input, cols, params({ classes: 2 }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
    expect(r.units()).toBe(2);
  });

  it('ignores (not rejects) NaN predictions and bad targets on a row whose target list is null', () => {
    const cols = columns({ length: 2, pred: f64([NaN, Infinity, 0.4, 0.5]), target: u8([7, 9, 0, 1]), rowState: u8([ROW_IGNORED, 0]) });
    const r = run('multilabel', input, cols, params({ classes: 2 }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
    expect(r.invalid).toBe(0);
  });

  it('ignores (not rejects) a List row of the wrong length whose target list is null', () => {
    const cols = columns({
      length: 2,
      pred: f64([0.1, 0.4, 0.5]),
      predOffsets: i32([0, 1, 3]),
      target: u8([0, 0, 1]),
      targetOffsets: i32([0, 1, 3]),
      rowState: u8([ROW_IGNORED, 0]),
    });
    const r = run('multilabel', input, cols, params({ classes: 2 }));
    expect(r.error).toBeNull();
    expect(r.ignored).toBe(1);
    expect(r.units()).toBe(2);
  });
});

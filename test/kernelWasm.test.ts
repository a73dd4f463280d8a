/**
 * The wasm SIMD kernels against the scalar reference kernels, for every mode x input:
 *
 *   - random and extreme inputs (p = 0, 1, 1 - 1e-7, subnormal; logits +-1000, +-30, +-3e38, 0),
 *     gamma 0, 0.5, 1, 2, 5, several thresholds and bin counts, ignored rows, every label type,
 *     batches of 0-5 rows and batches that span several wasm chunks: every sum within
 *     max(1e-6 |e|, 1e-9) of the reference e, counts exact; easy/hard counts and histogram bins
 *     may differ only by units whose p_t (float64 reference) lies within 1e-6 of an edge, and the
 *     easy/hard sums by those units' terms;
 *   - every batch the wasm path must not take (Float64 or List predictions, nulls, invalid values
 *     or labels, odd parameters) gives exactly the scalar result, error included;
 *   - the gamma sweep's entries (FLSD-53 and non-integer gammas among them) and the fine p_t bins
 *     of the concentration, on the wasm path too: each sum within the same bar (easy/hard and
 *     FLSD-53's 0.2 cut, and fine bins, off only by units within 1e-6 of an edge);
 *   - determinism, the vector math primitives, loading in a worker thread, and that focal.wasm
 *     is what its sources compile to.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelFor } from '../src/kernel/index.ts';
import {
  ROW_IGNORED,
  ROW_NULL_PRED,
  type Columns,
  type KernelError,
  type KernelParams,
  type LabelArray,
  type PredArray,
} from '../src/kernel/types.ts';
import {
  CLAMPED_HIGH,
  CLAMPED_LOW,
  COUNT,
  createPartial,
  EASY_CE,
  EASY_COUNT,
  EASY_FL,
  groupOffset,
  HARD_CE,
  HARD_FL,
  healthOffset,
  histogramOffset,
  IGNORED,
  INVALID,
  ROWS,
  SATURATED,
  SUM_CE,
  SUM_FL,
  SUM_PT,
  FINE_CE,
  FINE_COUNT,
  FINE_FL,
  fineOffset,
  SWEEP_EASY_FL,
  SWEEP_HARD_FL,
  sweepOffset,
  type PartialShape,
} from '../src/kernel/partial.ts';
import { FLSD_53_CODE, FLSD_53_SCHEDULE, sweepModulating } from '../src/kernel/sweep.ts';
import {
  CHUNK_VALUES,
  chunkRowsOf,
  initWasmKernel,
  wasmArena,
  wasmKernelCounts,
  wasmKernelFor,
  wasmPredictionSlot,
  wasmRowKernelFor,
} from '../src/kernel/wasm/index.ts';
import { createRowColumns, scalarRowKernel } from '../src/kernel/rowColumns.ts';
import { sliceColumns } from '../src/kernel/slice.ts';
import { rng } from './support/rng.ts';

type Mode = 'binary' | 'multiclass' | 'multilabel';
type Input = 'probs' | 'logits';

const CASES: [Mode, Input][] = [
  ['multiclass', 'probs'],
  ['multiclass', 'logits'],
  ['binary', 'probs'],
  ['binary', 'logits'],
  ['multilabel', 'probs'],
  ['multilabel', 'logits'],
];
const GAMMAS = [0, 0.5, 1, 2, 5];
/** "Within rounding of an edge": the reference p_t is this close to the threshold or a bin edge. */
const EDGE = 1e-6;


function baseParams(mode: Mode, C: number, over: Partial<KernelParams> = {}): KernelParams {
  return {
    classes: mode === 'binary' ? 2 : C,
    gamma: 2,
    epsilon: 1e-7,
    easyThreshold: 0.5,
    bins: 10,
    ignoreIndex: -100,
    skipInvalid: false,
    ...over,
  };
}

function shapeOf(mode: Mode, params: KernelParams): PartialShape {
  const C = params.classes;
  const groups = mode === 'multilabel' ? 2 * C : mode === 'binary' ? 2 : C;
  return { groups, bins: params.bins, sweep: params.sweep?.length ?? 0, fine: params.fineBins ?? 0 };
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

/** A logit: mostly normal at a random scale, sometimes one of the extremes. */
const LOGIT_SPECIALS = [0, -0, 1e-3, -1e-3, 30, -30, 88, -88, 1000, -1000, 3e38, -3e38, 1e-30, -1e-30, 17.5, -17.5];
/** A probability: mostly uniform or piled near 0 and 1, sometimes one of the extremes. */
const PROB_SPECIALS = [0, 1, 1 - 1e-7, 1e-7, 1e-30, 1e-45, 0.5, 0.25, 1 - 1e-6, 2 ** -24];

function logit(u: () => number, scale: number): number {
  const r = u();
  if (r < 0.08) return LOGIT_SPECIALS[Math.floor(u() * LOGIT_SPECIALS.length)]!;
  const n = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return n * scale;
}

function prob(u: () => number): number {
  const r = u();
  if (r < 0.08) return PROB_SPECIALS[Math.floor(u() * PROB_SPECIALS.length)]!;
  if (r < 0.3) return 1 - u() * 1e-5;
  if (r < 0.4) return u() * 1e-5;
  return u();
}

interface Gen {
  rows: number;
  C: number;
  seed: number;
  scale?: number;
  ignoreFraction?: number;
  /** Multiclass logits: how far above the rest the true class sits (large = confident rows). */
  margin?: number;
}

/** A valid batch (Float32 predictions, Int32 labels or Uint8 targets, no nulls). */
function makeBatch(mode: Mode, input: Input, g: Gen, params: KernelParams): Columns {
  const u = rng(g.seed);
  const { rows, C } = g;
  const scale = g.scale ?? 3;
  const width = mode === 'binary' ? 1 : C;
  const pred = new Float32Array(rows * width);
  for (let i = 0; i < pred.length; i++) pred[i] = input === 'logits' ? logit(u, scale) : prob(u);
  if (mode === 'multilabel') {
    const target = new Uint8Array(rows * C);
    for (let i = 0; i < target.length; i++) target[i] = u() < 0.4 ? 1 : 0;
    return columns({ length: rows, pred, target });
  }
  const label = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    label[i] = u() < (g.ignoreFraction ?? 0) ? params.ignoreIndex : Math.floor(u() * (mode === 'binary' ? 2 : C));
    if (mode === 'multiclass' && input === 'logits' && g.margin !== undefined) {
      for (let k = 0; k < C; k++) pred[i * C + k] = k === label[i] ? g.margin : (u() - 0.5) * 2;
    }
  }
  return columns({ length: rows, pred, label });
}

/** The float64 reference terms of one unit (the scalar kernels' formulas, unit.ts). */
interface UnitTerms {
  group: number;
  pt: number;
  ce: number;
  fl: number;
  omp: number;
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function terms(group: number, pt: number, logPt: number, omp: number, gamma: number): UnitTerms {
  const mod = gamma === 2 ? omp * omp : gamma === 0 ? 1 : gamma === 1 ? omp : Math.pow(omp, gamma);
  return { group, pt, ce: -logPt, fl: -logPt * mod, omp };
}

function clamp(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

/** Every scored unit of a valid batch, with its reference p_t, ce and fl. */
function referenceUnits(mode: Mode, input: Input, cols: Columns, params: KernelParams): UnitTerms[] {
  const out: UnitTerms[] = [];
  const { gamma, epsilon: eps, classes: C } = params;
  const pred = cols.pred;
  for (let i = 0; i < cols.length; i++) {
    if (mode === 'multilabel') {
      for (let c = 0; c < C; c++) {
        const v = pred[cols.predBase + i * C + c]!;
        const t = cols.target![cols.targetBase + i * C + c] === 1;
        const group = t ? c : C + c;
        if (input === 'logits') {
          const l = t ? -softplus(-v) : -softplus(v);
          out.push(terms(group, Math.exp(l), l, -Math.expm1(l), gamma));
        } else {
          const pt = clamp(t ? v : 1 - v, eps);
          out.push(terms(group, pt, Math.log(pt), 1 - pt, gamma));
        }
      }
      continue;
    }
    const y = cols.label![i]!;
    if (y === params.ignoreIndex) continue;
    if (mode === 'binary') {
      const v = pred[cols.predBase + i]!;
      if (input === 'logits') {
        const l = y === 1 ? -softplus(-v) : -softplus(v);
        out.push(terms(y, Math.exp(l), l, -Math.expm1(l), gamma));
      } else {
        const pt = clamp(y === 1 ? v : 1 - v, eps);
        out.push(terms(y, pt, Math.log(pt), 1 - pt, gamma));
      }
      continue;
    }
    const s = cols.predBase + i * C;
    if (input === 'logits') {
      let m = -Infinity;
      for (let k = 0; k < C; k++) m = Math.max(m, pred[s + k]!);
      let sum = 0;
      for (let k = 0; k < C; k++) sum += Math.exp(pred[s + k]! - m);
      const l = pred[s + y]! - m - Math.log(sum);
      out.push(terms(y, Math.exp(l), l, -Math.expm1(l), gamma));
    } else {
      const pt = clamp(pred[s + y]!, eps);
      out.push(terms(y, pt, Math.log(pt), 1 - pt, gamma));
    }
  }
  return out;
}

/**
 * Per field class over all wasm-path comparisons (printed at the end): the largest relative
 * difference where the bar is relative (1e-6 |e| > 1e-9), and the largest share of the bar used.
 */
const worstRelative: Record<string, number> = {};
const worstShare: Record<string, number> = {};
const FIELD_NAMES: [number, string][] = [
  [SUM_CE, 'sumCE'],
  [SUM_FL, 'sumFL'],
  [SUM_PT, 'sumPT'],
  [EASY_CE, 'easyCE'],
  [EASY_FL, 'easyFL'],
  [HARD_CE, 'hardCE'],
  [HARD_FL, 'hardFL'],
];

function tolerance(e: number): number {
  return Math.max(1e-6 * Math.abs(e), 1e-9);
}

/**
 * Asserts the spec's tolerance between the wasm partial `got` and the scalar partial `ref` of a
 * valid batch: sums within tolerance; counts exact; easy/hard split and bins off only by units
 * within EDGE of the threshold or a bin edge (and the sums by those units' terms).
 */
function expectClose(mode: Mode, input: Input, cols: Columns, params: KernelParams, got: Float64Array, ref: Float64Array): void {
  const shape = shapeOf(mode, params);
  expect(got.length).toBe(ref.length);
  expect([got[ROWS], got[IGNORED], got[INVALID]]).toEqual([ref[ROWS], ref[IGNORED], ref[INVALID]]);
  const G = shape.groups;
  const B = params.bins;
  const nearThreshold = new Float64Array(G);
  const nearCE = new Float64Array(G);
  const nearFL = new Float64Array(G);
  const nearBin = new Float64Array(G);
  for (const unit of referenceUnits(mode, input, cols, params)) {
    if (Math.abs(unit.pt - params.easyThreshold) <= EDGE) {
      nearThreshold[unit.group]! += 1;
      nearCE[unit.group]! += unit.ce;
      nearFL[unit.group]! += unit.fl;
    }
    const scaled = unit.pt * B;
    if (Math.abs(scaled - Math.round(scaled)) <= EDGE * B) nearBin[unit.group]! += 1;
  }
  for (let g = 0; g < G; g++) {
    const o = groupOffset(g);
    const where = `${mode} ${input} group ${g}`;
    expect(got[o + COUNT], `${where} count`).toBe(ref[o + COUNT]);
    for (const [field, name] of FIELD_NAMES) {
      const e = ref[o + field]!;
      const d = Math.abs(got[o + field]! - e);
      const split = field === EASY_CE || field === HARD_CE ? nearCE[g]! : field === EASY_FL || field === HARD_FL ? nearFL[g]! : 0;
      expect(d, `${where} ${name}: ${got[o + field]} vs ${e}`).toBeLessThanOrEqual(tolerance(e) + split);
      if (split === 0) {
        if (1e-6 * Math.abs(e) > 1e-9) worstRelative[name] = Math.max(worstRelative[name] ?? 0, d / Math.abs(e));
        worstShare[name] = Math.max(worstShare[name] ?? 0, d / tolerance(e));
      }
    }
    expect(Math.abs(got[o + EASY_COUNT]! - ref[o + EASY_COUNT]!), `${where} easy count`).toBeLessThanOrEqual(nearThreshold[g]!);
    const h = histogramOffset(shape, g);
    let binDiff = 0;
    for (let b = 0; b < B; b++) binDiff += Math.abs(got[h + b]! - ref[h + b]!);
    expect(binDiff, `${where} histogram`).toBeLessThanOrEqual(2 * nearBin[g]!);
    // The numerical-health counts: the same comparisons on the same values, so exactly equal.
    const hb = healthOffset(shape, g);
    const health = (p: Float64Array) => [p[hb + CLAMPED_LOW], p[hb + CLAMPED_HIGH], p[hb + SATURATED]];
    expect(health(got), `${where} health (clamped low, high, saturated)`).toEqual(health(ref));
  }
  expectExtrasClose(mode, input, cols, params, got, ref);
}

/** The largest relative difference of the sweep and fine-bin sums (printed at the end, as FIELD_NAMES'). */
const EXTRA_NAMES = ['sweepFL', 'fineCE', 'fineFL'];

function noteDifference(name: string, d: number, e: number): void {
  if (1e-6 * Math.abs(e) > 1e-9) worstRelative[name] = Math.max(worstRelative[name] ?? 0, d / Math.abs(e));
  worstShare[name] = Math.max(worstShare[name] ?? 0, d / tolerance(e));
}

/**
 * The sweep entries' easy and hard sums and the fine bins of `got` against `ref`: each sum within
 * the bar, plus the terms of the units that may fall on the other side of an edge: p_t within
 * EDGE of the threshold (easy/hard), of FLSD-53's cut (gamma 5 or 3), of a fine bin's edge.
 */
function expectExtrasClose(mode: Mode, input: Input, cols: Columns, params: KernelParams, got: Float64Array, ref: Float64Array): void {
  const shape = shapeOf(mode, params);
  const S = shape.sweep ?? 0;
  const F = shape.fine ?? 0;
  if (S === 0 && F === 0) return;
  const G = shape.groups;
  const sweep = params.sweep ?? [];
  const nearSplit = new Float64Array(G * S);
  // Per fine bin: the units within EDGE of one of its edges (each counted in both bins it touches).
  const nearFine = new Float64Array(G);
  const nearFineCE = new Float64Array(G * F);
  const nearFineFL = new Float64Array(G * F);
  for (const u of referenceUnits(mode, input, cols, params)) {
    const atThreshold = Math.abs(u.pt - params.easyThreshold) <= EDGE;
    const atCut = Math.abs(u.pt - FLSD_53_SCHEDULE.cut) <= EDGE;
    for (let s = 0; s < S; s++) {
      const term = sweepModulating(sweep[s]!, u.pt, u.omp) * u.ce;
      let near = atThreshold ? term : 0;
      if (atCut && sweep[s] === FLSD_53_CODE) near += Math.abs(u.omp ** FLSD_53_SCHEDULE.below - u.omp ** FLSD_53_SCHEDULE.above) * u.ce;
      nearSplit[u.group * S + s]! += near;
    }
    const edge = Math.round(u.pt * F);
    if (F > 0 && Math.abs(u.pt * F - edge) <= EDGE * F) {
      nearFine[u.group]! += 1;
      for (const k of [edge - 1, edge]) {
        const b = u.group * F + Math.min(Math.max(k, 0), F - 1);
        nearFineCE[b]! += u.ce;
        nearFineFL[b]! += u.fl;
      }
    }
  }
  for (let g = 0; g < G; g++) {
    const where = `${mode} ${input} group ${g}`;
    for (let s = 0; s < S; s++) {
      const o = sweepOffset(shape, g, s);
      for (const field of [SWEEP_EASY_FL, SWEEP_HARD_FL]) {
        const e = ref[o + field]!;
        const d = Math.abs(got[o + field]! - e);
        const near = nearSplit[g * S + s]!;
        expect(d, `${where} sweep ${sweep[s]} ${field === SWEEP_EASY_FL ? 'easy' : 'hard'}: ${got[o + field]} vs ${e}`).toBeLessThanOrEqual(tolerance(e) + near);
        if (near === 0) noteDifference('sweepFL', d, e);
      }
    }
    let countDiff = 0;
    const far: string[] = [];
    for (let k = 0; k < F; k++) {
      const o = fineOffset(shape, g, k);
      countDiff += Math.abs(got[o + FINE_COUNT]! - ref[o + FINE_COUNT]!);
      for (const [field, name, near] of [
        [FINE_CE, 'fineCE', nearFineCE[g * F + k]!],
        [FINE_FL, 'fineFL', nearFineFL[g * F + k]!],
      ] as const) {
        const e = ref[o + field]!;
        const d = Math.abs(got[o + field]! - e);
        // (Collected, not one expect per bin: F is up to 65,536.)
        if (!(d <= tolerance(e) + near)) far.push(`bin ${k} ${name}: ${got[o + field]} vs ${e}`);
        if (near === 0) noteDifference(name, d, e);
      }
    }
    expect(far.slice(0, 5), `${where} fine bins`).toEqual([]);
    expect(countDiff, `${where} fine counts`).toBeLessThanOrEqual(2 * nearFine[g]!);
  }
}

interface Run {
  partial: Float64Array;
  error: KernelError | null;
  path: 'wasm' | 'fallback';
}

function runWasm(mode: Mode, input: Input, cols: Columns, params: KernelParams): Run {
  const kernel = wasmKernelFor(mode, input);
  expect(kernel, 'wasm kernel available').not.toBeNull();
  const partial = createPartial(shapeOf(mode, params));
  const before = wasmKernelCounts.wasm;
  const error = kernel!(cols, params, partial);
  return { partial, error, path: wasmKernelCounts.wasm > before ? 'wasm' : 'fallback' };
}

function runScalar(mode: Mode, input: Input, cols: Columns, params: KernelParams): Run {
  const partial = createPartial(shapeOf(mode, params));
  const error = kernelFor(mode, input)(cols, params, partial);
  return { partial, error, path: 'fallback' };
}

/** Scores a valid batch both ways: the wasm path must be taken and agree within tolerance. */
function check(mode: Mode, input: Input, cols: Columns, params: KernelParams): void {
  const ref = runScalar(mode, input, cols, params);
  const got = runWasm(mode, input, cols, params);
  expect(ref.error).toBeNull();
  expect(got.error).toBeNull();
  expect(got.path).toBe('wasm');
  expectClose(mode, input, cols, params, got.partial, ref.partial);
}

/** Scores a batch the wasm path must refuse: the result must be exactly the scalar one. */
function checkFallback(mode: Mode, input: Input, cols: Columns, params: KernelParams): void {
  const ref = runScalar(mode, input, cols, params);
  const got = runWasm(mode, input, cols, params);
  expect(got.path).toBe('fallback');
  expect(got.error).toEqual(ref.error);
  expect(Array.from(got.partial)).toEqual(Array.from(ref.partial));
}

function classesFor(mode: Mode): number {
  return mode === 'binary' ? 2 : mode === 'multiclass' ? 10 : 7;
}

describe('wasm kernel: loading', () => {
  it('loads synchronously and offers a kernel for every mode x input', () => {
    expect(initWasmKernel()).toBe(true);
    for (const [mode, input] of CASES) expect(wasmKernelFor(mode, input)).toBeTypeOf('function');
  });

  it('loads in a worker thread', async () => {
    const moduleUrl = new URL('../src/kernel/wasm/module.ts', import.meta.url).href;
    // The worker loads the TypeScript source through tsx, as the project's workers do under tsx.
    const code = `
      const { parentPort } = require('node:worker_threads');
      import('tsx/esm/api')
        .then((api) => { api.register(); return import(${JSON.stringify(moduleUrl)}); })
        .then((m) => parentPort.postMessage(m.initWasmKernel() && m.wasmArena().exports.mathExp(-1)))
        .catch((error) => parentPort.postMessage(String(error)));
    `;
    const worker = new Worker(code, { eval: true });
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toBeCloseTo(Math.exp(-1), 14);
  });

  it('focal.wasm is what the .as sources compile to (npm run build:wasm)', () => {
    const script = fileURLToPath(new URL('../src/kernel/wasm/build.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  });
});

describe('wasm kernel: vector math', () => {
  const w = (): NonNullable<ReturnType<typeof wasmArena>>['exports'] => {
    initWasmKernel();
    return wasmArena()!.exports;
  };

  it('exp matches Math.exp within 2e-14 on [-707, 0], and is 0 below and at -inf', () => {
    const u = rng(1);
    for (let i = 0; i < 20000; i++) {
      const x = -u() * (i % 2 ? 707 : 2);
      const e = Math.exp(x);
      expect(Math.abs(w().mathExp(x) - e) / e).toBeLessThan(2e-14);
    }
    expect(w().mathExp(0)).toBe(1);
    expect(w().mathExp(-800)).toBe(0);
    expect(w().mathExp(-Infinity)).toBe(0);
  });

  it('log matches Math.log on (0, 1], near 1, and for subnormals; log 0 = -inf', () => {
    const u = rng(2);
    for (let i = 0; i < 20000; i++) {
      const x = i % 3 === 0 ? u() : i % 3 === 1 ? 1 - u() * 1e-6 : u() * 1e-310;
      if (x === 0) continue;
      const e = Math.log(x);
      expect(Math.abs(w().mathLog(x) - e)).toBeLessThanOrEqual(1e-15 * Math.abs(e));
    }
    expect(w().mathLog(1)).toBe(0);
    expect(w().mathLog(0)).toBe(-Infinity);
    expect(w().mathLog(5e-324)).toBeCloseTo(Math.log(5e-324), 10);
  });

  it('pow matches Math.pow on [0, 1] x (0, 5]', () => {
    const u = rng(3);
    for (let i = 0; i < 20000; i++) {
      const x = u() ** 3;
      const g = u() * 5 + 1e-3;
      const e = Math.pow(x, g);
      if (e < 1e-300) continue;
      expect(Math.abs(w().mathPow(x, g) - e) / e).toBeLessThan(1e-13);
    }
    expect(w().mathPow(0, 0.5)).toBe(0);
    expect(w().mathPow(1, 0.5)).toBe(1);
  });
  it('short-polynomial exp (multiclass logits) is within 6e-10 of Math.exp on [-707, 0], 0 below', () => {
    const u = rng(4);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      const x = -u() * (i % 2 ? 707 : 2);
      const e = Math.exp(x);
      worst = Math.max(worst, Math.abs(w().mathExpX4(x) - e) / e);
    }
    // Near the reduction's edges |r| = ln2/64, where the truncation is largest.
    for (let m = -32 * 1020; m <= 0; m += 97) {
      for (const x of [((m - 0.5) * Math.LN2) / 32, ((m + 0.5) * Math.LN2) / 32]) {
        if (x < -707 || x > 0) continue;
        const e = Math.exp(x);
        worst = Math.max(worst, Math.abs(w().mathExpX4(x) - e) / e);
      }
    }
    console.log(`short-polynomial exp: largest relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(6e-10);
    expect(Math.abs(w().mathExpX4(-707) / Math.exp(-707) - 1)).toBeLessThan(6e-10);
    expect(w().mathExpX4(-0)).toBe(1);
    expect(w().mathExpX4(0)).toBe(1);
    expect(w().mathExpX4(-800)).toBe(0);
    expect(w().mathExpX4(-Infinity)).toBe(0);
  });
});

describe('wasm kernel: agrees with the scalar kernel', () => {
  for (const [mode, input] of CASES) {
    const C = classesFor(mode);
    for (const gamma of GAMMAS) {
      it(`${mode} ${input}, gamma ${gamma}: random and extreme inputs`, () => {
        const params = baseParams(mode, C, { gamma, ignoreIndex: 3 });
        for (const [seed, scale] of [
          [11, 0.3],
          [12, 3],
          [13, 40],
        ] as const) {
          const cols = makeBatch(mode, input, { rows: 601, C, seed: seed + gamma * 100, scale, ignoreFraction: 0.1 }, params);
          check(mode, input, cols, params);
        }
      });
    }

    it(`${mode} ${input}: thresholds and bin counts`, () => {
      for (const easyThreshold of [0, 0.25, 0.5, 0.9, 0.999999, 1]) {
        for (const bins of [1, 3, 10, 64]) {
          const params = baseParams(mode, C, { easyThreshold, bins });
          const cols = makeBatch(mode, input, { rows: 200, C, seed: bins * 7 + easyThreshold * 1000 }, params);
          check(mode, input, cols, params);
        }
      }
    });

    it(`${mode} ${input}: epsilon`, () => {
      for (const epsilon of [1e-7, 1e-12, 1e-300, 0.5]) {
        const params = baseParams(mode, C, { epsilon });
        check(mode, input, makeBatch(mode, input, { rows: 300, C, seed: 5 }, params), params);
      }
    });

    it(`${mode} ${input}: batches of 0 to 5 rows`, () => {
      for (let rows = 0; rows <= 5; rows++) {
        const params = baseParams(mode, C);
        check(mode, input, makeBatch(mode, input, { rows, C, seed: 40 + rows }, params), params);
      }
    });

    it(`${mode} ${input}: a batch spanning several wasm chunks, at an offset into its buffer`, () => {
      const width = mode === 'binary' ? 1 : C;
      const rows = Math.ceil((2.5 * CHUNK_VALUES) / width) + 3;
      const params = baseParams(mode, C, { gamma: 0.5 });
      const whole = makeBatch(mode, input, { rows: rows + 2, C, seed: 77, ignoreFraction: 0.05 }, params);
      const cols: Columns = { ...whole, length: rows, predBase: 2 * width, label: whole.label?.subarray(2) ?? null, targetBase: 2 * C };
      check(mode, input, cols, params);
    });

    it(`${mode} ${input}: deterministic (same bits twice)`, () => {
      const params = baseParams(mode, C, { gamma: 2 });
      const cols = makeBatch(mode, input, { rows: 999, C, seed: 9 }, params);
      const a = runWasm(mode, input, cols, params);
      const b = runWasm(mode, input, cols, params);
      expect(Array.from(a.partial)).toEqual(Array.from(b.partial));
    });
  }

  for (const [mode, input] of CASES) {
    it(`${mode} ${input}: predictions read into place (wasmPredictionSlot) give the copied batch's bits`, () => {
      const C = classesFor(mode);
      const width = mode === 'binary' ? 1 : C;
      for (const rows of [1, 5, 999, chunkRowsOf(width)]) {
        const params = baseParams(mode, C, { gamma: 0.5, sweep: [0, 1, 2], fineBins: 64 });
        const copied = makeBatch(mode, input, { rows, C, seed: 300 + rows, ignoreFraction: 0.05 }, params);
        const slot = wasmPredictionSlot(mode, params, rows, rows * width * 4);
        expect(slot, 'a slot for one chunk').not.toBeNull();
        const placed = new Float32Array(slot!.buffer, slot!.byteOffset, rows * width);
        placed.set(copied.pred.subarray(0, rows * width));
        const inPlace = runWasm(mode, input, { ...copied, pred: placed }, params);
        const viaCopy = runWasm(mode, input, copied, params);
        expect(inPlace.path).toBe('wasm');
        expect(inPlace.error).toBeNull();
        expect(Array.from(inPlace.partial)).toEqual(Array.from(viaCopy.partial));
        expectClose(mode, input, copied, params, inPlace.partial, runScalar(mode, input, copied, params).partial);
      }
    });
  }

  it('wasmPredictionSlot gives no slot for more rows than a chunk, a size not the rows\' or no rows', () => {
    const params = baseParams('multiclass', 10);
    expect(wasmPredictionSlot('multiclass', params, chunkRowsOf(10) + 1, (chunkRowsOf(10) + 1) * 40)).toBeNull();
    expect(wasmPredictionSlot('multiclass', params, 100, 100 * 40 - 4)).toBeNull();
    expect(wasmPredictionSlot('multiclass', params, 0, 0)).toBeNull();
    expect(wasmPredictionSlot('binary', baseParams('binary', 2), 100, 400)!.byteLength).toBe(400);
  });

  it('multiclass logits: confident rows (tiny CE) keep easy.sumCE and easy.sumFL accurate', () => {
    for (const margin of [5, 12, 20, 30, 60]) {
      for (const gamma of [0, 0.5, 2, 5]) {
        const params = baseParams('multiclass', 10, { gamma, easyThreshold: 0.9 });
        check('multiclass', 'logits', makeBatch('multiclass', 'logits', { rows: 2000, C: 10, seed: margin, margin }, params), params);
      }
    }
  });

  it('multiclass logits: identical confident rows (f32 exp errors cannot average out)', () => {
    for (const margin of [3, 8, 15, 25, 40]) {
      for (const gamma of [0.5, 2, 5]) {
        for (const seed of [1, 2, 3]) {
          const params = baseParams('multiclass', 10, { gamma, easyThreshold: 0.5 });
          const cols = makeBatch('multiclass', 'logits', { rows: 64, C: 10, seed, margin }, params);
          const y = cols.label![0]!;
          (cols.label as Int32Array).fill(y);
          for (let i = 1; i < cols.length; i++) for (let k = 0; k < 10; k++) cols.pred[i * 10 + k] = cols.pred[k]!;
          check('multiclass', 'logits', cols, params);
        }
      }
    }
  });

  it('probabilities near 1 (1 - 1e-7 and closer) keep easy.sumCE and easy.sumFL accurate', () => {
    for (const mode of ['multiclass', 'binary', 'multilabel'] as const) {
      const C = classesFor(mode);
      const params = baseParams(mode, C, { epsilon: 1e-12, easyThreshold: 0.99 });
      const cols = makeBatch(mode, 'probs', { rows: 500, C, seed: 8 }, params);
      const u = rng(99);
      for (let i = 0; i < cols.pred.length; i++) cols.pred[i] = 1 - Math.fround(u() * 3e-7);
      if (mode === 'multilabel') cols.target!.fill(1);
      if (mode === 'binary') (cols.label as Int32Array).fill(1);
      check(mode, 'probs', cols, params);
    }
  });

  it('units exactly on the threshold and on bin edges (tolerance for the split only)', () => {
    for (const [mode, input] of CASES) {
      const C = classesFor(mode);
      const params = baseParams(mode, C, { easyThreshold: 0.5, bins: 4 });
      const cols = makeBatch(mode, input, { rows: 400, C, seed: 21 }, params);
      const edges = input === 'logits' ? [0, -0, Math.log(3), -Math.log(3)] : [0.5, 0.25, 0.75, 0, 1];
      const u = rng(5);
      for (let i = 0; i < cols.pred.length; i++) if (u() < 0.5) cols.pred[i] = edges[Math.floor(u() * edges.length)]!;
      check(mode, input, cols, params);
    }
  });

  it('every label type takes the wasm path', () => {
    const types: ((n: number) => LabelArray)[] = [
      (n) => new Int8Array(n),
      (n) => new Uint8Array(n),
      (n) => new Int16Array(n),
      (n) => new Uint16Array(n),
      (n) => new Int32Array(n),
      (n) => new Uint32Array(n),
      (n) => new Float64Array(n),
    ];
    for (const [mode, input] of CASES) {
      if (mode === 'multilabel') continue;
      const C = classesFor(mode);
      for (const make of types) {
        const params = baseParams(mode, C, { ignoreIndex: 1 });
        const cols = makeBatch(mode, input, { rows: 300, C, seed: 3 }, params);
        const label = make(cols.length);
        for (let i = 0; i < cols.length; i++) label[i] = cols.label![i]!;
        check(mode, input, { ...cols, label }, params);
      }
    }
  });

  it('multilabel targets of other integer and float types take the wasm path when 0/1', () => {
    for (const input of ['probs', 'logits'] as const) {
      const params = baseParams('multilabel', 7);
      const cols = makeBatch('multilabel', input, { rows: 200, C: 7, seed: 4 }, params);
      for (const target of [Int8Array.from(cols.target!), Int32Array.from(cols.target!), Float64Array.from(cols.target!)]) {
        check('multilabel', input, { ...cols, target }, params);
      }
    }
  });

  it('binary: ignoreIndex 0 or 1 ignores a whole class', () => {
    for (const input of ['probs', 'logits'] as const) {
      for (const ignoreIndex of [0, 1]) {
        const params = baseParams('binary', 2, { ignoreIndex });
        check('binary', input, makeBatch('binary', input, { rows: 500, C: 2, seed: 6 }, params), params);
      }
    }
  });

  it('multiclass logits: ties of the max (signed zeros too), equal rows, extreme logits, 1 to 1030 classes', () => {
    const u = rng(31);
    const values = [0, -0, 1, -1, 1000, -1000, 3e38, -3e38, 5, 5, -707, -708, 88];
    for (const C of [1, 2, 3, 4, 5, 10, 13, 1030]) {
      for (const gamma of [0, 2, 5]) {
        const params = baseParams('multiclass', C, { gamma, easyThreshold: 0.5 });
        const cols = makeBatch('multiclass', 'logits', { rows: 203, C, seed: C + gamma }, params);
        for (let i = 0; i < cols.length; i++) {
          const r = u();
          for (let k = 0; k < C; k++) {
            const j = i * C + k;
            if (r < 0.2) cols.pred[j] = 7; // a row of ties only
            else if (r < 0.4) cols.pred[j] = u() < 0.5 ? 0 : -0; // ties of +0 and -0
            else if (r < 0.6) cols.pred[j] = u() < 0.5 ? 2.5 : cols.pred[j]!; // some tie at 2.5 or above
            else if (r < 0.8) cols.pred[j] = values[Math.floor(u() * values.length)]!;
          }
        }
        check('multiclass', 'logits', cols, params);
      }
    }
  });

  it('multiclass logits: 1, 2, 3, 10, 1000 classes, and more than the 1024 kept between passes', () => {
    for (const C of [1, 2, 3, 10, 1000, 1030]) {
      for (const margin of [undefined, 4, 25]) {
        const params = baseParams('multiclass', C, { gamma: 2 });
        const rows = C >= 1000 ? 41 : 301;
        check('multiclass', 'logits', makeBatch('multiclass', 'logits', { rows, C, seed: C + (margin ?? 0), margin }, params), params);
      }
    }
  });

  it('multiclass: many classes and one class', () => {
    for (const input of ['probs', 'logits'] as const) {
      for (const C of [1, 3, 257]) {
        const params = baseParams('multiclass', C, { gamma: 0.5 });
        check('multiclass', input, makeBatch('multiclass', input, { rows: 150, C, seed: C }, params), params);
      }
    }
  });

  it('multilabel: 1, 2, 3 and 80 labels (class cycling across vector lanes)', () => {
    for (const input of ['probs', 'logits'] as const) {
      for (const C of [1, 2, 3, 5, 80]) {
        const params = baseParams('multilabel', C);
        check('multilabel', input, makeBatch('multilabel', input, { rows: 97, C, seed: C }, params), params);
      }
    }
  });

  it('multilabel: 40000 labels (an 8-row chunk of 320000 units, scored CALL_UNITS at a time so the health counts stay exact)', () => {
    for (const input of ['probs', 'logits'] as const) {
      const C = 40000;
      const params = baseParams('multilabel', C);
      const cols = makeBatch('multilabel', input, { rows: 8, C, seed: 5 }, params);
      check('multilabel', input, cols, params);
      const got = runWasm('multilabel', input, cols, params).partial;
      const shape = shapeOf('multilabel', params);
      let flagged = 0;
      for (let g = 0; g < shape.groups; g++) flagged += got[healthOffset(shape, g) + (input === 'probs' ? CLAMPED_LOW : SATURATED)]!;
      expect(flagged).toBeGreaterThan(1000);
    }
  });

  it('adds into a partial that already holds sums (out[i] += batch total)', () => {
    for (const [mode, input] of CASES) {
      const C = classesFor(mode);
      const params = baseParams(mode, C);
      const cols = makeBatch(mode, input, { rows: 300, C, seed: 31 }, params);
      const before = runScalar(mode, input, makeBatch(mode, input, { rows: 100, C, seed: 32 }, params), params).partial;
      const alone = runWasm(mode, input, cols, params).partial;
      const got = Float64Array.from(before);
      expect(wasmKernelFor(mode, input)!(cols, params, got)).toBeNull();
      expect(Array.from(got)).toEqual(Array.from(before, (v, i) => v + alone[i]!));
    }
  });
});

describe('wasm kernel: the gamma sweep and the fine bins agree with the scalar kernel', () => {
  /** The bench's sweep, FLSD-53, and gammas the exact forms do not cover. */
  const SWEEP = [0, 0.5, 1, 2, 5, FLSD_53_CODE, 3.7, 0.25];

  for (const [mode, input] of CASES) {
    const C = classesFor(mode);

    it(`${mode} ${input}: sweep ${SWEEP.join(', ')} and 1024 fine bins, main gamma 2, 0.5, 0, 5`, () => {
      for (const gamma of [2, 0.5, 0, 5]) {
        const params = baseParams(mode, C, { gamma, ignoreIndex: 3, sweep: SWEEP, fineBins: 1024 });
        for (const [seed, scale] of [
          [21, 0.3],
          [22, 3],
          [23, 40],
        ] as const) {
          check(mode, input, makeBatch(mode, input, { rows: 601, C, seed: seed + gamma * 100, scale, ignoreFraction: 0.1 }, params), params);
        }
      }
    });

    it(`${mode} ${input}: the sweep alone, the fine bins alone (1, 7, 65536), other thresholds`, () => {
      for (const easyThreshold of [0, 0.2, 0.9, 1]) {
        const params = baseParams(mode, C, { easyThreshold, sweep: [FLSD_53_CODE, 1.5] });
        check(mode, input, makeBatch(mode, input, { rows: 300, C, seed: 31 + easyThreshold * 10 }, params), params);
      }
      for (const fineBins of [1, 7, 65536]) {
        const params = baseParams(mode, C, { fineBins, bins: 3 });
        check(mode, input, makeBatch(mode, input, { rows: 300, C, seed: 37 + fineBins }, params), params);
      }
    });

    it(`${mode} ${input}: gamma 0's entry is the CE sums and the main gamma's entry the main FL sums`, () => {
      for (const gamma of [2, 0.5]) {
        const params = baseParams(mode, C, { gamma, sweep: [0, gamma, FLSD_53_CODE] });
        const cols = makeBatch(mode, input, { rows: 700, C, seed: 41, ignoreFraction: 0.1 }, params);
        const got = runWasm(mode, input, cols, params);
        expect(got.path).toBe('wasm');
        const shape = shapeOf(mode, params);
        const close = (a: number, e: number, what: string): void => {
          expect(Math.abs(a - e), `${what}: ${a} vs ${e}`).toBeLessThanOrEqual(tolerance(e));
        };
        const p = got.partial;
        for (let g = 0; g < shape.groups; g++) {
          const o = groupOffset(g);
          const ce = sweepOffset(shape, g, 0);
          const fl = sweepOffset(shape, g, 1);
          close(p[ce + SWEEP_EASY_FL]!, p[o + EASY_CE]!, `group ${g} gamma 0 easy`);
          close(p[ce + SWEEP_HARD_FL]!, p[o + HARD_CE]!, `group ${g} gamma 0 hard`);
          close(p[ce + SWEEP_EASY_FL]! + p[ce + SWEEP_HARD_FL]!, p[o + SUM_CE]!, `group ${g} gamma 0`);
          close(p[fl + SWEEP_EASY_FL]!, p[o + EASY_FL]!, `group ${g} gamma ${gamma} easy`);
          close(p[fl + SWEEP_HARD_FL]!, p[o + HARD_FL]!, `group ${g} gamma ${gamma} hard`);
        }
      }
    });

    it(`${mode} ${input}: several chunks at an offset; at once, by chunks and twice, the same bits`, () => {
      const width = mode === 'binary' ? 1 : C;
      const rowsPerChunk = chunkRowsOf(width);
      const rows = Math.floor(2.5 * rowsPerChunk) + 3;
      const params = baseParams(mode, C, { gamma: 0.5, sweep: SWEEP, fineBins: 256 });
      const whole = makeBatch(mode, input, { rows: rows + 2, C, seed: 43, ignoreFraction: 0.05 }, params);
      const cols: Columns = { ...whole, length: rows, predBase: 2 * width, label: whole.label?.subarray(2) ?? null, targetBase: 2 * C };
      check(mode, input, cols, params);
      const a = runWasm(mode, input, cols, params);
      const b = runWasm(mode, input, cols, params);
      expect(Array.from(b.partial)).toEqual(Array.from(a.partial));
      const kernel = wasmKernelFor(mode, input)!;
      const parts = createPartial(shapeOf(mode, params));
      const before = wasmKernelCounts.wasm;
      for (let from = 0; from < rows; from += rowsPerChunk) {
        expect(kernel(sliceColumns(cols, from, Math.min(from + rowsPerChunk, rows), width), params, parts)).toBeNull();
      }
      expect(wasmKernelCounts.wasm - before).toBe(3);
      expect(Array.from(parts)).toEqual(Array.from(a.partial));
    });

    it(`${mode} ${input}: a chunk for the scalar kernel (an invalid row skipped) adds its sweep and fine bins too`, () => {
      const width = mode === 'binary' ? 1 : C;
      const params = baseParams(mode, C, { skipInvalid: true, sweep: SWEEP, fineBins: 64 });
      const cols = makeBatch(mode, input, { rows: 2 * chunkRowsOf(width) + 5, C, seed: 47 }, params);
      cols.pred[(chunkRowsOf(width) + 5) * width] = input === 'logits' ? NaN : 1.5;
      const ref = runScalar(mode, input, cols, params);
      const fallbacks = wasmKernelCounts.fallback;
      const got = runWasm(mode, input, cols, params);
      expect(wasmKernelCounts.fallback - fallbacks).toBe(1);
      expect(got.path).toBe('wasm');
      expect(got.partial[INVALID]).toBe(1);
      expectExtrasClose(mode, input, cols, params, got.partial, ref.partial);
    });

    it(`${mode} ${input}: the row kernel's sums are the plain kernel's, sweep and fine bins included`, () => {
      const params = baseParams(mode, C, { sweep: SWEEP, fineBins: 128 });
      const rows = chunkRowsOf(mode === 'binary' ? 1 : C) + 13;
      const cols = makeBatch(mode, input, { rows, C, seed: 53, ignoreFraction: mode === 'multilabel' ? 0 : 0.1 }, params);
      const groups = shapeOf(mode, params).groups;
      const weights = Float64Array.from({ length: groups }, (_, g) => 0.5 + g / 4);
      const width = mode === 'multilabel' ? C : 0;
      const wasmRows = createRowColumns(weights, rows, width);
      const refRows = createRowColumns(weights, rows, width);
      const partial = createPartial(shapeOf(mode, params));
      const before = wasmKernelCounts.wasm;
      expect(wasmRowKernelFor(mode, input)!(cols, params, partial, wasmRows, 0)).toBeNull();
      expect(wasmKernelCounts.wasm).toBeGreaterThan(before);
      expect(Array.from(partial)).toEqual(Array.from(runWasm(mode, input, cols, params).partial));
      expect(scalarRowKernel(mode, input)(cols, params, createPartial(shapeOf(mode, params)), refRows, 0)).toBeNull();
      expect(Array.from(wasmRows.valid)).toEqual(Array.from(refRows.valid));
    });

    it(`${mode} ${input}: sweep entries it cannot reproduce go to the scalar kernel`, () => {
      const params = baseParams(mode, C);
      const cols = makeBatch(mode, input, { rows: 50, C, seed: 59 }, params);
      for (const bad of [-2, NaN, Infinity]) checkFallback(mode, input, cols, { ...params, sweep: [2, bad] });
    });
  }
});

describe('wasm kernel: falls back to exactly the scalar result', () => {
  for (const [mode, input] of CASES) {
    const C = classesFor(mode);
    const valid = (over: Partial<KernelParams> = {}): { cols: Columns; params: KernelParams } => {
      const params = baseParams(mode, C, over);
      return { cols: makeBatch(mode, input, { rows: 50, C, seed: 17 }, params), params };
    };
    const width = mode === 'binary' ? 1 : C;
    const bad = input === 'logits' ? [NaN, Infinity, -Infinity] : [NaN, 1.5, -0.25, Infinity];

    it(`${mode} ${input}: Float64 predictions, List offsets, nulls`, () => {
      const a = valid();
      checkFallback(mode, input, { ...a.cols, pred: Float64Array.from(a.cols.pred) }, a.params);
      const offsets = Int32Array.from({ length: a.cols.length + 1 }, (_, i) => i * width);
      if (mode !== 'binary') checkFallback(mode, input, { ...a.cols, predOffsets: offsets }, a.params);
      const rowState = new Uint8Array(a.cols.length);
      rowState[7] = ROW_NULL_PRED;
      rowState[9] = ROW_IGNORED;
      checkFallback(mode, input, { ...a.cols, rowState }, a.params);
      checkFallback(mode, input, { ...a.cols, rowState }, { ...a.params, skipInvalid: true });
    });

    if (mode !== 'multilabel') {
      it(`${mode} ${input}: null labels only (ignored rows) stay on the wasm path`, () => {
        const a = valid();
        const rowState = new Uint8Array(a.cols.length);
        rowState[3] = ROW_IGNORED;
        rowState[21] = ROW_IGNORED;
        const cols = { ...a.cols, rowState };
        check(mode, input, cols, a.params);
        expect(runWasm(mode, input, cols, a.params).partial[IGNORED]).toBe(2);
      });
    }

    it(`${mode} ${input}: invalid prediction values (stop and skip)`, () => {
      for (const value of bad) {
        for (const skipInvalid of [false, true]) {
          const a = valid({ skipInvalid });
          a.cols.pred[13 * width + (width > 1 ? 1 : 0)] = value;
          checkFallback(mode, input, a.cols, a.params);
        }
      }
    });

    it(`${mode} ${input}: parameters the wasm path does not take`, () => {
      const a = valid();
      checkFallback(mode, input, a.cols, { ...a.params, gamma: -1 });
      checkFallback(mode, input, a.cols, { ...a.params, gamma: Infinity });
      checkFallback(mode, input, a.cols, { ...a.params, bins: 2.5 });
      checkFallback(mode, input, a.cols, { ...a.params, bins: 0 });
      if (input === 'probs') {
        checkFallback(mode, input, a.cols, { ...a.params, epsilon: 0 });
        checkFallback(mode, input, a.cols, { ...a.params, epsilon: 0.6 });
        checkFallback(mode, input, a.cols, { ...a.params, epsilon: NaN });
      }
    });

    if (mode === 'multilabel') {
      it(`${mode} ${input}: invalid targets and target lists`, () => {
        for (const skipInvalid of [false, true]) {
          const a = valid({ skipInvalid });
          const t8 = Uint8Array.from(a.cols.target!);
          t8[20] = 2;
          checkFallback(mode, input, { ...a.cols, target: t8 }, a.params);
          const ti8 = Int8Array.from(a.cols.target!);
          ti8[21] = -1;
          checkFallback(mode, input, { ...a.cols, target: ti8 }, a.params);
          const t32 = Int32Array.from(a.cols.target!);
          t32[22] = 256;
          checkFallback(mode, input, { ...a.cols, target: t32 }, a.params);
          const tf = Float64Array.from(a.cols.target!);
          tf[23] = 0.5;
          checkFallback(mode, input, { ...a.cols, target: tf }, a.params);
          const offsets = Int32Array.from({ length: a.cols.length + 1 }, (_, i) => i * C);
          checkFallback(mode, input, { ...a.cols, targetOffsets: offsets }, a.params);
        }
      });
    } else {
      it(`${mode} ${input}: labels out of range or not integers`, () => {
        for (const skipInvalid of [false, true]) {
          const cases: LabelArray[] = [];
          const a = valid({ skipInvalid });
          const i32 = Int32Array.from(a.cols.label!);
          i32[5] = C;
          cases.push(i32);
          const neg = Int32Array.from(a.cols.label!);
          neg[6] = -1;
          cases.push(neg);
          const u32 = Uint32Array.from(a.cols.label!);
          u32[7] = 2 ** 32 - 100; // -100 if wrapped to int32: must not be taken for the ignore index
          cases.push(u32);
          const f = Float64Array.from(a.cols.label!);
          f[8] = 1.5;
          cases.push(f);
          const nan = Float64Array.from(a.cols.label!);
          nan[9] = NaN;
          cases.push(nan);
          for (const label of cases) checkFallback(mode, input, { ...a.cols, label }, a.params);
          const unknown = Float64Array.from(a.cols.label!);
          unknown[10] = -1;
          checkFallback(mode, input, { ...a.cols, label: unknown, unknownLabels: new Map([[10, 'zebra']]) }, a.params);
        }
      });
    }
  }
});

afterAll(() => {
  const line = [...FIELD_NAMES.map(([, name]) => name), ...EXTRA_NAMES].map(
    (name) => `${name} ${(worstRelative[name] ?? 0).toExponential(1)} (${(worstShare[name] ?? 0).toExponential(1)} of the bar)`,
  ).join(', ');
  console.log(`wasm vs scalar, largest relative difference per field: ${line}`);
});

describe('wasm kernel: the chunk is the unit of summation', () => {
  /** A batch of 2.5 chunks, and its chunks as batches of their own (what a worker reading slices scores). */
  function chunked(mode: Mode, input: Input, params: KernelParams, seed: number): { cols: Columns; slices: [number, Columns][] } {
    const width = mode === 'binary' ? 1 : params.classes;
    const rowsPerChunk = chunkRowsOf(width);
    const cols = makeBatch(mode, input, { rows: Math.floor(2.5 * rowsPerChunk) + 3, C: params.classes, seed, ignoreFraction: 0.05 }, params);
    const slices: [number, Columns][] = [];
    for (let from = 0; from < cols.length; from += rowsPerChunk) {
      slices.push([from, sliceColumns(cols, from, Math.min(from + rowsPerChunk, cols.length), width)]);
    }
    return { cols, slices };
  }

  /** Scores the slices one call each into one partial; the first error, at its batch row. */
  function bySlices(mode: Mode, input: Input, slices: [number, Columns][], params: KernelParams): { partial: Float64Array; error: KernelError | null } {
    const kernel = wasmKernelFor(mode, input)!;
    const partial = createPartial(shapeOf(mode, params));
    for (const [from, slice] of slices) {
      const error = kernel(slice, params, partial);
      if (error) return { partial, error: { ...error, row: error.row + from } };
    }
    return { partial, error: null };
  }

  /** Spoils one unit of row `row`: a prediction the kernels refuse. */
  function spoil(mode: Mode, input: Input, cols: Columns, row: number, C: number): void {
    const width = mode === 'binary' ? 1 : C;
    cols.pred[cols.predBase + row * width] = input === 'logits' ? NaN : 1.5;
  }

  for (const [mode, input] of CASES) {
    const C = classesFor(mode);

    it(`${mode} ${input}: a batch at once and its chunks one call each give the same bits`, () => {
      const params = baseParams(mode, C, { gamma: 2 });
      const { cols, slices } = chunked(mode, input, params, 61);
      const whole = runWasm(mode, input, cols, params);
      const parts = bySlices(mode, input, slices, params);
      expect(whole.error).toBeNull();
      expect(parts.error).toBeNull();
      expect(Array.from(parts.partial)).toEqual(Array.from(whole.partial));
      expect(whole.partial[ROWS]).toBe(cols.length);
    });

    it(`${mode} ${input}: an invalid row in the second chunk is reported at its batch row`, () => {
      const params = baseParams(mode, C);
      const { cols, slices } = chunked(mode, input, params, 62);
      const row = slices[1]![0] + 5;
      spoil(mode, input, cols, row, C);
      const ref = runScalar(mode, input, cols, params);
      const whole = runWasm(mode, input, cols, params);
      expect(ref.error?.row).toBe(row);
      expect(whole.error).toEqual(ref.error);
      expect(bySlices(mode, input, slices, params).error).toEqual(ref.error);
    });

    it(`${mode} ${input}: skipping it, only its chunk leaves the wasm path, and the counts are the reference's`, () => {
      const params = baseParams(mode, C, { skipInvalid: true });
      const { cols, slices } = chunked(mode, input, params, 63);
      spoil(mode, input, cols, slices[1]![0] + 5, C);
      const ref = runScalar(mode, input, cols, params);
      const fallbacks = wasmKernelCounts.fallback;
      const whole = runWasm(mode, input, cols, params);
      expect(wasmKernelCounts.fallback - fallbacks).toBe(1);
      expect(whole.path).toBe('wasm');
      for (const slot of [ROWS, IGNORED, INVALID]) expect(whole.partial[slot]).toBe(ref.partial[slot]);
      const shape = shapeOf(mode, params);
      for (let g = 0; g < shape.groups; g++) {
        const o = groupOffset(g);
        expect(whole.partial[o + COUNT]).toBe(ref.partial[o + COUNT]);
        expect(Math.abs(whole.partial[o + SUM_CE]! - ref.partial[o + SUM_CE]!)).toBeLessThanOrEqual(1e-9 * Math.abs(ref.partial[o + SUM_CE]!) + 1e-12);
      }
      expect(Array.from(bySlices(mode, input, slices, params).partial)).toEqual(Array.from(whole.partial));
    });
  }

  it('a label naming no class in a later chunk keeps its text in the error', () => {
    const params = baseParams('multiclass', 10);
    const { cols } = chunked('multiclass', 'probs', params, 64);
    const row = chunkRowsOf(10) + 7;
    const label = Float64Array.from(cols.label!);
    label[row] = -1;
    const bad = { ...cols, label, unknownLabels: new Map([[row, 'zebra']]) };
    const ref = runScalar('multiclass', 'probs', bad, params);
    expect(ref.error?.row).toBe(row);
    expect(runWasm('multiclass', 'probs', bad, params).error).toEqual(ref.error);
  });
});

describe('wasmRowKernelFor: the per-row columns from the same pass', () => {
  it.each(CASES)('%s %s: p_t, ce, loss (and per-class) as the scalar kernel writes them, bits and null counts exact', (mode, input) => {
    const C = mode === 'binary' ? 2 : 7;
    const params = baseParams(mode, C, { gamma: 2 });
    // Several wasm chunks, a last byte of bits that is not full, ignored rows (not in multilabel).
    const rows = 2 * chunkRowsOf(mode === 'binary' ? 1 : C) + 13;
    const cols = makeBatch(mode, input, { rows, C, seed: 42, ignoreFraction: mode === 'multilabel' ? 0 : 0.1 }, params);
    const groups = shapeOf(mode, params).groups;
    const weights = Float64Array.from({ length: groups }, (_, g) => 0.5 + g / 4);
    const width = mode === 'multilabel' ? C : 0;
    // Rows [8, 8 + rows) of a larger output: the first row a multiple of 8, as the workers use it.
    const wasmRows = createRowColumns(weights, rows + 8, width);
    const refRows = createRowColumns(weights, rows + 8, width);
    const wasmPartial = createPartial(shapeOf(mode, params));
    const before = wasmKernelCounts.wasm;
    expect(wasmRowKernelFor(mode, input)!(cols, params, wasmPartial, wasmRows, 8)).toBeNull();
    expect(wasmKernelCounts.wasm).toBeGreaterThan(before);
    expect(scalarRowKernel(mode, input)(cols, params, createPartial(shapeOf(mode, params)), refRows, 8)).toBeNull();
    // The sums are the plain wasm kernel's, to the bit.
    const plain = createPartial(shapeOf(mode, params));
    wasmKernelFor(mode, input)!(cols, params, plain);
    expect(Array.from(wasmPartial)).toEqual(Array.from(plain));
    expect(wasmRows.nulls).toBe(refRows.nulls);
    expect(Array.from(wasmRows.valid)).toEqual(Array.from(refRows.valid));
    if (mode !== 'multilabel') expect(refRows.nulls).toBeGreaterThan(0);
    // multiclass logits: e^x within 6e-10 (multiclass.as), fl within (2 gamma + 1) of it; else a few ulp.
    const rel = mode === 'multiclass' && input === 'logits' ? 5 * 6e-10 : 1e-12;
    const far = (a: Float64Array | Float32Array, b: Float64Array | Float32Array, tol: number): number[] => {
      const bad: number[] = [];
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Math.abs(a[i]! - b[i]!) <= tol * Math.abs(b[i]!) + 1e-300)) bad.push(i);
      return bad.slice(0, 5);
    };
    expect(far(wasmRows.loss, refRows.loss, rel)).toEqual([]);
    if (mode === 'multilabel') {
      expect(far(wasmRows.perClass!, refRows.perClass!, 2 ** -23)).toEqual([]);
    } else {
      expect(far(wasmRows.pt, refRows.pt, rel)).toEqual([]);
      expect(far(wasmRows.ce, refRows.ce, rel)).toEqual([]);
      // Easy bits: equal except where p_t sits within rounding of the threshold.
      for (let r = 8; r < rows + 8; r++) {
        const bit = (b: Uint8Array): number => (b[r >> 3]! >> (r & 7)) & 1;
        if (bit(wasmRows.easy) !== bit(refRows.easy)) expect(Math.abs(refRows.pt[r]! - params.easyThreshold)).toBeLessThan(EDGE);
      }
    }
  });
});

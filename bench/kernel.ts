/**
 * Kernel throughput, scalar reference vs wasm SIMD, for every mode x input:
 *
 *   node --import tsx bench/kernel.ts [--gamma G] [--sweep G1,G2,...] [--fine F] [--scale S] [--repeat R]
 *
 * Units are what the partial counts: one per row in binary and multiclass, C per row in
 * multilabel. Shapes follow the issue's targets (W1/W2: 10 classes; W3: 80 labels), scaled by
 * --scale (1 = 2M multiclass rows, 5M binary rows, 125k multilabel rows). Each kernel scores the
 * data in pipeline-sized batches into a fresh partial per batch (copy into wasm memory and
 * checks included); the time is the best of --repeat passes after one warm-up pass (so the wasm
 * code has tiered up), on one thread, scalar and wasm passes alternating. Also printed: the
 * prediction values per second of the wasm kernel, and the wasm result's largest relative
 * difference from the scalar one over all partial slots, as a sanity check. --sweep adds a gamma
 * sweep (numbers or FLSD-53) and --fine F fine p_t bins, as --gamma G1,G2,... and
 * --concentration-bins F do in the CLI.
 */
import { kernelFor, type Kernel } from '../src/kernel/index.ts';
import type { Columns, KernelParams } from '../src/kernel/types.ts';
import { wasmKernelFor } from '../src/kernel/wasm/index.ts';
import { createPartial, mergeInto } from '../src/kernel/partial.ts';
import { FLSD_53, sweepCodes } from '../src/kernel/sweep.ts';

type Mode = 'binary' | 'multiclass' | 'multilabel';
type Input = 'probs' | 'logits';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const gamma = flag('--gamma', 2);
const scale = flag('--scale', 1);
const repeat = flag('--repeat', 5);
const sweepAt = process.argv.indexOf('--sweep');
const sweep = sweepAt >= 0 ? sweepCodes(process.argv[sweepAt + 1]!.split(',').map((g) => (g === FLSD_53 ? FLSD_53 : Number(g)))) : [];
const fineBins = flag('--fine', 0);

/** Deterministic uniform [0, 1) (xorshift), so every run scores the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A standard normal from two uniforms (Box-Muller). */
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

interface Workload {
  mode: Mode;
  input: Input;
  rows: number;
  classes: number;
  batchRows: number;
  cols: Columns;
  params: KernelParams;
  units: number;
}

/** Logits with a bump on the true class, so that units range from easy to hard. */
function makeWorkload(mode: Mode, input: Input, rows: number, classes: number, batchRows: number): Workload {
  const u = rng(12345 + rows + classes);
  const width = mode === 'binary' ? 1 : classes;
  const pred = new Float32Array(rows * width);
  const label = mode === 'multilabel' ? null : new Int32Array(rows);
  const target = mode === 'multilabel' ? new Uint8Array(rows * classes) : null;
  for (let i = 0; i < rows; i++) {
    if (mode === 'multiclass') {
      const y = Math.floor(u() * classes);
      label![i] = y;
      let max = -Infinity;
      for (let k = 0; k < classes; k++) {
        const z = 2 * normal(u) + (k === y ? 3 : 0);
        pred[i * classes + k] = z;
        if (z > max) max = z;
      }
      if (input === 'probs') {
        let sum = 0;
        for (let k = 0; k < classes; k++) sum += Math.exp(pred[i * classes + k]! - max);
        for (let k = 0; k < classes; k++) pred[i * classes + k] = Math.exp(pred[i * classes + k]! - max) / sum;
      }
    } else {
      const n = mode === 'binary' ? 1 : classes;
      for (let c = 0; c < n; c++) {
        const t = u() < 0.3 ? 1 : 0;
        const z = 3 * normal(u) + (t ? 2 : -2);
        if (mode === 'binary') label![i] = t;
        else target![i * classes + c] = t;
        pred[i * n + c] = input === 'probs' ? 1 / (1 + Math.exp(-z)) : z;
      }
    }
  }
  const cols: Columns = {
    length: rows,
    pred,
    predBase: 0,
    predOffsets: null,
    label,
    target,
    targetBase: 0,
    targetOffsets: null,
    rowState: null,
    unknownLabels: null,
  };
  const params: KernelParams = {
    classes: mode === 'binary' ? 2 : classes,
    gamma,
    epsilon: 1e-7,
    easyThreshold: 0.5,
    bins: 10,
    ignoreIndex: -100,
    skipInvalid: false,
    sweep,
    fineBins,
  };
  const units = mode === 'multilabel' ? rows * classes : rows;
  return { mode, input, rows, classes, batchRows, cols, params, units };
}

/** The columns of rows [from, to) of a workload, as a worker would see one batch. */
function slice(w: Workload, from: number, to: number): Columns {
  const width = w.mode === 'binary' ? 1 : w.classes;
  const c = w.cols;
  return {
    ...c,
    length: to - from,
    pred: c.pred.subarray(from * width, to * width),
    label: c.label ? c.label.subarray(from, to) : null,
    target: c.target ? c.target.subarray(from * w.classes, to * w.classes) : null,
  };
}

/** Scores the whole workload batch by batch; returns the merged partial. */
function runAll(w: Workload, kernel: Kernel, batches: Columns[]): Float64Array {
  const groups = w.mode === 'multilabel' ? 2 * w.classes : w.mode === 'binary' ? 2 : w.classes;
  const shape = { groups, bins: w.params.bins, sweep: sweep.length, fine: fineBins };
  const total = createPartial(shape);
  for (const cols of batches) {
    const partial = createPartial(shape);
    const error = kernel(cols, w.params, partial);
    if (error) throw new Error(`kernel error: ${error.reason}`);
    mergeInto(total, partial);
  }
  return total;
}

/** Seconds for one pass of a kernel over all batches, and its merged partial. */
function pass(w: Workload, kernel: Kernel, batches: Columns[]): { seconds: number; result: Float64Array } {
  const t0 = process.hrtime.bigint();
  const result = runAll(w, kernel, batches);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

/**
 * Best times of `repeat` passes of each kernel after one warm-up pass each, the two kernels
 * alternating so that a burst of load on a shared machine hits both alike.
 */
function race(w: Workload, scalar: Kernel, wasm: Kernel, batches: Columns[]): { scalar: number; wasm: number; a: Float64Array; b: Float64Array } {
  const a = pass(w, scalar, batches).result;
  const b = pass(w, wasm, batches).result;
  let bestScalar = Infinity;
  let bestWasm = Infinity;
  for (let r = 0; r < repeat; r++) {
    bestScalar = Math.min(bestScalar, pass(w, scalar, batches).seconds);
    bestWasm = Math.min(bestWasm, pass(w, wasm, batches).seconds);
  }
  return { scalar: bestScalar, wasm: bestWasm, a, b };
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = a[i]!;
    const d = Math.abs(b[i]! - e) / Math.max(Math.abs(e), 1e-300);
    if (e !== b[i] && d > worst) worst = d;
  }
  return worst;
}

const shapes: [Mode, number, number, number][] = [
  ['multiclass', Math.round(2_000_000 * scale), 10, 65536],
  ['binary', Math.round(5_000_000 * scale), 1, 65536],
  ['multilabel', Math.round(125_000 * scale), 80, 8192],
];

const extras = `${sweep.length > 0 ? `, sweep ${process.argv[sweepAt + 1]}` : ''}${fineBins > 0 ? `, ${fineBins} fine bins` : ''}`;
console.log(`gamma ${gamma}${extras}, best of ${repeat} passes after a warm-up, one thread, Node ${process.version}`);
console.log('mode        input   rows      C   units      scalar Mu/s  wasm Mu/s  ratio  wasm Mvalues/s  max rel diff');
for (const [mode, rows, classes, batchRows] of shapes) {
  for (const input of ['probs', 'logits'] as const) {
    const w = makeWorkload(mode, input, rows, classes, batchRows);
    const batches: Columns[] = [];
    for (let r = 0; r < rows; r += batchRows) batches.push(slice(w, r, Math.min(rows, r + batchRows)));
    const wasm = wasmKernelFor(mode, input);
    if (!wasm) throw new Error('wasm kernel unavailable');
    const timing = race(w, kernelFor(mode, input), wasm, batches);
    const s = w.units / timing.scalar / 1e6;
    const v = w.units / timing.wasm / 1e6;
    const values = w.cols.pred.length / timing.wasm / 1e6;
    console.log(
      [
        mode.padEnd(11),
        input.padEnd(7),
        String(rows).padEnd(9),
        String(mode === 'binary' ? 2 : classes).padEnd(3),
        String(w.units).padEnd(10),
        s.toFixed(1).padStart(11),
        v.toFixed(1).padStart(10),
        (v / s).toFixed(1).padStart(6),
        values.toFixed(1).padStart(15),
        maxRelDiff(timing.a, timing.b).toExponential(1).padStart(13),
      ].join(' '),
    );
  }
}

/**
 * The stage's per-row columns (RowColumns): allocating them for a batch, and filling them from
 * the reference kernels' per-row outputs (RowOutputs: one byte per flag), which is how a batch or
 * chunk the wasm path does not take, or a run without wasm, gets its rows. The buffers are fresh
 * per batch or reused (sharedBuffers.ts) and shared (SharedArrayBuffer): the result message then
 * carries them to the main thread without a copy (a structured clone of a shared buffer shares
 * it), and the main thread hands them to Arrow and to the output as they are.
 */
import { kernelFor } from './index.ts';
import { takeShared } from './sharedBuffers.ts';
import type { Columns, InputKind, KernelError, KernelParams, Mode, RowColumns, RowOutputs } from './types.ts';

/** Fills rows [at, at + cols.length) of `rows` (and the partial `out`) from one batch or slice. */
export type RowKernel = (cols: Columns, params: KernelParams, out: Float64Array, rows: RowColumns, at: number) => KernelError | null;

/** Zeroed per-row columns for n rows (`perClassWidth` C in multilabel, else 0). */
export function createRowColumns(weights: Float64Array, n: number, perClassWidth: number): RowColumns {
  const labelled = perClassWidth === 0;
  const bits = (n + 7) >> 3;
  // Values are all written by the kernels; bits are OR-ed in, so they start at 0.
  const f64 = (length: number): Float64Array => new Float64Array(takeShared(length * 8), 0, length);
  const u8 = (length: number): Uint8Array => new Uint8Array(takeShared(length), 0, length).fill(0);
  return {
    weights,
    length: n,
    pt: f64(labelled ? n : 0),
    ce: f64(labelled ? n : 0),
    loss: f64(n),
    easy: u8(labelled ? bits : 0),
    valid: u8(bits),
    nulls: 0,
    perClass: labelled ? null : new Float32Array(takeShared(n * perClassWidth * 4), 0, n * perClassWidth),
  };
}

/** Zeroed reference-kernel outputs for n rows (`perClassWidth` C in multilabel, else 0). */
export function createRowOutputs(weights: Float64Array, n: number, perClassWidth: number): RowOutputs {
  const labelled = perClassWidth === 0;
  return {
    weights,
    scored: new Uint8Array(n),
    pt: new Float64Array(labelled ? n : 0),
    ce: new Float64Array(labelled ? n : 0),
    loss: new Float64Array(n),
    easy: new Uint8Array(labelled ? n : 0),
    perClass: labelled ? null : new Float32Array(n * perClassWidth),
  };
}

/** Copies the first n rows of reference outputs into rows [at, at + n) of `dst` (any `at`; flags become bits). */
export function putRowOutputs(src: RowOutputs, n: number, dst: RowColumns, at: number): void {
  if (dst.perClass !== null) {
    const C = dst.perClass.length / dst.length;
    dst.perClass.set(src.perClass!.subarray(0, n * C), at * C);
  } else {
    dst.pt.set(src.pt.subarray(0, n), at);
    dst.ce.set(src.ce.subarray(0, n), at);
    setBits(dst.easy, src.easy, n, at);
  }
  dst.loss.set(src.loss.subarray(0, n), at);
  setBits(dst.valid, src.scored, n, at);
  for (let i = 0; i < n; i++) dst.nulls += 1 - src.scored[i]!;
}

/** ORs n byte flags into bits [at, at + n) of `bits` (whose bits there are 0). */
function setBits(bits: Uint8Array, flags: Uint8Array, n: number, at: number): void {
  for (let i = 0; i < n; i++) if (flags[i]) bits[(at + i) >> 3]! |= 1 << ((at + i) & 7);
}

/** The reference kernel as a row kernel: its byte outputs for the slice, then copied in as bits. */
export function scalarRowKernel(mode: Mode, input: InputKind): RowKernel {
  const kernel = kernelFor(mode, input);
  return (cols, params, out, rows, at) => {
    const src = createRowOutputs(rows.weights, cols.length, mode === 'multilabel' ? params.classes : 0);
    const error = kernel(cols, params, out, src);
    putRowOutputs(src, cols.length, rows, at);
    return error;
  };
}

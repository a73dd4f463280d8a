/**
 * The wasm SIMD kernels, with the scalar kernels' signature and results (within the spec's
 * tolerance: every sum within max(1e-6 |e|, 1e-9) of the float64 reference e, counts exact; the
 * numerical-health counts are the scalar kernels' exactly, health.as).
 *
 * The wasm path takes the hot shape only: Float32 predictions of fixed width (predOffsets null),
 * no nulls (rowState null; a batch whose only nulls are null labels is first given ignoreIndex
 * in their place), fixed-width multilabel targets, and parameters it can reproduce
 * (integer bins >= 1, finite gamma >= 0, sweep entries finite gammas >= 0 or FLSD-53, and for
 * probabilities 0 < epsilon <= 1/2, epsilon normal); any other batch goes, whole and untouched, to the scalar reference kernel. It also
 * needs each chunk valid: labels in [0, C) or equal to ignoreIndex, predictions finite (logits)
 * or in [0, 1] (probabilities), targets 0/1; any other chunk goes to the scalar kernel. So
 * errors, skipping and every edge case keep exactly the reference's semantics.
 *
 * A batch is copied into wasm memory a chunk of rows at a time (~CHUNK_VALUES predictions, so
 * that the copy is still in cache when the kernel reads it), checked, scored into per-group
 * accumulators in wasm memory, and added into `out`, chunk by chunk. A chunk that fails the
 * checks goes, whole and untouched, to the scalar kernel (its error, if any, is the batch's:
 * the chunks before it were valid). So the chunk, not the batch, is the unit of summation:
 * scoring a batch at once or its chunks one call each (chunkRows rows, from row 0), as the
 * workers do when they read a batch a slice at a time, gives the same bits. The order of every
 * float64 addition depends only on the input: results are deterministic. The gamma sweep's
 * entries and the fine p_t bins come out of the same pass (extraSums.ts; sweep.as, fine.as).
 */
import { kernelFor, type Kernel } from '../index.ts';
import { healthOffset, IGNORED, partialLength, ROWS, type PartialShape } from '../partial.ts';
import { createRowOutputs, putRowOutputs, type RowKernel } from '../rowColumns.ts';
import { sliceColumns, atBatchRow } from '../slice.ts';
import {
  ROW_IGNORED,
  ROW_OK,
  type Columns,
  type InputKind,
  type KernelError,
  type KernelParams,
  type LabelArray,
  type Mode,
  type RowColumns,
} from '../types.ts';
import { initWasmKernel, wasmArena, type FocalWasmExports, type WasmArena } from './module.ts';
import {
  configureExtraSums,
  extraSumsEligible,
  fineCount,
  fineTrashSlots,
  mergeExtraSums,
  sweepAccBytes,
  sweepCount,
  sweepTableBytes,
} from './extraSums.ts';

/** Predictions copied per chunk: 256 KiB of f32, well inside L2 with the accumulators. */
export const CHUNK_VALUES = 1 << 16;

/** How (1 - p_t)^gamma is taken in wasm (accumulate.as): gamma 0, 1, 2 exactly, else e^(g ln x). */
const GAMMA_ZERO = 0;
const GAMMA_ONE = 1;
const GAMMA_TWO = 2;
const GAMMA_POW = 3;

const MIN_NORMAL = 2.2250738585072014e-308;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;


/** Chunks scored in this thread by the wasm path, and batches or chunks by the scalar fallback (for tests and tuning). */
export const wasmKernelCounts = { wasm: 0, fallback: 0 };

/**
 * A batch whose only nulls are null labels (ignored rows), as one the wasm path takes: the
 * labels copied with those rows set to ignoreIndex, which it ignores the same way. Any other
 * null (a null prediction) leaves the batch as it is, for the scalar kernel.
 */
function withoutNullLabels(cols: Columns, params: KernelParams): Columns {
  const state = cols.rowState;
  if (state === null || cols.label === null || !Number.isInteger(params.ignoreIndex) || Math.abs(params.ignoreIndex) > INT32_MAX) {
    return cols;
  }
  const label = Float64Array.from(cols.label.subarray(0, cols.length));
  for (let i = 0; i < cols.length; i++) {
    const s = state[i]!;
    if (s === ROW_IGNORED) label[i] = params.ignoreIndex;
    else if (s !== ROW_OK) return cols;
  }
  return { ...cols, label, rowState: null };
}

/** Scores rows [from, to) of the batch with the scalar kernel (a chunk the wasm path refused). */
type ChunkFallback = (from: number, to: number) => KernelError | null;

/**
 * The wasm kernel for a mode and input, falling back per batch or per chunk to the scalar one;
 * null when the wasm module cannot be loaded in this thread (then use kernelFor).
 */
export function wasmKernelFor(mode: Mode, input: InputKind): Kernel | null {
  const score = wasmScorer(mode, input);
  return score === null ? null : (cols, params, out) => score(cols, params, out, null, 0);
}

/**
 * The wasm kernel that also fills the stage's per-row columns, in the same pass as the sums
 * (rows [at, at + cols.length) of `rows`; `at` a multiple of 8, so that bits start on a byte);
 * a batch or chunk it does not take gets its rows from the scalar kernel. Null when the wasm
 * module cannot be loaded (then use rowColumns.ts's scalarRowKernel).
 */
export function wasmRowKernelFor(mode: Mode, input: InputKind): RowKernel | null {
  return wasmScorer(mode, input);
}

/** Per-row output of a call: the batch's row columns and the row of them its row 0 fills. */
interface RowTarget {
  rows: RowColumns;
  at: number;
}

function wasmScorer(mode: Mode, input: InputKind): ((cols: Columns, params: KernelParams, out: Float64Array, rows: RowColumns | null, at: number) => KernelError | null) | null {
  if (!initWasmKernel()) return null;
  const arena = wasmArena()!;
  const fallback = kernelFor(mode, input);
  const logits = input === 'logits';
  const C = (params: KernelParams): number => (mode === 'multilabel' ? params.classes : 0);
  return (cols, params, out, rows, at) => {
    if (rows !== null && at % 8 !== 0) throw new RangeError(`wasm row kernel: first row ${at} is not a multiple of 8`);
    const target = rows === null ? null : { rows, at };
    const batch = mode === 'multilabel' ? cols : withoutNullLabels(cols, params);
    const layoutAt = wasmEligible(mode, input, batch, params) ? prepare(arena, mode, batch, params, target) : null;
    if (layoutAt === null) {
      wasmKernelCounts.fallback++;
      if (target === null) return fallback(cols, params, out);
      const src = createRowOutputs(target.rows.weights, cols.length, C(params));
      const error = fallback(cols, params, out, src);
      putRowOutputs(src, cols.length, target.rows, at);
      return error;
    }
    const width = mode === 'binary' ? 1 : params.classes;
    // The chunks are added into a copy of `out` in wasm memory (by wasm, in a plain loop), and
    // the copy back into `out` at the end; a chunk for the scalar kernel is added into the copy too.
    const copy = arena.f64.subarray(layoutAt.partial >> 3, (layoutAt.partial >> 3) + out.length);
    copy.set(out);
    const chunkFallback: ChunkFallback = (from, to) => {
      wasmKernelCounts.fallback++;
      const slice = sliceColumns(cols, from, to, width);
      if (target === null) return atBatchRow(fallback(slice, params, copy), from);
      const src = createRowOutputs(target.rows.weights, to - from, C(params));
      const error = fallback(slice, params, copy, src);
      putRowOutputs(src, to - from, target.rows, at + from);
      return atBatchRow(error, from);
    };
    const error =
      mode === 'multilabel'
        ? scoreMultilabel(arena, layoutAt, batch, params, logits, chunkFallback, target)
        : scoreLabelled(arena, layoutAt, batch, params, logits, labelledKind(mode, logits, params.classes), chunkFallback, target);
    out.set(copy);
    return error;
  };
}

/** The rows of a chunk for predictions `width` values wide: a multiple of 8 (whole bytes of a bitmap). */
export function chunkRowsOf(width: number): number {
  return Math.max(8, Math.floor(CHUNK_VALUES / width) & ~7);
}

/** Lays out and configures wasm memory for a batch; null when memory cannot grow (the scalar kernel copes). */
function prepare(arena: WasmArena, mode: Mode, cols: Columns, params: KernelParams, target: RowTarget | null): Layout | null {
  const at = layoutFor(arena, mode, cols.length, params, target !== null);
  if (at !== null) {
    configure(arena, at, at.groups, params);
    configureExtraSums(arena, at.shape, params, at.sweepAcc, at.sweepTable, at.partial);
    if (target !== null) configureRows(arena, at, target.rows.weights);
  }
  return at;
}

/** The layout of a batch of `rows` rows (memory reserved for it); null when memory cannot grow. */
function layoutFor(arena: WasmArena, mode: Mode, rows: number, params: KernelParams, rowOutputs: boolean): Layout | null {
  const groups = mode === 'binary' ? 2 : mode === 'multiclass' ? params.classes : 2 * params.classes;
  const width = mode === 'binary' ? 1 : params.classes;
  const chunkRows = Math.min(chunkRowsOf(width), Math.max(8, (rows + 7) & ~7));
  const shape: PartialShape = { groups, bins: params.bins, sweep: sweepCount(params), fine: fineCount(params) };
  return layout(arena, shape, chunkRows, width, mode === 'multilabel', rowOutputs);
}

/**
 * Where the wasm kernel's next call (without per-row outputs) on a batch of `rows` rows, at
 * most one chunk (chunkRowsOf), copies its `bytes` bytes of predictions: a view of that region
 * of wasm memory, for a reader to read the predictions into, so that the kernel finds them in
 * place and skips the copy (copyPred). The memory is laid out here as that call will lay it
 * out, so that it does not grow in between (growing detaches every view of it). Null when the
 * wasm module is not loaded, the rows are more than a chunk, or `bytes` is not their size.
 */
export function wasmPredictionSlot(mode: Mode, params: KernelParams, rows: number, bytes: number): Uint8Array | null {
  const width = mode === 'binary' ? 1 : params.classes;
  if (rows < 1 || rows > chunkRowsOf(width) || bytes !== rows * width * 4 || !initWasmKernel()) return null;
  const arena = wasmArena()!;
  const at = layoutFor(arena, mode, rows, params, false);
  return at === null ? null : new Uint8Array(arena.u8.buffer, at.pred, bytes);
}

/**
 * Whether a batch's shape and parameters suit the wasm path (the checks that need no scan of the
 * data; the data checks come after the copy), so a caller can tell cheaply what will happen.
 */
export function wasmEligible(mode: Mode, input: InputKind, cols: Columns, params: KernelParams): boolean {
  if (!(cols.pred instanceof Float32Array) || cols.predOffsets !== null || cols.rowState !== null) return false;
  if (mode === 'multilabel') {
    if (cols.target === null || cols.targetOffsets !== null) return false;
  } else if (cols.label === null) {
    return false;
  }
  const C = mode === 'binary' ? 2 : params.classes;
  if (!Number.isInteger(C) || C < 1 || C > INT32_MAX / 2) return false;
  if (!Number.isInteger(params.bins) || params.bins < 1 || params.bins > 1 << 24) return false;
  if (!(Number.isFinite(params.gamma) && params.gamma >= 0)) return false;
  if (!extraSumsEligible(params)) return false;
  if (input === 'probs' && !(params.epsilon >= MIN_NORMAL && params.epsilon <= 0.5)) return false;
  return true;
}

/** One batch's regions in wasm memory (absolute byte offsets), and its shape. */
interface Layout {
  groups: number;
  bins: number;
  /** The partial's shape (sweep entries and fine bins included). */
  shape: PartialShape;
  chunkRows: number;
  acc: number;
  hist: number;
  /** The sweep's accumulators (zeroed with acc and hist) and its entries' table (extraSums.ts). */
  sweepAcc: number;
  sweepTable: number;
  labels: number;
  rows: number;
  pred: number;
  target: number;
  /** A copy of the caller's partial, which mergeChunk adds each chunk into. */
  partial: number;
  /** Its health block (takeHealth adds each chunk's health counts there). */
  health: number;
  /** Per-row outputs (0 when not asked): see RowRegions. */
  out: RowRegions | null;
  end: number;
}

/**
 * Where a row kernel's outputs go in wasm memory: the group weights (G + 1: the trash group's
 * 0), f64 p_t, ce, loss per row slot (chunkRows + 1: the last is the trash slot of padding
 * lanes), the easy flags (bytes) and their bits; in multilabel f64 loss per unit (padded to
 * 4 units), the f32 per-class column and the f64 row sums.
 */
interface RowRegions {
  weights: number;
  pt: number;
  ce: number;
  loss: number;
  easy: number;
  bits: number;
  perClass: number;
  rowLoss: number;
}

/**
 * Lays out accumulators and histograms (two copies of G + 1 groups: the last is the trash group
 * of padding lanes) and the sweep's accumulators, then chunk-sized label, row-list, prediction
 * and target regions, the partial's copy (with the trash group's fine bins past its end) and the
 * sweep's table.
 */
function layout(arena: WasmArena, shape: PartialShape, chunkRows: number, width: number, targets: boolean, rows: boolean): Layout | null {
  const { groups, bins } = shape;
  const up16 = (x: number): number => (x + 15) & ~15;
  const acc = arena.base;
  const hist = up16(acc + 2 * (groups + 1) * 64);
  const sweepAcc = up16(hist + 2 * (groups + 1) * bins * 4);
  const labels = up16(sweepAcc + sweepAccBytes(groups, shape.sweep ?? 0));
  const rowList = up16(labels + chunkRows * 4);
  const pred = up16(rowList + (chunkRows + 4) * 4);
  const target = up16(pred + (chunkRows * width + 4) * 4);
  const partial = up16(target + (targets ? chunkRows * width + 16 : 0));
  const sweepTable = up16(partial + (partialLength(shape) + fineTrashSlots(shape.fine ?? 0)) * 8);
  let end = up16(sweepTable + sweepTableBytes(shape.sweep ?? 0));
  let out: RowRegions | null = null;
  if (rows) {
    // Multilabel stores its f64 unit losses in `loss` (units padded to 4), and its row sums in rowLoss.
    const slots = targets ? chunkRows * width + 4 : chunkRows + 1;
    const weights = end;
    const pt = up16(weights + (groups + 1) * 8);
    const ce = up16(pt + (targets ? 0 : slots * 8));
    const loss = up16(ce + (targets ? 0 : slots * 8));
    const easy = up16(loss + slots * 8);
    const bits = up16(easy + (targets ? 0 : chunkRows + 32));
    const perClass = up16(bits + (targets ? 0 : (chunkRows >> 3) + 4));
    const rowLoss = up16(perClass + (targets ? slots * 4 : 0));
    end = up16(rowLoss + (targets ? chunkRows * 8 : 0));
    out = { weights, pt, ce, loss, easy, bits, perClass, rowLoss };
  }
  try {
    arena.reserve(end - arena.base);
  } catch {
    return null; // memory.grow refused (a histogram too large for wasm32): the scalar kernel copes
  }
  const health = partial + healthOffset(shape, 0) * 8;
  return { groups, bins, shape, chunkRows, acc, hist, sweepAcc, sweepTable, labels, rows: rowList, pred, target, partial, health, out, end };
}

/** Zeroes the accumulators, histograms and sweep accumulators of both copies (before each chunk). */
function zeroAccumulators(arena: WasmArena, at: Layout): void {
  arena.u8.fill(0, at.acc, at.labels);
}

/** Sets the wasm module's batch parameters (gamma 0, 1, 2 get their exact forms). */
function configure(arena: WasmArena, at: Layout, groups: number, params: KernelParams): void {
  const g = params.gamma;
  const kind = g === 2 ? GAMMA_TWO : g === 0 ? GAMMA_ZERO : g === 1 ? GAMMA_ONE : GAMMA_POW;
  const eps = params.epsilon;
  arena.exports.configure(at.acc, at.hist, groups, params.bins, params.easyThreshold, kind, g, eps, 1 - eps);
}

/** Copies the group weights in (the trash group's 0) and points the row kernels at the output regions. */
function configureRows(arena: WasmArena, at: Layout, weights: Float64Array): void {
  const out = at.out!;
  arena.f64.set(weights.subarray(0, at.groups), out.weights >> 3);
  arena.f64[(out.weights >> 3) + at.groups] = 0;
  arena.exports.configureRows(out.weights, out.pt, out.ce, out.loss, out.easy, at.chunkRows);
}

/**
 * Copies labels [from, from + m) into the wasm i32 region, exactly: integer arrays of 8/16/32
 * bits as they are; Uint32 and Float64 only when every value is an int32 integer (otherwise
 * false: the batch has a label no int32 can stand for, which the reference must judge).
 */
function copyLabels(arena: WasmArena, label: LabelArray, from: number, m: number, at: number): boolean {
  const dst = at >> 2;
  if (label instanceof Float64Array || label instanceof Uint32Array) {
    const i32 = arena.i32;
    for (let i = 0; i < m; i++) {
      const y = label[from + i]!;
      if (!(Number.isInteger(y) && y >= INT32_MIN && y <= INT32_MAX)) return false;
      i32[dst + i] = y;
    }
    return true;
  }
  arena.i32.set(label.subarray(from, from + m), dst);
  return true;
}

/** The ignore index as the wasm code compares it: [hasIgnore, value]. */
function ignoreArgs(ignoreIndex: number): [number, number] {
  return Number.isInteger(ignoreIndex) && ignoreIndex >= INT32_MIN && ignoreIndex <= INT32_MAX ? [1, ignoreIndex] : [0, 0];
}

/**
 * Copies predictions [from, to) and zero-pads to a multiple of 4 values (0 is valid in both
 * inputs). Predictions a reader read into place (wasmPredictionSlot) are not copied.
 */
function copyPred(arena: WasmArena, pred: Float32Array, from: number, to: number, at: number): void {
  const dst = at >> 2;
  const inPlace = pred.buffer === arena.f32.buffer && pred.byteOffset + from * 4 === at;
  if (!inPlace) arena.f32.set(pred.subarray(from, to), dst);
  arena.f32.fill(0, dst + (to - from), dst + (to - from) + 4);
}

/**
 * How a labelled batch (binary or multiclass) is scored in wasm: predictions per row, the label
 * values in range, and the export that scores one chunk's listed rows [0, end) (count of them real).
 */
interface LabelledKind {
  width: number;
  classes: number;
  score(w: FocalWasmExports, at: Layout, end: number, count: number): void;
  /** score, also writing each listed row's outputs into the row regions. */
  scoreRows(w: FocalWasmExports, at: Layout, end: number, count: number): void;
}

function labelledKind(mode: 'binary' | 'multiclass', logits: boolean, C: number): LabelledKind {
  if (mode === 'binary') {
    return {
      width: 1,
      classes: 2,
      score: (w, at, end, count) =>
        logits ? w.binaryLogits(at.pred, at.labels, at.rows, 0, end, count) : w.binaryProbs(at.pred, at.labels, at.rows, 0, end, count),
      scoreRows: (w, at, end, count) =>
        logits
          ? w.binaryLogitsRows(at.pred, at.labels, at.rows, 0, end, count)
          : w.binaryProbsRows(at.pred, at.labels, at.rows, 0, end, count),
    };
  }
  return {
    width: C,
    classes: C,
    score: (w, at, end, count) =>
      logits
        ? w.multiclassLogits(at.pred, at.labels, at.rows, 0, end, count, C)
        : w.multiclassProbs(at.pred, at.labels, at.rows, 0, end, count, C),
    scoreRows: (w, at, end, count) =>
      logits
        ? w.multiclassLogitsRows(at.pred, at.labels, at.rows, 0, end, count, C)
        : w.multiclassProbsRows(at.pred, at.labels, at.rows, 0, end, count, C),
  };
}

/** Binary or multiclass on the wasm path, chunk by chunk; a chunk that fails the checks goes to `chunkFallback`. */
function scoreLabelled(
  arena: WasmArena,
  at: Layout,
  cols: Columns,
  params: KernelParams,
  logits: boolean,
  kind: LabelledKind,
  chunkFallback: ChunkFallback,
  target: RowTarget | null,
): KernelError | null {
  const n = cols.length;
  const { width } = kind;
  const pred = cols.pred as Float32Array;
  const label = cols.label!;
  const w = arena.exports;
  const [hasIgnore, ignore] = ignoreArgs(params.ignoreIndex);
  for (let r0 = 0; r0 === 0 || r0 < n; r0 += at.chunkRows) {
    const m = Math.min(at.chunkRows, n - r0);
    const p0 = cols.predBase + r0 * width;
    let count = -1;
    if (copyLabels(arena, label, r0, m, at.labels)) {
      copyPred(arena, pred, p0, p0 + m * width, at.pred);
      const valid = logits ? w.allFinite(at.pred, m * width) : w.allProbabilities(at.pred, m * width);
      if (valid) count = w.listRows(at.labels, m, kind.classes, hasIgnore, ignore, at.rows);
    }
    if (count < 0) {
      const error = chunkFallback(r0, r0 + m);
      if (error) return error;
      continue;
    }
    zeroAccumulators(arena, at);
    if (target === null) {
      kind.score(w, at, (count + 3) & ~3, count);
    } else {
      // Rows left out of the list (ignored) get zeros under their nulls, as the reference leaves them.
      if (count < m) zeroLabelledRows(arena, at.out!, m);
      kind.scoreRows(w, at, (count + 3) & ~3, count);
      takeLabelledRows(arena, at, target, r0, m, count);
    }
    addChunk(arena, at, m, m - count, logits);
  }
  return null;
}

function zeroLabelledRows(arena: WasmArena, out: RowRegions, m: number): void {
  for (const region of [out.pt, out.ce, out.loss]) arena.f64.fill(0, region >> 3, (region >> 3) + m);
  arena.u8.fill(0, out.easy, out.easy + m);
}

/** Copies a labelled chunk's row outputs (rows r0 .. r0 + m of the batch, `count` of them listed) into the row columns. */
function takeLabelledRows(arena: WasmArena, at: Layout, target: RowTarget, r0: number, m: number, count: number): void {
  const out = at.out!;
  const { rows } = target;
  const first = target.at + r0;
  const f64 = arena.f64;
  rows.pt.set(f64.subarray(out.pt >> 3, (out.pt >> 3) + m), first);
  rows.ce.set(f64.subarray(out.ce >> 3, (out.ce >> 3) + m), first);
  rows.loss.set(f64.subarray(out.loss >> 3, (out.loss >> 3) + m), first);
  // The flags past m (the trash slot among them) must not reach the last byte's bits.
  arena.u8.fill(0, out.easy + m, out.easy + m + 16);
  arena.exports.packFlags(out.easy, m, out.bits);
  rows.easy.set(arena.u8.subarray(out.bits, out.bits + ((m + 7) >> 3)), first >> 3);
  if (count === m) setValidRange(rows.valid, first, m);
  else {
    const listed = arena.i32.subarray(at.rows >> 2, (at.rows >> 2) + count);
    for (let i = 0; i < count; i++) {
      const r = first + listed[i]!;
      rows.valid[r >> 3]! |= 1 << (r & 7);
    }
    rows.nulls += m - count;
  }
}

/** Sets validity bits [first, first + m), first a multiple of 8. */
function setValidRange(valid: Uint8Array, first: number, m: number): void {
  const byte = first >> 3;
  valid.fill(0xff, byte, byte + (m >> 3));
  if (m & 7) valid[byte + (m >> 3)]! |= (1 << (m & 7)) - 1;
}

/**
 * Adds a chunk scored in wasm into the wasm copy of the partial: its rows, its ignored rows, its
 * health counts, sums and sweep sums (mergeAccumulators; the fine bins are in already). (An
 * empty batch is one empty chunk, so that it too counts as scored on the wasm path.)
 */
function addChunk(arena: WasmArena, at: Layout, rows: number, ignored: number, logits: boolean): void {
  const header = at.partial >> 3;
  arena.f64[header + ROWS]! += rows;
  arena.f64[header + IGNORED]! += ignored;
  mergeAccumulators(arena, at, logits);
  wasmKernelCounts.wasm++;
}

/**
 * Adds the accumulators into the wasm copy of the partial: first the health counts, which ride in
 * the count slots (takeHealth, health.as, leaves the plain counts there), then the sums and
 * histograms (mergeChunk, merge.as) and the sweep sums (mergeExtraSums, extraSums.ts).
 */
function mergeAccumulators(arena: WasmArena, at: Layout, logits: boolean): void {
  arena.exports.takeHealth(at.health, logits ? 1 : 0);
  arena.exports.mergeChunk(at.partial);
  mergeExtraSums(arena, at.shape, at.partial);
}

/**
 * Units per kernel call at most: the health counts in the count slots stay exact below 2^17 units
 * a copy (health.as). Only a multilabel chunk of more than 8192 classes (8 rows of more than
 * CHUNK_VALUES units) takes several calls, its accumulators merged after each.
 */
const CALL_UNITS = CHUNK_VALUES;

/**
 * Copies targets [from, to) into the wasm u8 region, zero-padded to 16: 8-bit arrays as they are
 * (the wasm check rejects anything but 0/1; Int8 -1 becomes 255), other types only when every
 * value is exactly 0 or 1.
 */
function copyTargets(arena: WasmArena, target: LabelArray, from: number, to: number, at: number): boolean {
  const u8 = arena.u8;
  if (target instanceof Uint8Array || target instanceof Int8Array) {
    u8.set(target.subarray(from, to), at);
  } else {
    for (let i = from; i < to; i++) {
      const t = target[i]!;
      if (t !== 0 && t !== 1) return false;
      u8[at + i - from] = t;
    }
  }
  u8.fill(0, at + (to - from), at + (to - from) + 16);
  return true;
}

/** Multilabel on the wasm path, chunk by chunk; a chunk that fails the checks goes to `chunkFallback`. */
function scoreMultilabel(
  arena: WasmArena,
  at: Layout,
  cols: Columns,
  params: KernelParams,
  logits: boolean,
  chunkFallback: ChunkFallback,
  rowTarget: RowTarget | null,
): KernelError | null {
  const n = cols.length;
  const C = params.classes;
  const pred = cols.pred as Float32Array;
  const target = cols.target!;
  const w = arena.exports;
  for (let r0 = 0; r0 === 0 || r0 < n; r0 += at.chunkRows) {
    const m = Math.min(at.chunkRows, n - r0);
    const units = m * C;
    const p0 = cols.predBase + r0 * C;
    const t0 = cols.targetBase + r0 * C;
    copyPred(arena, pred, p0, p0 + units, at.pred);
    const valid =
      (logits ? w.allFinite(at.pred, units) : w.allProbabilities(at.pred, units)) &&
      copyTargets(arena, target, t0, t0 + units, at.target) &&
      w.allBinaryTargets(at.target, units);
    if (!valid) {
      const error = chunkFallback(r0, r0 + m);
      if (error) return error;
      continue;
    }
    zeroAccumulators(arena, at);
    const end = (units + 3) & ~3;
    for (let u0 = 0; u0 < end; u0 += CALL_UNITS) {
      const u1 = Math.min(end, u0 + CALL_UNITS);
      if (rowTarget === null) {
        if (logits) w.multilabelLogits(at.pred, at.target, u0, u1, units, C);
        else w.multilabelProbs(at.pred, at.target, u0, u1, units, C);
      } else if (logits) w.multilabelLogitsRows(at.pred, at.target, u0, u1, units, C);
      else w.multilabelProbsRows(at.pred, at.target, u0, u1, units, C);
      if (u1 < end) {
        mergeAccumulators(arena, at, logits);
        zeroAccumulators(arena, at);
      }
    }
    if (rowTarget !== null) takeMultilabelRows(arena, at, rowTarget, r0, m, C);
    addChunk(arena, at, m, 0, logits);
  }
  return null;
}

/** Forms a multilabel chunk's per-class column and row sums (rowsOfUnits) and copies them into the row columns. */
function takeMultilabelRows(arena: WasmArena, at: Layout, target: RowTarget, r0: number, m: number, C: number): void {
  const out = at.out!;
  const { rows } = target;
  const first = target.at + r0;
  arena.exports.rowsOfUnits(out.loss, m, C, out.perClass, out.rowLoss);
  rows.perClass!.set(arena.f32.subarray(out.perClass >> 2, (out.perClass >> 2) + m * C), first * C);
  rows.loss.set(arena.f64.subarray(out.rowLoss >> 3, (out.rowLoss >> 3) + m), first);
  setValidRange(rows.valid, first, m);
}

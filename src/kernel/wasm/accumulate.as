/**
 * The per-unit step of every wasm kernel: from two lanes of (ce, p_t, 1 - p_t), add
 *
 *   mod = (1 - p_t)^gamma   (gamma 0, 1, 2 without a power; 0^0 = 1)
 *   fl  = mod * ce
 *   easy when p_t >= easyThreshold;  bin = min(floor(p_t * B), B - 1)
 *   count += 1 + the unit's health flags (health.as, which takes them out again)
 *
 * to the accumulators of the lanes' groups. Lane l of every vector writes only to copy l of the
 * accumulators, so that two units in a row of one group do not wait on each other's store; the
 * JS side adds copy 0 and copy 1 at the end, always in that order (the result depends only on
 * the input).
 *
 * Accumulator layout, per copy (stride (G + 1) * 64 bytes), per group g (64 bytes at g * 64):
 *   [easy ce, easy fl, easy p_t, easy count, hard ce, hard fl, hard p_t, hard count]  (f64)
 * Histogram, per copy (stride (G + 1) * B * 4 bytes), per group g: B i32 counts at (g * B + bin) * 4.
 * The partial's fields follow: count = easy + hard count, sumCE = easy + hard ce, and so on.
 * Group G is a trash group: padding lanes (past the end of a batch) go there instead of being
 * skipped, because a branch per lane makes V8 duplicate the whole unit's math into each arm.
 *
 * Per-row outputs (the stage's columns, spec §5) come out of the same pass: with `rows` =
 * ROWS_LABELLED a unit also stores p_t, ce, loss = w_g * fl (w: the group weights, alpha) and its
 * easy flag at its output slot o (its row in the chunk; padding lanes go to a trash slot); with
 * ROWS_UNITS only loss, per unit (multilabel: rows.as then forms the per-class f32 column and the
 * row sums). `rows` is a constant at every call site, so the plain kernels carry none of it.
 *
 * With the EXTRA_SUMS bit set in `rows` (a kernel's extras variant, taken when a batch has a gamma
 * sweep or fine bins: hasExtraSums), a unit also adds its sweep terms (sweep.as) and its fine bin
 * (fine.as); the kernels without the bit carry none of that either.
 */
import { kv, K_ONE, powV } from './math';
import { addSweep, sweepCount } from './sweep';
import { addFine, fineCount } from './fine';

/** How (1 - p_t)^gamma is taken: gamma 0, 1, 2 exactly, or through exp/log. */
export const GAMMA_ZERO: i32 = 0;
export const GAMMA_ONE: i32 = 1;
export const GAMMA_TWO: i32 = 2;
export const GAMMA_POW: i32 = 3;

/** Batch parameters, set once per batch by configure() (wasm globals: no per-call arguments). */
export let accBase: usize = 0;
export let histBase: usize = 0;
export let accCopyStride: usize = 0;
export let histCopyStride: usize = 0;
export let trashGroup: i32 = 0;
export let bins: i32 = 1;
export let gammaKind: i32 = GAMMA_TWO;

/** What a kernel writes per unit besides the sums (a constant handed down by each export). */
export const ROWS_NONE: i32 = 0;
export const ROWS_LABELLED: i32 = 1;
export const ROWS_UNITS: i32 = 2;
/** A bit on top of ROWS_*: the unit also adds the gamma sweep and the fine bins. */
export const EXTRA_SUMS: i32 = 4;

/** Whether the batch has a sweep or fine bins (then the kernels run their EXTRA_SUMS variant). */
// @ts-ignore: decorator
@inline export function hasExtraSums(): bool {
  return (sweepCount | fineCount) != 0;
}

/** Per-row output regions, set by configureRows(): f64 weights per group (the trash group's 0), f64 p_t, ce, loss and u8 easy per slot. */
export let rowWeights: usize = 0;
export let rowPt: usize = 0;
export let rowCe: usize = 0;
export let rowLoss: usize = 0;
export let rowEasy: usize = 0;
/** The output slot of padding lanes of a row list (past the chunk's rows). */
export let trashSlot: i32 = 0;

/**
 * The float parameters, each splatted into a v128 by configure(), so the hot loops load them
 * with one instruction instead of converting and splatting per unit.
 */
const PARAMS: usize = memory.data(6 * 16, 16);
const P_THRESHOLD: usize = 0;
const P_BINS: usize = 16;
const P_LAST_BIN: usize = 32;
const P_GAMMA: usize = 48;
const P_EPSILON: usize = 64;
const P_ONE_MINUS_EPSILON: usize = 80;
/** 2^52: adding it to a small non-negative integer-valued f64 leaves the integer in the low bits. */
const INT_MAGIC: usize = memory.data<f64>([4503599627370496.0, 4503599627370496.0], 16);

/** The float parameter at byte offset p of PARAMS. */
// @ts-ignore: decorator
@inline function param(p: usize): v128 {
  return v128.load(PARAMS + p);
}

/** Sets the batch parameters; acc and hist must be zeroed by the caller. */
export function configure(
  acc: usize,
  hist: usize,
  groups: i32,
  binCount: i32,
  easyThreshold: f64,
  gammaMode: i32,
  gammaValue: f64,
  eps: f64,
  oneMinusEps: f64,
): void {
  accBase = acc;
  histBase = hist;
  trashGroup = groups;
  accCopyStride = <usize>(groups + 1) << 6;
  histCopyStride = (<usize>(groups + 1) * <usize>binCount) << 2;
  bins = binCount;
  gammaKind = gammaMode;
  v128.store(PARAMS + P_THRESHOLD, f64x2.splat(easyThreshold));
  v128.store(PARAMS + P_BINS, f64x2.splat(<f64>binCount));
  v128.store(PARAMS + P_LAST_BIN, f64x2.splat(<f64>(binCount - 1)));
  v128.store(PARAMS + P_GAMMA, f64x2.splat(gammaValue));
  v128.store(PARAMS + P_EPSILON, f64x2.splat(eps));
  v128.store(PARAMS + P_ONE_MINUS_EPSILON, f64x2.splat(oneMinusEps));
}

/** Sets the per-row output regions (see ROWS_*); `trash` is the slot padding lanes write to. */
export function configureRows(weights: usize, pt: usize, ce: usize, loss: usize, easy: usize, trash: i32): void {
  rowWeights = weights;
  rowPt = pt;
  rowCe = ce;
  rowLoss = loss;
  rowEasy = easy;
  trashSlot = trash;
}

/** Adds one unit (its ce/fl pair and p_t/1 pair) to group g of one accumulator copy. */
// @ts-ignore: decorator
@inline function addLane(acc: usize, hist: usize, g: i32, easy: i32, bin: i32, ceFl: v128, pt1: v128): void {
  const slot = acc + (<usize>g << 6) + (easy != 0 ? 0 : 32);
  v128.store(slot, f64x2.add(v128.load(slot), ceFl));
  v128.store(slot, f64x2.add(v128.load(slot, 16), pt1), 16);
  const h = hist + ((<usize>(g * bins + bin)) << 2);
  store<i32>(h, load<i32>(h) + 1);
}

/**
 * Adds two units: lane 0 to group g0 (copy 0), lane 1 to group g1 (copy 1); `flags` are their
 * numerical-health flags (health.as: 0, 2^18 or 2^36 per lane), added into the count lane. `kind` is gammaKind,
 * handed down by each kernel's entry, which runs its (inlined) loop either with the constant
 * GAMMA_TWO, the usual case, or with gammaKind: the constant copy of the loop carries no branch
 * on it, which V8 would otherwise take per unit, spilling the live vectors around it (~10%).
 */
// @ts-ignore: decorator
@inline export function addUnits(ce: v128, pt: v128, omp: v128, flags: v128, g0: i32, g1: i32, kind: i32, rows: i32, o0: i32, o1: i32): void {
  let mod: v128;
  if (kind == GAMMA_TWO) mod = f64x2.mul(omp, omp);
  else if (kind == GAMMA_ZERO) mod = kv(K_ONE);
  else if (kind == GAMMA_ONE) mod = omp;
  else mod = powV(omp, param(P_GAMMA));
  const fl = f64x2.mul(mod, ce);
  const easy = i64x2.bitmask(f64x2.ge(pt, param(P_THRESHOLD)));
  // bin = min(floor(p_t B), B - 1), read from the low word of (bin + 2^52): cheaper than V8's
  // saturating truncation, and exact for these small non-negative integers.
  const binV = f64x2.add(f64x2.pmin(f64x2.floor(f64x2.mul(pt, param(P_BINS))), param(P_LAST_BIN)), v128.load(INT_MAGIC));
  const out = rows & ~EXTRA_SUMS;
  if (out != ROWS_NONE) storeRows(ce, pt, fl, easy, g0, g1, out, o0, o1);
  if ((rows & EXTRA_SUMS) != 0) {
    addSweep(ce, pt, omp, easy, g0, g1);
    addFine(ce, pt, fl, g0, g1);
  }
  // The count lane adds 1 and the unit's health flags (health.as).
  const one = f64x2.add(kv(K_ONE), flags);
  addLane(accBase, histBase, g0, easy & 1, i32x4.extract_lane(binV, 0), f64x2.shuffle(ce, fl, 0, 2), f64x2.shuffle(pt, one, 0, 2));
  addLane(
    accBase + accCopyStride,
    histBase + histCopyStride,
    g1,
    easy & 2,
    i32x4.extract_lane(binV, 2),
    f64x2.shuffle(ce, fl, 1, 3),
    f64x2.shuffle(pt, one, 1, 3),
  );
}

/** Stores two units' per-row outputs at slots o0, o1: loss = w_g * fl, and (ROWS_LABELLED) p_t, ce, easy. */
// @ts-ignore: decorator
@inline function storeRows(ce: v128, pt: v128, fl: v128, easy: i32, g0: i32, g1: i32, rows: i32, o0: i32, o1: i32): void {
  const w = f64x2.replace_lane(f64x2.splat(load<f64>(rowWeights + (<usize>g0 << 3))), 1, load<f64>(rowWeights + (<usize>g1 << 3)));
  const loss = f64x2.mul(w, fl);
  const s0 = <usize>o0 << 3;
  const s1 = <usize>o1 << 3;
  store<f64>(rowLoss + s0, f64x2.extract_lane(loss, 0));
  store<f64>(rowLoss + s1, f64x2.extract_lane(loss, 1));
  if (rows == ROWS_LABELLED) {
    store<f64>(rowPt + s0, f64x2.extract_lane(pt, 0));
    store<f64>(rowPt + s1, f64x2.extract_lane(pt, 1));
    store<f64>(rowCe + s0, f64x2.extract_lane(ce, 0));
    store<f64>(rowCe + s1, f64x2.extract_lane(ce, 1));
    store<u8>(rowEasy + <usize>o0, <u8>(easy & 1));
    store<u8>(rowEasy + <usize>o1, <u8>(easy >> 1));
  }
}

/** The output slot of a row-list lane at position i: its row r, or the trash slot past the real `count`. */
// @ts-ignore: decorator
@inline export function laneSlot(r: i32, i: i32, count: i32): i32 {
  return i < count ? r : trashSlot;
}

/** The group of a lane at list position i: g, or the trash group past the real `count`. */
// @ts-ignore: decorator
@inline export function laneGroup(g: i32, i: i32, count: i32): i32 {
  return i < count ? g : trashGroup;
}

/** Clamps probabilities lane-wise to [eps, 1 - eps], in the reference's order (low bound first). */
// @ts-ignore: decorator
@inline export function clampV(p: v128): v128 {
  return f64x2.pmin(f64x2.pmax(p, param(P_EPSILON)), param(P_ONE_MINUS_EPSILON));
}

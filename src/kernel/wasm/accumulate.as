/**
 * The per-unit step of every wasm kernel: from two lanes of (ce, p_t, 1 - p_t), add
 *
 *   mod = (1 - p_t)^gamma   (gamma 0, 1, 2 without a power; 0^0 = 1)
 *   fl  = mod * ce
 *   easy when p_t >= easyThreshold;  bin = min(floor(p_t * B), B - 1)
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
 */
import { kv, K_ONE, powV } from './math';

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
 * Adds two units: lane 0 to group g0 (copy 0), lane 1 to group g1 (copy 1). `kind` is gammaKind,
 * handed down by each kernel's entry, which runs its (inlined) loop either with the constant
 * GAMMA_TWO, the usual case, or with gammaKind: the constant copy of the loop carries no branch
 * on it, which V8 would otherwise take per unit, spilling the live vectors around it (~10%).
 */
// @ts-ignore: decorator
@inline export function addUnits(ce: v128, pt: v128, omp: v128, g0: i32, g1: i32, kind: i32): void {
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
  const one = kv(K_ONE);
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

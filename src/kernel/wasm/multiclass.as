/**
 * Multiclass kernels over a list of valid rows (ignored rows already left out), four rows at a
 * time: lane l of an f32x4 gather holds row l's k-th value, so max, sums and the final steps are
 * all vertical (no horizontal reductions), for any C.
 *
 *   logits: m = max_k z_k,  d_k = z_k - m  (exact in f64),
 *           s = sum_{d_k < 0} e^{d_k} + (t - 1),  t = #{k : z_k = m}  (the max's own 1 left
 *                                       out, so that s keeps its precision when the row is
 *                                       confident and s is tiny; its ties add 1 each, exactly)
 *           ln p_t = d_y - ln(1 + s)   with ln(1 + s) = ln(u) + (s - (u - 1)) / u,  u = 1 + s
 *           p_t = e^{d_y} / u,  1 - p_t = s / u when d_y = 0 (y is a maximum), else 1 - p_t
 *           (p_t <= 1/2 there, so the subtraction loses nothing)
 *   probs:  p_t = clamp(p_y, eps, 1 - eps),  ln p_t,  1 - p_t direct (as the reference)
 *
 * Logits' error: every e^{d_k} (expS) is within e = 6e-10 relative, so s is (plus C roundings of
 * 1.1e-16), and so are ln(1 + s) (its derivative s / (1 + s) <= ln(1 + s)) and ce = ln(1 + s) - d_y
 * (d_y <= 0 only adds). p_t = e^{d_y} / u is within 2e, and so is 1 - p_t (s / u; or 1 - p_t >= 1/2
 * with p_t <= 1/2), so fl = (1 - p_t)^gamma ce within (2 gamma + 1) e: 3e-9 at gamma 2, on top of
 * the f64 log's and roundings' ~1e-15. (The f32x4-tail exp before it: 2e-8 per e^{d_k}.)
 *
 * Leaving the max's 1 out by its value (one compare, BELOW_ZERO_BITS) rather than by the argmax's
 * index spares pass 1 the argmax (a plain f32x4.pmax) and pass 2 the masking, and pass 2 reads
 * pass 1's gathers back (SCRATCH). With expS, bench/kernel.ts's multiclass logits went from ~23.4
 * to ~31.7 M rows/s (one thread) over the argmax version with the f32x4-tail exp.
 *
 * Row lists are padded to a multiple of 4 by repeating the last row; `count` is the real length.
 */
import { expS, kv, K_EXP_MIN, K_ONE, K_ZERO, logV } from './math';
import { addUnits, clampV, EXTRA_SUMS, gammaKind, GAMMA_TWO, hasExtraSums, laneGroup, laneSlot, ROWS_LABELLED, ROWS_NONE } from './accumulate';
import { clampFlags, rowFlags, saturatedRows } from './health';
import { flushSweep } from './sweep';

/** Scores row-list positions [start, end) (start a multiple of 4) of a logits batch. */
export function multiclassLogits(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multiclassLogitsExtras(pred, labels, rows, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multiclassLogitsTwo(pred, labels, rows, start, end, count, C);
  else multiclassLogitsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_NONE);
}

function multiclassLogitsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassLogitsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_NONE | EXTRA_SUMS);
  flushSweep();
}

function multiclassLogitsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassLogitsLoop(pred, labels, rows, start, end, count, C, GAMMA_TWO, ROWS_NONE);
}

/** multiclassLogits, also writing each row's outputs (configureRows). */
export function multiclassLogitsRows(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multiclassLogitsRowsExtras(pred, labels, rows, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multiclassLogitsRowsTwo(pred, labels, rows, start, end, count, C);
  else multiclassLogitsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_LABELLED);
}

function multiclassLogitsRowsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassLogitsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_LABELLED | EXTRA_SUMS);
  flushSweep();
}

function multiclassLogitsRowsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassLogitsLoop(pred, labels, rows, start, end, count, C, GAMMA_TWO, ROWS_LABELLED);
}

/**
 * Pass 1 keeps each gathered f32x4 (the k-th values of the four rows) here for pass 2, up to
 * SCRATCH_CLASSES classes; pass 2 gathers the classes beyond that again.
 */
const SCRATCH_CLASSES: usize = 1024;
const SCRATCH: usize = memory.data(<i32>SCRATCH_CLASSES << 4, 16);

/**
 * bits(-707) + 1 in both lanes. Read as signed integers, the bits of x <= 0 grow with |x| from
 * INT64_MIN (-0) on, and +0's are 0, so bits(x) < bits(-707) + 1 holds exactly for x in [-707, -0]:
 * one compare leaves out both the max's (and its ties') d_k = +0 and the d_k below -707.
 */
const BELOW_ZERO_BITS: usize = memory.data<i64>([0xc086180000000001, 0xc086180000000001], 16);

/** Lanes l = 0..3: the value at byte offset k of row l (at a_l). */
// @ts-ignore: decorator
@inline function gather(a0: usize, a1: usize, a2: usize, a3: usize, k: usize): v128 {
  let v = v128.load32_zero(a0 + k);
  v = v128.load32_lane(a1 + k, v, 1);
  v = v128.load32_lane(a2 + k, v, 2);
  return v128.load32_lane(a3 + k, v, 3);
}

// @ts-ignore: decorator
@inline function multiclassLogitsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32, kind: i32, out: i32): void {
  const stride = <usize>C << 2;
  const stored = min(stride, SCRATCH_CLASSES << 2);
  const zero = f32x4.splat(0.0);
  for (let i = start; i < end; i += 4) {
    const rp = rows + (<usize>i << 2);
    const r0 = load<i32>(rp);
    const r1 = load<i32>(rp, 4);
    const r2 = load<i32>(rp, 8);
    const r3 = load<i32>(rp, 12);
    const a0 = pred + <usize>r0 * stride;
    const a1 = pred + <usize>r1 * stride;
    const a2 = pred + <usize>r2 * stride;
    const a3 = pred + <usize>r3 * stride;

    // Pass 1: max per row, in f32 (comparisons of f32 inputs are exact); + 0 turns a max of -0
    // into +0, so that a d_k is -0 only for a z_k of -0 that is not counted as a tie (below).
    // Also the largest |z_k| per row, for the health count (health.as).
    let m = f32x4.splat(-Infinity);
    let mag = zero;
    for (let k: usize = 0; k < stride; k += 4) {
      const v = gather(a0, a1, a2, a3, k);
      if (k < stored) v128.store(SCRATCH + (k << 2), v);
      m = f32x4.pmax(m, v);
      mag = f32x4.pmax(mag, f32x4.abs(v));
    }
    const sat = saturatedRows(mag);
    m = f32x4.add(m, zero);
    const mA = f64x2.promote_low_f32x4(m);
    const mB = f64x2.promote_low_f32x4(i32x4.shuffle(m, m, 2, 3, 2, 3));

    // ties = t - 1, t the number of z_k with m's bits (i32x4.eq is -1 there): counted in a loop
    // of its own, which is faster than counting in pass 2 (one register fewer: V8 spills less).
    let ties = i32x4.splat(-1);
    for (let k: usize = 0; k < stored; k += 4) ties = i32x4.sub(ties, i32x4.eq(v128.load(SCRATCH + (k << 2)), m));
    for (let k = stored; k < stride; k += 4) ties = i32x4.sub(ties, i32x4.eq(gather(a0, a1, a2, a3, k), m));

    // Pass 2: s = sum of e^{d_k} over d_k < 0 (d_k = -0 gives 1: a -0 next to a max of +0),
    // rows 0-1 in A and rows 2-3 in B.
    let sA = f64x2.splat(0.0);
    let sB = f64x2.splat(0.0);
    const below = v128.load(BELOW_ZERO_BITS);
    for (let k: usize = 0; k < stride; k += 4) {
      const v = k < stored ? v128.load(SCRATCH + (k << 2)) : gather(a0, a1, a2, a3, k);
      const xA = f64x2.sub(f64x2.promote_low_f32x4(v), mA);
      const xB = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), mB);
      sA = f64x2.add(sA, v128.and(expS(xA), i64x2.gt_s(below, xA)));
      sB = f64x2.add(sB, v128.and(expS(xB), i64x2.gt_s(below, xB)));
    }
    // + (t - 1): the max's ties, exactly.
    sA = f64x2.add(sA, f64x2.convert_low_i32x4_s(ties));
    sB = f64x2.add(sB, f64x2.convert_low_i32x4_s(i32x4.shuffle(ties, ties, 2, 3, 2, 3)));

    // The true class of each row.
    const y0 = load<i32>(labels + (<usize>r0 << 2));
    const y1 = load<i32>(labels + (<usize>r1 << 2));
    const y2 = load<i32>(labels + (<usize>r2 << 2));
    const y3 = load<i32>(labels + (<usize>r3 << 2));
    let zy = v128.load32_zero(a0 + (<usize>y0 << 2));
    zy = v128.load32_lane(a1 + (<usize>y1 << 2), zy, 1);
    zy = v128.load32_lane(a2 + (<usize>y2 << 2), zy, 2);
    zy = v128.load32_lane(a3 + (<usize>y3 << 2), zy, 3);
    const dA = f64x2.sub(f64x2.promote_low_f32x4(zy), mA);
    const dB = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(zy, zy, 2, 3, 2, 3)), mB);
    const fA = rowFlags(i64x2.extend_low_i32x4_s(sat));
    const fB = rowFlags(i64x2.extend_high_i32x4_s(sat));
    finishLogits(sA, dA, fA, laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind, out, laneSlot(r0, i, count), laneSlot(r1, i + 1, count));
    finishLogits(sB, dB, fB, laneGroup(y2, i + 2, count), laneGroup(y3, i + 3, count), kind, out, laneSlot(r2, i + 2, count), laneSlot(r3, i + 3, count));
  }
}

/** From s and d_y of two rows, forms ce, p_t, 1 - p_t and adds the units (with their health flags). */
// @ts-ignore: decorator
@inline function finishLogits(s: v128, d: v128, flags: v128, g0: i32, g1: i32, kind: i32, out: i32, o0: i32, o1: i32): void {
  const one = kv(K_ONE);
  const u = f64x2.add(one, s);
  const q = f64x2.div(one, u);
  // ln(1 + s): ln u corrected by the rounding error of 1 + s (u - 1 is exact).
  const l = f64x2.add(logV(u), f64x2.mul(f64x2.sub(s, f64x2.sub(u, one)), q));
  const ce = f64x2.sub(l, d);
  // e^{d_y} (expS), 0 below -707 (d_y <= 0: the max's own is 1).
  const pt = f64x2.mul(v128.and(expS(d), f64x2.ge(d, kv(K_EXP_MIN))), q);
  const omp = v128.bitselect(f64x2.mul(s, q), f64x2.sub(one, pt), f64x2.eq(d, kv(K_ZERO)));
  addUnits(ce, pt, omp, flags, g0, g1, kind, out, o0, o1);
}

/** Scores row-list positions [start, end) (start a multiple of 4) of a probabilities batch. */
export function multiclassProbs(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multiclassProbsExtras(pred, labels, rows, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multiclassProbsTwo(pred, labels, rows, start, end, count, C);
  else multiclassProbsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_NONE);
}

function multiclassProbsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassProbsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_NONE | EXTRA_SUMS);
  flushSweep();
}

function multiclassProbsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassProbsLoop(pred, labels, rows, start, end, count, C, GAMMA_TWO, ROWS_NONE);
}

/** multiclassProbs, also writing each row's outputs (configureRows). */
export function multiclassProbsRows(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multiclassProbsRowsExtras(pred, labels, rows, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multiclassProbsRowsTwo(pred, labels, rows, start, end, count, C);
  else multiclassProbsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_LABELLED);
}

function multiclassProbsRowsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassProbsLoop(pred, labels, rows, start, end, count, C, gammaKind, ROWS_LABELLED | EXTRA_SUMS);
  flushSweep();
}

function multiclassProbsRowsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassProbsLoop(pred, labels, rows, start, end, count, C, GAMMA_TWO, ROWS_LABELLED);
}

// @ts-ignore: decorator
@inline function multiclassProbsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32, kind: i32, out: i32): void {
  for (let i = start; i < end; i += 2) {
    const rp = rows + (<usize>i << 2);
    const r0 = load<i32>(rp);
    const r1 = load<i32>(rp, 4);
    const y0 = load<i32>(labels + (<usize>r0 << 2));
    const y1 = load<i32>(labels + (<usize>r1 << 2));
    let v = v128.load32_zero(pred + ((<usize>r0 * <usize>C + <usize>y0) << 2));
    v = v128.load32_lane(pred + ((<usize>r1 * <usize>C + <usize>y1) << 2), v, 1);
    const raw = f64x2.promote_low_f32x4(v);
    const pt = clampV(raw);
    const ce = f64x2.neg(logV(pt));
    addUnits(ce, pt, f64x2.sub(kv(K_ONE), pt), clampFlags(raw, pt), laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind, out, laneSlot(r0, i, count), laneSlot(r1, i + 1, count));
  }
}

/**
 * Multiclass kernels over a list of valid rows (ignored rows already left out), four rows at a
 * time: lane l of an f32x4 gather holds row l's k-th value, so max, sums and the final steps are
 * all vertical (no horizontal reductions), for any C.
 *
 *   logits: m = max_k z_k (argmax a),  d_k = z_k - m  (exact in f64),
 *           s = sum_{k != a} e^{d_k}   (the argmax's 1 left out, so that s keeps its precision
 *                                       when the row is confident and s is tiny)
 *           ln p_t = d_y - ln(1 + s)   with ln(1 + s) = ln(u) + (s - (u - 1)) / u,  u = 1 + s
 *           p_t = e^{d_y} / u,  1 - p_t = s / u when d_y = 0 (y is a maximum), else 1 - p_t
 *           (p_t <= 1/2 there, so the subtraction loses nothing)
 *   probs:  p_t = clamp(p_y, eps, 1 - eps),  ln p_t,  1 - p_t direct (as the reference)
 *
 * Row lists are padded to a multiple of 4 by repeating the last row; `count` is the real length.
 */
import { expV, expX4E, expX4Q, expX4R, expX4T, kv, K_ONE, K_ZERO, logV } from './math';
import { addUnits, clampV, gammaKind, GAMMA_TWO, laneGroup } from './accumulate';

/** Scores row-list positions [start, end) (start a multiple of 4) of a logits batch. */
export function multiclassLogits(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (gammaKind == GAMMA_TWO) multiclassLogitsTwo(pred, labels, rows, start, end, count, C);
  else multiclassLogitsLoop(pred, labels, rows, start, end, count, C, gammaKind);
}

function multiclassLogitsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassLogitsLoop(pred, labels, rows, start, end, count, C, GAMMA_TWO);
}

// @ts-ignore: decorator
@inline function multiclassLogitsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32, kind: i32): void {
  const stride = <usize>C << 2;
  const negInf = f32x4.splat(-Infinity);
  const oneI = i32x4.splat(1);
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

    // Pass 1: max and first argmax per row, in f32 (comparisons of f32 inputs are exact).
    let m = negInf;
    let am = i32x4.splat(0);
    let kv = i32x4.splat(0);
    for (let k: usize = 0; k < stride; k += 4) {
      let v = v128.load32_zero(a0 + k);
      v = v128.load32_lane(a1 + k, v, 1);
      v = v128.load32_lane(a2 + k, v, 2);
      v = v128.load32_lane(a3 + k, v, 3);
      const gt = f32x4.gt(v, m);
      m = v128.bitselect(v, m, gt);
      am = v128.bitselect(kv, am, gt);
      kv = i32x4.add(kv, oneI);
    }
    const mA = f64x2.promote_low_f32x4(m);
    const mB = f64x2.promote_low_f32x4(i32x4.shuffle(m, m, 2, 3, 2, 3));

    // Pass 2: s = sum of e^{d_k} over k != argmax, rows 0-1 in A and rows 2-3 in B, with the
    // exponentials' polynomial in f32x4 (expX4*: ~2e-8 relative each).
    let sA = f64x2.splat(0.0);
    let sB = f64x2.splat(0.0);
    kv = i32x4.splat(0);
    for (let k: usize = 0; k < stride; k += 4) {
      let v = v128.load32_zero(a0 + k);
      v = v128.load32_lane(a1 + k, v, 1);
      v = v128.load32_lane(a2 + k, v, 2);
      v = v128.load32_lane(a3 + k, v, 3);
      // The argmax's term left out: its value becomes -inf, whose exponential is 0.
      v = v128.bitselect(negInf, v, i32x4.eq(kv, am));
      const xA = f64x2.sub(f64x2.promote_low_f32x4(v), mA);
      const xB = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), mB);
      const tA = expX4T(xA);
      const tB = expX4T(xB);
      const rA = expX4R(xA, tA);
      const rB = expX4R(xB, tB);
      const q = expX4Q(rA, rB);
      const eA = expX4E(xA, tA, rA, q);
      const eB = expX4E(xB, tB, rB, i32x4.shuffle(q, q, 2, 3, 2, 3));
      sA = f64x2.add(sA, eA);
      sB = f64x2.add(sB, eB);
      kv = i32x4.add(kv, oneI);
    }

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
    finishLogits(sA, dA, laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind);
    finishLogits(sB, dB, laneGroup(y2, i + 2, count), laneGroup(y3, i + 3, count), kind);
  }
}

/** From s and d_y of two rows, forms ce, p_t, 1 - p_t and adds the units. */
// @ts-ignore: decorator
@inline function finishLogits(s: v128, d: v128, g0: i32, g1: i32, kind: i32): void {
  const one = kv(K_ONE);
  const u = f64x2.add(one, s);
  const q = f64x2.div(one, u);
  // ln(1 + s): ln u corrected by the rounding error of 1 + s (u - 1 is exact).
  const l = f64x2.add(logV(u), f64x2.mul(f64x2.sub(s, f64x2.sub(u, one)), q));
  const ce = f64x2.sub(l, d);
  const pt = f64x2.mul(expV(d), q);
  const omp = v128.bitselect(f64x2.mul(s, q), f64x2.sub(one, pt), f64x2.eq(d, kv(K_ZERO)));
  addUnits(ce, pt, omp, g0, g1, kind);
}

/** Scores row-list positions [start, end) (start a multiple of 4) of a probabilities batch. */
export function multiclassProbs(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (gammaKind == GAMMA_TWO) multiclassProbsTwo(pred, labels, rows, start, end, count, C);
  else multiclassProbsLoop(pred, labels, rows, start, end, count, C, gammaKind);
}

function multiclassProbsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32): void {
  multiclassProbsLoop(pred, labels, rows, start, end, count, C, GAMMA_TWO);
}

// @ts-ignore: decorator
@inline function multiclassProbsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, C: i32, kind: i32): void {
  for (let i = start; i < end; i += 2) {
    const rp = rows + (<usize>i << 2);
    const r0 = load<i32>(rp);
    const r1 = load<i32>(rp, 4);
    const y0 = load<i32>(labels + (<usize>r0 << 2));
    const y1 = load<i32>(labels + (<usize>r1 << 2));
    let v = v128.load32_zero(pred + ((<usize>r0 * <usize>C + <usize>y0) << 2));
    v = v128.load32_lane(pred + ((<usize>r1 * <usize>C + <usize>y1) << 2), v, 1);
    const pt = clampV(f64x2.promote_low_f32x4(v));
    const ce = f64x2.neg(logV(pt));
    addUnits(ce, pt, f64x2.sub(kv(K_ONE), pt), laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind);
  }
}

/**
 * Binary and multilabel math on two lanes: prediction v, target mask t (all ones where the
 * label/target is 1).
 *
 *   logits: a = |z|, e = e^{-a}, u = 1 + e, ln(1 + e) straight from e (unitLogF/K, log1pPoly)
 *           right side (z >= 0 and t = 1, or z < 0 and t = 0):
 *             ce = ln(1 + e),      p_t = 1/u,   1 - p_t = e/u
 *           wrong side:
 *             ce = a + ln(1 + e),  p_t = e/u,   1 - p_t = 1/u
 *           which is -softplus(-+z) without the exp/expm1 round trip, and exact to the last
 *           bits on either side (no 1 - p subtraction ever happens).
 *   probs:  p_t = clamp(t ? p : 1 - p, eps, 1 - eps),  ln p_t,  1 - p_t direct (as the reference)
 *
 * Binary kernels walk a row list (ignored rows left out), two rows a time; group = label.
 * logitPair is logitExp then logitPairE; the multilabel kernel calls the two in separate passes.
 */
import { expV, kv, K_ONE, K_TWO, K_ZERO, log1pPoly, logV, unitLogF, unitLogK } from './math';
import { addUnits, clampV, gammaKind, GAMMA_TWO, laneGroup } from './accumulate';

/** Scores two logit lanes z with target mask t into groups g0, g1. */
// @ts-ignore: decorator
@inline export function logitPair(z: v128, t: v128, g0: i32, g1: i32, kind: i32): void {
  logitPairE(z, logitExp(z), t, g0, g1, kind);
}

/** e = e^{-|z|} of two logit lanes (logitPair's first step). */
// @ts-ignore: decorator
@inline export function logitExp(z: v128): v128 {
  return expV(f64x2.neg(f64x2.abs(z)));
}

/** logitPair given e = logitExp(z), for kernels that take the exponentials in a pass of their own (multilabel.as). */
// @ts-ignore: decorator
@inline export function logitPairE(z: v128, e: v128, t: v128, g0: i32, g1: i32, kind: i32): void {
  const one = kv(K_ONE);
  const a = f64x2.abs(z);
  // Two divisions side by side rather than one shared (d = 1 / ((1 + e)(2 + f))): the shared one
  // sat on the chain to the log, and the chain, not the divider, is what limits this kernel.
  const f = unitLogF(e);
  const q = f64x2.div(one, f64x2.add(one, e));
  const l = log1pPoly(f, unitLogK(e), f64x2.div(f, f64x2.add(kv(K_TWO), f)));
  // Wrong side: z < 0 where the target is 1, or z >= 0 where it is 0 (z = 0 is the same either way).
  const wrong = v128.xor(f64x2.lt(z, kv(K_ZERO)), v128.not(t));
  const eq = f64x2.mul(e, q);
  addUnits(f64x2.add(l, v128.and(a, wrong)), v128.bitselect(eq, q, wrong), v128.bitselect(q, eq, wrong), g0, g1, kind);
}

/** Scores two probability lanes p with target mask t into groups g0, g1. */
// @ts-ignore: decorator
@inline export function probPair(p: v128, t: v128, g0: i32, g1: i32, kind: i32): void {
  const one = kv(K_ONE);
  const pt = clampV(v128.bitselect(p, f64x2.sub(one, p), t));
  addUnits(f64x2.neg(logV(pt)), pt, f64x2.sub(one, pt), g0, g1, kind);
}

/** Scores row-list positions [start, end) (start even) of a binary probabilities batch. */
export function binaryProbs(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  if (gammaKind == GAMMA_TWO) binaryProbsTwo(pred, labels, rows, start, end, count);
  else binaryProbsLoop(pred, labels, rows, start, end, count, gammaKind);
}

function binaryProbsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryProbsLoop(pred, labels, rows, start, end, count, GAMMA_TWO);
}

// @ts-ignore: decorator
@inline function binaryProbsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, kind: i32): void {
  for (let i = start; i < end; i += 2) {
    const rp = rows + (<usize>i << 2);
    const y0 = load<i32>(labels + (<usize>load<i32>(rp) << 2));
    const y1 = load<i32>(labels + (<usize>load<i32>(rp, 4) << 2));
    let v = v128.load32_zero(pred + (<usize>load<i32>(rp) << 2));
    v = v128.load32_lane(pred + (<usize>load<i32>(rp, 4) << 2), v, 1);
    const t = i64x2.replace_lane(i64x2.splat(-(<i64>y0)), 1, -(<i64>y1));
    probPair(f64x2.promote_low_f32x4(v), t, laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind);
  }
}

/** Scores row-list positions [start, end) (start even) of a binary logits batch. */
export function binaryLogits(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  if (gammaKind == GAMMA_TWO) binaryLogitsTwo(pred, labels, rows, start, end, count);
  else binaryLogitsLoop(pred, labels, rows, start, end, count, gammaKind);
}

function binaryLogitsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryLogitsLoop(pred, labels, rows, start, end, count, GAMMA_TWO);
}

// @ts-ignore: decorator
@inline function binaryLogitsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, kind: i32): void {
  for (let i = start; i < end; i += 2) {
    const rp = rows + (<usize>i << 2);
    const y0 = load<i32>(labels + (<usize>load<i32>(rp) << 2));
    const y1 = load<i32>(labels + (<usize>load<i32>(rp, 4) << 2));
    let v = v128.load32_zero(pred + (<usize>load<i32>(rp) << 2));
    v = v128.load32_lane(pred + (<usize>load<i32>(rp, 4) << 2), v, 1);
    const t = i64x2.replace_lane(i64x2.splat(-(<i64>y0)), 1, -(<i64>y1));
    logitPair(f64x2.promote_low_f32x4(v), t, laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind);
  }
}

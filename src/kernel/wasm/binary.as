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
 *
 * The logit kernels (binary here, multilabel.as) take two passes over each block of E_BLOCK
 * units: the first only takes e = e^{-|z|} (logitExp) into E_SCRATCH, the second the rest of
 * each unit (logitPairE: the two divisions, the log, the accumulators). The math and the order of
 * every addition are those of the one-pass loop (logitPairE(z, logitExp(z), ...)), so the results
 * are the same bits. The logit math is latency-bound (math.as): with one unit's whole
 * exp -> division -> log chain in one loop body, the reorder window covers little of the next
 * step; split, each loop has a shorter chain, so more of its steps overlap. Here the first pass
 * gathers the two predictions of a step through the row list and the second gathers them again
 * (with the labels). bench/kernel.ts's binary logits went from ~83 to ~102 M units/s (one
 * thread, gamma 2; gamma 0 ~82 -> ~97, gamma 5 ~46 -> ~54). Not worth it:
 * keeping the gathered z in a second scratch block for the second pass, or that pass four rows
 * a step (the same within noise; the latter ~4 kB more code); blocks of 256 were slower, of 1024
 * or 2048 the same. E_BLOCK and E_SCRATCH live here, beside logitExp and logitPairE, and both
 * kernels use them (one thread per module instance, one kernel call at a time).
 */
import { expV, kv, K_ONE, K_TWO, K_ZERO, log1pPoly, logV, unitLogF, unitLogK } from './math';
import { addUnits, clampV, EXTRA_SUMS, gammaKind, GAMMA_TWO, hasExtraSums, laneGroup, laneSlot, ROWS_LABELLED, ROWS_NONE } from './accumulate';
import { clampFlags, saturationFlags } from './health';
import { flushSweep } from './sweep';

/** Units per block of the two logits passes; e of a block (f64, in the kernel's unit order) goes to E_SCRATCH. */
export const E_BLOCK: i32 = 512;
export const E_SCRATCH: usize = memory.data(E_BLOCK << 3, 16);

/** e = e^{-|z|} of two logit lanes (the first logits pass). */
// @ts-ignore: decorator
@inline export function logitExp(z: v128): v128 {
  return expV(f64x2.neg(f64x2.abs(z)));
}

/** Scores two logit lanes z with target mask t into groups g0, g1, given e = logitExp(z) (the second pass). */
// @ts-ignore: decorator
@inline export function logitPairE(z: v128, e: v128, t: v128, g0: i32, g1: i32, kind: i32, rows: i32, o0: i32, o1: i32): void {
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
  addUnits(f64x2.add(l, v128.and(a, wrong)), v128.bitselect(eq, q, wrong), v128.bitselect(q, eq, wrong), saturationFlags(a), g0, g1, kind, rows, o0, o1);
}

/** Scores two probability lanes p with target mask t into groups g0, g1. */
// @ts-ignore: decorator
@inline export function probPair(p: v128, t: v128, g0: i32, g1: i32, kind: i32, rows: i32, o0: i32, o1: i32): void {
  const one = kv(K_ONE);
  const raw = v128.bitselect(p, f64x2.sub(one, p), t);
  const pt = clampV(raw);
  addUnits(f64x2.neg(logV(pt)), pt, f64x2.sub(one, pt), clampFlags(raw, pt), g0, g1, kind, rows, o0, o1);
}

/** Scores row-list positions [start, end) (start even) of a binary probabilities batch. */
export function binaryProbs(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  if (hasExtraSums()) binaryProbsExtras(pred, labels, rows, start, end, count);
  else if (gammaKind == GAMMA_TWO) binaryProbsTwo(pred, labels, rows, start, end, count);
  else binaryProbsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_NONE);
}

function binaryProbsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryProbsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_NONE | EXTRA_SUMS);
  flushSweep();
}

function binaryProbsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryProbsLoop(pred, labels, rows, start, end, count, GAMMA_TWO, ROWS_NONE);
}

/** binaryProbs, also writing each row's outputs (configureRows). */
export function binaryProbsRows(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  if (hasExtraSums()) binaryProbsRowsExtras(pred, labels, rows, start, end, count);
  else if (gammaKind == GAMMA_TWO) binaryProbsRowsTwo(pred, labels, rows, start, end, count);
  else binaryProbsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_LABELLED);
}

function binaryProbsRowsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryProbsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_LABELLED | EXTRA_SUMS);
  flushSweep();
}

function binaryProbsRowsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryProbsLoop(pred, labels, rows, start, end, count, GAMMA_TWO, ROWS_LABELLED);
}

// @ts-ignore: decorator
@inline function binaryProbsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, kind: i32, out: i32): void {
  for (let i = start; i < end; i += 2) {
    const rp = rows + (<usize>i << 2);
    const o0 = laneSlot(load<i32>(rp), i, count);
    const o1 = laneSlot(load<i32>(rp, 4), i + 1, count);
    const y0 = load<i32>(labels + (<usize>load<i32>(rp) << 2));
    const y1 = load<i32>(labels + (<usize>load<i32>(rp, 4) << 2));
    let v = v128.load32_zero(pred + (<usize>load<i32>(rp) << 2));
    v = v128.load32_lane(pred + (<usize>load<i32>(rp, 4) << 2), v, 1);
    const t = i64x2.replace_lane(i64x2.splat(-(<i64>y0)), 1, -(<i64>y1));
    probPair(f64x2.promote_low_f32x4(v), t, laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind, out, o0, o1);
  }
}

/** Scores row-list positions [start, end) (start even) of a binary logits batch. */
export function binaryLogits(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  if (hasExtraSums()) binaryLogitsExtras(pred, labels, rows, start, end, count);
  else if (gammaKind == GAMMA_TWO) binaryLogitsTwo(pred, labels, rows, start, end, count);
  else binaryLogitsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_NONE);
}

function binaryLogitsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryLogitsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_NONE | EXTRA_SUMS);
  flushSweep();
}

function binaryLogitsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryLogitsLoop(pred, labels, rows, start, end, count, GAMMA_TWO, ROWS_NONE);
}

/** binaryLogits, also writing each row's outputs (configureRows). */
export function binaryLogitsRows(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  if (hasExtraSums()) binaryLogitsRowsExtras(pred, labels, rows, start, end, count);
  else if (gammaKind == GAMMA_TWO) binaryLogitsRowsTwo(pred, labels, rows, start, end, count);
  else binaryLogitsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_LABELLED);
}

function binaryLogitsRowsExtras(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryLogitsLoop(pred, labels, rows, start, end, count, gammaKind, ROWS_LABELLED | EXTRA_SUMS);
  flushSweep();
}

function binaryLogitsRowsTwo(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32): void {
  binaryLogitsLoop(pred, labels, rows, start, end, count, GAMMA_TWO, ROWS_LABELLED);
}

// @ts-ignore: decorator
@inline function binaryLogitsLoop(pred: usize, labels: usize, rows: usize, start: i32, end: i32, count: i32, kind: i32, out: i32): void {
  for (let b = start; b < end; b += E_BLOCK) {
    const stop = min(end, b + E_BLOCK);
    // Pass 1: e of two rows a step, their predictions gathered through the row list.
    for (let i = b; i < stop; i += 2) {
      const rp = rows + (<usize>i << 2);
      let v = v128.load32_zero(pred + (<usize>load<i32>(rp) << 2));
      v = v128.load32_lane(pred + (<usize>load<i32>(rp, 4) << 2), v, 1);
      v128.store(E_SCRATCH + (<usize>(i - b) << 3), logitExp(f64x2.promote_low_f32x4(v)));
    }
    // Pass 2: the rest, two rows a step, as before the split.
    for (let i = b; i < stop; i += 2) {
      const rp = rows + (<usize>i << 2);
      const y0 = load<i32>(labels + (<usize>load<i32>(rp) << 2));
      const y1 = load<i32>(labels + (<usize>load<i32>(rp, 4) << 2));
      let v = v128.load32_zero(pred + (<usize>load<i32>(rp) << 2));
      v = v128.load32_lane(pred + (<usize>load<i32>(rp, 4) << 2), v, 1);
      const t = i64x2.replace_lane(i64x2.splat(-(<i64>y0)), 1, -(<i64>y1));
      const e = v128.load(E_SCRATCH + (<usize>(i - b) << 3));
      const o0 = laneSlot(load<i32>(rp), i, count);
      const o1 = laneSlot(load<i32>(rp, 4), i + 1, count);
      logitPairE(f64x2.promote_low_f32x4(v), e, t, laneGroup(y0, i, count), laneGroup(y1, i + 1, count), kind, out, o0, o1);
    }
  }
}

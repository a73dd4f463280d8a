/**
 * Multilabel kernel: C units per row, walked flat over the batch's n * C (prediction, target)
 * pairs, four units per step (two f64x2 pipelines). Unit u is class c = u mod C of its row;
 * group = c when its target is 1, C + c when it is 0. The math per unit is binary.as's.
 *
 * Logits take binary.as's two passes over each block of E_BLOCK units (e = e^{-|z|} first, then
 * the rest of each unit; the same bits as one pass, see binary.as for why it pays). Here the
 * first pass reads the predictions straight, two a step. bench/kernel.ts's multilabel logits
 * went from ~87 to ~111 M units/s (one thread, gamma 2; gamma 5 and 0 gain too; measured on a
 * Zen 4, where the floating-point scheduler is what the one-pass loop filled). Splitting further
 * did not pay: the divisions in the first pass or a pass of their own, or staging the
 * accumulator updates for a third pass (the same or slower).
 *
 * The prediction and target regions are padded to a multiple of 4 units (with 0); lanes past
 * `count` are padding and go to the trash group.
 */
import { E_BLOCK, E_SCRATCH, logitExp, logitPairE, probPair } from './binary';
import { EXTRA_SUMS, gammaKind, GAMMA_TWO, hasExtraSums, laneGroup, ROWS_NONE, ROWS_UNITS } from './accumulate';
import { flushSweep } from './sweep';

/** Scores units [start, end) (start a multiple of 4) of a probabilities batch. */
export function multilabelProbs(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multilabelProbsExtras(pred, target, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multilabelProbsTwo(pred, target, start, end, count, C);
  else multilabelProbsLoop(pred, target, start, end, count, C, gammaKind, ROWS_NONE);
}

function multilabelProbsExtras(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelProbsLoop(pred, target, start, end, count, C, gammaKind, ROWS_NONE | EXTRA_SUMS);
  flushSweep();
}

function multilabelProbsTwo(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelProbsLoop(pred, target, start, end, count, C, GAMMA_TWO, ROWS_NONE);
}

/** multilabelProbs, also writing each unit's alpha-weighted loss at its unit index (configureRows; then rowsOfUnits). */
export function multilabelProbsRows(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multilabelProbsRowsExtras(pred, target, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multilabelProbsRowsTwo(pred, target, start, end, count, C);
  else multilabelProbsLoop(pred, target, start, end, count, C, gammaKind, ROWS_UNITS);
}

function multilabelProbsRowsExtras(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelProbsLoop(pred, target, start, end, count, C, gammaKind, ROWS_UNITS | EXTRA_SUMS);
  flushSweep();
}

function multilabelProbsRowsTwo(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelProbsLoop(pred, target, start, end, count, C, GAMMA_TWO, ROWS_UNITS);
}

// @ts-ignore: decorator
@inline function multilabelProbsLoop(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32, kind: i32, out: i32): void {
  let c = start % C;
  for (let u = start; u < end; u += 4) {
    const v = v128.load(pred + (<usize>u << 2));
    const tp = target + <usize>u;
    const t0 = <i32>load<u8>(tp);
    const t1 = <i32>load<u8>(tp, 1);
    const t2 = <i32>load<u8>(tp, 2);
    const t3 = <i32>load<u8>(tp, 3);
    const c1 = nextClass(c, C);
    const c2 = nextClass(c1, C);
    const c3 = nextClass(c2, C);
    const tA = i64x2.replace_lane(i64x2.splat(-(<i64>t0)), 1, -(<i64>t1));
    const tB = i64x2.replace_lane(i64x2.splat(-(<i64>t2)), 1, -(<i64>t3));
    probPair(f64x2.promote_low_f32x4(v), tA, unitGroup(t0, c, C, u, count), unitGroup(t1, c1, C, u + 1, count), kind, out, u, u + 1);
    probPair(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), tB, unitGroup(t2, c2, C, u + 2, count), unitGroup(t3, c3, C, u + 3, count), kind, out, u + 2, u + 3);
    c = nextClass(c3, C);
  }
}

/** Scores units [start, end) (start a multiple of 4) of a logits batch. */
export function multilabelLogits(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multilabelLogitsExtras(pred, target, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multilabelLogitsTwo(pred, target, start, end, count, C);
  else multilabelLogitsLoop(pred, target, start, end, count, C, gammaKind, ROWS_NONE);
}

function multilabelLogitsExtras(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelLogitsLoop(pred, target, start, end, count, C, gammaKind, ROWS_NONE | EXTRA_SUMS);
  flushSweep();
}

function multilabelLogitsTwo(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelLogitsLoop(pred, target, start, end, count, C, GAMMA_TWO, ROWS_NONE);
}

/** multilabelLogits, also writing each unit's alpha-weighted loss at its unit index (configureRows; then rowsOfUnits). */
export function multilabelLogitsRows(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (hasExtraSums()) multilabelLogitsRowsExtras(pred, target, start, end, count, C);
  else if (gammaKind == GAMMA_TWO) multilabelLogitsRowsTwo(pred, target, start, end, count, C);
  else multilabelLogitsLoop(pred, target, start, end, count, C, gammaKind, ROWS_UNITS);
}

function multilabelLogitsRowsExtras(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelLogitsLoop(pred, target, start, end, count, C, gammaKind, ROWS_UNITS | EXTRA_SUMS);
  flushSweep();
}

function multilabelLogitsRowsTwo(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelLogitsLoop(pred, target, start, end, count, C, GAMMA_TWO, ROWS_UNITS);
}

// @ts-ignore: decorator
@inline function multilabelLogitsLoop(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32, kind: i32, out: i32): void {
  let c = start % C;
  for (let b = start; b < end; b += E_BLOCK) {
    const stop = min(end, b + E_BLOCK);
    const base = pred + (<usize>b << 2);
    const n = <usize>(stop - b) << 2;
    // Pass 1: e of two units a step (f32 byte offset k, f64 offset 2 k).
    for (let k: usize = 0; k < n; k += 8) {
      v128.store(E_SCRATCH + (k << 1), logitExp(f64x2.promote_low_f32x4(v128.load64_zero(base + k))));
    }
    // Pass 2: the rest, four units a step, as before the split.
    for (let u = b; u < stop; u += 4) {
      const v = v128.load(pred + (<usize>u << 2));
      const es = E_SCRATCH + (<usize>(u - b) << 3);
      const tp = target + <usize>u;
      const t0 = <i32>load<u8>(tp);
      const t1 = <i32>load<u8>(tp, 1);
      const t2 = <i32>load<u8>(tp, 2);
      const t3 = <i32>load<u8>(tp, 3);
      const c1 = nextClass(c, C);
      const c2 = nextClass(c1, C);
      const c3 = nextClass(c2, C);
      const tA = i64x2.replace_lane(i64x2.splat(-(<i64>t0)), 1, -(<i64>t1));
      const tB = i64x2.replace_lane(i64x2.splat(-(<i64>t2)), 1, -(<i64>t3));
      const zA = f64x2.promote_low_f32x4(v);
      const zB = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
      logitPairE(zA, v128.load(es), tA, unitGroup(t0, c, C, u, count), unitGroup(t1, c1, C, u + 1, count), kind, out, u, u + 1);
      logitPairE(zB, v128.load(es, 16), tB, unitGroup(t2, c2, C, u + 2, count), unitGroup(t3, c3, C, u + 3, count), kind, out, u + 2, u + 3);
      c = nextClass(c3, C);
    }
  }
}

/** Group of unit u (class c, target t): c for a positive, C + c for a negative; trash past count. */
// @ts-ignore: decorator
@inline function unitGroup(t: i32, c: i32, C: i32, u: i32, count: i32): i32 {
  return laneGroup(t != 0 ? c : C + c, u, count);
}

/** c + 1, wrapping at C. */
// @ts-ignore: decorator
@inline function nextClass(c: i32, C: i32): i32 {
  return c + 1 == C ? 0 : c + 1;
}

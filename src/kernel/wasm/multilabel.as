/**
 * Multilabel kernel: C units per row, walked flat over the batch's n * C (prediction, target)
 * pairs, four units per step (two f64x2 pipelines). Unit u is class c = u mod C of its row;
 * group = c when its target is 1, C + c when it is 0. The math per unit is binary.as's.
 *
 * The prediction and target regions are padded to a multiple of 4 units (with 0); lanes past
 * `count` are padding and go to the trash group.
 */
import { logitPair, probPair } from './binary';
import { gammaKind, GAMMA_TWO, laneGroup } from './accumulate';

/** Scores units [start, end) (start a multiple of 4) of a probabilities batch. */
export function multilabelProbs(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (gammaKind == GAMMA_TWO) multilabelProbsTwo(pred, target, start, end, count, C);
  else multilabelProbsLoop(pred, target, start, end, count, C, gammaKind);
}

function multilabelProbsTwo(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelProbsLoop(pred, target, start, end, count, C, GAMMA_TWO);
}

// @ts-ignore: decorator
@inline function multilabelProbsLoop(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32, kind: i32): void {
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
    probPair(f64x2.promote_low_f32x4(v), tA, unitGroup(t0, c, C, u, count), unitGroup(t1, c1, C, u + 1, count), kind);
    probPair(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), tB, unitGroup(t2, c2, C, u + 2, count), unitGroup(t3, c3, C, u + 3, count), kind);
    c = nextClass(c3, C);
  }
}

/** Scores units [start, end) (start a multiple of 4) of a logits batch. */
export function multilabelLogits(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  if (gammaKind == GAMMA_TWO) multilabelLogitsTwo(pred, target, start, end, count, C);
  else multilabelLogitsLoop(pred, target, start, end, count, C, gammaKind);
}

function multilabelLogitsTwo(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32): void {
  multilabelLogitsLoop(pred, target, start, end, count, C, GAMMA_TWO);
}

// @ts-ignore: decorator
@inline function multilabelLogitsLoop(pred: usize, target: usize, start: i32, end: i32, count: i32, C: i32, kind: i32): void {
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
    logitPair(f64x2.promote_low_f32x4(v), tA, unitGroup(t0, c, C, u, count), unitGroup(t1, c1, C, u + 1, count), kind);
    logitPair(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), tB, unitGroup(t2, c2, C, u + 2, count), unitGroup(t3, c3, C, u + 3, count), kind);
    c = nextClass(c3, C);
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

/**
 * How confident a generated model is. Each unit is drawn as either "easy" (a wide margin for its
 * true outcome) or "hard" (a margin near zero, often negative), so that about half the units end
 * up with p_t >= 0.5: the regime where focal loss visibly moves the loss from easy to hard units.
 * Rare classes are hard more often than common ones, and a hard row of a foreground class leans
 * towards the background class, as real detectors confuse rare objects with background.
 */
import type { Prng } from './prng.ts';

/** Margin of an easy unit: mean and spread of the true outcome's logit lead. */
const EASY_MARGIN = { mean: 4, sd: 1 };
/** Margin of a hard unit. */
const HARD_MARGIN = { mean: 0.3, sd: 1.2 };
/** Extra logit a hard foreground row gives the background class (class 0). */
const BACKGROUND_PULL = 1.5;
/** Hard share of the most common class and of the rarest one; linear in frequency rank between them. */
const HARD_SHARE = { common: 0.45, rare: 0.8 };
/**
 * Multilabel: a binary unit has no other classes to lose to, so its hard margin must sit below
 * zero for half the units to be hard; one share for all units, as nearly all are negatives.
 */
const MULTILABEL_HARD = { share: 0.58, mean: -1, sd: 1 };

/** Per-class probability that a unit is hard, by rank of frequency (index 0 = most common). */
export function hardShares(classes: number): Float64Array {
  const out = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    const t = classes > 1 ? c / (classes - 1) : 0;
    out[c] = HARD_SHARE.common + t * (HARD_SHARE.rare - HARD_SHARE.common);
  }
  return out;
}

/** A margin for the true outcome: easy units lead widely, hard ones barely or not at all. */
export function drawMargin(prng: Prng, hard: boolean): number {
  const m = hard ? HARD_MARGIN : EASY_MARGIN;
  return m.mean + m.sd * prng.normal();
}

/** A multilabel unit's margin (its logit, signed towards its target): hard with a fixed share. */
export function drawUnitMargin(prng: Prng): number {
  const m = prng.uniform() < MULTILABEL_HARD.share ? MULTILABEL_HARD : EASY_MARGIN;
  return m.mean + m.sd * prng.normal();
}

/**
 * Writes one multiclass row of logits into `out[0, C)`: unit-normal noise on every
 * class, the margin added to the true class, and a pull towards background on hard foreground rows.
 */
export function fillRowLogits(prng: Prng, out: Float64Array, C: number, y: number, hard: boolean): void {
  for (let k = 0; k < C; k++) out[k] = prng.normal();
  out[y]! += drawMargin(prng, hard);
  if (hard && y !== 0) out[0]! += BACKGROUND_PULL;
}

/** Softmax of `z[0, C)` into `p[0, C)` (max-shifted, in float64). */
export function softmaxInto(z: Float64Array, p: Float64Array, C: number): void {
  let m = -Infinity;
  for (let k = 0; k < C; k++) if (z[k]! > m) m = z[k]!;
  let sum = 0;
  for (let k = 0; k < C; k++) sum += p[k] = Math.exp(z[k]! - m);
  for (let k = 0; k < C; k++) p[k]! /= sum;
}

/**
 * The loss concentration (RetinaNet, Fig. 4): the share of the CE sum and of the FL sum carried by
 * the hardest fraction x of the units, hardest = lowest p_t (ce and fl both fall as p_t rises),
 * from F fine p_t bins per group (count n_k, CE sum c_k, FL sum f_k; bin k holds
 * p_t in [k/F, (k+1)/F), the last one up to 1).
 *
 * For a set of groups with N units and sum S (CE or FL), the hardest x N units fill the bins from
 * k = 0 up: with A units and sum P in the bins below the bin k that holds the cut, the estimate is
 *
 *   share(x) = (P + s_k (x N - A) / n_k) / S        (the bin's sum spread evenly over its units)
 *
 * The true share lies in [P / S, (P + s_k) / S], so the estimate is off by at most s_k / S, the
 * share held by the one bin that straddles the cut (0 when that bin holds one unit: a fractional
 * cut takes that fraction of it, as the exact share does); maxError is that, the largest over
 * every cut reported (fractions and curve, total and classes, CE and FL). A set with no units, or
 * a zero sum, has shares 0.
 */
import { fineOffset, FINE_CE, FINE_COUNT, FINE_FL, type PartialShape } from '../kernel/partial.ts';

/** The fractions of units the report gives shares for. */
export const CONCENTRATION_FRACTIONS = [0.01, 0.05, 0.1, 0.2, 0.5];
/** The curve's points: x = 0, 0.01, ..., 1. */
export const CURVE_POINTS = 101;

/** The report's concentration block. */
export interface Concentration {
  fractions: number[];
  bins: number;
  maxError: number;
  total: { ce: number[]; fl: number[] };
  classes: { index: number; ce: number[]; fl: number[] }[];
  curve: { x: number[]; ce: number[]; fl: number[] };
}

/** The concentration of a merged partial with F = shape.fine bins; `classGroups[c]` are class c's groups. */
export function concentrationOf(partial: Float64Array, shape: PartialShape, classGroups: readonly (readonly number[])[]): Concentration {
  const F = shape.fine ?? 0;
  let maxError = 0;
  const binsOf = (groups: readonly number[]) => {
    const n = new Float64Array(F);
    const ce = new Float64Array(F);
    const fl = new Float64Array(F);
    for (const g of groups) {
      for (let k = 0; k < F; k++) {
        const o = fineOffset(shape, g, k);
        n[k]! += partial[o + FINE_COUNT]!;
        ce[k]! += partial[o + FINE_CE]!;
        fl[k]! += partial[o + FINE_FL]!;
      }
    }
    return { n, ce, fl };
  };
  const shares = (n: Float64Array, s: Float64Array, xs: readonly number[]): number[] => {
    let N = 0;
    let S = 0;
    for (let k = 0; k < F; k++) {
      N += n[k]!;
      S += s[k]!;
    }
    if (N === 0 || !(S > 0)) return xs.map(() => 0);
    return xs.map((x) => {
      const cut = x * N;
      let A = 0;
      let P = 0;
      for (let k = 0; k < F; k++) {
        if (n[k]! > 0 && A + n[k]! >= cut) {
          // A bin of one unit has no order to guess: its part of the unit is exact.
          if (cut > A && n[k]! > 1) maxError = Math.max(maxError, s[k]! / S);
          return Math.min(1, (P + (s[k]! * (cut - A)) / n[k]!) / S);
        }
        A += n[k]!;
        P += s[k]!;
      }
      return 1;
    });
  };
  const of = (groups: readonly number[], xs: readonly number[]) => {
    const b = binsOf(groups);
    return { ce: shares(b.n, b.ce, xs), fl: shares(b.n, b.fl, xs) };
  };
  const all = classGroups.flat();
  const x = Array.from({ length: CURVE_POINTS }, (_, i) => i / (CURVE_POINTS - 1));
  const total = of(all, CONCENTRATION_FRACTIONS);
  const classes = classGroups.map((groups, index) => ({ index, ...of(groups, CONCENTRATION_FRACTIONS) }));
  const curve = { x, ...of(all, x) };
  return { fractions: [...CONCENTRATION_FRACTIONS], bins: F, maxError, total, classes, curve };
}

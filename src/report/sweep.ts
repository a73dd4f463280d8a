/**
 * The report's gamma sweep from the partial's sweep block: for entry s and a set of groups,
 *
 *   sumFL      = sum_g (easyFL_{g,s} + hardFL_{g,s})
 *   sumLoss    = sum_g w_g (easyFL_{g,s} + hardFL_{g,s})      (w_g the group's alpha)
 *   meanLoss   = sumLoss / units                               (total only; null without units)
 *   easyShareFL = easy FL / (easy FL + hard FL)                 (null when that sum is 0)
 *
 * per class (multilabel: both of its groups) and over every group.
 */
import { COUNT, groupOffset, sweepOffset, SWEEP_EASY_FL, SWEEP_HARD_FL, type PartialShape } from '../kernel/partial.ts';
import type { SweepGamma } from '../kernel/sweep.ts';
import type * as z from '../zod.ts';
import type { SweepEntrySchema } from './schema.ts';

/** One entry of the report's sweep. */
export type SweepEntry = z.infer<typeof SweepEntrySchema>;

/** The sweep entries of a merged partial; `classGroups[c]` are class c's groups. */
export function sweepOf(
  partial: Float64Array,
  shape: PartialShape,
  gammas: readonly SweepGamma[],
  weights: Float64Array,
  classGroups: readonly (readonly number[])[],
): SweepEntry[] {
  return gammas.map((gamma, s) => {
    const sums = (groups: readonly number[]) => {
      let easy = 0;
      let hard = 0;
      let sumLoss = 0;
      let units = 0;
      for (const g of groups) {
        const o = sweepOffset(shape, g, s);
        const e = partial[o + SWEEP_EASY_FL]!;
        const h = partial[o + SWEEP_HARD_FL]!;
        easy += e;
        hard += h;
        sumLoss += weights[g]! * (e + h);
        units += partial[groupOffset(g) + COUNT]!;
      }
      return { sumFL: easy + hard, sumLoss, easyShareFL: easy + hard > 0 ? easy / (easy + hard) : null, units };
    };
    const all = sums(classGroups.flat());
    return {
      gamma,
      total: { sumFL: all.sumFL, sumLoss: all.sumLoss, meanLoss: all.units > 0 ? all.sumLoss / all.units : null, easyShareFL: all.easyShareFL },
      classes: classGroups.map((groups, index) => {
        const c = sums(groups);
        return { index, sumFL: c.sumFL, sumLoss: c.sumLoss, easyShareFL: c.easyShareFL };
      }),
    };
  });
}

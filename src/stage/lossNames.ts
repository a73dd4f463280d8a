/** The names of the per-row columns the stage appends (spec §5), without apache-arrow. */
import type { Plan } from '../input/plan.ts';

/** Names of the appended columns for a mode. */
export function lossColumnNames(plan: Plan): string[] {
  return plan.mode === 'multilabel' ? ['focal_loss_per_class', 'focal_loss'] : ['p_t', 'ce', 'focal_loss', 'easy'];
}

/**
 * The report blocks beyond the loss sums that a run computes when asked: `calibration`
 * (options.calibration) and `hardest` (options.top). What the workers are asked for (extrasSpecOf),
 * and the blocks added to the finished report (withExtras); runExtras.ts collects them.
 */
import { UsageError } from '../errors.ts';
import type { ExtrasSpec } from '../kernel/extras.ts';
import type { Plan } from '../input/plan.ts';
import type { Options } from '../options.ts';
import { calibrationBlock } from './calibration.ts';
import { hardestBlock } from './hardest.ts';
import { ReportSchema, type Report } from './schema.ts';
import { classAlphas, groupWeights } from './weights.ts';

/** What the workers compute beside the partials, or undefined when the options ask for nothing. */
export function extrasSpecOf(plan: Plan, opts: Options): ExtrasSpec | undefined {
  const calibrationBins = opts.calibration ? opts.calibrationBins : null;
  const top = opts.top > 0 ? { k: opts.top, weights: weightsBeforeRun(plan, opts) } : null;
  return calibrationBins === null && top === null ? undefined : { calibrationBins, top };
}

/**
 * The group weights when they are known before any data is read: always, except under alpha
 * "auto" without saved estimates (they come from this run's counts).
 */
export function weightsBeforeRun(plan: Plan, opts: Options): Float64Array | null {
  if (opts.alpha === 'auto' && opts.alphaEstimates === undefined) return null;
  return groupWeights(plan, opts, classAlphas(plan, opts, null));
}

/** The merged extras of a run, as withExtras takes them. */
export interface MergedExtras {
  calibration: Float64Array | null;
  hardest: Float64Array | null;
}

/** The report with the blocks the options asked for, checked again. */
export function withExtras(report: Report, extras: MergedExtras | null, plan: Plan, opts: Options): Report {
  if (extras === null) return report;
  const out: Report = { ...report };
  if (extras.calibration !== null) out.calibration = calibrationBlock(extras.calibration, plan.mode, plan.classNames, opts.calibrationBins);
  if (extras.hardest !== null) {
    const weights = groupWeights(plan, opts, classAlphas(plan, opts, report.alphaEstimates));
    out.hardest = hardestBlock(extras.hardest, opts.top, weights, plan.classNames);
  }
  return ReportSchema.parse(out);
}

/** The stage (and `--emit`) scores rows for their columns and computes neither block: asking for one is a usage error. */
export function refuseExtrasInStage(opts: Options): void {
  const asked = opts.calibration ? 'calibration' : opts.top > 0 ? 'top' : null;
  if (asked !== null) {
    throw new UsageError(`option ${asked}: not computed by the per-row stage (--emit); score without it for the ${asked === 'top' ? 'hardest units' : 'calibration'}`, asked);
  }
}

/**
 * What the HTML report reads: a Report, and the blocks that later versions of the report add
 * (the gamma sweep, loss concentration, normalisation views, numerical health, warnings,
 * calibration, the hardest units). Each is optional here, so that a report without them still
 * renders (with a note in place of the chart that needs one); each has the type of the report
 * module that defines it.
 */
import type { SweepGamma } from '../kernel/sweep.ts';
import type { Calibration } from '../report/calibration.ts';
import type { Concentration } from '../report/concentration.ts';
import type { HardUnit } from '../report/hardest.ts';
import type { Normalisation } from '../report/normalisation.ts';
import type { Health } from '../report/health.ts';
import type { Report } from '../report/schema.ts';
import type { SweepEntry } from '../report/sweep.ts';

/** The blocks ReportSchema has now, by the report's own types. */
export type { SweepGamma } from '../kernel/sweep.ts';
export type { Calibration, ReliabilityBin } from '../report/calibration.ts';
export type { Concentration } from '../report/concentration.ts';
export type { HardUnit } from '../report/hardest.ts';
export type { Normalisation } from '../report/normalisation.ts';
export type { Health } from '../report/health.ts';
/** One gamma of the sweep: the total's and each class's focal-loss sums and easy share. */
export type SweepPoint = SweepEntry;

/** The blocks the HTML report draws when they are present. */
export interface HtmlExtras {
  sweep: SweepPoint[];
  concentration: Concentration;
  normalisation: Normalisation;
  health: Health;
  warnings: string[];
  calibration: Calibration;
  hardest: HardUnit[];
}

/**
 * The renderer's input: a Report, with any of the extra blocks (and alpha conventions of any
 * shape, drawn generically).
 */
export type HtmlInput = Report &
  Partial<HtmlExtras> & {
    alphaEstimates: Report['alphaEstimates'] & { conventions?: unknown };
    options: Report['options'] & { gammas?: SweepGamma[] };
  };

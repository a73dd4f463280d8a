/**
 * What the HTML report reads: a Report, and the blocks that later versions of the report add
 * (the gamma sweep, loss concentration, normalisation views, numerical health, warnings,
 * calibration, the hardest units). Each is optional here, so that a report without them still
 * renders (with a note in place of the chart that needs one), and the renderer does not wait on
 * the schema that adds them: once a block is in ReportSchema its type here is the same shape.
 */
import type { Report } from '../report/schema.ts';

/** A gamma of a sweep: a number, or the FLSD-53 schedule (gamma 5 below p_t 0.2, else 3). */
export type SweepGamma = number | 'FLSD-53';

/** One gamma of the sweep: the total's and each class's focal-loss sums and easy share. */
export interface SweepPoint {
  gamma: SweepGamma;
  total: { sumFL: number; sumLoss: number; meanLoss: number | null; easyShareFL: number | null };
  classes: { index: number; sumFL: number; sumLoss: number; easyShareFL: number | null }[];
}

/** Share of sumCE / sumFL carried by the hardest fraction of the units. */
export interface Concentration {
  fractions: number[];
  bins: number;
  maxError: number;
  total: { ce: number[]; fl: number[] };
  classes: { index: number; ce: number[]; fl: number[] }[];
  /** The curve: x the fraction of units (hardest first), ce / fl the share they carry. */
  curve: { x: number[]; ce: number[]; fl: number[] };
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

/** Expected calibration error and the reliability bins it is computed from. */
export interface Calibration {
  kind: 'binary' | 'top-label' | 'multilabel';
  bins: number;
  ece: number | null;
  reliability: ReliabilityBin[];
  classwise?: { ece: number | null; classes: { index: number; name: string; ece: number | null; reliability: ReliabilityBin[] }[] };
}

/** The loss normalised as training logs do. */
export interface Normalisation {
  perUnit: number | null;
  perRow: number | null;
  perPositive: number | null;
  alphaWeightedMean: number | null;
}

/** Counters of numerical trouble. */
export interface Health {
  clampedUnits: number;
  cappedCE: number;
  saturatedLogits: number;
  clampedShareCE: number | null;
}

/** One of the hardest units. */
export interface HardUnit {
  row: number;
  class: number;
  className: string;
  pt: number;
  loss: number;
}

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

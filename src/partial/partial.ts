/**
 * A run's partial state, the unit of work that crosses machines: what a run (or a shard of one)
 * merged, kept so that runs can be merged later into exactly the report of one run over all their
 * batches in order. Counts are kept as one sum; float sums are kept batch by batch (slots.ts says
 * why), together with the plan and the options that the report depends on.
 */
import { FocalEvalError } from '../errors.ts';
import type { Plan } from '../input/plan.ts';
import type { PartialShape } from '../kernel/partial.ts';
import type { Options } from '../options.ts';
import type { RunExtras } from '../report/runExtras.ts';
import { slotsOf, sumsPerBatch, type Slots } from './slots.ts';

/** The options a report depends on beyond the plan (the report echoes them, finalize applies them). */
export const REPORT_OPTIONS = [
  'gamma',
  'gammas',
  'alpha',
  'alphaScheme',
  'alphaEstimates',
  'beta',
  'epsilon',
  'easyThreshold',
  'ignoreIndex',
  'histogramBins',
  'concentrationBins',
  'onInvalid',
  'calibration',
  'calibrationBins',
  'top',
] as const satisfies readonly (keyof Options)[];

/** Those options' values. */
export type ReportOptions = Pick<Options, (typeof REPORT_OPTIONS)[number]>;

/** The report options of a run's options. */
export function reportOptions(opts: Options): ReportOptions {
  const picked: Partial<ReportOptions> = {};
  for (const key of REPORT_OPTIONS) if (opts[key] !== undefined) (picked as Record<string, unknown>)[key] = opts[key];
  return picked as ReportOptions;
}

/** A run's (or a shard's, or several runs') mergeable state. */
export interface RunPartial {
  /** The inputs merged, in order (names only: for people, never compared). */
  inputs: string[];
  plan: Plan;
  options: ReportOptions;
  shape: PartialShape;
  /** The count slots (slotsOf(shape).counts), summed over every batch. */
  counts: Float64Array;
  /** How many batch partials the sums hold. */
  pieces: number;
  /** The sum slots (slotsOf(shape).sums) of each batch partial in turn: pieces × sumsPerBatch(shape). */
  sums: Float64Array;
  /** Calibration sums and hardest units, when the options ask for them (extras.ts). */
  extras?: RunExtras;
}

/** Collects the partials a run merges, in the order of the merge, into a RunPartial. */
export class PartialCollector {
  readonly #slots: Slots;
  readonly #counts: Float64Array;
  readonly #chunks: Float64Array[] = [];

  constructor(readonly shape: PartialShape) {
    this.#slots = slotsOf(shape);
    this.#counts = new Float64Array(this.#slots.counts.length);
  }

  /** Adds the next batch partial (call in the order the run merges them). */
  add(partial: Float64Array): void {
    const { counts, sums } = this.#slots;
    for (let j = 0; j < counts.length; j++) {
      const v = partial[counts[j]!]!;
      // A count that is not a whole number would make the one-sum shortcut inexact.
      if (!Number.isInteger(v) || v < 0) throw new FocalEvalError('E_INTERNAL', `internal error: partial slot ${counts[j]} holds ${v}, not a count`);
      this.#counts[j]! += v;
    }
    const piece = new Float64Array(sums.length);
    for (let j = 0; j < sums.length; j++) piece[j] = partial[sums[j]!]!;
    this.#chunks.push(piece);
  }

  /** The RunPartial of what was added. */
  finish(inputs: string[], plan: Plan, options: ReportOptions): RunPartial {
    const per = sumsPerBatch(this.shape);
    const sums = new Float64Array(this.#chunks.length * per);
    this.#chunks.forEach((piece, k) => sums.set(piece, k * per));
    return { inputs, plan, options, shape: this.shape, counts: this.#counts.slice(), pieces: this.#chunks.length, sums };
  }
}

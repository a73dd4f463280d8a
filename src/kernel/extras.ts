/**
 * What a worker computes beside a batch's partial when the run asks for it: the calibration
 * sums (calibration.ts) and the batch's hardest units (hardest.ts). They ride beside the partial
 * rather than in it: the partial is the loss kernels' fixed layout, and the hardest units are a
 * list, merged by selection, not by addition.
 *
 * A task's extras cover its whole batch (for Parquet, its row group), whether the batch is
 * scored at once, a chunk at a time or a read batch at a time: the passes run over each piece in
 * row order into the same sums, so the bits are the same however the batch is cut.
 */
import { accumulateCalibration, calibrationLength, calibrationShape } from './calibration.ts';
import { offerHardest } from './hardest.ts';
import { TopUnits } from './topUnits.ts';
import type { Columns, InputKind, KernelParams, Mode } from './types.ts';

/** What a task asks beyond its partial (absent: nothing). */
export interface ExtrasSpec {
  /** Calibration bins, or null for no calibration. */
  calibrationBins: number | null;
  /** The K hardest units, with the group weights when known before the run (null under alpha "auto"); null for none. */
  top: { k: number; weights: Float64Array | null } | null;
}

/** A task's extras: its calibration sums and its hardest units (rows numbered within the task's batch). */
export interface BatchExtras {
  calibration: Float64Array | null;
  /** UNIT_FIELDS values per unit (topUnits.ts). */
  hardest: Float64Array | null;
}

/** The groups of a mode's partial: C, or 2C in multilabel. */
export function groupsOf(mode: Mode, classes: number): number {
  return mode === 'multilabel' ? 2 * classes : classes;
}

/** Collects one task's extras over the pieces of its batch. */
export class ExtrasBuilder {
  readonly #calibration: Float64Array | null;
  readonly #top: TopUnits | null;
  readonly #logits: boolean;

  constructor(
    readonly spec: ExtrasSpec,
    readonly mode: Mode,
    input: InputKind,
    readonly params: KernelParams,
  ) {
    this.#logits = input === 'logits';
    const bins = spec.calibrationBins;
    this.#calibration = bins === null ? null : new Float64Array(calibrationLength(calibrationShape(mode, params.classes, bins)));
    this.#top = spec.top === null ? null : new TopUnits(spec.top.k, spec.top.weights, groupsOf(mode, params.classes));
  }

  /** Adds a piece of the batch whose first row is row `rowOffset` of the batch. */
  add(cols: Columns, rowOffset: number): void {
    if (this.#calibration !== null) accumulateCalibration(this.mode, this.#logits, cols, this.params, this.spec.calibrationBins!, this.#calibration);
    if (this.#top !== null) offerHardest(this.mode, this.#logits, cols, this.params, this.#top, rowOffset);
  }

  /** The task's extras. */
  finish(): BatchExtras {
    return { calibration: this.#calibration, hardest: this.#top?.toArray() ?? null };
  }
}

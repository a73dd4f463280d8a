/**
 * A run's calibration sums and hardest units, merged on the main thread from the tasks' extras
 * (kernel/extras.ts) in input order, and kept in the run's partial state so that shards merge into
 * exactly one run's report.
 *
 * Calibration: the counts of every cell (entries, right ones) are whole numbers, one sum each;
 * the confidence sums depend on the order of the additions, so the run adds each batch's sums to a
 * total that starts at zero, in input order, and a partial keeps every batch's sums (a piece) for a
 * merge to replay those additions in the same order (slots.ts says the same of the loss sums).
 *
 * Hardest units: a task's rows are numbered within its batch; moved by the rows of the batches
 * before it, they are rows of the input. Selection is exact in any order (topUnits.ts), so a
 * partial keeps its K hardest (per bucket) with rows of its own inputs, and a merge moves each
 * part's rows by the rows of the parts before it.
 */
import { FocalEvalError } from '../errors.ts';
import type { Plan } from '../input/plan.ts';
import type { Options } from '../options.ts';
import { extrasSpecOf, type MergedExtras } from './extras.ts';
import { CAL_CONF, CAL_COUNT, CAL_CORRECT, CAL_FIELDS, calibrationLength, calibrationShape } from '../kernel/calibration.ts';
import { groupsOf, type BatchExtras, type ExtrasSpec } from '../kernel/extras.ts';
import { ROWS } from '../kernel/partial.ts';
import { TopUnits } from '../kernel/topUnits.ts';
import type { ScoreResult } from '../pool/task.ts';

/** A run's (or shard's) mergeable extras. */
export interface RunExtras {
  calibration: {
    /** Cells (series × bins), CAL_FIELDS slots each in a batch's sums. */
    cells: number;
    /** Per cell: entries and right entries (2 values a cell), summed over every task. */
    counts: Float64Array;
    /** How many tasks' confidence sums `sums` holds. */
    pieces: number;
    /** pieces × cells confidence sums, task by task. */
    sums: Float64Array;
  } | null;
  /** The hardest units kept (UNIT_FIELDS values each), rows numbered in the run's inputs. */
  hardest: { k: number; weighted: boolean; units: Float64Array } | null;
}

/** Collects the tasks' extras in input order (OrderedMerge's onResult). */
export class ExtrasCollector {
  readonly #total: Float64Array | null;
  readonly #pieces: Float64Array[] = [];
  readonly #top: TopUnits | null;
  readonly #keep: boolean;

  /** `groups`: the partial's; `keepPieces`: keep each task's confidence sums, for a partial. */
  constructor(
    readonly spec: ExtrasSpec,
    calibrationLength: number,
    groups: number,
    keepPieces: boolean,
  ) {
    this.#total = spec.calibrationBins === null ? null : new Float64Array(calibrationLength);
    this.#top = spec.top === null ? null : new TopUnits(spec.top.k, spec.top.weights, groups);
    this.#keep = keepPieces;
  }

  /**
   * Adds the next task's extras (call in input order), one entry per input batch it covers; its
   * rows are moved by `rowsBefore`, and in a run of batches each batch's by the rows of the run's
   * batches before it (a run's partials are one per batch).
   */
  add(result: ScoreResult, rowsBefore: number): void {
    const list = result.extras;
    if (list === undefined || list.length === 0) throw new FocalEvalError('E_INTERNAL', 'internal error: a task asked for extras came back without them');
    const partials = [result.partial, ...(result.more ?? [])];
    let before = rowsBefore;
    list.forEach((extras, k) => {
      this.#addBatch(extras, before);
      before += partials[k]?.[ROWS] ?? 0;
    });
  }

  #addBatch(extras: BatchExtras, rowsBefore: number): void {
    const total = this.#total;
    if (total !== null) {
      const piece = extras.calibration!;
      if (piece.length !== total.length) throw new FocalEvalError('E_INTERNAL', `internal error: calibration sums of ${piece.length} slots, expected ${total.length}`);
      for (let i = 0; i < total.length; i++) total[i]! += piece[i]!;
      if (this.#keep) this.#pieces.push(confidenceSums(piece));
    }
    this.#top?.offerAll(extras.hardest!, rowsBefore);
  }

  /** The merged calibration sums (null without calibration). */
  calibrationTotal(): Float64Array | null {
    return this.#total;
  }

  /** The kept hardest units (null without --top). */
  hardestUnits(): Float64Array | null {
    return this.#top?.toArray() ?? null;
  }

  /** The run's mergeable extras (keepPieces must have been set). */
  finish(): RunExtras {
    const total = this.#total;
    let calibration: RunExtras['calibration'] = null;
    if (total !== null) {
      const cells = total.length / CAL_FIELDS;
      const sums = new Float64Array(this.#pieces.length * cells);
      this.#pieces.forEach((piece, k) => sums.set(piece, k * cells));
      calibration = { cells, counts: countsOf(total), pieces: this.#pieces.length, sums };
    }
    const top = this.spec.top;
    const hardest = top === null ? null : { k: top.k, weighted: top.weights !== null, units: this.hardestUnits()! };
    return { calibration, hardest };
  }
}

function confidenceSums(cal: Float64Array): Float64Array {
  const cells = cal.length / CAL_FIELDS;
  const out = new Float64Array(cells);
  for (let c = 0; c < cells; c++) out[c] = cal[c * CAL_FIELDS + CAL_CONF]!;
  return out;
}

function countsOf(cal: Float64Array): Float64Array {
  const cells = cal.length / CAL_FIELDS;
  const out = new Float64Array(2 * cells);
  for (let c = 0; c < cells; c++) {
    out[2 * c] = cal[c * CAL_FIELDS + CAL_COUNT]!;
    out[2 * c + 1] = cal[c * CAL_FIELDS + CAL_CORRECT]!;
  }
  return out;
}

/** The calibration sums a run would have merged: its pieces' confidence sums added in turn, its counts once. */
export function replayCalibration(cal: NonNullable<RunExtras['calibration']>): Float64Array {
  const { cells } = cal;
  const total = new Float64Array(cells * CAL_FIELDS);
  for (let k = 0; k < cal.pieces; k++) {
    for (let c = 0; c < cells; c++) total[c * CAL_FIELDS + CAL_CONF]! += cal.sums[k * cells + c]!;
  }
  for (let c = 0; c < cells; c++) {
    total[c * CAL_FIELDS + CAL_COUNT] = cal.counts[2 * c]!;
    total[c * CAL_FIELDS + CAL_CORRECT] = cal.counts[2 * c + 1]!;
  }
  return total;
}

/**
 * Concatenates the extras of parts (in order) as one run's; `rows[i]` is the rows part i read,
 * `weights` the group weights (null under alpha "auto") and `groups` the partial's groups.
 */
export function mergeRunExtras(parts: readonly RunExtras[], rows: readonly number[], weights: Float64Array | null, groups: number): RunExtras {
  const first = parts[0]!;
  let calibration: RunExtras['calibration'] = null;
  if (first.calibration !== null) {
    const cells = first.calibration.cells;
    const counts = new Float64Array(2 * cells);
    const pieces = parts.reduce((n, p) => n + p.calibration!.pieces, 0);
    const sums = new Float64Array(pieces * cells);
    let at = 0;
    for (const part of parts) {
      const cal = part.calibration!;
      for (let j = 0; j < counts.length; j++) counts[j]! += cal.counts[j]!;
      sums.set(cal.sums, at);
      at += cal.sums.length;
    }
    calibration = { cells, counts, pieces, sums };
  }
  let hardest: RunExtras['hardest'] = null;
  if (first.hardest !== null) {
    const top = new TopUnits(first.hardest.k, weights, groups);
    let before = 0;
    parts.forEach((part, i) => {
      top.offerAll(part.hardest!.units, before);
      before += rows[i]!;
    });
    hardest = { k: first.hardest.k, weighted: first.hardest.weighted, units: top.toArray() };
  }
  return { calibration, hardest };
}

/** The collector of a run's extras, or null when the options ask for none. */
export function extrasCollector(plan: Plan, opts: Options, keepPieces: boolean): ExtrasCollector | null {
  const spec = extrasSpecOf(plan, opts);
  if (spec === undefined) return null;
  const length = calibrationLength(calibrationShape(plan.mode, plan.classes, opts.calibrationBins));
  return new ExtrasCollector(spec, length, groupsOf(plan.mode, plan.classes), keepPieces);
}

/** A partial's extras as a run would have merged them. */
export function mergedOf(extras: RunExtras): MergedExtras {
  return {
    calibration: extras.calibration === null ? null : replayCalibration(extras.calibration),
    hardest: extras.hardest?.units ?? null,
  };
}

/**
 * A partial's slots in two kinds, for partial files. Counts (rows, ignored, invalid, each group's
 * units and easy units, every histogram bin, the health counts) are whole numbers far below 2^53: float64 adds them
 * exactly, in any order, so a shard's counts can be kept as one sum. The other slots are float64
 * sums of per-unit terms, and their value depends on the order of the additions: a run adds each
 * batch's sums to its running total in batch order (pool/ordered.ts), so a shard must keep every
 * batch's sums, for a merge to add them in the very order a single run over all shards would.
 */
import { COUNT, EASY_COUNT, FIELDS, FINE_COUNT, FINE_FIELDS, fineOffset, SWEEP_FIELDS, groupOffset, HEADER, HEALTH_FIELDS, healthOffset, histogramOffset, partialLength, type PartialShape } from '../kernel/partial.ts';

/** The slots of a partial of this shape that hold counts, and those that hold float sums, each ascending. */
export interface Slots {
  counts: Int32Array;
  sums: Int32Array;
}

/** Splits the slots of a partial of `shape` into counts and sums. */
export function slotsOf(shape: PartialShape): Slots {
  const isCount = new Uint8Array(partialLength(shape));
  for (let i = 0; i < HEADER; i++) isCount[i] = 1;
  for (let g = 0; g < shape.groups; g++) {
    isCount[groupOffset(g) + COUNT] = 1;
    isCount[groupOffset(g) + EASY_COUNT] = 1;
    isCount.fill(1, histogramOffset(shape, g), histogramOffset(shape, g) + shape.bins);
    for (let k = 0; k < (shape.fine ?? 0); k++) isCount[fineOffset(shape, g, k) + FINE_COUNT] = 1;
    isCount.fill(1, healthOffset(shape, g), healthOffset(shape, g) + HEALTH_FIELDS);
  }
  const counts: number[] = [];
  const sums: number[] = [];
  isCount.forEach((c, i) => (c === 1 ? counts : sums).push(i));
  return { counts: Int32Array.from(counts), sums: Int32Array.from(sums) };
}

/** Float sums per batch: FIELDS minus the two counts, per group, the sweep's sums and the fine bins' two sums. */
export function sumsPerBatch(shape: PartialShape): number {
  return shape.groups * (FIELDS - 2 + (shape.sweep ?? 0) * SWEEP_FIELDS + (shape.fine ?? 0) * (FINE_FIELDS - 1));
}

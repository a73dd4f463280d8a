/**
 * The partial: a fixed-layout Float64Array of per-group sums that a kernel fills for one batch
 * and that the main thread merges, in batch order, into the run's totals.
 *
 * A group is a set of units that share one alpha weight: class c in binary and multiclass
 * (groups 0..C-1); (class c, target 1) = group c and (class c, target 0) = group C + c in
 * multilabel. Alpha is applied at the end (finalize), so the kernel only sums alpha-free terms.
 *
 * Layout:
 *   [0, HEADER)                           run counters: rows read, rows ignored, rows invalid
 *   [HEADER, HEADER + G*FIELDS)           FIELDS sums per group (see the offsets below)
 *   [HEADER + G*FIELDS, + G*bins)         histogram of p_t per group
 *   [.., + G*S*SWEEP_FIELDS)              per group, per sweep entry s (S = shape.sweep, often 0):
 *                                         its easy FL and hard FL sums (sweep.ts)
 *   [.., + G*HEALTH_FIELDS)               per group, the numerical-health counts (always there):
 *                                         units clamped low (CE at the cap -ln eps), clamped high,
 *                                         and with saturated logits (kernel/health.ts)
 *   [.., + G*F*FINE_FIELDS)               per group, per fine p_t bin (F = shape.fine, often 0):
 *                                         its count, CE sum and FL sum (the concentration); last,
 *                                         since the wasm kernel's padding lanes add into a trash
 *                                         group of fine bins just past the end (wasm/extraSums.ts)
 */

/** Run counters at the start of every partial. */
export const ROWS = 0;
export const IGNORED = 1;
export const INVALID = 2;
export const HEADER = 3;

/** Per-group fields, as offsets into a group's block. Hard count = COUNT - EASY_COUNT. */
export const COUNT = 0;
export const SUM_CE = 1;
export const SUM_FL = 2;
export const SUM_PT = 3;
export const EASY_COUNT = 4;
export const EASY_CE = 5;
export const EASY_FL = 6;
export const HARD_CE = 7;
export const HARD_FL = 8;
export const FIELDS = 9;

/** Per sweep entry of a group: its easy and hard focal sums. */
export const SWEEP_EASY_FL = 0;
export const SWEEP_HARD_FL = 1;
export const SWEEP_FIELDS = 2;

/** Per fine bin of a group: units, CE sum, FL sum (at the main gamma). */
export const FINE_COUNT = 0;
export const FINE_CE = 1;
export const FINE_FL = 2;
export const FINE_FIELDS = 3;

/** Per group: the numerical-health counts (kernel/health.ts says what each counts). */
export const CLAMPED_LOW = 0;
export const CLAMPED_HIGH = 1;
export const SATURATED = 2;
export const HEALTH_FIELDS = 3;

/** The shape of a partial: how many groups and histogram bins it holds. */
export interface PartialShape {
  readonly groups: number;
  readonly bins: number;
  /** Entries of the gamma sweep (0 without one). */
  readonly sweep?: number;
  /** Fine p_t bins of the concentration (0 without it). */
  readonly fine?: number;
}

/** Number of float64 slots a partial of this shape takes. */
export function partialLength(shape: PartialShape): number {
  return fineOffset(shape, shape.groups, 0);
}

/** A zero-filled partial of this shape. */
export function createPartial(shape: PartialShape): Float64Array {
  return new Float64Array(partialLength(shape));
}

/** Offset of group g's field block. */
export function groupOffset(g: number): number {
  return HEADER + g * FIELDS;
}

/** Offset of group g's histogram. */
export function histogramOffset(shape: PartialShape, g: number): number {
  return HEADER + shape.groups * FIELDS + g * shape.bins;
}

/** Offset of group g's sums for sweep entry s. */
export function sweepOffset(shape: PartialShape, g: number, s: number): number {
  return HEADER + shape.groups * (FIELDS + shape.bins) + (g * (shape.sweep ?? 0) + s) * SWEEP_FIELDS;
}

/** Offset of group g's fine bin k. */
export function fineOffset(shape: PartialShape, g: number, k: number): number {
  return HEADER + shape.groups * (FIELDS + shape.bins + (shape.sweep ?? 0) * SWEEP_FIELDS + HEALTH_FIELDS) + (g * (shape.fine ?? 0) + k) * FINE_FIELDS;
}

/** Offset of group g's health counts (g = groups: the end of the block). */
export function healthOffset(shape: PartialShape, g: number): number {
  return HEADER + shape.groups * (FIELDS + shape.bins + (shape.sweep ?? 0) * SWEEP_FIELDS) + g * HEALTH_FIELDS;
}

/**
 * Adds `b` into `a` element-wise. The run's result depends on the order of these calls, so the
 * run's merge (pool/ordered.ts) calls it in batch order, never in order of arrival: that is what makes the report
 * bit-identical for any thread count.
 */
export function mergeInto(a: Float64Array, b: Float64Array): void {
  if (a.length !== b.length) throw new RangeError(`partial length mismatch: ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
}

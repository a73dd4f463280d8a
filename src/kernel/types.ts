/**
 * What the kernels read and write. A batch's columns arrive as flat typed arrays (views into the
 * Arrow buffers, or copies of them that crossed a thread); everything here is plain data that can
 * be structured-cloned or transferred.
 */

/** Scoring modes of the spec. */
export const MODES = ['binary', 'multiclass', 'multilabel'] as const;
/** Scoring mode of the spec. */
export type Mode = (typeof MODES)[number];
/** What the prediction column holds: probabilities or logits. */
export const INPUTS = ['probs', 'logits'] as const;
/** Whether predictions are probabilities or logits. */
export type InputKind = (typeof INPUTS)[number];

/** Integer-like label storage: class indices (multiclass), 0/1 (binary, multilabel targets). */
export type LabelArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float64Array;

/** Prediction storage: probabilities or logits. */
export type PredArray = Float32Array | Float64Array;

/** Row states in `Columns.rowState` (absent when the batch has no nulls at all). */
export const ROW_OK = 0;
/** Null label (or null multilabel target list): the row is ignored. */
export const ROW_IGNORED = 1;
/** A null prediction, or a null inside the prediction list. */
export const ROW_NULL_PRED = 2;
/** A null inside a multilabel target list. */
export const ROW_NULL_TARGET = 3;

/** One batch's columns, as the kernels read them. */
export interface Columns {
  /** Rows in the batch. */
  length: number;
  /**
   * Prediction values. Row i's values are `pred[predBase + i * width, ...)` for fixed-width
   * columns, or `pred[predOffsets[i], predOffsets[i + 1])` for List columns.
   */
  pred: PredArray;
  predBase: number;
  predOffsets: Int32Array | null;
  /** Binary: the class label (0/1); multiclass: the class index, NaN for a string that names no class. */
  label: LabelArray | null;
  /** Multilabel targets: row i's C targets at `target[targetBase + i * C]`, or via `targetOffsets`. */
  target: LabelArray | null;
  targetBase: number;
  targetOffsets: Int32Array | null;
  /** Per-row null state (ROW_*), or null when no column of the batch has a null. */
  rowState: Uint8Array | null;
  /** Strings of labels that name no class, by row (only rows whose label is NaN). */
  unknownLabels: Map<number, string> | null;
  /**
   * Exact values of 64-bit integer labels beyond 2^53 (which no float64 holds), by row: their
   * `label` is NaN, and an error names this value instead.
   */
  labelValues?: Map<number, bigint> | null;
}

/** Scalar parameters of a kernel run. */
export interface KernelParams {
  classes: number;
  gamma: number;
  /** The sweep's entries (sweep.ts's codes: a gamma, or FLSD_53_CODE); empty without a sweep. */
  sweep?: number[];
  /** Fine p_t bins of the concentration (0 or absent: none). */
  fineBins?: number;
  epsilon: number;
  easyThreshold: number;
  bins: number;
  ignoreIndex: number;
  /** true: count invalid rows and go on; false: stop at the first and report it. */
  skipInvalid: boolean;
}

/**
 * Per-row outputs of the pipeline stage (spec §5), filled by a kernel when asked. A row whose
 * `scored` flag stays 0 (ignored or skipped) gets nulls in the output columns.
 */
export interface RowOutputs {
  /** Alpha weight of each group (see partial.ts), applied to `loss` per unit. */
  weights: Float64Array;
  /** 1 where the row was scored. */
  scored: Uint8Array;
  /** Binary/multiclass: p_t, ce, alpha-weighted loss and easy flag per row. */
  pt: Float64Array;
  ce: Float64Array;
  loss: Float64Array;
  easy: Uint8Array;
  /** Multilabel: each unit's alpha-weighted loss (row-major, C per row); `loss` holds the row sums. */
  perClass: Float32Array | null;
}

/**
 * The stage's per-row outputs of a batch as the Arrow columns take them (what the worker sends
 * back, its buffers transferred): Float64 values, LSB-first bits. Filled by a row kernel
 * (wasm/kernel.ts's wasmRowKernelFor, or rowColumns.ts's scalar one) at a given first row.
 */
export interface RowColumns {
  /** Alpha weight of each group (see partial.ts), applied to `loss` per unit. */
  weights: Float64Array;
  /** Rows. */
  length: number;
  /** Binary/multiclass: p_t, ce and the alpha-weighted loss per row (empty in multilabel). */
  pt: Float64Array;
  ce: Float64Array;
  /** The alpha-weighted loss per row (multilabel: the row's sum over its C units). */
  loss: Float64Array;
  /** Easy flags as bits (empty in multilabel). */
  easy: Uint8Array;
  /** Validity bits: 1 where the row was scored. */
  valid: Uint8Array;
  /** Rows not scored (ignored or skipped): the output columns' null count. */
  nulls: number;
  /** Multilabel: each unit's alpha-weighted loss (row-major, C per row). */
  perClass: Float32Array | null;
}

/** Which column an invalid row is blamed on. */
export type BlamedColumn = 'pred' | 'label';

/** The first invalid row of a batch (when not skipping). */
export interface KernelError {
  row: number;
  column: BlamedColumn;
  reason: string;
  value: unknown;
}

/** Reasons, shared so that messages are the same whichever kernel finds them. */
export const REASON_BAD_VALUE = 'non-finite prediction or probability outside [0, 1]';
export const REASON_NULL_PRED = 'null prediction';
export const REASON_LABEL_RANGE = 'label outside [0, C)';
export const REASON_UNKNOWN_LABEL = 'label is not one of the class names';
export const REASON_TARGET = 'multilabel target is null or not 0/1';
export const REASON_LENGTH = 'prediction list length is not C';
export const REASON_TARGET_LENGTH = 'target list length is not C';
/** p_t = 0 exactly (epsilon 0, or float64 logits far apart): the loss is infinite and cannot be summed. */
export const REASON_INFINITE = 'p_t is 0, so the loss is infinite (use epsilon > 0)';

/**
 * Every failure the library reports is a FocalEvalError with a stable `code`; the CLI maps the
 * code to its exit status (everything about the data or input 1; usage, and our own bugs, 2).
 * Data errors carry the place.
 */

/** Stable error codes; the CLI's exit status follows from them. */
export type ErrorCode =
  | 'E_USAGE' // a bad command line, option or option combination
  | 'E_SCHEMA' // the input's columns do not fit what the options ask for
  | 'E_DATA' // an invalid row (null, NaN, out of range, wrong length)
  | 'E_INPUT' // the input cannot be read: missing, not Arrow, corrupt
  | 'E_INTERNAL'; // a bug: please report it

/** The base error: a message for people and a `code` for programs. */
export class FocalEvalError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FocalEvalError';
    this.code = code;
  }
}

/** A bad option or flag: `option` is its name (library spelling). */
export class UsageError extends FocalEvalError {
  readonly option: string | undefined;
  constructor(message: string, option?: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
    this.option = option;
  }
}

/** Where an invalid row sits: batch (0-based, empty batches counted; Parquet: row group), row within it and within the input. */
export interface DataLocation {
  file: string;
  batch: number;
  row: number;
  globalRow: number;
  column: string;
  value: unknown;
  reason: string;
}

/** An invalid row stopped the run; every field of the location is set. */
export class DataError extends FocalEvalError {
  readonly location: DataLocation;
  constructor(location: DataLocation) {
    super(
      'E_DATA',
      `${location.file}: invalid row ${location.globalRow} (batch ${location.batch}, row ${location.row}), ` +
        `column "${location.column}": ${location.reason} (value: ${formatValue(location.value)})`,
    );
    this.name = 'DataError';
    this.location = location;
  }
}

/**
 * Exit status for an error: 1 for anything about the data or input (the user's file needs a
 * look), 2 for usage and for internal errors (the run itself went wrong: not the data's fault).
 */
export function exitStatusOf(error: unknown): 1 | 2 {
  return error instanceof FocalEvalError && (error.code === 'E_USAGE' || error.code === 'E_INTERNAL') ? 2 : 1;
}

/** Renders an offending value for a message: NaN, Infinity and strings stay recognisable. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

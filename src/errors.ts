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
  | 'E_WORKER' // a worker died (it exited, ran out of heap, crashed) or the watchdog stopped it: the run did not complete
  | 'E_ABORTED' // the caller's AbortSignal (the CLI: SIGINT, SIGTERM) stopped the run
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
 * The run was stopped by its AbortSignal: named 'AbortError' as Node's own aborted calls are;
 * `cause` is the signal's reason.
 */
export class AbortError extends FocalEvalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/** The AbortError of an aborted signal, its reason as the cause (and in the message, when it says something). */
export function abortErrorOf(signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason;
  const said = reason instanceof Error ? (reason.name === 'AbortError' ? '' : reason.message) : reason === undefined ? '' : String(reason);
  return new AbortError(said === '' ? 'the run was aborted' : `the run was aborted: ${said}`, { cause: reason });
}

/**
 * Exit status for an error: 1 for anything about the data or input (the user's file needs a
 * look), 2 for usage and for internal errors (the run itself went wrong: not the data's fault),
 * 3 for a worker that died or was stopped by the watchdog (the run did not complete: more memory
 * or a longer --task-timeout may help), 130 for an abort (the CLI gives 128 + the signal's number).
 */
export function exitStatusOf(error: unknown): 1 | 2 | 3 | 130 {
  if (!(error instanceof FocalEvalError)) return 1;
  if (error.code === 'E_USAGE' || error.code === 'E_INTERNAL') return 2;
  if (error.code === 'E_WORKER') return 3;
  if (error.code === 'E_ABORTED') return 130;
  return 1;
}

/** Renders an offending value for a message: NaN, Infinity and strings stay recognisable. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

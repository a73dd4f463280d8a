/**
 * The progress line on stderr: rows done, rows/s, bytes done of the file and an ETA, redrawn in
 * place (`\r` and erase-line) at most every 100 ms, first drawn once a run has taken a second
 * (a quick run prints nothing), and erased when the run ends, so that nothing of it stays in the
 * terminal. Shown only where a person watches: stderr a terminal, not under CI, not on a dumb
 * terminal, not with --quiet. NO_COLOR (non-empty) drops the dimming only.
 *
 * Bytes done and the ETA come from the file's size and its batch count (an IPC file's batches,
 * a Parquet file's row groups): bytes done = size · batches done / batches; ETA = elapsed ·
 * (batches left / batches done). A stream (stdin) has neither: rows and rows/s only.
 */

/** What decides whether the line is shown. */
export interface ProgressSetting {
  isTTY: boolean;
  env: Record<string, string | undefined>;
  quiet: boolean;
}

/** Whether to show progress: stderr a terminal, and none of CI, TERM=dumb, --quiet. */
export function progressEnabled({ isTTY, env, quiet }: ProgressSetting): boolean {
  if (!isTTY || quiet) return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false') return false;
  return env.TERM !== 'dumb';
}

/** Whether the line may use colour: NO_COLOR unset or empty (no-color.org). */
export function colourEnabled(env: Record<string, string | undefined>): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

/** Where the line goes: a stream's write (stderr). */
export interface LineSink {
  write(text: string): unknown;
}

/** The first draw's delay: 1 s, or FOCAL_EVAL_PROGRESS_DELAY_MS (the tests' pseudo-terminal run sets 0). */
function firstDrawMs(): number {
  const raw = Number(process.env.FOCAL_EVAL_PROGRESS_DELAY_MS);
  return Number.isFinite(raw) && raw >= 0 && process.env.FOCAL_EVAL_PROGRESS_DELAY_MS !== '' ? raw : 1000;
}
const REDRAW_MS = 100;
const ERASE = '\r\x1b[K';

/** The progress of one run; `now` is a clock in ms (injectable for tests). */
export class Progress {
  #rows = 0;
  #batches = 0;
  #total: number | null = null;
  #drawn = false;
  #lastDraw = -Infinity;
  readonly #start: number;
  readonly #delay = firstDrawMs();

  constructor(
    readonly sink: LineSink,
    readonly fileBytes: number | null,
    readonly colour: boolean,
    readonly now: () => number = () => performance.now(),
  ) {
    this.#start = now();
  }

  /** The input's batch count, once known (null: a stream). */
  start(batches: number | null): void {
    this.#total = batches;
  }

  /** A batch (or Parquet read batch) of `rows` rows was merged (the line is drawn at the task's end: batch). */
  rows(rows: number): void {
    this.#rows += rows;
  }

  /** A task's batch was merged (the unit of the batch count). */
  batch(): void {
    this.#batches++;
    this.#maybeDraw();
  }

  /** Erases the line, if it was drawn. */
  end(): void {
    if (this.#drawn) this.sink.write(ERASE);
    this.#drawn = false;
  }

  #maybeDraw(): void {
    const t = this.now();
    if (t - this.#start < this.#delay || t - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = t;
    this.#drawn = true;
    this.sink.write(ERASE + this.line(t));
  }

  /** The line's text at time t. */
  line(t: number): string {
    const seconds = (t - this.#start) / 1000;
    const parts = [`${int(this.#rows)} rows`, `${int(seconds > 0 ? this.#rows / seconds : 0)} rows/s`];
    const total = this.#total;
    if (total !== null && total > 0 && this.fileBytes !== null) {
      const done = this.#batches / total;
      parts.push(`${mb(this.fileBytes * done)} / ${mb(this.fileBytes)} MB`);
      if (this.#batches > 0 && this.#batches < total) parts.push(`ETA ${duration((seconds * (total - this.#batches)) / this.#batches)}`);
    }
    const text = `focal-eval: ${parts.join(' · ')}`;
    return this.colour ? `\x1b[2m${text}\x1b[22m` : text;
  }
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function duration(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

/**
 * `--top-out FILE`: the report's hardest units (`--top K`) in a file of their own, CSV when the
 * name ends in `.csv` (any case), else JSON (the report's `hardest` array); write.ts writes it
 * beside the report, atomically.
 */
import { UsageError } from '../errors.ts';
import { hardestCsv } from '../report/hardest.ts';
import type { Report } from '../report/schema.ts';

/** Refuses --top-out without --top, before any input is read. */
export function checkTopOut(topOut: string | undefined, top: number | undefined): void {
  if (topOut !== undefined && !(top !== undefined && top > 0)) throw new UsageError('--top-out writes the hardest units: give --top K too', 'topOut');
}

/** The text --top-out writes for these units. */
export function topOutText(report: Report, path: string): string {
  const units = report.hardest ?? [];
  return path.toLowerCase().endsWith('.csv') ? hardestCsv(units) : JSON.stringify(units, null, 2) + '\n';
}

/**
 * The bench's one results table: a row per (workload, runner) with the median wall time, units
 * per second, the median CPU time (user + system, all threads), peak RSS and the wall-time ratio
 * to the in-process baseline of the same workload.
 */

/** One row of the results table; null cells print as "-". */
export interface ResultRow {
  workload: string;
  runner: string;
  seconds: number | null;
  cpuSeconds: number | null;
  units: number;
  peakRssMb: number | null;
  /** This row's seconds over the in-process baseline's seconds for the workload. */
  ratio: number | null;
}

/** Renders the rows as an aligned text table (first column left-aligned, the rest right-aligned except the runner). */
export function renderResults(rows: readonly ResultRow[]): string {
  const header = ['workload', 'runner', 'seconds', 'units/s', 'CPU s', 'peak RSS MB', 'x baseline'];
  const cells = rows.map((r) => [
    r.workload,
    r.runner,
    r.seconds === null ? '-' : r.seconds.toFixed(3),
    r.seconds === null ? '-' : rate(r.units / r.seconds),
    r.cpuSeconds === null ? '-' : r.cpuSeconds.toFixed(2),
    r.peakRssMb === null ? '-' : r.peakRssMb.toFixed(0),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
  ]);
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

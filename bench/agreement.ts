/**
 * Whether the runners agree on the report. The spec wants the report bit-identical for any thread
 * count; the same kernel in and out of the pool should give the same bits too; the WebAssembly
 * and scalar kernels may differ only within the spec's tolerance (|a - e| <= max(1e-6 |e|, 1e-9)).
 */
import type { Report } from '../src/index.ts';

/** Whether two reports are the same, bit for bit (JSON keeps every float64 exactly). */
export function identical(a: Report, b: Report): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The largest relative difference between two reports' total and per-class sums (CE, FL, loss). */
export function maxRelativeDifference(a: Report, b: Report): number {
  const blocks = [[a.total, b.total] as const, ...a.classes.map((c, i) => [c, b.classes[i]!] as const)];
  let worst = 0;
  for (const [x, y] of blocks) {
    for (const key of ['sumCE', 'sumFL', 'sumLoss'] as const) {
      const e = y[key];
      worst = Math.max(worst, Math.abs(x[key] - e) / Math.max(Math.abs(e), 1e-300));
    }
  }
  return worst;
}

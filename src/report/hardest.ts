/**
 * The report's `hardest` block (with `top: K`): the K units with the largest alpha-weighted focal
 * loss at the run's gamma, from the candidates the run kept (kernel/topUnits.ts), once the group
 * weights are known.
 *
 *   loss = w_g · fl     (w_g the unit's group weight, as the report's sums apply it)
 *   order: loss descending, then fl descending (equal losses of unequal fl, by rounding of w_g · fl),
 *          then row ascending, then class ascending
 *
 * Row is the unit's 0-based row in the input, counted as the report's `rows` counts them (every
 * row read, ignored and invalid ones too, across batches, row groups and merged partials).
 */
import * as z from '../zod.ts';
import { UNIT_CLASS, UNIT_FIELDS, UNIT_FL, UNIT_GROUP, UNIT_PT, UNIT_ROW } from '../kernel/topUnits.ts';

const count = z.int().check(z.gte(0));

/** One of the hardest units. */
export const HardUnitSchema = z.strictObject({
  row: count,
  class: count,
  className: z.string(),
  pt: z.number().check(z.gte(0), z.lte(1)),
  loss: z.number().check(z.gte(0), z.refine(Number.isFinite, { error: 'must be finite' })),
});

/** One of the hardest units. */
export type HardUnit = z.infer<typeof HardUnitSchema>;

/** The K hardest of the candidates `units` (UNIT_FIELDS values each), in the block's order. */
export function hardestBlock(units: Float64Array, k: number, weights: Float64Array, classNames: readonly string[]): HardUnit[] {
  const n = units.length / UNIT_FIELDS;
  const rows: { row: number; cls: number; pt: number; fl: number; loss: number }[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * UNIT_FIELDS;
    const fl = units[o + UNIT_FL]!;
    rows.push({ row: units[o + UNIT_ROW]!, cls: units[o + UNIT_CLASS]!, pt: units[o + UNIT_PT]!, fl, loss: weights[units[o + UNIT_GROUP]!]! * fl });
  }
  rows.sort((a, b) => b.loss - a.loss || b.fl - a.fl || a.row - b.row || a.cls - b.cls);
  return rows.slice(0, k).map((u) => ({ row: u.row, class: u.cls, className: classNames[u.cls]!, pt: u.pt, loss: u.loss }));
}

/** The hardest units as CSV: a header, then one line per unit (class names quoted when they need it). */
export function hardestCsv(units: readonly HardUnit[]): string {
  const quote = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['row,class,className,pt,loss', ...units.map((u) => `${u.row},${u.class},${quote(u.className)},${u.pt},${u.loss}`)];
  return lines.join('\n') + '\n';
}

/**
 * The HTML report's tables, from a report: per class, the alpha estimates (and their other
 * conventions, of whatever shape the report gives them), the normalisation views, the health
 * counters and the hardest units. Cells are plain text; html.ts escapes them.
 */
import { ALPHA_SCHEMES } from '../alpha/estimates.ts';
import type { Stats } from '../report/schema.ts';
import type { HardUnit, Health, HtmlInput, Normalisation } from './htmlInput.ts';
import { int, num, pct } from './numbers.ts';

/** A table: header cells and rows of plain text; `numeric` right-aligns a column. */
export interface Table {
  head: string[];
  rows: string[][];
  numeric: boolean[];
}

/** One row per class and one for the total, with the columns of the CLI's table and the mean FL. */
export function classTable(report: HtmlInput, totalLabel: string): Table {
  const row = (name: string, s: Stats, alpha: string): string[] => [
    name,
    int(s.count),
    alpha,
    num(s.meanCE),
    num(s.count > 0 ? s.sumFL / s.count : null),
    num(s.meanLoss),
    num(s.sumLoss),
    pct(s.count > 0 ? s.easy.count / s.count : null),
    pct(s.easyShareCE),
    pct(s.easyShareFL),
  ];
  return {
    head: ['class', 'units', 'alpha', 'mean CE', 'mean FL', 'mean loss', 'sum loss', 'easy', 'easy CE%', 'easy FL%'],
    rows: [...report.classes.map((c) => row(c.name, c, num(c.alpha))), row(totalLabel, report.total, '')],
    numeric: [false, ...Array<boolean>(9).fill(true)],
  };
}

/** The class counts and every scheme's estimate, beside the alpha this run applied. */
export function alphaTable(report: HtmlInput): Table {
  const e = report.alphaEstimates;
  const counts = e.negatives ? ['positives', 'negatives'] : ['units'];
  return {
    head: ['class', ...counts, 'applied', ...ALPHA_SCHEMES],
    rows: report.classes.map((c, i) => [
      c.name,
      int(e.counts[i] ?? 0),
      ...(e.negatives ? [int(e.negatives[i] ?? 0)] : []),
      num(c.alpha),
      ...ALPHA_SCHEMES.map((s) => num(e[s][i])),
    ]),
    numeric: [false, ...counts.map(() => true), true, ...ALPHA_SCHEMES.map(() => true)],
  };
}

/**
 * Any nested block of numbers as a table: one row per leaf, named by its path (`inverse.positive`),
 * an array's entries in columns (headed by the class names when there is one per class). Undefined
 * when there is nothing to show.
 */
export function conventionsTable(report: HtmlInput, block: unknown): Table | undefined {
  if (block === undefined || block === null) return undefined;
  const rows: string[][] = [];
  const walk = (path: string, value: unknown): void => {
    if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) rows.push([path, ...value.map(cell)]);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(`${path}[${i}]`, v));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(path === '' ? k : `${path}.${k}`, v);
    else rows.push([path, cell(value)]);
  };
  walk('', block);
  if (rows.length === 0) return undefined;
  const width = Math.max(...rows.map((r) => r.length)) - 1;
  const names = report.classes.map((c) => c.name);
  const head = ['', ...(width === names.length ? names : Array.from({ length: width }, (_, i) => (width === 1 ? 'value' : String(i))))];
  return { head, rows: rows.map((r) => [...r, ...Array<string>(width + 1 - r.length).fill('')]), numeric: [false, ...Array<boolean>(width).fill(true)] };
}

function cell(value: unknown): string {
  return typeof value === 'number' ? num(value) : value === null ? num(null) : String(value);
}

/** The normalisation views, one per row. */
export function normalisationTable(n: Normalisation): Table {
  return {
    head: ['view', 'value'],
    rows: [
      ['mean per unit (torchvision / Keras "mean")', num(n.perUnit)],
      ['per row', num(n.perRow)],
      ['per positive (RetinaNet, mmdet avg_factor)', num(n.perPositive)],
      ['alpha-weighted mean (PyTorch CE with weight)', num(n.alphaWeightedMean)],
    ],
    numeric: [false, true],
  };
}

/** The numerical-health counters, in total. */
export function healthTable(health: Health): Table {
  const h = health.total;
  return {
    head: ['counter', 'value'],
    rows: [
      ['units clamped at epsilon', int(h.clampedUnits)],
      [health.capCE === null ? 'CE at the cap' : `CE at the cap (-ln epsilon = ${num(health.capCE)})`, int(h.cappedCE)],
      ['saturated logits (|z| > 30)', int(h.saturatedLogits)],
      ["clamped units' share of sum CE", pct(h.clampedShareCE)],
    ],
    numeric: [false, true],
  };
}

/** The hardest units, as the report lists them. */
export function hardestTable(units: readonly HardUnit[]): Table {
  return {
    head: ['row', 'class', 'p_t', 'loss'],
    rows: units.map((u) => [int(u.row), u.className, num(u.pt), num(u.loss)]),
    numeric: [true, false, true, true],
  };
}

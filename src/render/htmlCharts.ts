/**
 * The HTML report's content, from a report: which sections it has, in order, and for each the
 * Vega-Lite spec of its chart (data inline, nothing loaded), its table, or, when the report lacks
 * the block a chart needs, a note saying how to get it. This is the one place that maps report
 * fields to charts; html.ts only renders the sections.
 *
 * Strings from the data (class names) go into the specs' data values only, never into field
 * names, titles or expressions, so Vega reads them as data and its SVG output escapes them.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { HtmlInput, ReliabilityBin, SweepPoint } from './htmlInput.ts';
import { int, num, pct } from './numbers.ts';
import { alphaTable, classTable, conventionsTable, hardestTable, healthTable, normalisationTable, type Table } from './htmlTables.ts';

/** One section of the page: a chart (with an optional table under it), a table, or a note in place of a chart. */
export type Section =
  | { kind: 'chart'; id: string; title: string; caption: string; spec: TopLevelSpec; table?: Table }
  | { kind: 'table'; id: string; title: string; caption: string; table: Table }
  | { kind: 'note'; id: string; title: string; note: string };

/** At most this many classes get their own bars, histogram panel or sweep line (the first, by index). */
export const MAX_BAR_CLASSES = 40;
export const MAX_HISTOGRAM_CLASSES = 11;
export const MAX_SWEEP_CLASSES = 9;

const CE = '#4c78a8';
const FL = '#f58518';
const HARD = '#e45756';
const EASY = '#54a24b';
const STRADDLES = '#bab0ac';

const CONFIG = { font: 'system-ui, -apple-system, "Segoe UI", sans-serif', view: { stroke: '#ddd' }, axis: { labelLimit: 160 } };

/** The sections of the report's page, in order. */
export function sectionsOf(report: HtmlInput): Section[] {
  const sections: Section[] = [lossBars(report), histograms(report)];
  sections.push(
    report.concentration ? concentration(report) : note('concentration', 'Loss concentration', 'Run with `--concentration-bins 1024` for the loss concentration.'),
  );
  sections.push(
    report.sweep && report.sweep.length > 0
      ? sweep(report, report.sweep)
      : note('sweep', 'Gamma sweep', 'Run with `--gamma 0,0.5,1,2,5` (several values) for the sweep.'),
  );
  sections.push(report.calibration ? reliability(report) : note('reliability', 'Reliability diagram', 'Run with `--calibration` for the reliability diagram and the expected calibration error.'));
  const alphaCaption = 'The class weights each scheme estimates from the class frequencies, beside the alpha applied in this run.';
  sections.push(tableSection('alpha', 'Alpha estimates', alphaCaption, alphaTable(report)));
  const conventions = conventionsTable(report, report.alphaEstimates.conventions);
  if (conventions) sections.push(tableSection('alpha-conventions', 'Alpha conventions', 'Each scheme in the other conventions, as the report gives them.', conventions));
  if (report.normalisation) sections.push(tableSection('normalisation', 'Normalisation', 'The loss normalised as training logs do, from the same sums.', normalisationTable(report.normalisation)));
  if (report.health) {
    const caption = 'Units whose numbers were bounded: probabilities clamped at epsilon, cross-entropy at its cap, logits beyond ±30.';
    sections.push(tableSection('health', 'Numerical health', caption, healthTable(report.health)));
  }
  if (report.hardest && report.hardest.length > 0) {
    sections.push(tableSection('hardest', 'Hardest units', 'The units with the highest loss (row in the input, 0-based).', hardestTable(report.hardest)));
  }
  return sections;
}

function note(id: string, title: string, text: string): Section {
  return { kind: 'note', id, title, note: text };
}

/** A label for the total that no class has (a class may be called "total"). */
export function totalLabel(report: HtmlInput): string {
  const names = new Set(report.classes.map((c) => c.name));
  let label = 'total';
  while (names.has(label)) label += '*';
  return label;
}

/** "the first 11 of 80 classes" when a chart shows only some, else ''. */
function shownNote(shown: number, all: number): string {
  return shown < all ? ` The first ${shown} of ${int(all)} classes are shown.` : '';
}

/** Mean CE and mean (alpha-free) FL per unit, per class and in total. */
function lossBars(report: HtmlInput): Section {
  const total = totalLabel(report);
  const classes = report.classes.slice(0, MAX_BAR_CLASSES);
  const values: { name: string; order: number; loss: string; mean: number }[] = [];
  const add = (name: string, order: number, s: { count: number; sumCE: number; sumFL: number }) => {
    if (s.count === 0) return;
    values.push({ name, order, loss: 'CE', mean: s.sumCE / s.count }, { name, order, loss: 'FL', mean: s.sumFL / s.count });
  };
  classes.forEach((c, i) => add(c.name, i, c));
  add(total, classes.length, report.total);
  const spec: TopLevelSpec = {
    config: CONFIG,
    data: { values },
    // The step is one bar's: a class takes about 2.6 of them (two bars and the padding). About
    // 1000 px in all, so that the chart fits the page; never thinner than 5 px a bar.
    width: { step: Math.max(5, Math.min(36, Math.floor(1000 / (2.6 * (classes.length + 1))))) },
    height: 240,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'name', type: 'nominal', sort: { field: 'order', op: 'min' }, title: 'class', axis: { labelAngle: -40 } },
      xOffset: { field: 'loss', type: 'nominal', sort: ['CE', 'FL'] },
      y: { field: 'mean', type: 'quantitative', title: 'mean per unit' },
      color: { field: 'loss', type: 'nominal', sort: ['CE', 'FL'], scale: { range: [CE, FL] }, title: 'loss' },
    },
  };
  return {
    kind: 'chart',
    id: 'loss',
    title: 'Loss per class: cross-entropy and focal loss',
    caption:
      `Mean cross-entropy and mean focal loss (gamma ${report.options.gamma}, without alpha) per unit of each class and of all units. ` +
      'Focal loss is smaller where the units are easy: the gap between the bars is the loss focal loss takes off.' +
      shownNote(classes.length, report.classes.length),
    spec,
    table: classTable(report, total),
  };
}

/** The p_t histograms of the total and each class, each bin coloured by which side of the easy threshold it lies. */
function histograms(report: HtmlInput): Section {
  const t = report.options.easyThreshold;
  const classes = report.classes.slice(0, MAX_HISTOGRAM_CLASSES);
  const values: { panel: string; order: number; bin: number; lower: number; upper: number; units: number; part: string }[] = [];
  const add = (panel: string, order: number, histogram: readonly number[]) => {
    const bins = histogram.length;
    histogram.forEach((units, i) => {
      const lower = i / bins;
      const upper = (i + 1) / bins;
      const part = upper <= t ? 'hard' : lower >= t ? 'easy' : 'both';
      values.push({ panel, order, bin: i, lower, upper, units, part });
    });
  };
  add(totalLabel(report), -1, report.total.histogram);
  classes.forEach((c, i) => add(c.name, i, c.histogram));
  const parts = ['hard', 'easy', 'both'].filter((p) => values.some((v) => v.part === p));
  const colours: Record<string, string> = { hard: HARD, easy: EASY, both: STRADDLES };
  const spec: TopLevelSpec = {
    config: CONFIG,
    data: { values },
    columns: 4,
    facet: { field: 'panel', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null },
    spec: {
      width: 170,
      height: 110,
      layer: [
        {
          mark: { type: 'bar', binSpacing: 0 },
          encoding: {
            x: { field: 'lower', type: 'quantitative', bin: { binned: true, step: 1 / report.options.histogramBins }, scale: { domain: [0, 1] }, title: 'p_t' },
            x2: { field: 'upper' },
            y: { field: 'units', type: 'quantitative', scale: { type: 'sqrt' }, title: 'units (√ scale)' },
            color: { field: 'part', type: 'nominal', sort: parts, scale: { domain: parts, range: parts.map((p) => colours[p]!) }, title: 'units' },
          },
        },
        // One rule per panel: drawn from the panel's first bin only (a datum alone would repeat it per bin).
        { transform: [{ filter: 'datum.bin === 0' }], mark: { type: 'rule', strokeDash: [3, 3], color: '#333' }, encoding: { x: { datum: t } } },
      ],
    },
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  };
  return {
    kind: 'chart',
    id: 'histograms',
    title: 'p_t histograms: easy and hard units',
    caption:
      `How confidently each unit's true outcome was predicted (p_t, ${report.options.histogramBins} bins over [0, 1]). ` +
      `Bins below the easy threshold (${t}, the dashed line) hold hard units, bins above it easy ones` +
      (parts.includes('both') ? '; a grey bin straddles the threshold.' : '.') +
      ' Each panel has its own vertical scale.' +
      shownNote(classes.length, report.classes.length),
    spec,
  };
}

/** The share of CE and FL carried by the hardest x of the units (RetinaNet, Fig. 4). */
function concentration(report: HtmlInput): Section {
  const c = report.concentration!;
  const values = c.curve.x.flatMap((x, i) => [
    { x, share: c.curve.ce[i], loss: 'CE' },
    { x, share: c.curve.fl[i], loss: 'FL' },
  ]);
  const spec: TopLevelSpec = {
    config: CONFIG,
    width: 360,
    height: 260,
    layer: [
      {
        data: { values: [{ x: 0, share: 0 }, { x: 1, share: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'share', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'fraction of units, hardest first', axis: { format: '%' }, scale: { domain: [0, 1] } },
          y: { field: 'share', type: 'quantitative', title: 'share of the loss', axis: { format: '%' }, scale: { domain: [0, 1] } },
          color: { field: 'loss', type: 'nominal', sort: ['CE', 'FL'], scale: { range: [CE, FL] }, title: 'loss' },
        },
      },
    ],
  };
  const table: Table = {
    head: ['hardest', 'share of CE', 'share of FL'],
    rows: c.fractions.map((f, i) => [pct(f), pct(c.total.ce[i]), pct(c.total.fl[i])]),
    numeric: [true, true, true],
  };
  return {
    kind: 'chart',
    id: 'concentration',
    title: 'Loss concentration',
    caption:
      'The share of all cross-entropy and of all focal loss carried by the hardest units (lowest p_t first). ' +
      'The steeper FL curve is the point of focal loss: its loss sits in fewer, harder units. The dashed diagonal is loss spread evenly. ' +
      `From ${int(c.bins)} p_t bins; each share is within ${num(c.maxError)} of the exact one.`,
    spec,
    table,
  };
}

/** Per gamma: the easy units' share of FL, and FL as a fraction of CE, for the total and the first classes. */
function sweep(report: HtmlInput, points: SweepPoint[]): Section {
  const total = totalLabel(report);
  const classes = report.classes.slice(0, MAX_SWEEP_CLASSES);
  type Row = { gamma: number; series: string; order: number; easyShareFL: number | null; flOverCE: number | null };
  // Numeric gammas: a point per series (the total, then the first classes) on the gamma axis.
  // FLSD-53 has no gamma: its total becomes a horizontal rule.
  const numeric: Row[] = [];
  const schedule: Omit<Row, 'gamma'>[] = [];
  for (const p of points) {
    const totalRow = { series: total, order: -1, easyShareFL: p.total.easyShareFL, flOverCE: ratio(p.total.sumFL, report.total.sumCE) };
    if (p.gamma === 'FLSD-53') {
      schedule.push(totalRow);
      continue;
    }
    const gamma = p.gamma;
    numeric.push({ gamma, ...totalRow });
    for (const c of p.classes) {
      const cls = c.index < classes.length ? classes[c.index] : undefined;
      if (cls) numeric.push({ gamma, series: cls.name, order: c.index, easyShareFL: c.easyShareFL, flOverCE: ratio(c.sumFL, cls.sumCE) });
    }
  }
  const seriesSort = { field: 'order', op: 'min' } as const;
  const panel = (field: 'easyShareFL' | 'flOverCE', title: string, log: boolean) => {
    const rows = numeric.filter((r) => r[field] !== null && (!log || r[field]! > 0));
    const rules = schedule.filter((r) => r[field] !== null && (!log || r[field]! > 0)).map((r) => ({ value: r[field], label: 'FLSD-53 (total)' }));
    const y = { field, type: 'quantitative', title, scale: log ? { type: 'log' } : { domain: [0, 1] }, axis: log ? {} : { format: '%' } } as const;
    return {
      width: 300,
      height: 230,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'gamma', type: 'quantitative', title: 'gamma' },
            y,
            color: { field: 'series', type: 'nominal', sort: seriesSort, title: 'units' },
          },
        },
        ...(rules.length > 0
          ? [
              { data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 4], color: '#333' }, encoding: { y: { ...y, field: 'value' } } },
              {
                data: { values: rules },
                mark: { type: 'text', align: 'left', dx: 4, dy: -6, fontSize: 10 },
                encoding: { y: { ...y, field: 'value' }, x: { datum: 0, type: 'quantitative' }, text: { field: 'label' } },
              },
            ]
          : []),
      ],
    };
  };
  const spec = {
    config: CONFIG,
    hconcat: [panel('easyShareFL', "easy units' share of FL", false), panel('flOverCE', 'sum FL / sum CE (log scale)', true)],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
  const table: Table = {
    head: ['gamma', 'sum FL', 'sum loss', 'mean loss', 'easy FL%'],
    rows: points.map((p) => [String(p.gamma), num(p.total.sumFL), num(p.total.sumLoss), num(p.total.meanLoss), pct(p.total.easyShareFL)]),
    numeric: [false, true, true, true, true],
  };
  return {
    kind: 'chart',
    id: 'sweep',
    title: 'Gamma sweep',
    caption:
      'Each gamma of the run, from the same pass over the data. Left: how much of the focal loss the easy units still carry; ' +
      'right: focal loss as a fraction of cross-entropy (1 at gamma 0).' +
      (schedule.length > 0 ? ' The dashed line is the FLSD-53 schedule (gamma 5 below p_t 0.2, else 3), for all units.' : '') +
      shownNote(classes.length, report.classes.length),
    spec,
    table,
  };
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/** Accuracy against confidence per bin, with the diagonal of perfect calibration. */
function reliability(report: HtmlInput): Section {
  const cal = report.calibration!;
  const bins = cal.reliability.filter((b): b is ReliabilityBin & { accuracy: number; meanConfidence: number } => b.count > 0 && b.accuracy !== null && b.meanConfidence !== null);
  const axis = { scale: { domain: [0, 1] }, axis: { format: '%' } };
  const spec: TopLevelSpec = {
    config: CONFIG,
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: bins },
        mark: { type: 'bar', color: CE, opacity: 0.8, binSpacing: 1 },
        encoding: {
          x: { field: 'lower', type: 'quantitative', bin: { binned: true, step: 1 / cal.bins }, title: 'confidence', ...axis },
          x2: { field: 'upper' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', ...axis },
        },
      },
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: bins },
        mark: { type: 'point', filled: true, color: FL },
        encoding: { x: { field: 'meanConfidence', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' }, size: { field: 'count', type: 'quantitative', title: 'units' } },
      },
    ],
  };
  const table: Table | undefined = cal.classwise && {
    head: ['class', 'ECE'],
    rows: [...cal.classwise.classes.map((c) => [c.name, num(c.ece)]), ['classwise ECE', num(cal.classwise.ece)]],
    numeric: [false, true],
  };
  return {
    kind: 'chart',
    id: 'reliability',
    title: `Reliability diagram (${cal.kind})`,
    caption:
      `Accuracy against confidence in ${cal.bins} equal-width bins; dots mark each bin's mean confidence, sized by its units. ` +
      `Bars below the dashed diagonal are over-confident. Expected calibration error: ${num(cal.ece)}.` +
      (table ? ' The table gives the classwise ECE.' : ''),
    spec,
    ...(table ? { table } : {}),
  };
}

function tableSection(id: string, title: string, caption: string, table: Table): Section {
  return { kind: 'table', id, title, caption, table };
}

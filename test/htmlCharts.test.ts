/**
 * The HTML report's content without a browser: which sections a report gets (a chart, or a note
 * when its block is absent), what data each chart's spec carries, the tables, and the escaping.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../src/render/escape.ts';
import { MAX_BAR_CLASSES, sectionsOf, totalLabel, type Section } from '../src/render/htmlCharts.ts';
import type { HtmlInput } from '../src/render/htmlInput.ts';
import { conventionsTable } from '../src/render/htmlTables.ts';
import { num, pct } from '../src/render/numbers.ts';
import { basicReport, fullReport } from './support/htmlReports.ts';

type Chart = Extract<Section, { kind: 'chart' }>;

function section(report: HtmlInput, id: string): Section {
  const found = sectionsOf(report).find((s) => s.id === id);
  if (!found) throw new Error(`no section ${id}`);
  return found;
}

/** The inline data values of a chart's spec (the top level's, or each layer's). */
function values(s: Section): Record<string, unknown>[] {
  const spec = (s as Chart).spec as { data?: { values: Record<string, unknown>[] } };
  return spec.data!.values;
}

describe('sectionsOf', () => {
  it('gives a report without the optional blocks its two charts, notes in place of the rest, and the tables every report has', () => {
    expect(sectionsOf(basicReport()).map((s) => [s.id, s.kind])).toEqual([
      ['loss', 'chart'],
      ['histograms', 'chart'],
      ['concentration', 'note'],
      ['sweep', 'note'],
      ['reliability', 'note'],
      ['alpha', 'table'],
      ['normalisation', 'table'],
      ['health', 'table'],
    ]);
  });

  it('draws every block a full report has', () => {
    expect(sectionsOf(fullReport()).map((s) => [s.id, s.kind])).toEqual([
      ['loss', 'chart'],
      ['histograms', 'chart'],
      ['concentration', 'chart'],
      ['sweep', 'chart'],
      ['reliability', 'chart'],
      ['alpha', 'table'],
      ['alpha-conventions', 'table'],
      ['normalisation', 'table'],
      ['health', 'table'],
      ['hardest', 'table'],
    ]);
  });

  it('treats an empty sweep as no sweep', () => {
    expect(section({ ...basicReport(), sweep: [] }, 'sweep').kind).toBe('note');
  });
});

describe('the loss bars', () => {
  it('carry the mean CE and mean FL per unit of each class and of the total', () => {
    const report = basicReport();
    const rows = values(section(report, 'loss'));
    const sets = [...report.classes.map((c) => ({ name: c.name, s: c as HtmlInput['total'] })), { name: 'total', s: report.total }];
    const expected = sets.flatMap(({ name, s }) => [
      { name, loss: 'CE', mean: s.sumCE / s.count },
      { name, loss: 'FL', mean: s.sumFL / s.count },
    ]);
    expect(rows.map(({ name, loss, mean }) => ({ name, loss, mean }))).toEqual(expected);
  });

  it('leave out a class without units (no mean to draw)', () => {
    const report = basicReport();
    report.classes[1] = { ...report.classes[1]!, count: 0, sumCE: 0, sumFL: 0 };
    expect(values(section(report, 'loss')).map((r) => r.name)).toEqual(['cat', 'cat', 'bird', 'bird', 'total', 'total']);
  });

  it(`show the first ${MAX_BAR_CLASSES} classes of more, and say so`, () => {
    const report = basicReport();
    const many = Array.from({ length: 50 }, (_, i) => ({ ...report.classes[0]!, index: i, name: `c${i}` }));
    const s = section({ ...report, classes: many }, 'loss') as Chart;
    expect(new Set(values(s).map((r) => r.name)).size).toBe(MAX_BAR_CLASSES + 1);
    expect(s.caption).toContain(`The first ${MAX_BAR_CLASSES} of 50 classes are shown.`);
  });
});

describe('the p_t histograms', () => {
  it('mark bins below the easy threshold hard, above it easy, and one across it both', () => {
    const rows = values(section(basicReport(), 'histograms')).filter((r) => r.panel === 'total');
    // 5 bins, threshold 0.5: [0, .2) [.2, .4) hard, [.4, .6) across, [.6, .8) [.8, 1] easy.
    expect(rows.map((r) => r.part)).toEqual(['hard', 'hard', 'both', 'easy', 'easy']);
    expect(rows.map((r) => r.units)).toEqual(basicReport().total.histogram);
  });

  it('has no straddling bin when the threshold is a bin edge', () => {
    const report = basicReport();
    report.options.easyThreshold = 0.6;
    const rows = values(section(report, 'histograms')).filter((r) => r.panel === 'cat');
    expect(rows.map((r) => r.part)).toEqual(['hard', 'hard', 'hard', 'easy', 'easy']);
  });

  it('has a panel for the total and one per class', () => {
    const panels = new Set(values(section(basicReport(), 'histograms')).map((r) => r.panel));
    expect([...panels]).toEqual(['total', 'cat', 'dog', 'bird']);
  });
});

describe('the gamma sweep', () => {
  it('draws the numeric gammas as lines and FLSD-53 as a rule for the total', () => {
    const report = fullReport();
    const spec = (section(report, 'sweep') as Chart).spec as unknown as { hconcat: { layer: { data: { values: Record<string, unknown>[] } }[] }[] };
    const [left] = spec.hconcat;
    const lines = left!.layer[0]!.data.values;
    expect([...new Set(lines.map((r) => r.gamma))]).toEqual([0, 0.5, 1, 2, 5]);
    const total = lines.filter((r) => r.series === 'total').map((r) => r.easyShareFL);
    expect(total).toEqual(report.sweep!.filter((p) => p.gamma !== 'FLSD-53').map((p) => p.total.easyShareFL));
    expect(left!.layer[1]!.data.values).toEqual([{ value: 0.004, label: 'FLSD-53 (total)' }]);
  });

  it('lists every gamma of the sweep in its table, FLSD-53 included', () => {
    const s = section(fullReport(), 'sweep') as Chart;
    expect(s.table!.rows.map((r) => r[0])).toEqual(['0', '0.5', '1', '2', '5', 'FLSD-53']);
  });
});

describe('the reliability diagram', () => {
  it('draws only the bins with units, and names the ECE', () => {
    const s = section(fullReport(), 'reliability') as Chart;
    const layers = (s.spec as unknown as { layer: { data: { values: { count: number }[] } }[] }).layer;
    expect(layers[0]!.data.values.map((b) => b.count)).toEqual([100, 200, 300, 400]);
    expect(s.caption).toContain('Expected calibration error: 0.04200.');
    expect(s.table!.rows.at(-1)).toEqual(['classwise ECE', '0.05000']);
  });
});

describe('totalLabel', () => {
  it('is "total", unless a class has that name', () => {
    expect(totalLabel(basicReport())).toBe('total');
    expect(totalLabel(basicReport(['total', 'total*', 'x']))).toBe('total**');
  });
});

describe('conventionsTable', () => {
  it('puts per-class arrays under the class names and scalars in the first column, one row per leaf path', () => {
    const t = conventionsTable(basicReport(), { inverse: { positive: 0.25, perClass: [0.1, 0.2, null] } })!;
    expect(t.head).toEqual(['', 'cat', 'dog', 'bird']);
    expect(t.rows).toEqual([
      ['inverse.positive', '0.2500', '', ''],
      ['inverse.perClass', '0.1000', '0.2000', '–'],
    ]);
  });

  it('is nothing without conventions', () => {
    expect(conventionsTable(basicReport(), undefined)).toBeUndefined();
  });
});

describe('escapeHtml', () => {
  it('turns each of & < > " \' into a character reference and leaves the rest', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a> é`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; é');
  });
});

describe('num and pct', () => {
  it('print four significant digits, exponents at the extremes, a dash for null', () => {
    expect([num(0.123456), num(123456), num(0.00001234), num(0), num(null)]).toEqual(['0.1235', '1.235e+5', '1.234e-5', '0', '–']);
    expect([pct(0.1234), pct(null)]).toEqual(['12.3%', '–']);
  });
});

/**
 * The report as a table for people: one line per class with its frequency, alpha, mean CE and
 * mean loss, and the easy units' share of the loss under CE and under FL side by side: the
 * headline of focal loss is that share falling.
 */
import type { AlphaEstimates } from '../alpha/estimates.ts';
import { ALPHA_SCHEMES } from '../alpha/estimates.ts';
import type { Report, Stats } from '../report/schema.ts';

// Made on first use: ICU's number formatting costs ~15 ms to set up, which JSON output never needs.
let intFormat: Intl.NumberFormat | null = null;
const int = { format: (n: number): string => (intFormat ??= new Intl.NumberFormat('en-US')).format(n) };

/** Hardest units the table lists (the JSON report and --top-out have them all). */
const HARDEST_SHOWN = 10;

/** Renders a report as aligned text columns. */
export function renderReportTable(report: Report): string {
  const o = report.options;
  const alpha =
    o.alpha === null ? 'none' : o.alpha === 'auto' ? `auto (${o.alphaScheme})` : Array.isArray(o.alpha) ? o.alpha.join(',') : String(o.alpha);
  const lines = [
    `focal loss · ${report.mode} · ${report.input} · ${int.format(report.rows)} rows: ` +
      `${int.format(report.scored)} units scored, ${int.format(report.ignored)} rows ignored, ${int.format(report.invalid)} invalid`,
    `gamma ${o.gamma} · alpha ${alpha} · easy when p_t >= ${o.easyThreshold}`,
    '',
  ];
  const header = ['class', 'units', 'freq', 'alpha', 'mean CE', 'mean loss', 'sum loss', 'easy', 'easy CE%', 'easy FL%'];
  const row = (name: string, s: Stats, alphaValue: string): string[] => [
    name,
    int.format(s.count),
    report.scored > 0 ? pct(s.count / report.scored) : '-',
    alphaValue,
    num(s.meanCE),
    num(s.meanLoss),
    num(s.sumLoss),
    s.count > 0 ? pct(s.easy.count / s.count) : '-',
    s.easyShareCE === null ? '-' : pct(s.easyShareCE),
    s.easyShareFL === null ? '-' : pct(s.easyShareFL),
  ];
  const body = report.classes.map((c) => row(c.name, c, c.alpha === null ? 'null' : num(c.alpha)));
  const total = row('total', report.total, '');
  lines.push(...align([header, ...body, total], true));
  lines.push('', 'easy CE% / easy FL%: share of the loss carried by easy units under cross-entropy and under focal loss.');
  if (report.sweep !== undefined) {
    lines.push('', 'gamma sweep (same pass):');
    const sweepRows = report.sweep.map((e) => [
      String(e.gamma),
      num(e.total.sumFL),
      num(e.total.sumLoss),
      num(e.total.meanLoss),
      e.total.easyShareFL === null ? '-' : pct(e.total.easyShareFL),
    ]);
    lines.push(...align([['gamma', 'sum FL', 'sum loss', 'mean loss', 'easy FL%'], ...sweepRows], false));
  }
  if (report.concentration !== undefined) {
    const c = report.concentration;
    lines.push('', `loss on the hardest units (lowest p_t; ${c.bins} fine bins, each share within ${pct(c.maxError)}):`);
    const cells = (ce: number[], fl: number[]) => ce.map((v, i) => `${pct(v)} / ${pct(fl[i]!)}`);
    const head = ['CE / FL share', ...c.fractions.map((x) => `hardest ${(100 * x).toFixed(0)}%`)];
    const body = [['total', ...cells(c.total.ce, c.total.fl)], ...c.classes.map((k) => [report.classes[k.index]!.name, ...cells(k.ce, k.fl)])];
    lines.push(...align([head, ...body], false));
  }
  if (report.calibration !== undefined) {
    const cal = report.calibration;
    const classwise = cal.classwise === undefined ? '' : ` · classwise ECE ${num(cal.classwise.ece)}`;
    lines.push('', `calibration (${cal.bins} equal-width bins): ${cal.kind} ECE ${num(cal.ece)}${classwise}`);
    if (cal.classwise !== undefined) {
      lines.push(...align([['class', 'ECE'], ...cal.classwise.classes.map((k) => [k.name, num(k.ece)])], false));
    }
  }
  if (report.hardest !== undefined && report.hardest.length > 0) {
    const shown = report.hardest.slice(0, HARDEST_SHOWN);
    const more = report.hardest.length - shown.length;
    lines.push('', `the hardest units (row in the input, 0-based)${more > 0 ? `: the first ${shown.length} of ${report.hardest.length}` : ''}:`);
    lines.push(...align([['row', 'class', 'p_t', 'loss'], ...shown.map((u) => [int.format(u.row), u.className, num(u.pt), num(u.loss)])], false));
  }
  const n = report.normalisation;
  lines.push(
    '',
    `loss per unit ${num(n.perUnit)} · per row ${num(n.perRow)} · per positive ${num(n.perPositive)} · alpha-weighted mean ${num(n.alphaWeightedMean)}`,
  );
  lines.push('', ...healthLines(report));
  return lines.join('\n') + '\n';
}

/** The numerical health: one line in total, and the classes that have anything to count. */
function healthLines(report: Report): string[] {
  const { health } = report;
  const t = health.total;
  const share = (x: number | null): string => (x === null ? '-' : pct(x));
  const head =
    report.input === 'probs'
      ? `numerical health: ${int.format(t.clampedUnits)} units clamped at epsilon ${report.options.epsilon} ` +
        `(${int.format(t.cappedCE)} with CE at the cap${health.capCE === null ? '' : ` ${num(health.capCE)}`}), ${share(t.clampedShareCE)} of sum CE`
      : `numerical health: ${int.format(t.saturatedLogits)} units with a saturated logit (|z| > 30); logits need no clamp`;
  const listed = health.classes.filter((c) => c.clampedUnits > 0 || c.saturatedLogits > 0);
  if (listed.length === 0) return [head];
  const header = report.input === 'probs' ? ['class', 'clamped', 'CE at cap', 'clamped CE%'] : ['class', 'saturated'];
  const rows = listed.map((c) => {
    const name = report.classes[c.index]!.name;
    return report.input === 'probs'
      ? [name, int.format(c.clampedUnits), int.format(c.cappedCE), share(c.clampedShareCE)]
      : [name, int.format(c.saturatedLogits)];
  });
  return [head, ...align([header, ...rows], false)];
}

/** Renders alpha estimates (every scheme side by side) as aligned text columns. */
export function renderAlphaTable(estimates: AlphaEstimates, classNames: readonly string[]): string {
  const header = ['class', estimates.negatives ? 'positives' : 'count', ...(estimates.negatives ? ['negatives'] : []), ...ALPHA_SCHEMES];
  const body = classNames.map((name, c) => [
    name,
    int.format(estimates.counts[c]!),
    ...(estimates.negatives ? [int.format(estimates.negatives[c]!)] : []),
    ...ALPHA_SCHEMES.map((s) => num(estimates[s][c] ?? null)),
  ]);
  return align([header, ...body], false).join('\n') + '\n';
}

function num(x: number | null): string {
  if (x === null) return '-';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-4 ? x.toExponential(3) : x.toPrecision(4);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Pads columns: the first left-aligned, the rest right-aligned; optionally a rule before the last row. */
function align(rows: string[][], ruleBeforeLast: boolean): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const out = rows.map(fmt);
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  out.splice(1, 0, rule);
  if (ruleBeforeLast) out.splice(out.length - 1, 0, rule);
  return out;
}

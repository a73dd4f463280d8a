/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no request) with a
 * chart or table per section of htmlCharts.ts. Every string from the data is escaped; the page is
 * built by concatenation, never by finding a marker (a `</body>` in the data or in a chart would
 * move it), and a Content-Security-Policy forbids scripts and loads outright.
 */
import { escapeHtml } from './escape.ts';
import { sectionsOf, type Section } from './htmlCharts.ts';
import type { HtmlInput } from './htmlInput.ts';
import type { Table } from './htmlTables.ts';
import { int } from './numbers.ts';
import { vegaLiteToSvg } from './vegaSvg.ts';

export type { HtmlInput } from './htmlInput.ts';

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin: 2.2rem 0 .4rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.run { color: #555; margin-top: 0; }
dl.options { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0 1rem; }
dl.options dt { color: #555; }
dl.options dd { margin: 0; }
figure { margin: 0; }
figure .svg { overflow-x: auto; }
figcaption, p.caption { color: #444; max-width: 60rem; margin: .3rem 0 .6rem; }
p.note { background: #f5f5f5; border-left: 3px solid #bbb; padding: .5rem .8rem; max-width: 60rem; }
table { border-collapse: collapse; margin: .6rem 0; font-variant-numeric: tabular-nums; }
.table { overflow-x: auto; }
th, td { padding: .15rem .6rem; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
th { border-bottom: 1px solid #999; font-weight: 600; }
td.n, th.n { text-align: right; }
tr:last-child td { border-bottom: none; }
ul.warnings { background: #fff6e5; border-left: 3px solid #e8a33d; padding: .5rem .8rem .5rem 2rem; }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, monospace; background: #f0f0f0; padding: 0 .2em; }
footer { color: #777; margin-top: 3rem; font-size: .85rem; }
`;

// No script may run and nothing may load: the page is inline SVG and CSS only.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Renders a report (and any of the blocks later reports add) as one self-contained HTML page. */
export async function renderHtml(report: HtmlInput): Promise<string> {
  const sections = sectionsOf(report);
  const bodies: string[] = [];
  // One at a time: the charts are small, and each view is finalised before the next.
  for (const section of sections) bodies.push(await sectionHtml(section));
  const title = `focal-eval report: ${report.mode}, ${int(report.rows)} rows`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>Focal-loss report</h1>',
    `<p class="run">${escapeHtml(runLine(report))}</p>`,
    optionsHtml(report),
    warningsHtml(report.warnings),
    '</header>',
    '<main>',
    ...bodies,
    '</main>',
    `<footer>Written by focal-eval. Every chart is static SVG: this page runs no script and loads nothing.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function runLine(report: HtmlInput): string {
  return (
    `${report.mode} · ${report.input} · ${int(report.rows)} rows: ${int(report.scored)} units scored, ` +
    `${int(report.ignored)} rows ignored, ${int(report.invalid)} invalid`
  );
}

function optionsHtml(report: HtmlInput): string {
  const o = report.options;
  const alpha = o.alpha === null ? 'none' : o.alpha === 'auto' ? `auto (${o.alphaScheme})` : Array.isArray(o.alpha) ? o.alpha.join(', ') : String(o.alpha);
  const items: [string, string][] = [
    ['gamma', o.gammas && o.gammas.length > 1 ? `${o.gamma} (sweep: ${o.gammas.join(', ')})` : String(o.gamma)],
    ['alpha', alpha],
    ['easy when', `p_t ≥ ${o.easyThreshold}`],
    ['epsilon', String(o.epsilon)],
    ['histogram bins', String(o.histogramBins)],
    ['classes', int(report.classes.length)],
  ];
  return `<dl class="options">${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function warningsHtml(warnings: readonly string[] | undefined): string {
  if (!warnings || warnings.length === 0) return '';
  return `<ul class="warnings" id="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`;
}

async function sectionHtml(section: Section): Promise<string> {
  const heading = `<h2>${escapeHtml(section.title)}</h2>`;
  const attrs = `id="${escapeHtml(section.id)}" data-section="${escapeHtml(section.kind)}"`;
  if (section.kind === 'note') return `<section ${attrs}>${heading}<p class="note">${noteHtml(section.note)}</p></section>`;
  if (section.kind === 'table') {
    return `<section ${attrs}>${heading}<p class="caption">${escapeHtml(section.caption)}</p>${tableHtml(section.table)}</section>`;
  }
  const svg = await vegaLiteToSvg(section.spec);
  const table = section.table ? tableHtml(section.table) : '';
  return (
    `<section ${attrs}>${heading}<figure data-chart="${escapeHtml(section.id)}"><div class="svg">${svg}</div>` +
    `<figcaption>${escapeHtml(section.caption)}</figcaption></figure>${table}</section>`
  );
}

/** A note's text, escaped, with `code` spans. */
function noteHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function tableHtml(table: Table): string {
  const cls = (i: number) => (table.numeric[i] ? ' class="n"' : '');
  const head = table.head.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const rows = table.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

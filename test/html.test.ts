/**
 * The HTML report in a real browser: headless Chromium (the Debian package, /usr/bin/chromium)
 * driven by playwright-core, nothing downloaded. Each page is loaded from a file with every other
 * request aborted (and counted), and must raise no console error and no page error, make no
 * request, run no script, and draw marks in each chart's SVG: as many bars, lines and points as
 * the report's numbers call for. Without Chromium these tests skip, unless CI is set: there they
 * must run (.ci/run installs Chromium).
 *
 * The CLI's --html (through the built bin/, as a user runs it) is tested here too.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/render/html.ts';
import type { Report } from '../src/report/schema.ts';
import { cli, requireBuild, stdoutJson } from './support/cli.ts';
import { fixture } from './support/fixtures.ts';
import { basicReport, fullReport } from './support/htmlReports.ts';
import { tempDir } from './support/tempDir.ts';

const CHROMIUM = process.env.FOCAL_EVAL_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const HOSTILE = ['<script>alert(1)</script>', '</body></html><p id="injected">', `"&' ]]></svg><img src=x onerror=alert(2)>`];

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** What loading a page came to. */
interface Loaded {
  page: Page;
  problems: string[];
  blocked: string[];
  dialogs: string[];
}

/** The data marks each chart drew, by mark type (rect, line, symbol, rule, text): SVG elements in Vega's mark groups. */
async function marksOf(page: Page, chart: string): Promise<Record<string, number>> {
  const groups = await page
    .locator(`figure[data-chart="${chart}"] svg g.role-mark`)
    .evaluateAll((gs) => gs.map((g) => [g.getAttribute('class') ?? '', g.children.length] as const));
  const counts: Record<string, number> = {};
  for (const [cls, n] of groups) {
    const type = /\bmark-(\w+)/.exec(cls)![1]!;
    counts[type] = (counts[type] ?? 0) + n;
  }
  return counts;
}

describe.skipIf(!haveChromium && !process.env.CI)('the HTML report in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI is set and ${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Writes the page to a file and loads it with every request that is not for a file aborted. */
  async function load(html: string, name: string): Promise<Loaded> {
    const file = tmp.path(name);
    writeFileSync(file, html);
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const blocked: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, blocked, dialogs };
  }

  function expectClean(loaded: Loaded): void {
    expect(loaded.problems).toEqual([]);
    expect(loaded.blocked).toEqual([]);
    expect(loaded.dialogs).toEqual([]);
  }

  it('draws every chart of a full report: the marks its numbers call for, no error, no request, no script', async () => {
    const report = fullReport();
    const loaded = await load(await renderHtml(report), 'full.html');
    expectClean(loaded);
    const { page } = loaded;
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('figure[data-chart]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')))).toEqual([
      'loss',
      'histograms',
      'concentration',
      'sweep',
      'reliability',
    ]);
    const classes = report.classes.length;
    const bins = report.options.histogramBins;
    // Two bars (CE, FL) per class and for the total.
    expect(await marksOf(page, 'loss')).toEqual({ rect: 2 * (classes + 1) });
    // A bar per bin in each panel (total and each class), and each panel's threshold rule.
    expect(await marksOf(page, 'histograms')).toEqual({ rect: (classes + 1) * bins, rule: classes + 1 });
    // The diagonal, then CE and FL.
    expect(await marksOf(page, 'concentration')).toEqual({ line: 3 });
    // Two panels, each: a line per series (total and each class) with a point per numeric gamma,
    // and FLSD-53 as a rule with its label.
    const numericGammas = report.sweep!.filter((p) => p.gamma !== 'FLSD-53').length;
    expect(await marksOf(page, 'sweep')).toEqual({ line: 2 * (classes + 1), symbol: 2 * (classes + 1) * numericGammas, rule: 2, text: 2 });
    // A bar and a point per bin with units (the first bin has none), and the diagonal.
    const filled = report.calibration!.reliability.filter((b) => b.count > 0).length;
    expect(filled).toBe(4);
    expect(await marksOf(page, 'reliability')).toEqual({ rect: filled, line: 1, symbol: filled });
    // The bars' heights follow the numbers: CE over FL per class, as the report's sums say.
    const bars = page.locator('figure[data-chart="loss"] g.mark-rect.role-mark > path');
    const heights = await bars.evaluateAll((ps) => ps.map((p) => (p as unknown as { getBBox(): { height: number } }).getBBox().height));
    const means = [...report.classes, report.total].flatMap((s) => [s.sumCE / s.count, s.sumFL / s.count]);
    const scale = heights[0]! / means[0]!;
    heights.forEach((h, i) => expect(h).toBeCloseTo(means[i]! * scale, 0));
  });

  it('has unique element ids: the section anchors, and any clip or gradient id a chart has', async () => {
    const { page } = await load(await renderHtml(fullReport()), 'ids.html');
    const ids = await page.locator('[id]').evaluateAll((els) => els.map((e) => e.id));
    expect(ids.length).toBeGreaterThan(5);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts a note in place of each chart whose block the report lacks, and still draws the rest', async () => {
    const loaded = await load(await renderHtml(basicReport()), 'basic.html');
    expectClean(loaded);
    const { page } = loaded;
    expect(await page.locator('figure[data-chart]').count()).toBe(2);
    expect(await page.locator('#sweep p.note code').textContent()).toBe('--gamma 0,0.5,1,2,5');
    expect(await page.locator('#reliability p.note code').textContent()).toBe('--calibration');
    expect(await page.locator('#concentration p.note').count()).toBe(1);
    for (const id of ['sweep', 'reliability', 'concentration']) expect(await page.locator(`#${id} svg`).count(), id).toBe(0);
    expect(await marksOf(page, 'loss')).toEqual({ rect: 8 });
  });

  it('keeps hostile class names as text: no script runs, nothing is injected, the page stays whole', async () => {
    const report = fullReport(HOSTILE);
    const html = await renderHtml(report);
    const loaded = await load(html, 'hostile.html');
    expectClean(loaded);
    const { page } = loaded;
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    // Every section is there, and the footer after them: no name ended the body.
    expect(await page.locator('main > section').count()).toBe(10);
    expect(await page.locator('body > footer').count()).toBe(1);
    // The names read back exactly, in the tables and in the charts' SVG text.
    const cells = await page.locator('#loss table tbody tr td:first-child').allTextContents();
    expect(cells.slice(0, 3)).toEqual(HOSTILE);
    const svgText = await page.locator('figure[data-chart="histograms"] svg text').allTextContents();
    for (const name of HOSTILE) expect(svgText, name).toContain(name);
    expect(await page.locator('#hardest td').allTextContents()).toContain(HOSTILE[2]);
  });

  it('opens the page the CLI writes with --html (the built bundle) and draws a chart per class from its report', async () => {
    requireBuild();
    const out = tmp.path('cli.html');
    const run = await cli(['score', fixture('mc_dict_labels.arrow'), '--alpha', 'auto', '--format', 'json', '--html', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = stdoutJson<Report>(run);
    const loaded = await load(readFileSync(out, 'utf8'), 'cli-copy.html');
    expectClean(loaded);
    const C = report.classes.length;
    expect(C).toBe(10);
    expect(await marksOf(loaded.page, 'loss')).toEqual({ rect: 2 * (C + 1) });
    expect(await marksOf(loaded.page, 'histograms')).toEqual({ rect: (C + 1) * report.options.histogramBins, rule: C + 1 });
    const alphaRows = await loaded.page.locator('#alpha tbody tr').evaluateAll((rows) => rows.map((r) => r.children[0]!.textContent));
    expect(alphaRows).toEqual(report.classes.map((c) => c.name));
    // --html computes what its charts need: the calibration and 1024 fine bins, drawn.
    expect(report.concentration?.bins).toBe(1024);
    const filled = report.calibration!.reliability.filter((b) => b.count > 0).length;
    expect(filled).toBeGreaterThan(0);
    expect(await marksOf(loaded.page, 'reliability')).toEqual({ rect: filled, line: 1, symbol: filled });
    expect(await marksOf(loaded.page, 'concentration')).toEqual({ line: 3 });
  });

  it('draws the binary and the multilabel reports the CLI writes as cleanly (two classes; C classes of positives and negatives)', async () => {
    for (const name of ['bin_probs.arrow', 'ml_logits.arrow']) {
      const out = tmp.path(`${name}.html`);
      const run = await cli(['score', fixture(name), '--format', 'json', '--html', out]);
      expect(run.code, name).toBe(0);
      const report = stdoutJson<Report>(run);
      const loaded = await load(readFileSync(out, 'utf8'), `${name}-copy.html`);
      expectClean(loaded);
      const C = report.classes.length;
      const panels = Math.min(C, 11) + 1;
      expect(await marksOf(loaded.page, 'loss'), name).toEqual({ rect: 2 * (C + 1) });
      expect(await marksOf(loaded.page, 'histograms'), name).toEqual({ rect: panels * report.options.histogramBins, rule: panels });
      const countHeads = await loaded.page.locator('#alpha thead th').allTextContents();
      expect(countHeads.slice(1, 3), name).toEqual(report.mode === 'multilabel' ? ['positives', 'negatives'] : ['units', 'applied']);
    }
  });
});

describe('renderHtml (the text, without a browser)', () => {
  it('is one page with a CSP that forbids scripts and loads, no script, and an SVG per chart', async () => {
    const html = await renderHtml(fullReport());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(/i);
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html.match(/<\/body>/g)).toHaveLength(1);
  });

  it('never puts a hostile class name in as markup', async () => {
    const html = await renderHtml(fullReport(HOSTILE));
    for (const name of HOSTILE) expect(html, name).not.toContain(name);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<\/body>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|<img|<p id=/i);
  });
});

describe('focal-eval score --html', () => {
  beforeAll(() => requireBuild());

  it('writes the page beside the report: the report of the same run with --calibration --concentration-bins 1024', async () => {
    const out = tmp.path('page.html');
    const args = ['score', fixture('mc_probs_f32.arrow'), '--format', 'json', '--threads', '1'];
    const [plain, withHtml] = [await cli([...args, '--calibration', '--concentration-bins', '1024']), await cli([...args, '--html', out])];
    expect(withHtml.code).toBe(0);
    expect(withHtml.stdout.toString()).toBe(plain.stdout.toString());
    const page = readFileSync(out, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<script/i);
    // Loss bars, histograms, the concentration curve and the reliability diagram.
    expect(page.match(/<svg /g)).toHaveLength(4);
  });

  it('keeps the blocks the command line sets: --concentration-bins 64 with --html stays 64', async () => {
    const out = tmp.path('page64.html');
    const run = await cli(['score', fixture('mc_probs_f32.arrow'), '--format', 'json', '--threads', '1', '--concentration-bins', '64', '--html', out]);
    expect(run.code).toBe(0);
    expect(stdoutJson<Report>(run).concentration?.bins).toBe(64);
  });

  it('goes with --emit -: the Arrow stream on stdout, the report on stderr, the page in its file', async () => {
    const out = tmp.path('emit.html');
    const run = await cli(['score', fixture('mc_probs_f32.arrow'), '--emit', '-', '--format', 'json', '--html', out]);
    expect(run.code, run.stderr).toBe(0);
    // An Arrow IPC stream starts with a continuation marker, 0xFFFFFFFF.
    expect(run.stdout.readUInt32LE(0)).toBe(0xffffffff);
    const report = JSON.parse(run.stderr) as Report;
    expect(readFileSync(out, 'utf8')).toContain(`${report.rows.toLocaleString('en-US')} rows`);
  });

  it('merge --html writes the page of the merged report', async () => {
    const parts = [tmp.path('m0.partial'), tmp.path('m1.partial')];
    for (const [i, range] of ['0:1', '1:2'].entries()) {
      const run = await cli(['score', fixture('mc_dict_labels.arrow'), '--batches', range, '--partial', parts[i]!]);
      expect(run.code, run.stderr).toBe(0);
    }
    const out = tmp.path('merged.html');
    const merged = await cli(['merge', ...parts, '--format', 'json', '--html', out]);
    expect(merged.code, merged.stderr).toBe(0);
    const report = stdoutJson<Report>(merged);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain(`${report.rows.toLocaleString('en-US')} rows`);
    for (const c of report.classes) expect(page).toContain(`<td>${c.name}</td>`);
  });

  it('refuses an --html that is the input, before reading it', async () => {
    const input = tmp.write('input.arrow', readFileSync(fixture('mc_probs_f32.arrow')));
    const before = statSync(input).mtimeMs;
    const run = await cli(['score', input, '--html', input]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--html .* is the input/);
    expect(statSync(input).mtimeMs).toBe(before);
  });

  it('refuses --html and --out naming one file, --html -, --html with --partial, and alphas --html', async () => {
    const same = tmp.path('same.out');
    const cases: [string[], RegExp][] = [
      [['score', fixture('mc_probs_f32.arrow'), '--out', same, '--html', same], /--out and --html name the same file/],
      [['score', fixture('mc_probs_f32.arrow'), '--html', '-'], /--html needs a file/],
      [['score', fixture('mc_probs_f32.arrow'), '--partial', tmp.path('p.partial'), '--html', tmp.path('p.html')], /--html needs a report/],
      [['alphas', fixture('mc_probs_f32.arrow'), '--html', tmp.path('a.html')], /--html goes with score or merge/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(same)).toBe(false);
  });

  it('leaves no file when the folder does not exist (exit 1)', async () => {
    const run = await cli(['score', fixture('mc_probs_f32.arrow'), '--html', tmp.path('no/such/dir/r.html')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--html .*the folder .* does not exist/);
  });
});

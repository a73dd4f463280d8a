/**
 * The screenshot of the HTML report in the README (docs/html-report.png): scores a file with the
 * built CLI and `--html`, opens the page in headless Chromium (the system's, as the browser test
 * does; every request but the file's aborted) and saves a full-page PNG.
 *
 *   npm run screenshot                                  test/fixtures/mc_dict_labels.arrow --alpha auto
 *                                                       --gamma 2,0,0.5,1,5,FLSD-53 --top 10 (every chart)
 *   npm run screenshot -- FILE [score flags...]          any input, e.g. with --gamma 0,0.5,1,2,5
 *
 * FOCAL_EVAL_CHROMIUM names another Chromium (default /usr/bin/chromium).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const [input = join(root, 'test/fixtures/mc_dict_labels.arrow'), ...flags] = process.argv.slice(2);
const scoreFlags = process.argv.length > 2 ? flags : ['--alpha', 'auto', '--gamma', '2,0,0.5,1,5,FLSD-53', '--top', '10'];
const out = join(root, 'docs', 'html-report.png');
const dir = mkdtempSync(join(tmpdir(), 'focal-eval-screenshot-'));
const page = join(dir, 'report.html');

try {
  execFileSync(process.execPath, [join(root, 'bin', 'focal-eval.js'), 'score', input, ...scoreFlags, '--format', 'json', '--out', join(dir, 'report.json'), '--html', page], {
    stdio: 'inherit',
  });
  const browser = await chromium.launch({ executablePath: process.env.FOCAL_EVAL_CHROMIUM ?? '/usr/bin/chromium' });
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
    await tab.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await tab.goto(pathToFileURL(page).href);
    await tab.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`${out}: the report of ${input} ${scoreFlags.join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

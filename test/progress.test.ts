/**
 * The progress line: when it is shown (the terminal / CI / TERM / --quiet matrix), what it says
 * on a fake clock (first drawn after the delay, redrawn at most every 100 ms, erased at the end),
 * and the built CLI in a pseudo-terminal (util-linux `script`, when present) against the same CLI
 * piped, which must print nothing of it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourEnabled, Progress, progressEnabled } from '../src/cli/progress.ts';
import { batchOf, fixedFloats, ipc, types, vec } from './support/arrow.ts';
import { BIN, cli, requireBuild } from './support/cli.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('progressEnabled', () => {
  const cases: [string, { isTTY: boolean; env: Record<string, string | undefined>; quiet: boolean }, boolean][] = [
    ['a terminal', { isTTY: true, env: { TERM: 'xterm' }, quiet: false }, true],
    ['a terminal without TERM', { isTTY: true, env: {}, quiet: false }, true],
    ['a pipe', { isTTY: false, env: { TERM: 'xterm' }, quiet: false }, false],
    ['CI=true', { isTTY: true, env: { TERM: 'xterm', CI: 'true' }, quiet: false }, false],
    ['CI=1', { isTTY: true, env: { CI: '1' }, quiet: false }, false],
    ['CI empty', { isTTY: true, env: { CI: '' }, quiet: false }, true],
    ['CI=false', { isTTY: true, env: { CI: 'false' }, quiet: false }, true],
    ['TERM=dumb', { isTTY: true, env: { TERM: 'dumb' }, quiet: false }, false],
    ['--quiet', { isTTY: true, env: { TERM: 'xterm' }, quiet: true }, false],
    ['NO_COLOR (colour only)', { isTTY: true, env: { TERM: 'xterm', NO_COLOR: '1' }, quiet: false }, true],
  ];
  for (const [name, setting, shown] of cases) {
    it(`${shown ? 'shows' : 'hides'} the line: ${name}`, () => expect(progressEnabled(setting)).toBe(shown));
  }

  it('NO_COLOR removes colour, unless empty', () => {
    expect(colourEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({})).toBe(true);
  });
});

describe('Progress', () => {
  function fake(fileBytes: number | null, colour = false) {
    let t = 0;
    const out: string[] = [];
    const p = new Progress({ write: (s: string) => out.push(s) }, fileBytes, colour, () => t);
    return { p, out, at: (ms: number) => (t = ms) };
  }

  it('draws nothing in the first second, and nothing at the end of a quick run', () => {
    const { p, out, at } = fake(1e6);
    p.start(4);
    at(500);
    p.rows(1000);
    p.batch();
    p.end();
    expect(out).toEqual([]);
  });

  it('after a second: rows, rows/s, bytes of the file and an ETA, redrawn at most every 100 ms, erased at the end', () => {
    const { p, out, at } = fake(8e6);
    p.start(4);
    at(2000);
    p.rows(50_000);
    p.batch();
    // 50,000 rows in 2 s; 1 of 4 batches: 2.0 of 8.0 MB, 3 batches left at 2 s each.
    expect(out).toEqual(['\r\x1b[Kfocal-eval: 50,000 rows · 25,000 rows/s · 2.0 / 8.0 MB · ETA 6 s']);
    at(2050);
    p.rows(50_000);
    p.batch();
    expect(out).toHaveLength(1);
    at(2100);
    p.batch();
    expect(out).toHaveLength(2);
    p.end();
    expect(out.at(-1)).toBe('\r\x1b[K');
  });

  it('a stream has no total: rows and rows/s only; colour dims the line', () => {
    const { p, out, at } = fake(null, true);
    p.start(null);
    at(1000);
    p.rows(10);
    p.batch();
    expect(out).toEqual(['\r\x1b[K\x1b[2mfocal-eval: 10 rows · 10 rows/s\x1b[22m']);
  });
});

describe('the CLI', () => {
  let file: string;
  beforeAll(() => {
    requireBuild();
    const r = rng(7);
    const batches = Array.from({ length: 6 }, () => {
      const rows = Array.from({ length: 2000 }, () => [r(), r(), r()]);
      return batchOf({ probs: vec(rows, fixedFloats(3, true)), label: vec(rows.map((_, i) => i % 3), types.i32()) });
    });
    file = tmp.write('six.arrow', ipc(new Table(batches)));
  });

  it('prints no progress when stderr is piped', async () => {
    const run = await cli(['score', file, '--format', 'json', '-t', '1'], undefined, [], { FOCAL_EVAL_PROGRESS_DELAY_MS: '0', TERM: 'xterm', CI: '' });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
  it.skipIf(script === undefined)('draws and erases the line in a pseudo-terminal, and --quiet silences it', () => {
    const env = { ...process.env, FOCAL_EVAL_PROGRESS_DELAY_MS: '0', TERM: 'xterm', NO_COLOR: '1' };
    delete (env as Record<string, string | undefined>).CI;
    const out = tmp.path('out.json');
    const run = (extra: string[]): string => {
      const command = [process.execPath, BIN, 'score', file, '-t', '1', '--out', out, ...extra].map((a) => `'${a}'`).join(' ');
      // script -q (no banner) -e (the command's status) -c (the command); its log goes to a file of ours.
      return execFileSync(script!, ['-qec', command, tmp.path('typescript')], { env, encoding: 'utf8' });
    };
    const shown = run([]);
    const ERASE = '\r\x1b[K';
    expect(shown).toContain(`${ERASE}focal-eval: `);
    const line = shown.split(ERASE).find((l) => l.startsWith('focal-eval: '))!;
    expect(line).toMatch(/^focal-eval: [\d,]+ rows · [\d,]+ rows\/s · [\d.]+ \/ [\d.]+ MB/);
    expect(shown.endsWith(ERASE)).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).rows).toBe(12_000);
    expect(run(['--quiet'])).not.toContain('focal-eval:');
  });
});

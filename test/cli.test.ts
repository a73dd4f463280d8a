/**
 * The CLI as a user runs it: `node bin/focal-eval.js ...` in a child process (bin/ imports the
 * build in dist/, which `npm test` makes before vitest runs). Exit status 0 with the report on
 * stdout, 1 for bad data or a missing input (message naming file, batch, row, column), 2 for a
 * bad flag or option value (message naming the flag); stdin, --out, table and alphas output.
 */
import { readFileSync } from 'node:fs';
import { Float64, Int32, tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Report } from '../src/report/schema.ts';
import { cli as runCli, requireBuild } from './support/cli.ts';
import { ipc, table, vec } from './support/arrow.ts';
import { expected, fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';
import { closeEnough, mismatches } from './support/tolerance.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (test/support/cli.ts), with stdout as text: every output here is JSON or a table. */
async function cli(args: string[], stdin?: Uint8Array, nodeOptions: string[] = []): Promise<Run> {
  const run = await runCli(args, stdin, nodeOptions);
  return { code: run.code, stdout: run.stdout.toString('utf8'), stderr: run.stderr };
}

const tmp = tempDir();
let ignoreFile = '';

beforeAll(() => {
  requireBuild();
  // Binary probabilities with int labels, two of them -1.
  const t = table({ prob: vec([0.9, 0.2, 0.6, 0.3, 0.7], new Float64()), label: vec([1, -1, 1, 0, -1], new Int32()) });
  ignoreFile = tmp.write('ignore.arrow', ipc(t));
});
afterAll(() => tmp.cleanup());

function report(run: Run): Report {
  return JSON.parse(run.stdout) as Report;
}

describe.concurrent('focal-eval score', () => {
  it('prints the report as JSON on stdout and exits 0', async ({ expect }) => {
    const run = await cli(['score', fixture('mc_probs_f32.arrow'), '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    const r = report(run);
    const e = expected<Report>('mc_probs_f32');
    expect({ rows: r.rows, scored: r.scored, ignored: r.ignored, invalid: r.invalid }).toEqual({
      rows: e.rows,
      scored: e.scored,
      ignored: e.ignored,
      invalid: e.invalid,
    });
    expect(closeEnough(r.total.sumCE, e.total.sumCE)).toBe(true);
    expect(closeEnough(r.total.sumLoss, e.total.sumLoss)).toBe(true);
    expect(r.classes.map((c) => c.count)).toEqual(e.classes.map((c) => c.count));
  });

  it('matches the whole expected report with the options given as flags', async ({ expect }) => {
    const run = await cli(['score', fixture('bin_probs.arrow'), '--alpha', '0.25', '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    expect(mismatches(report(run), expected('bin_probs_alpha025'))).toEqual([]);
  });

  it('takes --alpha auto and --alpha-scheme', async ({ expect }) => {
    const args = ['score', fixture('mc_dict_labels.arrow'), '--alpha', 'auto', '--alpha-scheme', 'inverse-sqrt', '--format', 'json', '--threads', '1'];
    const run = await cli(args);
    expect(run.code).toBe(0);
    expect(mismatches(report(run), expected('mc_dict_labels'))).toEqual([]);
  });

  it('exits 1 on bad data with a message naming file, batch, row and column', async ({ expect }) => {
    const file = fixture('inv_nan_pred.arrow');
    const run = await cli(['score', file, '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/batch 1\b/);
    expect(run.stderr).toMatch(/row 5\b/);
    expect(run.stderr).toContain('"logits"');
  });

  it('runs under Node options that worker threads do not accept (--max-old-space-size)', async ({ expect }) => {
    const run = await cli(['score', fixture('bin_probs.arrow'), '--format', 'json'], undefined, ['--max-old-space-size=512']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Report).rows).toBe(20000);
  });

  it('exits 2 on an unknown flag, naming it', async ({ expect }) => {
    const run = await cli(['score', fixture('bin_probs.arrow'), '--gamam', '2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--gamam');
    expect(run.stdout).toBe('');
  });

  it.for([
    ['--gamma', '-1'],
    ['--gamma', 'abc'],
    ['--histogram-bins', '0'],
    ['--format', 'xml'],
  ])('exits 2 on %s %s, naming the flag', async ([flag, value], { expect }) => {
    const run = await cli(['score', fixture('bin_probs.arrow'), flag!, value!]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(run.stdout).toBe('');
  });

  it('exits 2 naming --alpha for an alpha list of the wrong length', async ({ expect }) => {
    const run = await cli(['score', fixture('bin_probs.arrow'), '--alpha', '0.2,0.3,0.5', '--threads', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--alpha');
  });

  it('accepts --ignore-index -1 (a negative number as the next argument)', async ({ expect }) => {
    const run = await cli(['score', ignoreFile, '--ignore-index', '-1', '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    expect(report(run)).toMatchObject({ rows: 5, scored: 3, ignored: 2, options: { ignoreIndex: -1 } });
  });

  it('accepts --ignore-index=-1', async ({ expect }) => {
    const run = await cli(['score', ignoreFile, '--ignore-index=-1', '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    expect(report(run)).toMatchObject({ rows: 5, scored: 3, ignored: 2, options: { ignoreIndex: -1 } });
  });

  it('prints class names with --format table', async ({ expect }) => {
    const run = await cli(['score', fixture('mc_dict_labels.arrow'), '--format', 'table', '--threads', '1']);
    expect(run.code).toBe(0);
    for (const name of ['background', 'person', 'bicycle', 'boat']) expect(run.stdout).toContain(name);
  });

  it('writes the report to --out FILE and nothing to stdout', async ({ expect }) => {
    const out = tmp.path('report.json');
    const run = await cli(['score', fixture('ml_logits.arrow'), '--alpha', '0.25', '--format', 'json', '--out', out, '--threads', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(mismatches(JSON.parse(readFileSync(out, 'utf8')), expected('ml_logits_alpha025'))).toEqual([]);
  });

  it('exits 1 for a missing file, naming it', async ({ expect }) => {
    const missing = tmp.path('nope.arrow');
    const run = await cli(['score', missing, '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(missing);
  });

  it('reads an Arrow IPC stream from stdin with -, giving the report of the file', async ({ expect }) => {
    const stream = ipc(tableFromIPC(readFileSync(fixture('mc_logits_f32.arrow'))), 'stream');
    const [fromFile, fromStdin] = await Promise.all([
      cli(['score', fixture('mc_logits_f32.arrow'), '--alpha', 'auto', '--format', 'json', '--threads', '1']),
      cli(['score', '-', '--alpha', 'auto', '--format', 'json', '--threads', '1'], stream),
    ]);
    expect(fromStdin.code).toBe(0);
    expect(mismatches(report(fromStdin), expected('mc_logits_f32_auto'))).toEqual([]);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });

  it('exits 2 on an unknown command', async ({ expect }) => {
    const run = await cli(['scour', fixture('bin_probs.arrow')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('scour');
  });
});

describe.concurrent('focal-eval alphas', () => {
  it('prints alphaEstimates as JSON', async ({ expect }) => {
    const run = await cli(['alphas', fixture('mc_logits_f32.arrow'), '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as unknown;
    expect(mismatches(printed, expected<Report>('mc_logits_f32_auto').alphaEstimates)).toEqual([]);
  });

  it('prints multilabel negatives beside the counts', async ({ expect }) => {
    const run = await cli(['alphas', fixture('ml_logits.arrow'), '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    expect(mismatches(JSON.parse(run.stdout), expected<Report>('ml_logits_alpha025').alphaEstimates)).toEqual([]);
  });

  it('prints every scheme and the class names as a table', async ({ expect }) => {
    const run = await cli(['alphas', fixture('mc_dict_labels.arrow'), '--format', 'table', '--threads', '1']);
    expect(run.code).toBe(0);
    for (const word of ['inverse', 'balanced', 'inverse-sqrt', 'effective', 'median', 'background', 'boat']) {
      expect(run.stdout).toContain(word);
    }
  });
});

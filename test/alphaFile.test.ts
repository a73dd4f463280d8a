/**
 * Alphas carried between runs (spec §5, §6): `focal-eval alphas F --out a.json` saves the class
 * counts and every scheme's estimates with the class names, mode and beta; `score --alpha-file
 * a.json` applies them, which on the same data must give exactly the report of `--alpha auto`,
 * for the scheme asked with --alpha-scheme. A file that does not fit the data, or is not such a
 * file at all, is a usage error (exit 2) that says what is wrong.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSavedAlphas, type SavedAlphas } from '../src/alpha/saved.ts';
import { UsageError } from '../src/errors.ts';
import type { Report } from '../src/report/schema.ts';
import { fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';
import { cli, requireBuild, stdoutJson, type CliRun } from './support/cli.ts';
import { ipcBytes, makeBatches, sizes } from './support/dumps.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const DICT = fixture('mc_dict_labels.arrow'); // multiclass, 10 named classes
const PROBS = fixture('mc_probs_f32.arrow'); // multiclass, 10 classes "0".."9"
const MULTILABEL = fixture('ml_logits.arrow'); // multilabel, 20 classes

/** Saves the alphas of `input` and returns the file's path. */
async function saveAlphas(input: string, name: string, extra: string[] = []): Promise<string> {
  const out = tmp.path(name);
  const run = await cli(['alphas', input, '--out', out, '--threads', '1', ...extra]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.length).toBe(0);
  return out;
}

async function score(args: string[]): Promise<CliRun> {
  return cli(['score', ...args, '--format', 'json', '--threads', '1']);
}

function expectUsageError(run: CliRun, ...patterns: RegExp[]): void {
  expect(run.code).toBe(2);
  expect(run.stdout.length).toBe(0);
  for (const pattern of patterns) expect(run.stderr).toMatch(pattern);
}

/** Alphas saved once from DICT and PROBS, for the tests that only apply them. */
let dictAlphas = '';
let probsAlphas = '';
beforeAll(async () => {
  [dictAlphas, probsAlphas] = await Promise.all([saveAlphas(DICT, 'dict.json'), saveAlphas(PROBS, 'probs.json')]);
});

describe('alphas --out, then score --alpha-file', () => {
  it('saves the counts, every scheme, the class names, the mode and beta', async () => {
    const path = dictAlphas;
    const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedAlphas;
    const report = stdoutJson<Report>(await score([DICT]));
    // The report's conventions and betas are views of the estimates, not saved.
    const { conventions, effectiveBeta, ...estimates } = report.alphaEstimates;
    expect(conventions).toBeDefined();
    expect(effectiveBeta).toBeDefined();
    expect(saved).toEqual({
      format: 'focal-eval-alphas',
      version: 1,
      mode: 'multiclass',
      classNames: report.classes.map((c) => c.name),
      beta: 0.999,
      ...estimates,
    });
    expect(saved.classNames[0]).not.toBe('0'); // the dictionary's names
  });

  it('gives on the same data exactly the report of --alpha auto (multiclass)', async () => {
    const [fromFile, auto] = await Promise.all([score([DICT, '--alpha-file', dictAlphas]), score([DICT, '--alpha', 'auto'])]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.toString()).toBe(auto.stdout.toString());
    expect(stdoutJson<Report>(fromFile).classes.some((c) => c.alpha !== 1)).toBe(true);
  });

  it('gives on the same data exactly the report of --alpha auto (multilabel)', async () => {
    const path = await saveAlphas(MULTILABEL, 'ml.json');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveProperty('negatives');
    const [fromFile, auto] = await Promise.all([
      score([MULTILABEL, '--alpha-file', path, '--alpha', 'auto']),
      score([MULTILABEL, '--alpha', 'auto']),
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.toString()).toBe(auto.stdout.toString());
  });

  it.each(['median', 'effective'])('honours --alpha-scheme %s', async (scheme) => {
    const [fromFile, auto] = await Promise.all([
      score([DICT, '--alpha-file', dictAlphas, '--alpha-scheme', scheme]),
      score([DICT, '--alpha', 'auto', '--alpha-scheme', scheme]),
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.toString()).toBe(auto.stdout.toString());
    const saved = JSON.parse(readFileSync(dictAlphas, 'utf8')) as Record<string, (number | null)[]>;
    const applied = stdoutJson<Report>(fromFile).classes.map((c) => c.alpha);
    expect(applied).toEqual(saved[scheme]);
    expect(applied).not.toEqual(saved.inverse);
  });

  it('applies alphas saved from one dump to another with the same classes', async () => {
    const other = fixture('mc_logits_f32.arrow');
    const run = await score([other, '--alpha-file', probsAlphas, '--alpha-scheme', 'inverse-sqrt']);
    expect(run.code).toBe(0);
    const saved = JSON.parse(readFileSync(probsAlphas, 'utf8')) as SavedAlphas;
    const report = stdoutJson<Report>(run);
    expect(report.classes.map((c) => c.alpha)).toEqual(saved['inverse-sqrt']);
    expect(report.alphaEstimates['inverse-sqrt']).not.toEqual(saved['inverse-sqrt']); // the other dump's own would differ
  });
});

describe('an alpha file that does not fit the data', () => {
  it('with other class names is a usage error that shows both lists', async () => {
    const run = await score([PROBS, '--alpha-file', dictAlphas]);
    expectUsageError(run, /--alpha-file/, /do not match/, /0,1,2,3/);
    const saved = JSON.parse(readFileSync(dictAlphas, 'utf8')) as SavedAlphas;
    expect(run.stderr).toContain(saved.classNames.slice(0, 3).join(','));
  });

  it('with another class count is a usage error naming both counts', async () => {
    const small = tmp.write('four.arrow', ipcBytes(makeBatches({ mode: 'multiclass', input: 'probs', classes: 4 }, sizes(2, 500)), 'file'));
    const path = await saveAlphas(small, 'four.json');
    expectUsageError(await score([PROBS, '--alpha-file', path]), /--alpha-file/, /\b4 classes\b/, /\b10\b/);
  });

  it('for another mode is a usage error naming both modes', async () => {
    const batches = makeBatches({ mode: 'multilabel', input: 'probs', classes: 10 }, sizes(2, 500));
    const path = await saveAlphas(tmp.write('ml10.arrow', ipcBytes(batches, 'file')), 'ml10.json');
    expectUsageError(await score([PROBS, '--alpha-file', path]), /--alpha-file/, /multilabel/, /multiclass/);
  });

  it('with an explicit --alpha is a usage error', async () => {
    expectUsageError(await score([PROBS, '--alpha-file', probsAlphas, '--alpha', '0.25']), /--alpha-file/, /--alpha auto/);
  });
});

describe.concurrent('a malformed alpha file', () => {
  const good = (): SavedAlphas => ({
    format: 'focal-eval-alphas',
    version: 1,
    mode: 'binary',
    classNames: ['0', '1'],
    beta: 0.999,
    counts: [10, 5],
    inverse: [0.25, 0.75],
    balanced: [0.75, 1.5],
    'inverse-sqrt': [0.4, 0.6],
    effective: [0.7, 1.3],
    median: [1, 2],
  });
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"format": "focal-eval-alphas", ', /not JSON/],
    ['the report\'s alphaEstimates instead of the saved format', JSON.stringify({ counts: [10, 5], inverse: [0.25, 0.75] }), /not a focal-eval alphas file.*format/],
    ['another version', JSON.stringify({ ...good(), version: 2 }), /not a focal-eval alphas file.*version/],
    ['a negative estimate', JSON.stringify({ ...good(), median: [1, -2] }), /not a focal-eval alphas file.*median/],
    ['a list of the wrong length', JSON.stringify({ ...good(), balanced: [0.75] }), /one entry per class \(2\)/],
  ];

  it.each(cases)('%s is a usage error naming the file', async (name, content, pattern) => {
    const path = tmp.path(`bad-${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(path, content);
    expectUsageError(await score([fixture('bin_probs.arrow'), '--alpha-file', path]), pattern, new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await expect(readSavedAlphas(path)).rejects.toBeInstanceOf(UsageError);
  });

  it('a missing file is a usage error naming it', async () => {
    const path = tmp.path('missing.json');
    expectUsageError(await score([fixture('bin_probs.arrow'), '--alpha-file', path]), /cannot read/, new RegExp(path));
  });

  it('a well-formed binary file is accepted', async () => {
    const path = tmp.path('good.json');
    writeFileSync(path, JSON.stringify(good()));
    const run = await score([fixture('bin_probs.arrow'), '--alpha-file', path, '--alpha-scheme', 'median']);
    expect(run.code).toBe(0);
    expect(stdoutJson<Report>(run).classes.map((c) => c.alpha)).toEqual([1, 2]);
  });
});

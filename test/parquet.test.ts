/**
 * One dump, every form an input can take (spec §1): Arrow IPC file, IPC stream file, IPC stream on
 * stdin, Parquet with several row groups, an in-memory Table and an async iterable of batches all
 * give the same report, bit for bit. Float sums depend in their last bits on batch boundaries, so
 * every form has the same ones: batches of N rows, Parquet row groups of N. Parquet re-encodes a
 * dictionary per row group, so dictionary labels come with classNames. Then List predictions (how
 * DuckDB-written Parquet reads back; the same report bit for bit), --input-format,
 * and Apache Arrow's Parquet fuzz corpus.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import type { OptionsInput } from '../src/options.ts';
import type { Report } from '../src/report/schema.ts';
import { FIXTURES, fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';
import { mismatches } from './support/tolerance.ts';
import { evaluateInChildren, type CaseRun } from './support/childCases.ts';
import { cli, requireBuild, stdoutJson } from './support/cli.ts';
import { asyncBatches, classNamesFor, ipcBytes, makeBatches, parquetBytes, sizes, tableOf, type DumpSpec } from './support/dumps.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const N = 2_000;
const BATCHES = 6;

/** A report as JSON text: what "identical" means here. */
function text(report: Report): string {
  return JSON.stringify(report);
}

const DUMPS: { name: string; spec: DumpSpec; options: OptionsInput }[] = [
  {
    name: 'multiclass probs, int labels with nulls and ignore-index',
    spec: { mode: 'multiclass', input: 'probs', classes: 4, nullLabelEvery: 37, ignoreEvery: 41, seed: 3 },
    options: { alpha: [0.5, 1, 2, 4] },
  },
  {
    name: 'multiclass logits, dictionary labels (with classNames)',
    spec: { mode: 'multiclass', input: 'logits', classes: 5, labels: 'dictionary', nullLabelEvery: 29, seed: 4 },
    options: { classNames: classNamesFor(5), alpha: 'auto', alphaScheme: 'effective' },
  },
  {
    name: 'multilabel logits',
    spec: { mode: 'multilabel', input: 'logits', classes: 3, nullLabelEvery: 31, seed: 5 },
    options: { alpha: 0.25, gamma: 1.5 },
  },
];

describe('the same data in every input form', () => {
  it.each(DUMPS)('gives identical reports as IPC file, IPC stream, stdin, Parquet, Table and async iterable: $name', async ({ spec, options }) => {
    const batches = makeBatches(spec, sizes(BATCHES, N));
    const file = tmp.write(`${spec.seed}.arrow`, ipcBytes(batches, 'file'));
    const stream = tmp.write(`${spec.seed}.arrows`, ipcBytes(batches, 'stream'));
    const parquet = tmp.write(`${spec.seed}.parquet`, parquetBytes(batches, N));
    const reference = text(await evaluate(tableOf(batches), { ...options, threads: 2 }));
    const forms: [string, string][] = [
      ['IPC file', text(await evaluate(file, { ...options, threads: 1 }))],
      ['IPC stream file', text(await evaluate(stream, { ...options, threads: 2 }))],
      ['Parquet', text(await evaluate(parquet, { ...options, threads: 2 }))],
      ['async iterable', text(await evaluate(asyncBatches(batches), { ...options, threads: 1 }))],
    ];
    for (const [form, report] of forms) expect(report, form).toBe(reference);
    expect(JSON.parse(reference)).toMatchObject({ rows: BATCHES * N });
  });

  it('gives the same report from stdin through the CLI as from the file', async () => {
    const { spec, options } = DUMPS[0]!;
    const batches = makeBatches(spec, sizes(BATCHES, N));
    const args = ['--alpha', (options.alpha as number[]).join(','), '--format', 'json', '--threads', '2'];
    const fromStdin = await cli(['score', '-', ...args], ipcBytes(batches, 'stream'));
    expect(fromStdin.stderr).toBe('');
    const parquet = tmp.write('stdin-ref.parquet', parquetBytes(batches, N));
    const fromParquet = await cli(['score', parquet, ...args]);
    expect(fromStdin.stdout.toString()).toBe(fromParquet.stdout.toString());
    expect(stdoutJson<Report>(fromStdin)).toEqual(JSON.parse(text(await evaluate(batches, { ...options, threads: 1 }))));
  });

  it('accepts List<Float32> predictions from Parquet (as DuckDB writes fixed-size lists)', async () => {
    const spec: DumpSpec = { mode: 'multiclass', input: 'probs', classes: 4, nullLabelEvery: 37, seed: 8 };
    const fixed = makeBatches(spec, sizes(3, N));
    const listed = makeBatches({ ...spec, list: true }, sizes(3, N));
    const parquet = tmp.write('list.parquet', parquetBytes(listed, N));
    const report = await evaluate(parquet, { threads: 1 });
    // Bit for bit: a List whose rows all hold C values is scored as the FixedSizeList is.
    expect(text(report)).toBe(text(await evaluate(fixed, { threads: 1 })));
    expect(report.scored).toBeGreaterThan(0);
  });

  it('accepts a List<Float32> whose width comes from --class-names', async () => {
    const spec: DumpSpec = { mode: 'multiclass', input: 'probs', classes: 3, seed: 9 };
    const listed = makeBatches({ ...spec, list: true }, sizes(2, N));
    const parquet = tmp.write('list-names.parquet', parquetBytes(listed, N));
    const report = await evaluate(parquet, { threads: 1, classNames: ['cat', 'dog', 'eel'] });
    expect(report.classes.map((c) => c.name)).toEqual(['cat', 'dog', 'eel']);
    const fixed = makeBatches(spec, sizes(2, N));
    expect(mismatches(report, await evaluate(fixed, { threads: 1, classNames: ['cat', 'dog', 'eel'] }))).toEqual([]);
  });
});

describe('--input-format', () => {
  it('parquet on an Arrow file is an input error naming the file', async () => {
    const path = fixture('mc_probs_f32.arrow');
    const error = await evaluate(path, { inputFormat: 'parquet', threads: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FocalEvalError);
    expect(error).toMatchObject({ code: 'E_INPUT' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/Parquet/);
  });

  it('parquet on an Arrow file exits 1 on the command line with the reason', async () => {
    const path = fixture('mc_probs_f32.arrow');
    const run = await cli(['score', path, '--input-format', 'parquet', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(path);
    expect(run.stderr).toMatch(/not a Parquet file/);
  });

  it('parquet with stdin is a usage error (exit 2)', async () => {
    const run = await cli(['score', '-', '--input-format', 'parquet', '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/stdin/);
  });

  it('arrow on a Parquet file is an input error, not a report', async () => {
    const batches = makeBatches({ mode: 'binary', input: 'probs' }, [500]);
    const path = tmp.write('forced.parquet', parquetBytes(batches, 500));
    await expect(evaluate(path, { inputFormat: 'parquet', threads: 1 })).resolves.toMatchObject({ rows: 500 });
    await expect(evaluate(path, { inputFormat: 'arrow', threads: 1 })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});

// ---------------------------------------------------------------------------------------------
// Apache Arrow's Parquet fuzz corpus: each file must end in a clear error naming it, in time.

const CORPUS = join(FIXTURES, 'corpus', 'parquet', 'fuzzing');
const CASE_TIMEOUT_MS = 15_000;

function problemOf(run: CaseRun): string | null {
  if (run.timedOut) return `no answer within ${CASE_TIMEOUT_MS / 1000} s (hang)`;
  if (run.crashed !== undefined) return `the process died: ${run.crashed}`;
  const r = run.result!;
  if (r.outcome === 'report') return `a report (${r.rows} rows, ${r.scored} scored)`;
  if (r.outcome === 'other-error') return `not a FocalEvalError: ${r.message}`;
  if (r.code !== 'E_INPUT' && r.code !== 'E_SCHEMA') return `code ${r.code}: ${r.message}`;
  if (!r.message.includes(run.path)) return `the message does not name the file: ${r.message}`;
  return null;
}

describe('the Parquet fuzz corpus', () => {
  const paths = readdirSync(CORPUS)
    .filter((name) => name !== 'README.md')
    .sort()
    .map((name) => join(CORPUS, name));
  let runs: CaseRun[] = [];
  beforeAll(async () => {
    runs = await evaluateInChildren(paths, CASE_TIMEOUT_MS);
  }, 600_000);

  it('has cases', () => {
    expect(paths.length).toBeGreaterThan(100);
    expect(runs.map((r) => r.path)).toEqual(paths);
  });

  it('gives an E_INPUT or E_SCHEMA error naming the file for every file, in time, never a report or a crash', () => {
    const problems = runs.flatMap((run) => {
      const problem = problemOf(run);
      return problem === null ? [] : [`${basename(run.path)}: ${problem}`];
    });
    expect(problems).toEqual([]);
  });
});

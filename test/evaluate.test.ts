/**
 * evaluate end to end on the worker pool: every fixture against its independently computed
 * report (sums within the spec's tolerance, counts exact) or error location; the same input as
 * a file, a stream file, a Table and an async iterable of batches; bit-identical reports for
 * any thread count; the report schema; gamma 0 as cross-entropy; a small input against the
 * float64 reference; invalid rows located by batch, row and column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { RecordBatch, Table, tableFromIPC } from 'apache-arrow';
import { afterAll, describe, it } from 'vitest';
import { DataError, FocalEvalError } from '../src/errors.ts';
import { evaluate } from '../src/evaluate.ts';
import type { OptionsInput } from '../src/options.ts';
import { ReportSchema, type Report } from '../src/report/schema.ts';
import { refMulticlassUnit, refStats, type RefScored } from './support/reference.ts';
import { dictUtf8, fixedFloats, ipc, table, types, vec } from './support/arrow.ts';
import { expected, fixture } from './support/fixtures.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';
import { mismatches } from './support/tolerance.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The examples: input file, options, expected file (see the fixtures' README in the spec). */
const REPORT_FIXTURES: [string, string, OptionsInput][] = [
  ['mc_probs_f32', 'mc_probs_f32.arrow', {}],
  ['mc_logits_f32_auto', 'mc_logits_f32.arrow', { alpha: 'auto' }],
  ['bin_probs_alpha025', 'bin_probs.arrow', { alpha: 0.25 }],
  ['ml_logits_alpha025', 'ml_logits.arrow', { alpha: 0.25 }],
  ['mc_dict_labels', 'mc_dict_labels.arrow', { alpha: 'auto', alphaScheme: 'inverse-sqrt' }],
  ['inv_nan_pred_skip', 'inv_nan_pred.arrow', { onInvalid: 'skip' }],
];

function tableOfFile(name: string): Table {
  return tableFromIPC(readFileSync(fixture(name)));
}

async function* batchesOf(t: Table): AsyncGenerator<RecordBatch> {
  for (const b of t.batches) yield b;
}

const runs = new Map<string, Promise<Report>>();

/** evaluate on a fixture file at one thread, run once per file and options and shared by the tests that compare with it. */
function fileReport(file: string, options: OptionsInput = {}): Promise<Report> {
  const key = JSON.stringify([file, options]);
  let run = runs.get(key);
  if (run === undefined) {
    run = evaluate(fixture(file), { ...options, threads: 1 });
    run.catch(() => {}); // awaited by each test; this only keeps a shared rejection from being "unhandled"
    runs.set(key, run);
  }
  return run;
}

/** The DataError a run rejects with; anything else fails the test. */
async function dataErrorOf(run: Promise<unknown>): Promise<DataError> {
  const error = await run.then(
    () => new Error('expected a DataError, the run succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof DataError)) throw error;
  return error;
}

describe.concurrent('evaluate on the fixtures', () => {
  it.for(REPORT_FIXTURES)('matches %s', async ([name, file, options], { expect }) => {
    const report = await fileReport(file, options);
    expect(mismatches(report, expected(name))).toEqual([]);
  });

  it('stops at the first invalid row of inv_nan_pred with its batch, row, global row and column', async ({ expect }) => {
    const error = await dataErrorOf(fileReport('inv_nan_pred.arrow'));
    const { error: where } = expected<{ error: { batch: number; row: number; globalRow: number; column: string; reason: string } }>('inv_nan_pred');
    expect(error.code).toBe('E_DATA');
    expect(error.location).toMatchObject({ batch: where.batch, row: where.row, globalRow: where.globalRow, column: where.column });
    expect(error.location.file).toBe(fixture('inv_nan_pred.arrow'));
    expect(Number.isNaN(error.location.value)).toBe(true);
  });

  it('names file, batch, row and column in the message of a data error', async ({ expect }) => {
    const error = await dataErrorOf(fileReport('inv_nan_pred.arrow'));
    expect(error.message).toContain(fixture('inv_nan_pred.arrow'));
    expect(error.message).toMatch(/batch 1\b/);
    expect(error.message).toMatch(/row 5\b/);
    expect(error.message).toContain('"logits"');
  });
});

describe.concurrent('evaluate on other forms of the same input', () => {
  it('gives the same report for a Table as for the file', async ({ expect }) => {
    const [fromFile, fromTable] = await Promise.all([
      fileReport('mc_dict_labels.arrow', { alpha: 'auto', alphaScheme: 'inverse-sqrt' }),
      evaluate(tableOfFile('mc_dict_labels.arrow'), { threads: 1, alpha: 'auto', alphaScheme: 'inverse-sqrt' }),
    ]);
    expect(fromTable).toEqual(fromFile);
  });

  it('gives the same report for an async iterable of batches as for the file', async ({ expect }) => {
    const [fromFile, fromBatches] = await Promise.all([
      fileReport('ml_logits.arrow', { alpha: 0.25 }),
      evaluate(batchesOf(tableOfFile('ml_logits.arrow')), { threads: 1, alpha: 0.25 }),
    ]);
    expect(fromBatches).toEqual(fromFile);
  });

  it('gives the same report for a sync iterable of batches as for the file', async ({ expect }) => {
    const t = tableOfFile('bin_probs.arrow');
    const [fromFile, fromArray] = await Promise.all([
      fileReport('bin_probs.arrow', { alpha: 0.25 }),
      evaluate(t.batches, { threads: 1, alpha: 0.25 }),
    ]);
    expect(fromArray).toEqual(fromFile);
  });

  it('gives the same report for an IPC stream file as for the IPC file', async ({ expect }) => {
    const path = tmp.write('mc_logits.arrows', ipc(tableOfFile('mc_logits_f32.arrow'), 'stream'));
    const [fromFile, fromStream] = await Promise.all([
      fileReport('mc_logits_f32.arrow', { alpha: 'auto' }),
      evaluate(path, { threads: 1, alpha: 'auto' }),
    ]);
    expect(fromStream).toEqual(fromFile);
  });

  it('locates an invalid row the same way in a Table (empty batches counted)', async ({ expect }) => {
    const error = await dataErrorOf(evaluate(tableOfFile('inv_nan_pred.arrow'), { threads: 1 }));
    expect(error.location).toMatchObject({ batch: 1, row: 5, globalRow: 1005, column: 'logits' });
  });
});

describe.concurrent('evaluate across thread counts', () => {
  it('gives byte-identical JSON at 1, 2 and 3 threads', async ({ expect }) => {
    const reports = await Promise.all([
      fileReport('mc_probs_f32.arrow'),
      evaluate(fixture('mc_probs_f32.arrow'), { threads: 2 }),
      evaluate(fixture('mc_probs_f32.arrow'), { threads: 3 }),
    ]);
    const [one, two, three] = reports.map((r) => JSON.stringify(r));
    expect(two).toBe(one);
    expect(three).toBe(one);
  });

  it('gives byte-identical JSON at 1 and 3 threads for batches read on the main thread', async ({ expect }) => {
    const t = tableOfFile('bin_probs.arrow');
    const [one, three] = await Promise.all([1, 3].map((threads) => evaluate(t, { threads, gamma: 0.5 })));
    expect(JSON.stringify(three)).toBe(JSON.stringify(one));
  });

  it('reports the first invalid row in input order at 3 threads, whichever batch finishes first', async ({ expect }) => {
    const error = await dataErrorOf(evaluate(fixture('inv_nan_pred.arrow'), { threads: 3 }));
    expect(error.location).toMatchObject({ batch: 1, row: 5, globalRow: 1005, column: 'logits' });
  });
});

describe.concurrent('evaluate report', () => {
  it('passes ReportSchema', async ({ expect }) => {
    const report = await fileReport('ml_logits.arrow', { alpha: 0.25 });
    expect(() => ReportSchema.parse(report)).not.toThrow();
    expect(ReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('echoes the options asked (defaults filled in)', async ({ expect }) => {
    const report = await evaluate(fixture('bin_probs.arrow'), { threads: 1, gamma: 1, histogramBins: 5 });
    expect(report.options).toEqual({
      gamma: 1,
      alpha: null,
      alphaScheme: 'inverse',
      beta: 0.999,
      epsilon: 1e-7,
      easyThreshold: 0.5,
      ignoreIndex: -100,
      histogramBins: 5,
      onInvalid: 'error',
    });
    expect(report.total.histogram).toHaveLength(5);
  });

  it('equals cross-entropy at gamma 0 with no alpha: sumLoss == sumCE in total and per class', async ({ expect }) => {
    const report = await evaluate(fixture('mc_logits_f32.arrow'), { threads: 1, gamma: 0 });
    expect(report.total.sumLoss).toBe(report.total.sumCE);
    expect(report.total.easy.sumLoss).toBe(report.total.easy.sumCE);
    expect(report.total.hard.sumLoss).toBe(report.total.hard.sumCE);
    expect(report.total.meanLoss).toBe(report.total.meanCE);
    for (const c of report.classes) expect(c.sumLoss).toBe(c.sumCE);
  });

  it('equals cross-entropy at gamma 0 with no alpha in binary', async ({ expect }) => {
    const report = await evaluate(fixture('bin_probs.arrow'), { threads: 1, gamma: 0 });
    expect(report.total.sumLoss).toBe(report.total.sumCE);
    for (const c of report.classes) expect(c.sumLoss).toBe(c.sumCE);
  });

  it('equals cross-entropy at gamma 0 with no alpha in multilabel, negatives included', async ({ expect }) => {
    const report = await evaluate(fixture('ml_logits.arrow'), { threads: 1, gamma: 0 });
    expect(report.total.sumLoss).toBe(report.total.sumCE);
    for (const c of report.classes) expect(c.negative!.sumLoss).toBe(c.negative!.sumCE);
  });

  it('matches the float64 reference on a small multiclass input with an alpha list', async ({ expect }) => {
    const r = rng(9);
    const C = 3;
    const rows = 80;
    const probs = Array.from({ length: rows }, () => Array.from({ length: C }, () => r()));
    const labels = Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? -100 : Math.floor(r() * C)));
    probs[1] = [0, 1, 0];
    labels[1] = 0;
    const alpha = [0.2, 1.5, 0.7];
    const options = { gamma: 1.5, alpha, easyThreshold: 0.4, histogramBins: 7 };
    const report = await evaluate(table({ probs: vec(probs, fixedFloats(C, true)), label: vec(labels, types.i32()) }), { threads: 1, ...options });
    const units: RefScored[] = [];
    labels.forEach((y, i) => {
      if (y === -100) return;
      units.push({ ...refMulticlassUnit(probs[i]!, y, 'probs', { gamma: 1.5, epsilon: 1e-7 }), group: y, weight: alpha[y]! });
    });
    expect(mismatches(report.total, refStats(units, 0.4, 7), 'total')).toEqual([]);
    for (let c = 0; c < C; c++) {
      const mine = units.filter((u) => u.group === c);
      const { index, name, alpha: a, ...stats } = report.classes[c]!;
      expect({ index, name, alpha: a }).toEqual({ index: c, name: String(c), alpha: alpha[c] });
      expect(mismatches(stats, refStats(mine, 0.4, 7), `class ${c}`)).toEqual([]);
    }
    expect(report).toMatchObject({ rows, scored: units.length, ignored: rows - units.length, invalid: 0 });
  });

  it('reports zero counts and null means for an input with no rows', async ({ expect }) => {
    const report = await evaluate(table({ prob: vec([], types.f64()), label: vec([], types.i32()) }), { threads: 1 });
    expect(report).toMatchObject({ rows: 0, scored: 0, ignored: 0, invalid: 0 });
    expect(report.total).toMatchObject({ count: 0, meanCE: null, meanLoss: null, meanPt: null, easyShareCE: null });
    expect(report.alphaEstimates.inverse).toEqual([null, null]);
  });

  it('reports zero counts for an input with a schema and no batches', async ({ expect }) => {
    const empty = new Table(table({ prob: vec([0.5], types.f64()), label: vec([1], types.i32()) }).schema);
    const report = await evaluate(empty, { threads: 1 });
    expect(report).toMatchObject({ mode: 'binary', rows: 0, scored: 0 });
  });

  it('reports null means and shares for a class with no units', async ({ expect }) => {
    const t = table({ probs: vec([[0.3, 0.7, 0], [0.6, 0.4, 0]], fixedFloats(3)), label: vec([1, 0], types.i32()) });
    const report = await evaluate(t, { threads: 1 });
    expect(report.classes[2]).toMatchObject({ count: 0, sumCE: 0, meanCE: null, meanLoss: null, meanPt: null, easyShareCE: null, easyShareFL: null });
  });
});

describe.concurrent('evaluate on invalid rows', () => {
  function split(t: Table, cuts: number[]): Table {
    // Batches [0, cuts[0]), [cuts[0], cuts[1]), ...; equal cuts make empty batches.
    const whole = t.batches[0]!;
    const bounds = [0, ...cuts, whole.numRows];
    return new Table(bounds.slice(1).map((end, i) => whole.slice(bounds[i]!, end)));
  }

  it('names the prediction column, batch (empty batches counted) and rows for a null prediction', async ({ expect }) => {
    const probs = [[0.5, 0.5], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7], null, [0.4, 0.6]];
    const t = split(table({ probs: vec(probs, fixedFloats(2)), label: vec([0, 1, 1, 0, 1, 0], types.i32()) }), [2, 2, 3]);
    const error = await dataErrorOf(evaluate(t, { threads: 2 }));
    expect(error.location).toMatchObject({ file: 'table', batch: 3, row: 1, globalRow: 4, column: 'probs', value: null });
  });

  it('names the label column for an unknown string label', async ({ expect }) => {
    const t = table({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec(['cat', 'cow'], types.utf8()) });
    const error = await dataErrorOf(evaluate(t, { threads: 1, classNames: ['cat', 'dog'] }));
    expect(error.location).toMatchObject({ batch: 0, row: 1, globalRow: 1, column: 'label', value: 'cow' });
  });

  it('names a prediction column given by option', async ({ expect }) => {
    const t = table({ scores: vec([0.5, 1.5], types.f64()), y: vec([true, false], types.bool()) });
    const error = await dataErrorOf(evaluate(t, { threads: 1, pred: 'scores', label: 'y' }));
    expect(error.location).toMatchObject({ row: 1, column: 'scores', value: 1.5 });
  });

  it('counts invalid rows under skip and scores the rest', async ({ expect }) => {
    const t = table({ prob: vec([0.5, NaN, 2, 0.7, 0.4], types.f64()), label: vec([1, 1, 0, null, 3], types.i32()) });
    const report = await evaluate(t, { threads: 1, onInvalid: 'skip' });
    expect(report).toMatchObject({ rows: 5, scored: 1, ignored: 1, invalid: 3 });
  });

  it('ignores a dictionary-encoded null label', async ({ expect }) => {
    const t = table({ probs: vec([[0.5, 0.5], [NaN, 0.8]], fixedFloats(2)), label: vec(['a', null], dictUtf8()) });
    expect(await evaluate(t, { threads: 1 })).toMatchObject({ rows: 2, scored: 1, ignored: 1, invalid: 0 });
  });
});

describe.concurrent('evaluate on inputs that cannot be read', () => {
  it('rejects a missing file with E_INPUT naming it', async ({ expect }) => {
    const error = await evaluate(tmp.path('missing.arrow'), { threads: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FocalEvalError);
    expect(error).toMatchObject({ code: 'E_INPUT' });
    expect((error as Error).message).toContain('missing.arrow');
  });

  it('rejects a file that is not Arrow with E_INPUT', async ({ expect }) => {
    const path = tmp.path('not-arrow.arrow');
    writeFileSync(path, 'label,prob\n1,0.5\n');
    const error = await evaluate(path, { threads: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_INPUT' });
  });
});

/**
 * The Arrow types pandas 3, polars and DuckDB write, end to end: every file of
 * test/fixtures/types (written by scripts/type-fixtures.py with the real writers) is read with the
 * types its cases.json entry names, through the reader it names (the lean one or apache-arrow),
 * and scores to the same report, byte for byte, as its twin holding the same values in plain
 * types (FixedSizeList, Int32); the twins' reports are checked against test/reference.ts. Then
 * 64-bit labels beyond C and beyond 2^53, named by their exact value, and a List whose width
 * comes from a later batch, through evaluate and the stage.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { RecordBatchReader, tableFromIPC, type Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, FocalEvalError } from '../src/errors.ts';
import { evaluate, runPipeline } from '../src/evaluate.ts';
import { typeName } from '../src/input/arrowTypes.ts';
import { openInput } from '../src/input/open.ts';
import { parseOptions, type OptionsInput } from '../src/options.ts';
import type { Report } from '../src/report/schema.ts';
import { emitScored } from '../src/stage/emit.ts';
import score from '../workers/score.ts';
import { refBinaryUnit, refMulticlassUnit, refStats, type RefScored } from './support/reference.ts';
import { batchKinds } from './support/batchKinds.ts';
import { fixture } from './support/fixtures.ts';
import { mismatches } from './support/tolerance.ts';
import { cli, requireBuild } from './support/cli.ts';

interface TypeCase {
  file: string;
  plain: string;
  writer: string;
  types: Record<string, string>;
  path: string;
  options: OptionsInput;
  plainOptions: OptionsInput;
}

const manifest = JSON.parse(readFileSync(fixture('types/cases.json'), 'utf8')) as { classNames: string[]; cases: TypeCase[] };
const typed = (name: string): string => fixture(`types/${name}`);

/**
 * A report with alpha "auto" (so that the estimates are compared too), by evaluate's pipeline
 * with the workers' own code run on this thread (no pool to start for each of ~80 runs; the pool
 * is evaluate's below, and reports are bit-identical whatever the threads).
 */
const run = (file: string, options: OptionsInput): Promise<Report> =>
  runPipeline(typed(file), parseOptions({ ...options, alpha: 'auto' }), { run: ({ task }) => score(task), inFlight: 1 });

/** The twins' reports, each made once. */
const plainReports = new Map<string, Promise<string>>();
function plainReport(c: TypeCase): Promise<string> {
  const key = `${c.plain} ${JSON.stringify(c.plainOptions)}`;
  let report = plainReports.get(key);
  if (!report) plainReports.set(key, (report = run(c.plain, c.plainOptions).then((r) => JSON.stringify(r))));
  return report;
}

/** The reader the batches of an input take (the first BatchRef's kind), after planning it as evaluate does. */
const readerOf = async (file: string, options: OptionsInput): Promise<string> => (await batchKinds(typed(file), options))[0] ?? 'none';

describe('the types pandas, polars and DuckDB write', () => {
  it('lists a case for every file of test/fixtures/types but the twins and the 64-bit label files', () => {
    const files = new Set(manifest.cases.flatMap((c) => [c.file, c.plain]));
    expect(files.size).toBeGreaterThan(30);
    expect(manifest.cases.filter((c) => c.writer !== 'pyarrow').map((c) => c.writer)).toEqual(
      expect.arrayContaining(['pandas', 'polars', 'duckdb']),
    );
  });

  it.each(manifest.cases.map((c) => ({ ...c, name: `${c.file} ${JSON.stringify(c.options)}` })))(
    'reads $name ($writer) as its types say, through its reader, to its plain twin\'s report',
    async (c) => {
      const input = await openInput(typed(c.file));
      const seen = Object.fromEntries(Object.keys(c.types).map((name) => [name, typeName(input.schema.fields.find((f) => f.name === name)!.type)]));
      await input.close();
      expect(seen).toEqual(c.types);
      expect(await readerOf(c.file, c.options)).toBe(c.path);
      expect(JSON.stringify(await run(c.file, c.options))).toBe(await plainReport(c));
    },
  );

  it("reads the Parquet string labels through the lean reader to the report of parquet-wasm's path", async () => {
    const strings = manifest.cases.filter((c) => c.file.endsWith('.parquet') && /Utf8/.test(Object.values(c.types).join()));
    expect(strings.map((c) => c.file).sort()).toEqual(['mc_dict_int8_largeutf8.parquet', 'mc_polars.parquet']);
    for (const c of strings) {
      expect(c.path).toBe('parquet-lean');
      const lean = JSON.stringify(await run(c.file, c.options));
      process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
      try {
        expect(await readerOf(c.file, c.options)).toBe('parquet');
        expect(JSON.stringify(await run(c.file, c.options)), c.file).toBe(lean);
      } finally {
        delete process.env.FOCAL_EVAL_PARQUET_READER;
      }
    }
  });

  it('reads LargeList<Bool> targets as multilabel, on the pool too', async () => {
    for (const file of ['ml_large_list.arrow', 'ml_polars.arrow']) {
      const report = await evaluate(typed(file), { alpha: 'auto', threads: 2 });
      expect(report.mode).toBe('multilabel');
      expect(JSON.stringify(report)).toBe(JSON.stringify(await run(file, {})));
    }
  });
});

/** Rows of a plain twin: its predictions and labels as plain arrays. */
function rowsOf(t: Table, pred: string): { values: (number[] | number | null)[]; labels: unknown[] } {
  const values = [...t.getChild(pred)!].map((v) => (v === null ? null : typeof v === 'number' ? v : Array.from(v as Iterable<number>)));
  const labels = [...t.getChild('label')!].map((v) => (v === null || typeof v !== 'object' ? v : Array.from(v as Iterable<boolean>)));
  return { values, labels };
}

const PARAMS = { gamma: 2, epsilon: 1e-7 };
const STATS_KEYS = ['count', 'sumCE', 'sumFL', 'sumLoss', 'meanCE', 'meanLoss', 'meanPt', 'easy', 'hard', 'easyShareCE', 'easyShareFL', 'histogram'];
const pick = (stats: object): Record<string, unknown> =>
  Object.fromEntries(STATS_KEYS.map((k) => [k, (stats as Record<string, unknown>)[k]]));

describe('the plain twins against the reference', () => {
  it.each([
    ['mc_plain.arrow', 'probs', 'probs', 'multiclass'],
    ['mc64_plain.arrow', 'logits', 'logits', 'multiclass'],
    ['mc_empty_first_plain.arrow', 'probs', 'probs', 'multiclass'],
    ['ml_plain.arrow', 'logits', 'logits', 'multilabel'],
    ['bin_plain.arrow', 'prob', 'probs', 'binary'],
  ] as const)('%s', async (file, pred, input, mode) => {
    const { values, labels } = rowsOf(tableFromIPC(readFileSync(typed(file))), pred);
    const units: RefScored[] = [];
    let ignored = 0;
    values.forEach((v, i) => {
      const y = labels[i];
      if (y === null) return void ignored++;
      if (mode === 'multilabel') {
        (v as number[]).forEach((z, c) => units.push({ ...refBinaryUnit(z, Number((y as boolean[])[c]), input, PARAMS), group: c, weight: 1 }));
      } else if (mode === 'binary') {
        units.push({ ...refBinaryUnit(v as number, Number(y), input, PARAMS), group: Number(y), weight: 1 });
      } else {
        units.push({ ...refMulticlassUnit(v as number[], Number(y), input, PARAMS), group: Number(y), weight: 1 });
      }
    });
    const report = await evaluate(typed(file), { threads: 1 });
    expect(report).toMatchObject({ mode, input, rows: values.length, ignored, invalid: 0, scored: units.length });
    expect(mismatches(pick(report.total), refStats(units, 0.5, 20))).toEqual([]);
    report.classes.forEach((cls, c) => {
      expect(mismatches(pick(cls), refStats(units.filter((u) => u.group === c), 0.5, 20)), `class ${c}`).toEqual([]);
    });
  });
});

/** The DataError a run stops with. */
async function dataErrorOf(file: string, options: OptionsInput = {}): Promise<DataError> {
  try {
    await evaluate(typed(file), { ...options, threads: 1 });
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error(`${file} scored without an error`);
}

describe('a file apache-arrow must read and cannot', () => {
  it('is one line naming the columns it cannot read, exit 1, before any batch is read', async () => {
    await requireBuild();
    const file = typed('unreadable_by_arrow.arrow');
    const run = await cli(['score', file, '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `focal-eval: ${file}: its scored columns "probs" and "label" are read through apache-arrow, which cannot read column "view" (ListView<Float64>) of this file; ` +
        'write the file without those columns, or with the scored columns first and in plain types (numbers, lists of them, Utf8 or a dictionary of Utf8 labels)\n',
    );
  });
});

describe('64-bit labels out of range', () => {
  beforeAll(requireBuild);

  it('stops at an Int64 label of C, then names 2^53 + 1 and -2^63 exactly, never wrapped', async () => {
    expect((await dataErrorOf('label_int64_beyond_c.arrow')).location).toMatchObject({ row: 2, column: 'label', value: 4 });
    const beyond = await dataErrorOf('label_int64_beyond_2p53.arrow');
    expect(beyond.location).toMatchObject({ row: 3, column: 'label', reason: 'label outside [0, C)', value: 2n ** 53n + 1n });
    expect(beyond.message).toContain('(value: 9007199254740993)');
    const skipped = await evaluate(typed('label_int64_beyond_2p53.arrow'), { onInvalid: 'skip', threads: 1 });
    expect(skipped).toMatchObject({ rows: 8, scored: 5, invalid: 3 });
  });

  it('names a Uint64 label of 2^64 - 1 exactly', async () => {
    expect((await dataErrorOf('label_uint64_max.arrow')).location).toMatchObject({ row: 1, value: 2n ** 64n - 1n });
  });

  it('prints the exact value on the command line, as digits in the JSON error', async () => {
    const r = await cli(['score', typed('label_int64_beyond_2p53.arrow'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid row 3 (batch 0, row 3), column "label": label outside [0, C) (value: 9007199254740993)');
    expect(JSON.parse(r.stdout.toString()).error).toMatchObject({ row: 3, value: '9007199254740993' });
  });
});

describe('a List whose first batches have no width', () => {
  it('is scored from an IPC file, a stream and Parquet, each batch in order', async () => {
    const plain = JSON.stringify(await evaluate(typed('mc_empty_first_plain.arrow'), { threads: 1 }));
    for (const file of ['mc_empty_first_list.arrow', 'mc_empty_first_large_list.arrows', 'mc_empty_first_large_list.parquet']) {
      expect(JSON.stringify(await evaluate(typed(file), { threads: 1 })), file).toBe(plain);
    }
  });

  it('goes through the stage (--emit): the batches held for the width come out in order', async () => {
    for (const file of ['mc_empty_first_list.arrow', 'mc_empty_first_large_list.arrows']) {
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (chunk: Buffer) => chunks.push(chunk));
      const report = await emitScored(typed(file), sink, { threads: 1 });
      expect(JSON.stringify(report)).toBe(JSON.stringify(await evaluate(typed(file), { threads: 1 })));
      const out = [...RecordBatchReader.from(Buffer.concat(chunks))];
      expect(out.map((b) => b.numRows)).toEqual([0, 4, 16, 16]);
      // Scored rows have a p_t; the ignored ones (null labels) a null.
      expect(out.map((b) => b.getChild('p_t')!.nullCount)).toEqual(out.map((b) => b.getChild('label')!.nullCount));
    }
  });

  it('still stops with the clear error when no batch has a non-null row', async () => {
    const bytes = readFileSync(typed('mc_empty_first_large_list.arrows'));
    const batches = [...RecordBatchReader.from(bytes)].slice(0, 2); // the empty batch and the null rows
    await expect(evaluate(batches, { threads: 1 })).rejects.toThrow(
      new FocalEvalError(
        'E_SCHEMA',
        'batches: column "probs": expected a LargeList<Float32> whose width is known: give --class-names or data with a non-null row, ' +
          'found no batch with a non-null row',
      ),
    );
  });
});

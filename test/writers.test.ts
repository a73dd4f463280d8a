/**
 * Real files from the writers our users use (pyarrow, pandas, polars, DuckDB; written by
 * scripts/writer-fixtures.py into test/fixtures/writers/, which manifest.json describes), scored
 * through evaluate() with the options the manifest gives. A file all of whose `needs` are
 * SUPPORTED must give its dataset's expected report (computed in float64 by the script, straight
 * from the spec's formulas) and the report of the dataset's plain uncompressed pyarrow IPC file;
 * a file that needs something not supported yet must fail cleanly: a FocalEvalError E_INPUT or
 * E_SCHEMA whose message is one line and names the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FocalEvalError } from '../src/errors.ts';
import { evaluate } from '../src/evaluate.ts';
import type { Report } from '../src/report/schema.ts';
import { batchKinds } from './support/batchKinds.ts';
import { FIXTURES } from './support/fixtures.ts';
import { mismatches } from './support/tolerance.ts';

/** The features a file may need beyond what focal-eval read when the fixtures were made. */
const NEEDS = [
  'lz4',
  'zstd',
  'large_list',
  'large_utf8',
  'utf8_view',
  'dict_large_utf8',
  'dict_utf8_view',
  'int64_label',
  'unsigned_label',
  'bool_target',
  'list_width_later_batch',
] as const;
type Need = (typeof NEEDS)[number] | `parquet_codec_${string}`;

/**
 * What the code reads now. Int64 and unsigned labels and bool targets were read already when the
 * fixtures were made (no file needs them); add each feature here as it lands.
 */
const SUPPORTED: readonly Need[] = [
  'int64_label',
  'unsigned_label',
  'bool_target',
  'large_list',
  'large_utf8',
  'utf8_view',
  'dict_large_utf8',
  'dict_utf8_view',
  'list_width_later_batch',
  'lz4',
  'zstd',
];

interface Block {
  count: number;
  sumCE: number;
  sumFL: number;
}
type Stats = Block & { easy: Block };

interface Dataset {
  mode: Report['mode'];
  input: Report['input'];
  classNames: string[];
  rows: number;
  reference: string;
  expected: {
    rows: number;
    scored: number;
    ignored: number;
    invalid: number;
    total: Stats;
    classes: (Stats & { index: number; positive?: Stats; negative?: Stats })[];
  };
}

interface Entry {
  file: string;
  writer: string;
  dataset: string;
  evaluate: { classNames?: string[] };
  types: { pred: string; label: string };
  codec: string | null;
  sameRows: boolean;
  needs: Need[];
}

interface Manifest {
  expectedParameters: { gamma: number; alpha: null; epsilon: number; easyThreshold: number; ignoreIndex: number };
  datasets: Record<string, Dataset>;
  files: Entry[];
}

const DIR = join(FIXTURES, 'writers');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;
const path = (file: string): string => join(DIR, file);
const isSupported = (entry: Entry): boolean => entry.needs.every((need) => SUPPORTED.includes(need));
const datasetOf = (entry: Entry): Dataset => manifest.datasets[entry.dataset]!;

/** The options the expected values were computed with (the defaults) and the entry's own. */
function optionsOf(entry: Entry) {
  const p = manifest.expectedParameters;
  return { ...entry.evaluate, gamma: p.gamma, epsilon: p.epsilon, easyThreshold: p.easyThreshold, ignoreIndex: p.ignoreIndex, threads: 1 };
}

/** The part of `actual` that `shape` has keys for (the manifest keeps a few fields per block). */
function project(actual: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) return Array.isArray(actual) ? shape.map((s, i) => project(actual[i], s)) : actual;
  if (shape === null || typeof shape !== 'object' || actual === null || typeof actual !== 'object') return actual;
  const a = actual as Record<string, unknown>;
  return Object.fromEntries(Object.keys(shape).map((k) => [k, project(a[k], (shape as Record<string, unknown>)[k])]));
}

/** Each dataset's plain uncompressed pyarrow IPC file, scored once. */
const references = new Map<string, Promise<Report>>();
function referenceReport(entry: Entry): Promise<Report> {
  const dataset = datasetOf(entry);
  const reference = manifest.files.find((f) => f.file === dataset.reference)!;
  let report = references.get(entry.dataset);
  if (!report) references.set(entry.dataset, (report = evaluate(path(reference.file), optionsOf(reference))));
  return report;
}

describe('the manifest', () => {
  it('describes every file in test/fixtures/writers and only those', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'manifest.json').sort();
    expect(manifest.files.map((f) => f.file).sort()).toEqual(files);
  });

  it('names its needs from the vocabulary, and its datasets', () => {
    for (const entry of manifest.files) {
      expect(manifest.datasets[entry.dataset], entry.file).toBeDefined();
      for (const need of entry.needs) {
        expect((NEEDS as readonly string[]).includes(need) || /^parquet_codec_[a-z0-9]+$/.test(need), `${entry.file}: ${need}`).toBe(true);
      }
    }
  });

  it("gives each dataset a plain uncompressed pyarrow IPC file of it that needs nothing as its reference", () => {
    for (const [name, dataset] of Object.entries(manifest.datasets)) {
      const reference = manifest.files.find((f) => f.file === dataset.reference);
      expect(reference, name).toMatchObject({ writer: 'pyarrow', dataset: name, codec: null, needs: [] });
      expect(dataset.expected.rows).toBe(dataset.rows);
    }
  });
});

describe('files whose needs are supported give the dataset\'s expected report', () => {
  const entries = manifest.files.filter(isSupported);
  it.each(entries.map((e) => [e.file, e] as const))('%s', async (_, entry) => {
    const dataset = datasetOf(entry);
    const report = await evaluate(path(entry.file), optionsOf(entry));
    expect({ mode: report.mode, input: report.input }).toEqual({ mode: dataset.mode, input: dataset.input });
    expect(report.classes.map((c) => c.name)).toEqual(dataset.classNames);
    // Counts exactly, sums within the spec's tolerance, against the float64 reference.
    expect(mismatches(project(report, dataset.expected), dataset.expected)).toEqual([]);
    // The whole report (histograms, means, alpha estimates too) as the plain pyarrow file's.
    if (entry.sameRows) expect(mismatches(report, await referenceReport(entry))).toEqual([]);
  });
});

describe('Parquet string labels are read by the lean reader', () => {
  const entries = manifest.files.filter((e) => e.file.endsWith('.parquet') && /string|dictionary/.test(e.types.label));
  it('the writers wrote such files: pyarrow, pandas, polars, DuckDB', () => {
    expect(new Set(entries.map((e) => e.writer))).toEqual(new Set(['pyarrow', 'pandas', 'polars', 'duckdb']));
  });
  it.each(entries.map((e) => [e.file, e] as const))("%s: through the lean reader, to the report of parquet-wasm's path, with and without --class-names", async (_, entry) => {
    const file = path(entry.file);
    const variants = [optionsOf(entry)];
    // A dictionary label names its classes itself.
    if (entry.types.label.startsWith('dictionary')) variants.push({ ...optionsOf(entry), classNames: undefined });
    for (const options of variants) {
      expect(await batchKinds(file, options)).toEqual(['parquet-lean']);
      const lean = JSON.stringify(await evaluate(file, options));
      process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
      try {
        expect(await batchKinds(file, options)).toEqual(['parquet']);
        expect(JSON.stringify(await evaluate(file, options))).toBe(lean);
      } finally {
        delete process.env.FOCAL_EVAL_PARQUET_READER;
      }
    }
  });
});

describe('files that need what is not supported yet fail cleanly', () => {
  const entries = manifest.files.filter((e) => !isSupported(e));
  // Every need of the vocabulary is supported today: then this says so, and the cases below are none.
  it('lists the files whose needs are not all supported (none today)', () => {
    expect(entries.map((e) => e.file)).toEqual([]);
  });
  it.skipIf(entries.length === 0).each(entries.map((e) => [`${e.file} (${e.needs.join(', ')})`, e] as const))(
    '%s: E_INPUT or E_SCHEMA, one line naming the file',
    async (_, entry) => {
      const file = path(entry.file);
      const error = await evaluate(file, optionsOf(entry)).then(
        (report) => new Error(`no error: a report of ${report.rows} rows`),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FocalEvalError);
      const { code, message } = error as FocalEvalError;
      expect({ code, message }).toMatchObject({ code: expect.stringMatching(/^E_(INPUT|SCHEMA)$/) });
      expect(message).not.toMatch(/\n/);
      expect(message).toContain(file);
    },
  );
});

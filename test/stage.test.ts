/**
 * The pipeline stage (spec §5): focalStage is a Transform of RecordBatches that appends p_t, ce,
 * focal_loss and easy (binary, multiclass) or focal_loss_per_class and focal_loss (multilabel) to
 * every batch. The values are checked row by row against the suite's float64 reference of the
 * spec's formulas (test/support/reference.ts); the batches against the input (order, count,
 * columns, empty batches, at one and two threads); the report against evaluate; and the stage's
 * memory against a slow consumer.
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Float32,
  Float64,
  Int32,
  RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Table,
  tableFromIPC,
  type Vector,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { toSavedAlphas } from '../src/alpha/saved.ts';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError, UsageError } from '../src/errors.ts';
import { focalStage, type StageOptions } from '../src/stage/stage.ts';
import type { Report } from '../src/report/schema.ts';
import { fixedFloats, fixedInt8, table, types, vec } from './support/arrow.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';
import { DumpMaker, ipcBytes, makeBatches } from './support/dumps.ts';
import { refAlpha, refBinaryUnit, refMulticlassUnit, refMultilabelAlpha } from './support/reference.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Sends batches through a stage into a collecting sink; resolves to the output batches and the report. */
async function runStage(
  batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
  options: StageOptions,
): Promise<{ out: RecordBatch[]; report: Report }> {
  const stage = focalStage(options);
  const out: RecordBatch[] = [];
  const sink = new Writable({
    objectMode: true,
    write(batch: RecordBatch, _encoding, callback) {
      out.push(batch);
      callback();
    },
  });
  await pipeline(Readable.from(batches), stage, sink);
  return { out, report: await stage.report };
}

// ---------------------------------------------------------------------------------------------
// The per-row values are checked against the suite's float64 reference (test/support/reference.ts).

type Mode = 'binary' | 'multiclass' | 'multilabel';
type Input = 'probs' | 'logits';

/** The stage runs with the default epsilon. */
const EPS = 1e-7;

/** |actual - expected| within `rel` of expected (an absolute floor for values near 0). */
function near(actual: number, expectedValue: number, rel = 1e-12): boolean {
  return Math.abs(actual - expectedValue) <= rel * Math.abs(expectedValue) + 1e-300;
}

// ---------------------------------------------------------------------------------------------
// Hand-made inputs with random rows, extremes, and rows that are ignored or invalid.

interface Case {
  mode: Mode;
  input: Input;
  batches: RecordBatch[];
  /** What each row is expected to be, in input order. */
  kinds: ('scored' | 'ignored' | 'invalid')[];
}

/** Splits rows into batches: the first `head`, an empty batch (a zero-row slice), the rest. */
function splitRows(columns: (lo: number, hi: number) => Record<string, Vector>, n: number, head: number): RecordBatch[] {
  const part = (lo: number, hi: number): RecordBatch => table(columns(lo, hi)).batches[0]!;
  const first = part(0, head);
  return [first, first.slice(0, 0), part(head, n)];
}

function binaryCase(input: Input): Case {
  const r = rng(input === 'probs' ? 11 : 12);
  const preds: (number | null)[] = [];
  const labels: (number | null)[] = [];
  const kinds: Case['kinds'] = [];
  for (let i = 0; i < 40; i++) {
    preds.push(input === 'probs' ? r() : 16 * r() - 8);
    labels.push(r() < 0.4 ? 1 : 0);
    kinds.push('scored');
  }
  const extremes = input === 'probs' ? [0, 1, 0, 1, 1e-9, 0.5] : [-40, 40, 40, -40, 0, 1e-6];
  extremes.forEach((v, k) => {
    preds.push(v);
    labels.push(k % 2);
    kinds.push('scored');
  });
  const special: [number | null, number | null, Case['kinds'][number]][] = [
    [0.3, null, 'ignored'],
    [0.3, -100, 'ignored'],
    [NaN, -100, 'ignored'], // an ignored row is not validated further
    [NaN, 1, 'invalid'],
    [null, 0, 'invalid'],
    [0.3, 2, 'invalid'],
    [input === 'probs' ? 1.5 : Infinity, 1, 'invalid'],
  ];
  for (const [p, y, kind] of special) {
    preds.push(p);
    labels.push(y);
    kinds.push(kind);
  }
  const name = input === 'probs' ? 'prob' : 'logit';
  const batches = splitRows(
    (lo, hi) => ({ [name]: vec(preds.slice(lo, hi), new Float64()), label: vec(labels.slice(lo, hi), new Int32()) }),
    preds.length,
    20,
  );
  return { mode: 'binary', input, batches, kinds };
}

function multiclassCase(input: Input): Case {
  const C = 3;
  const r = rng(input === 'probs' ? 21 : 22);
  const preds: (number[] | null)[] = [];
  const labels: (number | null)[] = [];
  const kinds: Case['kinds'] = [];
  for (let i = 0; i < 40; i++) {
    const raw = [r(), r(), r()];
    const total = raw[0]! + raw[1]! + raw[2]!;
    preds.push(input === 'probs' ? raw.map((v) => v / total) : raw.map((v) => 12 * v - 6));
    labels.push(Math.floor(r() * C));
    kinds.push('scored');
  }
  const extremes =
    input === 'probs'
      ? [[1, 0, 0], [1, 0, 0], [0.2, 0.2, 0.2]] // clamped both ways; not renormalised
      : [[50, -50, 0], [50, -50, 0], [0, 0, 0]];
  extremes.forEach((v, k) => {
    preds.push(v);
    labels.push(k === 1 ? 1 : 0);
    kinds.push('scored');
  });
  const special: [number[] | null, number | null, Case['kinds'][number]][] = [
    [[0.2, 0.3, 0.5], null, 'ignored'],
    [[0.2, 0.3, 0.5], -100, 'ignored'],
    [[0.2, NaN, 0.5], 0, 'invalid'], // every entry is checked, not only the true class
    [null, 1, 'invalid'],
    [[0.2, 0.3, 0.5], 3, 'invalid'],
    [input === 'probs' ? [-0.1, 0.6, 0.5] : [0, -Infinity, 1], 2, 'invalid'],
  ];
  for (const [p, y, kind] of special) {
    preds.push(p);
    labels.push(y);
    kinds.push(kind);
  }
  const name = input === 'probs' ? 'probs' : 'logits';
  const batches = splitRows(
    (lo, hi) => ({ [name]: vec(preds.slice(lo, hi), fixedFloats(C)), label: vec(labels.slice(lo, hi), new Int32()) }),
    preds.length,
    17,
  );
  return { mode: 'multiclass', input, batches, kinds };
}

function multilabelCase(input: Input): Case {
  const C = 3;
  const r = rng(input === 'probs' ? 31 : 32);
  const preds: (number[] | null)[] = [];
  const targets: ((number | null)[] | null)[] = [];
  const kinds: Case['kinds'] = [];
  for (let i = 0; i < 40; i++) {
    preds.push(Array.from({ length: C }, () => (input === 'probs' ? r() : 14 * r() - 7)));
    targets.push(Array.from({ length: C }, () => (r() < 0.35 ? 1 : 0)));
    kinds.push('scored');
  }
  preds.push(input === 'probs' ? [0, 1, 1e-9] : [-40, 40, 0]);
  targets.push([1, 0, 1]);
  kinds.push('scored');
  const special: [number[] | null, (number | null)[] | null, Case['kinds'][number]][] = [
    [[0.2, 0.3, 0.5], null, 'ignored'],
    [[0.2, 0.3, 0.5], [1, null, 0], 'invalid'],
    [[0.2, 0.3, 0.5], [1, 2, 0], 'invalid'],
    [[0.2, NaN, 0.5], [1, 0, 0], 'invalid'],
    [null, [1, 0, 0], 'invalid'],
  ];
  for (const [p, t, kind] of special) {
    preds.push(p);
    targets.push(t);
    kinds.push(kind);
  }
  const name = input === 'probs' ? 'probs' : 'logits';
  const batches = splitRows(
    (lo, hi) => ({ [name]: vec(preds.slice(lo, hi), fixedFloats(C)), label: vec(targets.slice(lo, hi), fixedInt8(C)) }),
    preds.length,
    23,
  );
  return { mode: 'multilabel', input, batches, kinds };
}

function caseOf(mode: Mode, input: Input): Case {
  return mode === 'binary' ? binaryCase(input) : mode === 'multiclass' ? multiclassCase(input) : multilabelCase(input);
}

/** Input and output rows, concatenated across batches. */
function rowsOf(batches: readonly RecordBatch[]): { input: RecordBatch; row: number }[] {
  return batches.flatMap((batch) => Array.from({ length: batch.numRows }, (_, row) => ({ input: batch, row })));
}

/** A column's values as plain JS (lists as arrays), for comparing columns. */
function plain(vector: Vector): unknown[] {
  return Array.from({ length: vector.length }, (_, i) => {
    const v = vector.get(i) as unknown;
    return v !== null && typeof v === 'object' ? Array.from((v as Vector).toArray() as ArrayLike<number>) : v;
  });
}

function predValues(batch: RecordBatch, row: number): number[] {
  const column = batch.schema.fields[0]!.name;
  const v = batch.getChild(column)!.get(row) as number | Vector<Float32> | null;
  return typeof v === 'number' ? [v] : Array.from(v!.toArray() as Float32Array);
}

function labelValue(batch: RecordBatch, row: number): number {
  return batch.getChild('label')!.get(row) as number;
}

function targetValues(batch: RecordBatch, row: number): number[] {
  return Array.from((batch.getChild('label')!.get(row) as Vector).toArray() as Int8Array);
}

const ALPHAS: Record<Mode, { scalar: number; list: number[] }> = {
  binary: { scalar: 0.25, list: [0.3, 1.7] },
  multiclass: { scalar: 0.25, list: [0.5, 2, 1.25] },
  multilabel: { scalar: 0.25, list: [0.2, 0.6, 0.9] },
};

const MATRIX = (['binary', 'multiclass', 'multilabel'] as const).flatMap((mode) =>
  (['probs', 'logits'] as const).flatMap((input) =>
    (['scalar', 'list'] as const).map((alphaKind) => ({ mode, input, alphaKind, gamma: alphaKind === 'scalar' ? 2 : 1.5 })),
  ),
);

/** The binary and multiclass rows of MATRIX. */
const SINGLE_LABEL = MATRIX.filter((m): m is (typeof MATRIX)[number] & { mode: 'binary' | 'multiclass' } => m.mode !== 'multilabel');

describe('focalStage: the per-row columns', () => {
  it.each(SINGLE_LABEL)(
    '$mode $input, $alphaKind alpha, gamma $gamma: p_t, ce, focal_loss and easy match a float64 reference',
    async ({ mode, input, alphaKind, gamma }) => {
      const c = caseOf(mode, input);
      const alpha = ALPHAS[mode][alphaKind];
      const { out } = await runStage(c.batches, { threads: 1, gamma, alpha, onInvalid: 'skip' });
      const params = { gamma, epsilon: EPS };
      // The rows come from the wasm kernel's pass. Its multiclass logits take each e^{d_k} within
      // e = 6e-10 (multiclass.as): p_t within 2e, ce within e, fl within (2 gamma + 1) e. The other
      // kernels' exp and log are within a few ulp.
      const rel = mode === 'multiclass' && input === 'logits' ? (2 * gamma + 1) * 6e-10 : 1e-12;
      const problems: string[] = [];
      rowsOf(out).forEach(({ input: batch, row }, i) => {
        if (c.kinds[i] !== 'scored') return;
        const values = predValues(batch, row);
        const y = labelValue(batch, row);
        const ref = mode === 'binary' ? refBinaryUnit(values[0]!, y, input, params) : refMulticlassUnit(values, y, input, params);
        const loss = refAlpha(alpha, mode, y) * ref.fl;
        const got = {
          pt: batch.getChild('p_t')!.get(row) as number,
          ce: batch.getChild('ce')!.get(row) as number,
          loss: batch.getChild('focal_loss')!.get(row) as number,
          easy: batch.getChild('easy')!.get(row) as boolean,
        };
        if (!near(got.pt, ref.pt, rel)) problems.push(`row ${i}: p_t ${got.pt}, expected ${ref.pt}`);
        if (!near(got.ce, ref.ce, rel)) problems.push(`row ${i}: ce ${got.ce}, expected ${ref.ce}`);
        if (!near(got.loss, loss, rel)) problems.push(`row ${i}: focal_loss ${got.loss}, expected ${loss}`);
        if (Math.abs(ref.pt - 0.5) > 1e-12 && got.easy !== ref.pt >= 0.5) problems.push(`row ${i}: easy ${got.easy} with p_t ${ref.pt}`);
      });
      expect(problems).toEqual([]);
      expect(c.kinds.filter((k) => k === 'scored').length).toBeGreaterThan(40);
    },
  );

  it.each(MATRIX.filter((m) => m.mode === 'multilabel'))(
    'multilabel $input, $alphaKind alpha, gamma $gamma: focal_loss_per_class within float32 rounding, focal_loss the row sum',
    async ({ input, alphaKind, gamma }) => {
      const c = caseOf('multilabel', input);
      const alpha = ALPHAS.multilabel[alphaKind];
      const { out } = await runStage(c.batches, { threads: 1, gamma, alpha, onInvalid: 'skip' });
      expect(out[0]!.schema.fields.find((f) => f.name === 'focal_loss_per_class')!.type.toString()).toBe('FixedSizeList[3]<Float32>');
      const params = { gamma, epsilon: EPS };
      const problems: string[] = [];
      rowsOf(out).forEach(({ input: batch, row }, i) => {
        if (c.kinds[i] !== 'scored') return;
        const values = predValues(batch, row);
        const targets = targetValues(batch, row);
        const losses = values.map((v, k) => refMultilabelAlpha(alpha, k, targets[k]!) * refBinaryUnit(v, targets[k]!, input, params).fl);
        const perClass = Array.from((batch.getChild('focal_loss_per_class')!.get(row) as Vector<Float32>).toArray() as Float32Array);
        perClass.forEach((got, k) => {
          // Within float32 rounding of the float64 value: half an ulp, and a little for the float64 path.
          if (!near(got, losses[k]!, 2 ** -23)) problems.push(`row ${i} class ${k}: ${got}, expected ${losses[k]}`);
        });
        const rowLoss = batch.getChild('focal_loss')!.get(row) as number;
        const sum = losses.reduce((a, b) => a + b, 0);
        if (!near(rowLoss, sum, 1e-12)) problems.push(`row ${i}: focal_loss ${rowLoss}, expected the sum ${sum}`);
      });
      expect(problems).toEqual([]);
    },
  );

  it('with gamma 0 and no alpha, focal_loss equals ce', async () => {
    const c = multiclassCase('logits');
    const { out } = await runStage(c.batches, { threads: 1, gamma: 0, onInvalid: 'skip' });
    const rows = rowsOf(out).filter((_, i) => c.kinds[i] === 'scored');
    for (const { input: batch, row } of rows) {
      expect(batch.getChild('focal_loss')!.get(row)).toBe(batch.getChild('ce')!.get(row));
    }
  });

  it.each(['binary', 'multiclass', 'multilabel'] as const)(
    '%s: ignored and skipped rows get nulls (never NaN) in every added column, scored rows none',
    async (mode) => {
      const c = caseOf(mode, 'probs');
      const { out } = await runStage(c.batches, { threads: 1, onInvalid: 'skip', alpha: 0.25 });
      const added = mode === 'multilabel' ? ['focal_loss_per_class', 'focal_loss'] : ['p_t', 'ce', 'focal_loss', 'easy'];
      const problems: string[] = [];
      rowsOf(out).forEach(({ input: batch, row }, i) => {
        const scored = c.kinds[i] === 'scored';
        for (const name of added) {
          const column = batch.getChild(name)!;
          const value = column.get(row) as unknown;
          if (scored === (value === null)) problems.push(`row ${i} (${c.kinds[i]}): ${name} = ${String(value)}`);
          if (typeof value === 'number' && Number.isNaN(value)) problems.push(`row ${i}: ${name} is NaN`);
        }
      });
      expect(problems).toEqual([]);
      // Not even the storage under a null holds a NaN (readers that ignore validity see numbers).
      for (const batch of out) {
        for (const name of added) {
          for (const data of batch.getChild(name)!.data) {
            const values = (name === 'focal_loss_per_class' ? data.children[0]!.values : data.values) as ArrayLike<number>;
            if (name !== 'easy') expect(Array.from(values).some(Number.isNaN)).toBe(false);
          }
        }
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Batches, the report, errors, backpressure, and apache-arrow's Node streams.

describe('focalStage: batches and report', () => {
  it.each([1, 2])('keeps rows, their order, the input columns and one output batch per input batch, empty ones too (threads %i)', async (threads) => {
    const batches = makeBatches({ mode: 'multiclass', input: 'logits', classes: 4, nullLabelEvery: 13 }, [0, 700, 0, 1500, 1, 0, 2000, 0]);
    const { out } = await runStage(batches, { threads });
    expect(out.map((b) => b.numRows)).toEqual(batches.map((b) => b.numRows));
    out.forEach((batch, k) => {
      const input = batches[k]!;
      expect(batch.schema.fields.map((f) => f.name)).toEqual(['id', 'logits', 'label', 'p_t', 'ce', 'focal_loss', 'easy']);
      expect(batch.schema.fields.slice(3).map((f) => String(f.type))).toEqual(['Float64', 'Float64', 'Float64', 'Bool']);
      for (const name of ['id', 'logits', 'label']) {
        expect(plain(batch.getChild(name)!)).toEqual(plain(input.getChild(name)!));
      }
    });
    const ids = out.flatMap((b) => Array.from(b.getChild('id')!.toArray() as Int32Array));
    expect(ids).toEqual(Array.from({ length: 4201 }, (_, i) => i));
  });

  const REPORT_CASES: { name: string; spec: Parameters<typeof makeBatches>[0]; options: StageOptions }[] = [
    { name: 'binary probs, scalar alpha, 2 threads', spec: { mode: 'binary', input: 'probs', nullLabelEvery: 9, ignoreEvery: 7 }, options: { alpha: 0.25, threads: 2 } },
    { name: 'multiclass logits, alpha list, 1 thread', spec: { mode: 'multiclass', input: 'logits', classes: 4 }, options: { alpha: [1, 2, 3, 4], gamma: 1.5, threads: 1 } },
    { name: 'multiclass dictionary labels, 2 threads', spec: { mode: 'multiclass', input: 'probs', classes: 3, labels: 'dictionary', nullLabelEvery: 5 }, options: { threads: 2 } },
    { name: 'multilabel logits, scalar alpha, 2 threads', spec: { mode: 'multilabel', input: 'logits', classes: 6, nullLabelEvery: 11 }, options: { alpha: 0.3, histogramBins: 7, threads: 2 } },
  ];

  it.each(REPORT_CASES)('stage.report equals evaluate on the same batches: $name', async ({ spec, options }) => {
    const batches = makeBatches(spec, [1000, 0, 2500, 333, 4000]);
    const { report } = await runStage(batches, options);
    expect(JSON.stringify(report)).toBe(JSON.stringify(await evaluate(batches, options)));
  });

  it('with alpha "auto" and saved alphaEstimates, the report equals evaluate with alpha "auto" on the same data', async () => {
    const batches = makeBatches({ mode: 'multilabel', input: 'probs', classes: 4 }, [800, 1200]);
    const first = await evaluate(batches, { threads: 1, alpha: 'auto', alphaScheme: 'balanced' });
    const alphaEstimates = toSavedAlphas(first.alphaEstimates, first.mode, first.classes.map((c) => c.name), first.options.beta);
    const { report, out } = await runStage(batches, { threads: 1, alpha: 'auto', alphaScheme: 'balanced', alphaEstimates });
    expect(JSON.stringify(report)).toBe(JSON.stringify(first));
    // The emitted losses carry the same alphas: their total is the report's sumLoss.
    let total = 0;
    for (const b of out) for (const v of b.getChild('focal_loss')!) total += v ?? 0;
    expect(near(total, report.total.sumLoss, 1e-9)).toBe(true);
  });

  it('rejects an input that already has a focal_loss column, naming it', async () => {
    const t = table({ probs: vec([[0.9, 0.1]], fixedFloats(2)), label: vec([0], types.i32()), focal_loss: vec([1], types.f64()) });
    const stage = focalStage({ threads: 1 });
    const run = pipeline(Readable.from(t.batches), stage, new Writable({ objectMode: true, write: (_b, _e, cb) => cb() }));
    await expect(run).rejects.toThrow(/"focal_loss"/);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(stage.report).rejects.toThrow(/focal_loss/);
  });

  it('throws a UsageError for alpha "auto" without alphaEstimates', () => {
    expect(() => focalStage({ alpha: 'auto' })).toThrow(UsageError);
    expect(() => focalStage({ alpha: 'auto' })).toThrow(/alphaEstimates/);
  });

  it('fails with the data error of an invalid row and rejects stage.report', async () => {
    const c = multiclassCase('probs');
    const stage = focalStage({ threads: 2 });
    const run = pipeline(Readable.from(c.batches), stage, new Writable({ objectMode: true, write: (_b, _e, cb) => cb() }));
    await expect(run).rejects.toMatchObject({ code: 'E_DATA', location: { batch: 2, row: 45 - 17, globalRow: 45 } });
    await expect(stage.report).rejects.toBeInstanceOf(FocalEvalError);
  });

  it('holds the batches of a List prediction until one has a width, then sends them all out in order', async () => {
    const path = new URL('./fixtures/types/mc_empty_first_large_list.arrows', import.meta.url).pathname;
    const batches = [...RecordBatchReader.from(readFileSync(path))];
    const { out, report } = await runStage(batches, { threads: 1 });
    expect(out.map((b) => b.numRows)).toEqual([0, 4, 16, 16]);
    expect(out.map((b) => b.getChild('label')!.toArray())).toEqual(batches.map((b) => b.getChild('label')!.toArray()));
    expect(JSON.stringify(report)).toBe(JSON.stringify(await evaluate(path, { threads: 1 })));
  });

  it('fails at the end, with the plan\'s error, when no batch of a List prediction has a width', async () => {
    const path = new URL('./fixtures/types/mc_empty_first_large_list.arrows', import.meta.url).pathname;
    const batches = [...RecordBatchReader.from(readFileSync(path))].slice(0, 2);
    await expect(runStage(batches, { threads: 1, name: 'in.arrows' })).rejects.toThrow(
      /^in\.arrows: column "probs": expected a LargeList<Float32> whose width is known.*found no batch with a non-null row$/,
    );
  });

  it('keeps the batches between source and a slow sink bounded, and completes', async () => {
    const threads = 2;
    const maker = new DumpMaker({ mode: 'multiclass', input: 'logits', classes: 4, seed: 5 });
    const template = maker.batch(10_000);
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    let rows = 0;
    async function* source(): AsyncGenerator<RecordBatch> {
      for (let k = 0; k < 200; k++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield new RecordBatch(template.schema, template.data);
      }
    }
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(batch: RecordBatch, _encoding, callback) {
        setTimeout(() => {
          consumed++;
          rows += batch.numRows;
          callback();
        }, 5);
      },
    });
    const stage = focalStage({ threads });
    await pipeline(source, stage, sink);
    const report = await stage.report;
    expect({ produced, consumed, rows, reported: report.rows }).toEqual({ produced: 200, consumed: 200, rows: 2_000_000, reported: 2_000_000 });
    expect(maxAhead).toBeLessThanOrEqual(2 * threads + 8);
  });

  it('runs in stream.pipeline between RecordBatchReader.throughNode and RecordBatchStreamWriter.throughNode', async () => {
    const batches = makeBatches({ mode: 'multiclass', input: 'probs', classes: 5, nullLabelEvery: 17 }, [3000, 0, 4000, 2500]);
    const input = tmp.write('through.arrows', ipcBytes(batches, 'stream'));
    const output = tmp.path('through.out.arrows');
    const stage = focalStage({ threads: 2, alpha: [1, 1, 2, 2, 3] });
    await pipeline(
      createReadStream(input),
      RecordBatchReader.throughNode(),
      stage,
      RecordBatchStreamWriter.throughNode(),
      createWriteStream(output),
    );
    const report = await stage.report;
    expect(JSON.stringify(report)).toBe(JSON.stringify(await evaluate(input, { threads: 1, alpha: [1, 1, 2, 2, 3] })));
    const reader = RecordBatchReader.from(readFileSync(output));
    const written = [...reader];
    expect(written.map((b) => b.numRows)).toEqual([3000, 0, 4000, 2500]);
    const t = new Table(written);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'probs', 'label', 'p_t', 'ce', 'focal_loss', 'easy']);
    expect(t.getChild('id')!.toJSON()).toEqual(tableFromIPC(readFileSync(input)).getChild('id')!.toJSON());
    let total = 0;
    for (const v of t.getChild('focal_loss')!) total += v ?? 0;
    expect(near(total, report.total.sumLoss, 1e-9)).toBe(true);
    expect(t.getChild('focal_loss')!.nullCount).toBe(report.ignored);
  });
});

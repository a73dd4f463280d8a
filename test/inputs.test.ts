/**
 * The stage behind every input form, through the library's emitScored (what `score --emit` runs):
 * an IPC file, an IPC stream file, a Table, an (async) iterable of batches and Parquet all come
 * out as the same Arrow IPC stream with the same report. And the examples that show the stage and
 * carried alphas (examples/etl-stage.ts, examples/alphas.ts) are run as a user runs them, so that
 * they never rot.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { emitScored } from '../src/stage/emit.ts';
import type { InputSource } from '../src/input/open.ts';
import type { Report } from '../src/report/schema.ts';
import { evaluate } from '../src/evaluate.ts';
import { fixture, ROOT } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';
import { asyncBatches, ipcBytes, makeBatches, parquetBytes, sizes, tableOf } from './support/dumps.ts';
import { ipcContent } from './support/ipcContent.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Runs emitScored into memory: the IPC stream's bytes and the report. */
async function emitToMemory(source: InputSource, options: Parameters<typeof emitScored>[2]): Promise<{ bytes: Buffer; report: Report }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const report = await emitScored(source, sink, options);
  return { bytes: Buffer.concat(chunks), report };
}

function batchesOf(bytes: Uint8Array): RecordBatch[] {
  return [...RecordBatchReader.from(bytes)];
}

/** The appended columns of every batch, as plain arrays. */
function addedColumns(batches: RecordBatch[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = { p_t: [], ce: [], focal_loss: [], easy: [] };
  for (const batch of batches) for (const name of Object.keys(out)) out[name]!.push(...batch.getChild(name)!.toArray());
  return out;
}

describe('emitScored on every input form', () => {
  const N = 1_500;
  const spec = { mode: 'multiclass', input: 'logits', classes: 4, nullLabelEvery: 19, ignoreEvery: 23 } as const;
  const options = { alpha: [1, 2, 3, 4], threads: 1 };

  it('writes the same IPC stream and report from an IPC file, an IPC stream file, a Table and (async) iterables', async () => {
    const batches = makeBatches(spec, [N, 0, N, N]);
    const file = tmp.write('forms.arrow', ipcBytes(batches, 'file'));
    const stream = tmp.write('forms.arrows', ipcBytes(batches, 'stream'));
    const reference = await emitToMemory(tableOf(batches), options);
    const forms: [string, InputSource][] = [
      ['IPC file', file],
      ['IPC stream file', stream],
      ['iterable', batches],
      ['async iterable', asyncBatches(batches)],
    ];
    for (const [form, source] of forms) {
      const { bytes, report } = await emitToMemory(source, options);
      expect(JSON.stringify(report), form).toBe(JSON.stringify(reference.report));
      // An IPC file passes through (its own body layout, our headers): the same content, other bytes.
      if (form === 'IPC file') expect(ipcContent(bytes), form).toEqual(ipcContent(reference.bytes));
      else expect(bytes.equals(reference.bytes), form).toBe(true);
    }
    expect(batchesOf(reference.bytes).map((b) => b.numRows)).toEqual([N, 0, N, N]);
    expect(JSON.stringify(reference.report)).toBe(JSON.stringify(await evaluate(file, options)));
  });

  it('writes the same rows, loss columns and report from Parquet (row groups of the batch size)', async () => {
    const batches = makeBatches(spec, sizes(3, N));
    const parquet = tmp.write('forms.parquet', parquetBytes(batches, N));
    const fromParquet = await emitToMemory(parquet, options);
    const fromTable = await emitToMemory(tableOf(batches), options);
    expect(JSON.stringify(fromParquet.report)).toBe(JSON.stringify(fromTable.report));
    const [a, b] = [batchesOf(fromParquet.bytes), batchesOf(fromTable.bytes)];
    expect(a.map((x) => x.numRows)).toEqual(b.map((x) => x.numRows));
    expect(addedColumns(a)).toEqual(addedColumns(b));
    expect(a.flatMap((x) => [...x.getChild('id')!.toArray()])).toEqual(b.flatMap((x) => [...x.getChild('id')!.toArray()]));
  });

  it('gives evaluate and the stage the same report on a Parquet row group of more than one batch (65,536 rows)', async () => {
    const batches = makeBatches({ mode: 'multiclass', input: 'probs', classes: 4 }, [150_000]);
    const parquet = tmp.write('big-group.parquet', parquetBytes(batches, 150_000));
    const fromStage = await emitToMemory(parquet, { threads: 1 });
    expect(batchesOf(fromStage.bytes).map((b) => b.numRows)).toEqual([65_536, 65_536, 18_928]);
    expect(JSON.stringify(fromStage.report)).toBe(JSON.stringify(await evaluate(parquet, { threads: 1 })));
  });

  it('rejects an empty input with an input error', async () => {
    await expect(emitToMemory([], { threads: 1 })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});

describe('IPC files whose batches span several kernel chunks (read a chunk at a time)', () => {
  const specs = [
    { mode: 'multiclass', input: 'logits', classes: 4, ignoreEvery: 23 },
    { mode: 'binary', input: 'probs', ignoreEvery: 29 },
    { mode: 'multilabel', input: 'logits', classes: 9 },
  ] as const;
  const SIZES = [70_000, 33_333, 70_000];

  for (const spec of specs) {
    it(`${spec.mode} ${spec.input}: the same report as the batches given whole, at 1 and 2 threads`, async () => {
      const batches = makeBatches(spec, SIZES);
      const file = tmp.write(`chunks-${spec.mode}.arrow`, ipcBytes(batches, 'file'));
      const reference = JSON.stringify(await evaluate(tableOf(batches), { threads: 1 }));
      expect(JSON.stringify(await evaluate(file, { threads: 1 }))).toBe(reference);
      expect(JSON.stringify(await evaluate(file, { threads: 2 }))).toBe(reference);
    });
  }

  it('an invalid prediction in a later chunk of a batch is located at its batch row, and skipped alike', async () => {
    const batches = makeBatches(specs[0], SIZES);
    const row = 50_001;
    (batches[2]!.getChild('logits')!.data[0]!.children[0]!.values as Float32Array)[row * 4 + 1] = NaN;
    const file = tmp.write('chunks-invalid.arrow', ipcBytes(batches, 'file'));
    const where = { batch: 2, row, globalRow: SIZES[0]! + SIZES[1]! + row, column: 'logits' };
    await expect(evaluate(file, { threads: 2 })).rejects.toMatchObject({ code: 'E_DATA', location: where });
    await expect(evaluate(tableOf(batches), { threads: 2 })).rejects.toMatchObject({ code: 'E_DATA', location: where });
    const skipped = await evaluate(file, { threads: 2, onInvalid: 'skip' });
    expect(skipped.invalid).toBe(1);
    expect(JSON.stringify(skipped)).toBe(JSON.stringify(await evaluate(tableOf(batches), { threads: 1, onInvalid: 'skip' })));
  });
});

// ---------------------------------------------------------------------------------------------
// The examples, run as `node --import tsx examples/NAME.ts ...`.

function runExample(name: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', name), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/etl-stage.ts', () => {
  it('with no arguments scores the default fixture into a temporary IPC stream and prints the summary', async () => {
    const run = await runExample('etl-stage.ts');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const output = /appended to (\S+)/.exec(run.stdout)?.[1];
    expect(output).toBeDefined();
    try {
      const written = batchesOf(readFileSync(output!));
      const input = batchesOf(readFileSync(fixture('mc_logits_f32.arrow')));
      expect(written.map((b) => b.numRows)).toEqual(input.map((b) => b.numRows));
      expect(written[0]!.schema.fields.map((f) => f.name)).toEqual(['logits', 'label', 'p_t', 'ce', 'focal_loss', 'easy']);
    } finally {
      rmSync(dirname(output!), { recursive: true, force: true });
    }
    expect(run.stdout).toMatch(/multiclass logits: 20000 rows, 20000 units scored, 0 ignored, 0 invalid/);
    expect(run.stdout).toMatch(/easy units carry [\d.]+% of CE but [\d.]+% of the focal term/);
  });

  it('reads Parquet and writes the given output', async () => {
    const batches = makeBatches({ mode: 'multilabel', input: 'probs', classes: 3, nullLabelEvery: 10 }, sizes(2, 1000));
    const input = tmp.write('etl.parquet', parquetBytes(batches, 1000));
    const output = tmp.path('etl.arrows');
    const run = await runExample('etl-stage.ts', [input, output]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`appended to ${output}`);
    const report = await evaluate(input, { threads: 1 });
    expect(run.stdout).toContain(`multilabel probs: 2000 rows, ${report.scored} units scored, ${report.ignored} ignored`);
    const written = batchesOf(readFileSync(output));
    expect(written.reduce((n, b) => n + b.numRows, 0)).toBe(2000);
    expect(written[0]!.schema.fields.map((f) => f.name)).toEqual(['id', 'probs', 'label', 'focal_loss_per_class', 'focal_loss']);
  });

  it('exits 1 with a message on a missing input', async () => {
    const run = await runExample('etl-stage.ts', [tmp.path('missing.arrow'), tmp.path('never.arrows')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^etl-stage: .*missing\.arrow/);
  });
});

describe('examples/alphas.ts', () => {
  it('applies alphas saved from one dump to another: evaluate, the stage report and its column agree', async () => {
    const run = await runExample('alphas.ts');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const totals = [...run.stdout.matchAll(/ (\d+\.\d+) \((evaluate|stage report|sum of the stage's focal_loss column)\)/g)].map((m) => m[1]);
    expect(totals).toHaveLength(3);
    expect(new Set(totals).size).toBe(1);
    expect(run.stdout).toMatch(/alphas \(inverse\) estimated on .*mc_probs_f32\.arrow/);
  });

  it('refuses saved alphas whose class names do not match the data', async () => {
    const run = await runExample('alphas.ts', [fixture('mc_probs_f32.arrow'), fixture('mc_dict_labels.arrow')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/do not match/);
  });
});

/**
 * `focal-eval score --emit FILE|-` as a user runs it (spec §5, §6): the input's batches with the
 * loss columns appended, as an Arrow IPC stream, written under a temporary name and renamed when
 * complete; the report as without --emit; --alpha auto reads a file twice and refuses stdin; a
 * run that is killed or that meets bad data leaves nothing under the final name.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { RecordBatchReader, Table, tableToIPC, type RecordBatch, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/schema.ts';
import { fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';
import { cli, requireBuild, startCli, stdoutJson, type CliRun } from './support/cli.ts';
import { DumpMaker, ipcBytes, makeBatches, parquetBytes, sizes } from './support/dumps.ts';
import { refBinaryUnit, refMultilabelAlpha } from './support/reference.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const MC = fixture('mc_logits_f32.arrow'); // five batches, one of them empty
const DICT = fixture('mc_dict_labels.arrow');

/** The record batches of Arrow IPC bytes (file or stream), empty batches included. */
function batchesOf(bytes: Uint8Array): RecordBatch[] {
  return [...RecordBatchReader.from(bytes)];
}

/** A column's values as plain JS (lists as arrays). */
function plain(vector: Vector): unknown[] {
  return Array.from({ length: vector.length }, (_, i) => {
    const v = vector.get(i) as unknown;
    return v !== null && typeof v === 'object' ? Array.from((v as Vector).toArray() as ArrayLike<number>) : v;
  });
}

/** Checks that `out` is `input` batch for batch, with the loss columns appended. */
function expectInputWithLossColumns(out: RecordBatch[], input: RecordBatch[], added: string[]): void {
  expect(out.map((b) => b.numRows)).toEqual(input.map((b) => b.numRows));
  const names = input[0]!.schema.fields.map((f) => f.name);
  expect(out[0]!.schema.fields.map((f) => f.name)).toEqual([...names, ...added]);
  out.forEach((batch, k) => {
    for (const name of names) expect(plain(batch.getChild(name)!)).toEqual(plain(input[k]!.getChild(name)!));
  });
}

/** The sum of the emitted focal_loss column (nulls skipped). */
function emittedLoss(batches: RecordBatch[]): number {
  let total = 0;
  for (const batch of batches) for (const v of batch.getChild('focal_loss')!) total += (v as number | null) ?? 0;
  return total;
}

function near(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 * Math.abs(expected);
}

/** Status 0, and nothing on stderr but the report's warnings (an alpha against the class frequencies, say). */
function expectOk(run: CliRun): void {
  expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).toEqual([]);
  expect(run.code).toBe(0);
}

describe('focal-eval score --emit', () => {
  it('writes an IPC stream of the input batches with the loss columns, and the same report on stdout', async () => {
    const out = tmp.path('mc.arrows');
    const emitted = await cli(['score', MC, '--emit', out, '--format', 'json', '--threads', '2']);
    expectOk(emitted);
    const plainRun = await cli(['score', MC, '--format', 'json', '--threads', '2']);
    expect(emitted.stdout.toString()).toBe(plainRun.stdout.toString());
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 6).toString('latin1')).not.toBe('ARROW1'); // a stream, not a file
    expectInputWithLossColumns(batchesOf(bytes), batchesOf(readFileSync(MC)), ['p_t', 'ce', 'focal_loss', 'easy']);
    expect(near(emittedLoss(batchesOf(bytes)), stdoutJson<Report>(plainRun).total.sumLoss)).toBe(true);
  });

  it('with --emit - writes the stream to stdout and the report to stderr', async () => {
    const run = await cli(['score', MC, '--emit', '-', '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(0);
    const reference = await cli(['score', MC, '--format', 'json', '--threads', '1']);
    expect(run.stderr).toBe(reference.stdout.toString());
    expectInputWithLossColumns(batchesOf(run.stdout), batchesOf(readFileSync(MC)), ['p_t', 'ce', 'focal_loss', 'easy']);
  });

  it('with --emit - and --out writes the report to the file', async () => {
    const report = tmp.path('emit-out.json');
    const run = await cli(['score', MC, '--emit', '-', '--out', report, '--format', 'json', '--threads', '1']);
    expectOk(run);
    const reference = await cli(['score', MC, '--format', 'json', '--threads', '1']);
    expect(readFileSync(report, 'utf8')).toBe(reference.stdout.toString());
    expect(batchesOf(run.stdout)).toHaveLength(5);
  });

  it('reads stdin and writes multilabel columns', async () => {
    const batches = makeBatches({ mode: 'multilabel', input: 'logits', classes: 4, nullLabelEvery: 10 }, [500, 0, 700]);
    const out = tmp.path('ml.arrows');
    const run = await cli(['score', '-', '--emit', out, '--alpha', '0.25', '--format', 'json', '--threads', '1'], ipcBytes(batches, 'stream'));
    expectOk(run);
    const written = batchesOf(readFileSync(out));
    expectInputWithLossColumns(written, batches, ['focal_loss_per_class', 'focal_loss']);
    expect(String(written[0]!.schema.fields[3]!.type)).toBe('FixedSizeList[4]<Float32>');
    expect(near(emittedLoss(written), stdoutJson<Report>(run).total.sumLoss)).toBe(true);
  });

  it('with --alpha auto on a file reads it twice: the report and the emitted losses carry the estimated alphas', async () => {
    const out = tmp.path('auto.arrows');
    const run = await cli(['score', DICT, '--alpha', 'auto', '--alpha-scheme', 'median', '--emit', out, '--format', 'json', '--threads', '2']);
    expectOk(run);
    const reference = await cli(['score', DICT, '--alpha', 'auto', '--alpha-scheme', 'median', '--format', 'json', '--threads', '2']);
    expect(run.stdout.toString()).toBe(reference.stdout.toString());
    const report = stdoutJson<Report>(run);
    expect(report.classes.some((c) => c.alpha !== 1)).toBe(true);
    expect(near(emittedLoss(batchesOf(readFileSync(out))), report.total.sumLoss)).toBe(true);
  });

  it('with --alpha auto on stdin exits 2 pointing to --alpha-file, and writes nothing', async () => {
    const out = tmp.path('auto-stdin.arrows');
    const run = await cli(['score', '-', '--alpha', 'auto', '--emit', out, '--format', 'json'], readFileSync(MC));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--alpha-file');
    expect(run.stdout.length).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('with --alpha-file on stdin emits with the saved alphas: the report equals --alpha auto on the file', async () => {
    const alphas = tmp.path('dict-alphas.json');
    expectOk(await cli(['alphas', DICT, '--out', alphas, '--threads', '1']));
    const out = tmp.path('alpha-file.arrows');
    const stream = ipcBytes(batchesOf(readFileSync(DICT)), 'stream');
    const run = await cli(['score', '-', '--alpha-file', alphas, '--emit', out, '--format', 'json', '--threads', '1'], stream);
    expectOk(run);
    const reference = await cli(['score', DICT, '--alpha', 'auto', '--format', 'json', '--threads', '1']);
    expect(run.stdout.toString()).toBe(reference.stdout.toString());
    expect(near(emittedLoss(batchesOf(readFileSync(out))), stdoutJson<Report>(run).total.sumLoss)).toBe(true);
  });

  it('exits 1 on a data error and leaves no output file, nor its temporary', async () => {
    const dir = tmp.path('bad');
    const maker = new DumpMaker({ mode: 'multiclass', input: 'probs', classes: 3 });
    const batches = sizes(5, 20_000).map((rows) => maker.batch(rows));
    // A NaN in the fourth batch: the first batches are written before the error.
    (batches[3]!.getChild('probs')!.data[0]!.children[0]!.values as Float32Array)[3 * 1234 + 1] = NaN;
    mkdirSync(dir);
    const input = `${dir}/bad.arrow`;
    writeFileSync(input, ipcBytes(batches, 'file'));
    const run = await cli(['score', input, '--emit', `${dir}/out.arrows`, '--format', 'json', '--threads', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/batch 3, row 1234\b/);
    expect(run.stderr).toContain('"probs"');
    expect(readdirSync(dir)).toEqual(['bad.arrow']);
  });

  it('fails with a message, not a crash, when the output cannot be created', async () => {
    // A Parquet input takes a while to open: the output's open fails before the pipeline is built.
    const input = tmp.write('small.parquet', parquetBytes(makeBatches({ mode: 'binary', input: 'probs' }, [100]), 100));
    const out = tmp.path('no-such-dir/out.arrows');
    const run = await cli(['score', input, '--emit', out, '--format', 'json', '--threads', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^focal-eval: /);
    expect(run.stderr).toContain(tmp.path('no-such-dir'));
    expect(run.stderr).not.toMatch(/Unhandled 'error' event/);
    expect(existsSync(out)).toBe(false);
  });

  it('leaves no file under the final name when killed while writing', async () => {
    const dir = tmp.path('kill');
    mkdirSync(dir);
    // 2M rows (about 100 MB): one generated batch written 31 times.
    const batch = new DumpMaker({ mode: 'multiclass', input: 'logits', classes: 10 }).batch(65_536);
    const input = `${dir}/big.arrow`;
    writeFileSync(input, tableToIPC(new Table(batch.schema, new Array<RecordBatch>(31).fill(batch)), 'file'));
    const { child, done } = startCli(['score', input, '--emit', `${dir}/out.arrows`, '--format', 'json', '--threads', '2']);
    // Wait until it has started writing (its temporary file has bytes), then kill it.
    const started = Date.now();
    let killedWhileWriting = false;
    while (Date.now() - started < 30_000 && child.exitCode === null) {
      const partial = readdirSync(dir).find((name) => name.startsWith('.out.arrows.') && name.endsWith('.tmp'));
      if (partial !== undefined && statSync(`${dir}/${partial}`, { throwIfNoEntry: false })?.size) {
        killedWhileWriting = child.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const run = await done;
    expect(killedWhileWriting).toBe(true);
    expect(run.signal).toBe('SIGKILL');
    expect(existsSync(`${dir}/out.arrows`)).toBe(false);
  });
});

describe('focal-eval score --emit: a wide multilabel dump', () => {
  const C = 80;
  /** Every row's C values of a FixedSizeList column, batch by batch, in row order (null rows: null). */
  function listRows(batches: readonly RecordBatch[], name: string): (Float64Array | null)[] {
    const rows: (Float64Array | null)[] = [];
    for (const batch of batches) {
      const data = batch.getChild(name)!.data[0]!;
      const values = data.children[0]!.values as ArrayLike<number>;
      for (let r = 0; r < batch.numRows; r++) {
        const at = (data.offset + r) * C;
        rows.push(data.getValid(r) ? Float64Array.from({ length: C }, (_, c) => Number(values[at + c]!)) : null);
      }
    }
    return rows;
  }

  it.each([
    { name: 'a 40,000-row batch (bigger than the output bound: written in slices, in order) and a small one', nulls: 0, sizes: [40_000, 1_000] },
    { name: 'batches with null target lists (written whole, one output batch each)', nulls: 7, sizes: [6_000, 0, 3_000] },
  ])('$name: every per-class loss and row sum match float64 values computed here', async ({ nulls, sizes: rowsPerBatch }) => {
    const spec = { mode: 'multilabel', input: 'logits', classes: C, nullLabelEvery: nulls, seed: 11 } as const;
    const batches = makeBatches(spec, rowsPerBatch);
    const file = tmp.path(`wide-${nulls}.arrow`);
    writeFileSync(file, ipcBytes(batches, 'file'));
    const out = tmp.path(`wide-${nulls}.arrows`);
    const run = await cli(['score', file, '--emit', out, '--alpha', '0.25', '--gamma', '2', '--format', 'json', '--threads', '2']);
    expectOk(run);
    const written = batchesOf(readFileSync(out));
    if (nulls === 0) expect(written.length).toBeGreaterThan(batches.length);
    else expect(written.map((b) => b.numRows)).toEqual(rowsPerBatch);
    const logits = listRows(batches, 'logits');
    // Targets through apache-arrow's own accessors (bool lists are bit-packed).
    const targets = batches.flatMap((b) =>
      Array.from({ length: b.numRows }, (_, r) => {
        const list = b.getChild('label')!.get(r) as Vector | null;
        return list === null ? null : Array.from(list.toArray() as ArrayLike<number | boolean>, Number);
      }),
    );
    const perClass = listRows(written, 'focal_loss_per_class');
    expect(listRows(written, 'logits')).toEqual(logits);
    expect(perClass).toHaveLength(logits.length);
    const rowLoss = written.flatMap((b) => Array.from({ length: b.numRows }, (_, r) => b.getChild('focal_loss')!.get(r) as number | null));
    const problems: string[] = [];
    logits.forEach((z, i) => {
      const t = targets[i];
      if (t === null) {
        if (perClass[i] !== null || rowLoss[i] !== null) problems.push(`row ${i}: an ignored row is not null`);
        return;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const expected = refMultilabelAlpha(0.25, c, t![c]!) * refBinaryUnit(z![c]!, t![c]!, 'logits', { gamma: 2, epsilon: 1e-7 }).fl;
        sum += expected;
        // Float32: within half an ulp of the float64 value (half the subnormal spacing, 2^-150,
        // below 2^-126), plus the kernel's few ulp of float64.
        if (!(Math.abs(perClass[i]![c]! - expected) <= 2 ** -24 * Math.abs(expected) * 1.0001 + 2 ** -150)) {
          problems.push(`row ${i} class ${c}: ${perClass[i]![c]}, expected ${expected}`);
        }
      }
      if (!(Math.abs(rowLoss[i]! - sum) <= 1e-12 * sum)) problems.push(`row ${i}: focal_loss ${rowLoss[i]}, expected ${sum}`);
    });
    expect(problems.slice(0, 10)).toEqual([]);
    expect(near(emittedLoss(written), stdoutJson<Report>(run).total.sumLoss)).toBe(true);
  });
});

describe('focal-eval score --emit: an IPC file passed through', () => {
  it('keeps the schema metadata and every column (strings too) as they are', async () => {
    const batches = makeBatches({ mode: 'multiclass', input: 'probs', classes: 3, nullLabelEvery: 9 }, [300, 0, 200]);
    const table = new Table(batches);
    table.schema.metadata.set('pandas', '{"index_columns": []}');
    const file = tmp.path('with-metadata.arrow');
    writeFileSync(file, tableToIPC(table, 'file'));
    const out = tmp.path('with-metadata.arrows');
    expectOk(await cli(['score', file, '--emit', out, '--format', 'json', '--threads', '2']));
    const written = batchesOf(readFileSync(out));
    expect(written[0]!.schema.metadata.get('pandas')).toBe('{"index_columns": []}');
    expectInputWithLossColumns(written, batches, ['p_t', 'ce', 'focal_loss', 'easy']);
  });
});

describe('focal-eval score --emit: view-typed columns passed through', () => {
  // A pyarrow file whose Utf8View columns hold two data buffers per batch, one of them before the
  // scored columns (test/fixtures/types), and its plain twin (the same rows in FixedSizeList and Int32).
  const names = ['cat', 'dog', 'a-long-class-name-bird', 'fish-named-wanda'];
  const emitted = async (file: string, extra: string[]): Promise<{ batches: RecordBatch[]; report: Report }> => {
    const out = tmp.path(`${file.replace(/\W/g, '_')}.arrows`);
    const run = await cli(['score', fixture(`types/${file}`), '--emit', out, '--alpha', '0.25', '--format', 'json', '--threads', '2', ...extra]);
    expectOk(run);
    return { batches: batchesOf(readFileSync(out)), report: stdoutJson(run) as Report };
  };
  const column = (batches: RecordBatch[], name: string): unknown[] => batches.flatMap((b) => [...(b.getChild(name) as Vector)].map((v) => (v === null ? null : String(v))));

  it('writes each batch with its variadic buffer counts: the strings read back as they were, the losses as the twin\'s', async () => {
    const viewed = await emitted('mc_utf8view_buffers.arrow', ['--class-names', names.join(',')]);
    const plain = await emitted('mc_plain.arrow', []);
    const input = batchesOf(readFileSync(fixture('types/mc_utf8view_buffers.arrow')));
    expect(viewed.batches[0]!.schema.fields.map((f) => f.name)).toEqual(['note', 'probs', 'label', 'p_t', 'ce', 'focal_loss', 'easy']);
    expect(viewed.batches.map((b) => b.numRows)).toEqual(input.map((b) => b.numRows));
    for (const name of ['note', 'label']) expect(column(viewed.batches, name)).toEqual(column(input, name));
    for (const name of ['p_t', 'ce', 'focal_loss', 'easy']) expect(column(viewed.batches, name)).toEqual(column(plain.batches, name));
    expect(viewed.report.total).toEqual(plain.report.total);
  });
});

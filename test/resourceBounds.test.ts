/**
 * Bounds on what an input may make the run hold: a batch declaring more bytes than
 * --max-batch-bytes (maxBatchBytes) is refused with a message naming the file and the batch
 * (an IPC file's and a Parquet file's before anything is scored, a stream's before its body is
 * read), a lying body length in a stream included; a 1 GB file of random bytes (random where any
 * reader looks: its head and its tail; sparse between) ends at once with a clear error, whatever
 * --input-format says; and 100,000 classes work, in bounded time and memory.
 */
import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { cli, requireBuild, stdoutJson, BIN } from './support/cli.ts';
import { ipcBytes, makeBatches, parquetBytes } from './support/dumps.ts';
import { ROOT } from './support/fixtures.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';
import type { Report } from '../src/report/schema.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

// Batch 2 is the big one: 5,000 rows x (id 4 + label 4 + 10 probs x 4) bytes = 240,000 bytes of body.
const spec = { mode: 'multiclass', input: 'probs', classes: 10, seed: 11 } as const;
const batches = makeBatches(spec, [100, 100, 5_000, 100]);
const LIMIT = 100_000;

function declared(message: string): number {
  const m = /declares (?:a body of )?(\d+) bytes, more than the 100000 allowed \(--max-batch-bytes\)$/.exec(message);
  if (m === null) throw new Error(`not a batch-size refusal: ${message}`);
  return Number(m[1]);
}

describe('--max-batch-bytes', () => {
  it('an IPC file: the batch beyond the bound is refused before any is scored, naming the file and batch', async () => {
    const file = tmp.write('big2.arrow', ipcBytes(batches, 'file'));
    const run = await cli(['score', file, '--max-batch-bytes', String(LIMIT)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^focal-eval: ${file}: batch 2 declares \\d+ bytes`));
    const bytes = declared(run.stderr.trim());
    expect(bytes).toBeGreaterThanOrEqual(240_000);
    expect(bytes).toBeLessThan(250_000);
    // The control: a bound above the batch reads it.
    expect((await evaluate(file, { threads: 1, maxBatchBytes: 250_000 })).rows).toBe(5_300);
  });

  it('an IPC stream on stdin: refused when the batch header arrives, naming the record batch', async () => {
    const run = await cli(['score', '-', '--max-batch-bytes', String(LIMIT)], ipcBytes(batches, 'stream'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^focal-eval: stdin: message \d+ \(record batch 2, byte \d+\) declares a body of \d+ bytes/);
    expect(declared(run.stderr.trim())).toBeGreaterThanOrEqual(240_000);
  });

  it('a Parquet file: a row group beyond the bound is refused, naming it', async () => {
    const file = tmp.write('groups.parquet', parquetBytes(batches, 5_300));
    await expect(evaluate(file, { threads: 1, maxBatchBytes: 1_000 })).rejects.toMatchObject({
      code: 'E_INPUT',
      message: expect.stringMatching(new RegExp(`^${file}: row group 0 declares \\d+ bytes, more than the 1000 allowed \\(--max-batch-bytes\\)$`)),
    });
    expect((await evaluate(file, { threads: 1 })).rows).toBe(5_300);
  });

  it('a stream whose batch lies about its body (1.9 GB declared, a few bytes sent) is refused at once, not buffered', async () => {
    const bytes = ipcBytes(batches.slice(0, 1), 'stream');
    const body = realBodyLength(batches[0]!);
    const lied = patchInt64(bytes, body, 1_900_000_000n);
    const run = await cli(['score', '-', '--max-batch-bytes', String(1 << 30)], lied);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^focal-eval: stdin: message 1 \(record batch 0, byte \d+\) declares a body of 1900000000 bytes, more than the 1073741824 allowed/);
  });

  it('is checked as an option: 0 is a usage error naming the flag', async () => {
    const run = await cli(['score', '-', '--max-batch-bytes', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^focal-eval: --max-batch-bytes: /);
  });
});

/** The body length apache-arrow writes for a batch: its buffers, each padded to 8 bytes. */
function realBodyLength(batch: RecordBatch): number {
  const ipc = ipcBytes([batch], 'stream');
  // The stream is schema, batch, end marker; the batch's body is what lies between its metadata and the marker.
  const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
  let at = 0;
  const messages: { meta: number; start: number }[] = [];
  while (at < ipc.byteLength) {
    const length = view.getInt32(at + 4, true);
    if (length === 0) break;
    messages.push({ meta: length, start: at });
    at += 8 + length;
    if (messages.length === 2) break;
  }
  return ipc.byteLength - 8 - at;
}

/** `bytes` with the one little-endian int64 equal to `from` replaced by `to` (it must occur once). */
function patchInt64(bytes: Uint8Array, from: number, to: bigint): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const hits: number[] = [];
  for (let i = 0; i + 8 <= out.byteLength; i++) if (view.getBigInt64(i, true) === BigInt(from)) hits.push(i);
  expect(hits).toHaveLength(1);
  view.setBigInt64(hits[0]!, to, true);
  return out;
}

describe('a 1 GB file of random bytes', () => {
  const GB = 1 << 30;
  /** 1 GiB: `head` then random bytes for 1 MiB, sparse, then 1 MiB of random bytes ending in `tail`. */
  function randomGigabyte(name: string, head: string, tail: string): string {
    const path = tmp.path(name);
    const next = rng(name.length * 7919);
    const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
    const fd = openSync(path, 'w');
    try {
      const start = random(1 << 20);
      start.set(new TextEncoder().encode(head));
      writeSync(fd, start, 0, start.byteLength, 0);
      const end = random(1 << 20);
      end.set(new TextEncoder().encode(tail), end.byteLength - tail.length);
      ftruncateSync(fd, GB);
      writeSync(fd, end, 0, end.byteLength, GB - end.byteLength);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  it.each([
    ['random.bin', '', ''],
    ['random.arrow', 'ARROW1\0\0', 'ARROW1'],
    ['random.parquet', 'PAR1', 'PAR1'],
  ])('%s ends within seconds with one line of E_INPUT, for every --input-format', async (name, head, tail) => {
    const path = randomGigabyte(name, head, tail);
    for (const format of ['auto', 'arrow', 'parquet']) {
      const started = Date.now();
      const run = await cli(['score', path, '--input-format', format, '--threads', '1']);
      expect([format, run.code]).toEqual([format, 1]);
      expect(run.stderr).toMatch(new RegExp(`^focal-eval: ${path}: [^\\n]+\\n$`));
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });
});

describe('100,000 classes', () => {
  const C = 100_000;
  const ROWS = 100; // per batch; 3 batches: 120 MB of logits
  const Z = 12; // the true class's logit; every other logit is 0

  /** Rows whose true class c = (row * 331) % C has logit Z and every other class 0: p_t = e^Z / (e^Z + C - 1) for every row. */
  function batch(first: number): RecordBatch {
    const logits = new Float32Array(ROWS * C);
    const labels = new Int32Array(ROWS);
    for (let r = 0; r < ROWS; r++) {
      labels[r] = ((first + r) * 331) % C;
      logits[r * C + labels[r]!] = Z;
    }
    const predType = new FixedSizeList(C, new Field('item', new Float32(), false));
    const pred = makeData({ type: predType, length: ROWS, child: makeData({ type: new Float32(), length: ROWS * C, data: logits }) });
    const label = makeData({ type: new Int32(), length: ROWS, data: labels });
    const schema = new Schema([new Field('logits', predType, false), new Field('label', new Int32(), false)]);
    const data = makeData({ type: new Struct(schema.fields), length: ROWS, children: [pred, label] });
    return new RecordBatch(schema, data);
  }

  it('score a few hundred rows x 100,000 classes: the report is right, in bounded time and memory', async () => {
    const file = tmp.write('c100k.arrow', ipcBytes([batch(0), batch(ROWS), batch(2 * ROWS)], 'file'));
    // Run in a wrapper that reports the process's peak RSS (the worker threads' included).
    const wrapper = tmp.path('rss.mjs');
    writeFileSync(wrapper, `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));\nawait import(${JSON.stringify(BIN)});\n`);
    const started = Date.now();
    const child = spawn(process.execPath, [wrapper, 'score', file, '--format', 'json', '--threads', '2'], { cwd: ROOT });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const seconds = (Date.now() - started) / 1000;
    expect(code).toBe(0);
    const report = stdoutJson<Report>({ code, signal: null, stdout: Buffer.concat(out), stderr });
    const n = 3 * ROWS;
    const pt = Math.exp(Z) / (Math.exp(Z) + C - 1);
    const ce = -Math.log(pt);
    expect(report.classes).toHaveLength(C);
    expect([report.rows, report.scored, report.total.count]).toEqual([n, n, n]);
    expect(report.total.sumCE).toBeCloseTo(n * ce, 6);
    expect(report.total.sumFL).toBeCloseTo(n * (1 - pt) ** 2 * ce, 6);
    expect(report.classes.filter((c) => c.count > 0)).toHaveLength(n); // 331 is prime to C: every row its own class
    expect(report.classes[331]!.meanCE).toBeCloseTo(ce, 6);
    const rssMb = Number(/maxrss (\d+)/.exec(stderr)![1]) / 1024;
    expect(rssMb).toBeLessThan(1_500);
    expect(seconds).toBeLessThan(60);
  });
});

/**
 * Properties over seeded random inputs (test/support/rng.ts; no new dependency): the merge of
 * partials is associative (element-wise in the kernel's partials; byte for byte for run partials,
 * whatever the shards), any order in which batches complete gives the same report, every thread
 * count from 1 to 7 gives the same report, and --emit writes every row exactly once, in order.
 */
import { PassThrough } from 'node:stream';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, runPipeline } from '../src/evaluate.ts';
import { createPartial, mergeInto, partialLength, type PartialShape } from '../src/kernel/partial.ts';
import { encodePartial } from '../src/partial/file.ts';
import { mergePartials, partialReport } from '../src/partial/merge.ts';
import { partialOf } from '../src/partial/score.ts';
import { parseOptions, type OptionsInput } from '../src/options.ts';
import type { ScoreResult } from '../src/pool/task.ts';
import { emitScored } from '../src/stage/emit.ts';
import score from '../workers/score.ts';
import { ipcBytes, makeBatches, type DumpSpec } from './support/dumps.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** `count` batch sizes in [0, max], some of them empty. */
function randomSizes(next: () => number, count: number, max: number): number[] {
  return Array.from({ length: count }, () => (next() < 0.15 ? 0 : 1 + Math.floor(next() * max)));
}

/** A generated dump written as an IPC file (and stream): every row's place in its `id` column. */
function dump(name: string, spec: DumpSpec, sizes: number[]): { file: string; stream: string; rows: number } {
  const batches = makeBatches(spec, sizes);
  return {
    file: tmp.write(`${name}.arrow`, ipcBytes(batches, 'file')),
    stream: tmp.write(`${name}.arrows`, ipcBytes(batches, 'stream')),
    rows: sizes.reduce((a, b) => a + b, 0),
  };
}

const SPECS: DumpSpec[] = [
  { mode: 'multiclass', input: 'logits', classes: 7, nullLabelEvery: 13, ignoreEvery: 17 },
  { mode: 'binary', input: 'probs', nullLabelEvery: 11 },
  { mode: 'multilabel', input: 'logits', classes: 5, nullLabelEvery: 19 },
];

/** The workers' own function on this thread, each result held back by a seeded random delay: batches complete in a random order. */
function shuffledRunner(seed: number, inFlight: number, completed: number[]) {
  const next = rng(seed);
  return {
    inFlight,
    run: ({ task }: { task: Parameters<typeof score>[0] }, index: number): Promise<ScoreResult> =>
      score(task).then(
        (result) =>
          new Promise<ScoreResult>((resolve) =>
            setTimeout(() => {
              completed.push(index);
              resolve(result);
            }, Math.floor(next() * 8)),
          ),
      ),
  };
}

describe('merge associativity', () => {
  it('kernel partials: (a + b) + c == a + (b + c) and a + b == b + a, exactly, for whole-number sums', () => {
    const next = rng(101);
    const shape: PartialShape = { groups: 4, bins: 6 };
    for (let trial = 0; trial < 200; trial++) {
      const [a, b, c] = [0, 1, 2].map(() => Float64Array.from(createPartial(shape), () => Math.floor(next() * 2 ** 40)));
      const left = a!.slice();
      mergeInto(left, b!);
      mergeInto(left, c!);
      const bc = b!.slice();
      mergeInto(bc, c!);
      const right = a!.slice();
      mergeInto(right, bc);
      expect(left).toEqual(right);
      const ba = b!.slice();
      mergeInto(ba, a!);
      const ab = a!.slice();
      mergeInto(ab, b!);
      expect(ab).toEqual(ba);
      expect(left.length).toBe(partialLength(shape));
    }
  });

  it('run partials of random shards: any grouping of the merge is the same bytes, and its report is the whole run', async () => {
    const next = rng(202);
    for (const [i, spec] of SPECS.entries()) {
      const sizes = randomSizes(next, 12, 400);
      const { file } = dump(`assoc${i}`, { ...spec, seed: i }, sizes);
      const opts = parseOptions({ threads: 1, alpha: spec.mode === 'multiclass' ? 'auto' : 0.25 });
      const runner = { run: ({ task }: { task: Parameters<typeof score>[0] }) => score(task), inFlight: 1 };
      const cut1 = 1 + Math.floor(next() * 5);
      const cut2 = cut1 + 1 + Math.floor(next() * 5);
      const [a, b, c] = await Promise.all(
        [
          [0, cut1],
          [cut1, cut2],
          [cut2, sizes.length],
        ].map(([start, end]) => partialOf(file, opts, runner, { batches: { start: start!, end: end! } })),
      );
      const left = mergePartials([mergePartials([a!, b!]), c!]);
      const right = mergePartials([a!, mergePartials([b!, c!])]);
      const flat = mergePartials([a!, b!, c!]);
      expect(encodePartial(left)).toBe(encodePartial(right));
      expect(encodePartial(left)).toBe(encodePartial(flat));
      expect(JSON.stringify(partialReport(left))).toBe(JSON.stringify(await evaluate(file, opts)));
    }
  });
});

describe('batch completion order', () => {
  it('any order in which the batches complete gives the report of the in-order run, bit for bit', async () => {
    const next = rng(303);
    for (const [i, spec] of SPECS.entries()) {
      const { file, stream } = dump(`order${i}`, { ...spec, seed: 10 + i }, randomSizes(next, 16, 300));
      const opts = parseOptions({ threads: 1 });
      const inOrder = JSON.stringify(await runPipeline(file, opts, { run: ({ task }) => score(task), inFlight: 1 }));
      // A file's small batches are one task (input/batchRuns.ts): a stream's are a task each.
      for (const [seed, source] of [
        [1, stream],
        [2, stream],
        [3, file],
      ] as const) {
        const completed: number[] = [];
        const report = await runPipeline(source, opts, shuffledRunner(seed * 7 + i, 6, completed));
        expect(JSON.stringify(report)).toBe(inOrder);
        // Not vacuous: the batches did complete out of order.
        if (source === stream) expect(completed).not.toEqual([...completed].sort((x, y) => x - y));
      }
    }
  });
});

describe('thread counts', () => {
  it('threads 1..7 give the same report, byte for byte', async () => {
    const next = rng(404);
    const { file } = dump('threads', { ...SPECS[0]!, seed: 40 }, randomSizes(next, 23, 2_000));
    const options: OptionsInput = { alpha: 'auto' };
    const one = JSON.stringify(await evaluate(file, { ...options, threads: 1 }));
    for (let threads = 2; threads <= 7; threads++) {
      expect([threads, JSON.stringify(await evaluate(file, { ...options, threads }))]).toEqual([threads, one]);
    }
  });
});

describe('--emit rows', () => {
  /** The stream emitScored writes, read back. */
  async function emitted(source: string, threads: number) {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await emitScored(source, out, { threads, alpha: 0.25 });
    return tableFromIPC(Buffer.concat(chunks));
  }

  it('every row goes out exactly once and in input order, one output batch per input batch, from a file or a stream, at any thread count', async () => {
    const next = rng(505);
    for (const [i, spec] of SPECS.entries()) {
      const sizes = randomSizes(next, 14, 500);
      const { file, stream, rows } = dump(`emit${i}`, { ...spec, seed: 50 + i }, sizes);
      for (const source of [file, stream]) {
        const threads = 1 + Math.floor(next() * 4);
        const table = await emitted(source, threads);
        expect(table.numRows).toBe(rows);
        expect(Array.from(table.getChild('id')!.toArray() as Int32Array)).toEqual(Array.from({ length: rows }, (_, r) => r));
        expect(table.batches.map((b) => b.numRows)).toEqual(sizes);
      }
    }
  });
});

/**
 * Runs of small batches (input/batchRuns.ts): which batches are gathered into one task, and that
 * a run is scored exactly as its batches one task each would be: the same report to the bit
 * (against the same batches handed over as an iterable, which is never gathered), and an invalid
 * row in a run's fourth batch is blamed on that batch and row.
 */
import { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.ts';
import { evaluate } from '../src/evaluate.ts';
import { BatchRuns, RUN_BATCHES, RUN_BYTES } from '../src/input/batchRuns.ts';
import type { BatchItem } from '../src/input/open.ts';
import { batchOf, fixedFloats, ipc, types, vec } from './support/arrow.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function lean(path: string, bodyLength: number): BatchItem {
  return { batch: { kind: 'ipc-lean', path, block: { offset: 0, metaDataLength: 0, bodyLength }, columns: [], codecs: [] } };
}

describe('BatchRuns', () => {
  it('gathers consecutive lean batches of one file up to RUN_BYTES, and lets other batches through in order', () => {
    const runs = new BatchRuns();
    const out = [
      ...runs.add(lean('a', RUN_BYTES / 2), 0),
      ...runs.add(lean('a', RUN_BYTES / 2), 1),
      ...runs.add(lean('a', 1), 2), // past RUN_BYTES: starts the next run
      ...runs.add({ batch: { kind: 'columns', columns: {} as never } }, 3),
      ...runs.add(lean('a', 1), 4),
      ...runs.add(lean('b', 1), 5), // another file
      ...runs.flush(),
    ];
    expect(out.map((r) => [r.item.batch.kind, r.first, r.count])).toEqual([
      ['ipc-lean-run', 0, 2],
      ['ipc-lean', 2, 1],
      ['columns', 3, 1],
      ['ipc-lean', 4, 1],
      ['ipc-lean', 5, 1],
    ]);
  });

  it('stops a run at RUN_BATCHES batches', () => {
    const runs = new BatchRuns();
    const out = [];
    for (let i = 0; i < RUN_BATCHES + 1; i++) out.push(...runs.add(lean('a', 1), i));
    out.push(...runs.flush());
    expect(out.map((r) => [r.first, r.count])).toEqual([
      [0, RUN_BATCHES],
      [RUN_BATCHES, 1],
    ]);
  });
});

describe('a file of small batches', () => {
  const C = 4;
  const random = rng(11);
  const batches = Array.from({ length: 9 }, (_, b) => {
    const n = 500 + b * 37;
    const probs: number[][] = [];
    for (let r = 0; r < n; r++) {
      const raw = Array.from({ length: C }, () => random() + 1e-3);
      const sum = raw.reduce((a, x) => a + x, 0);
      probs.push(raw.map((x) => x / sum));
    }
    if (b === 3) probs[17]![2] = 1.5;
    const label = Array.from({ length: n }, () => Math.floor(random() * C));
    return { label, probs };
  });
  const file = (bad: boolean): string => {
    const rbs = batches.map(({ label, probs }, b) => {
      const p = bad || b !== 3 ? probs : probs.map((row, r) => (r === 17 ? [0.25, 0.25, 0.25, 0.25] : row));
      return batchOf({ label: vec(label, types.i32()), probs: vec(p, fixedFloats(C)) });
    });
    return tmp.write(bad ? 'bad.arrow' : 'good.arrow', ipc(new Table(rbs)));
  };

  it('gives the report of the same batches scored one task each, to the bit', async () => {
    const path = file(false);
    const table = new Table(
      batches.map(({ label, probs }, b) =>
        batchOf({ label: vec(label, types.i32()), probs: vec(b === 3 ? probs.map((row, r) => (r === 17 ? [0.25, 0.25, 0.25, 0.25] : row)) : probs, fixedFloats(C)) }),
      ),
    );
    const fromFile = await evaluate(path, { threads: 2 });
    const fromBatches = await evaluate(table.batches, { threads: 2 });
    expect(fromFile.rows).toBe(batches.reduce((a, b) => a + b.label.length, 0));
    expect(JSON.stringify(fromFile)).toBe(JSON.stringify({ ...fromBatches, input: fromFile.input }));
  });

  it('blames an invalid row in a run on its batch and row', async () => {
    const path = file(true);
    const before = batches.slice(0, 3).reduce((a, b) => a + b.label.length, 0);
    const error = await evaluate(path, { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).location).toMatchObject({ batch: 3, row: 17, globalRow: before + 17, column: 'probs', value: 1.5 });
  });
});

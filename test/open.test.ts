/**
 * openInput's planBatches: the batches a plan reads before any work starts, from each input form.
 * A file keeps only the batch with a List's width, read by the lean reader (the workers read every
 * batch again), or the first batch for a dictionary's strings; a stream holds what it reads, up to
 * PLAN_HOLD, and hands every batch on afterwards, the held ones first, in order. apache-arrow's failures on these reads are the input's: E_INPUT
 * naming the file and batch (a stand-in reader fails here as a compressed file without its codec
 * does).
 */
import { readFileSync } from 'node:fs';
import { RecordBatchReader } from 'apache-arrow';
import type { BatchLike } from '../src/input/arrowTypes.ts';
import { describe, expect, it, vi } from 'vitest';
import { FocalEvalError } from '../src/errors.ts';
import { openInput } from '../src/input/open.ts';
import { listWidth, makePlan, PLAN_HOLD } from '../src/input/plan.ts';
import { parseOptions } from '../src/options.ts';
import { fixture } from './support/fixtures.ts';

const failing = vi.hoisted(() => ({ error: null as Error | null }));

// apache-arrow's file reader, failing on every batch while `failing.error` is set.
vi.mock('../src/input/arrowFile.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/input/arrowFile.ts')>();
  return {
    ...real,
    arrowFileReader: async (...args: Parameters<typeof real.arrowFileReader>) => {
      const reader = await real.arrowFileReader(...args);
      const error = failing.error;
      if (error) reader.readRecordBatch = async () => Promise.reject(error);
      return reader;
    },
  };
});

const typed = (name: string): string => fixture(`types/${name}`);
const rowsOf = (batches: readonly BatchLike[]): number[] => batches.map((b) => b.numRows);

describe('planBatches', () => {
  it('reads only the first batch without a width column', async () => {
    const input = await openInput(typed('mc_empty_first_list.arrow'));
    try {
      expect(rowsOf(await input.planBatches(null))).toEqual([0]);
    } finally {
      await input.close();
    }
  });

  it.each(['mc_empty_first_list.arrow', 'mc_empty_first_large_list.parquet', 'mc_empty_first_large_list.arrows'])(
    'reads %s on to the first batch with a non-null row, and keeps that one',
    async (file) => {
      const input = await openInput(typed(file));
      try {
        const read = await input.planBatches('probs');
        // The lean readers read the width column alone (no dictionary to take from the first batch): only the batch with the width is kept.
        expect(rowsOf(read)).toEqual([16]);
        expect(listWidth(read.at(-1)!, 'probs')).toBe(4);
        const plan = makePlan(input.schema, parseOptions({}), read, input.name);
        const refs = [];
        for await (const { batch } of input.batchRefs(plan)) refs.push(batch);
        expect(refs).toHaveLength(4);
        if (file.endsWith('.arrows')) {
          // The held messages first, then the rest, each its own body.
          expect(refs.map((r) => (r.kind === 'ipc-body' ? r.index : -1))).toEqual([0, 1, 2, 3]);
        }
      } finally {
        await input.close();
      }
    },
  );

  it('holds a stream\'s batches while it looks, and hands them all on in order', async () => {
    const batches = [...RecordBatchReader.from(readFileSync(typed('mc_empty_first_large_list.arrows')))];
    const input = await openInput(batches);
    try {
      expect(rowsOf(await input.planBatches('probs'))).toEqual([0, 16]);
      let count = 0;
      for await (const batch of input.batches()) expect(batch).toBe(batches[count++]);
      expect(count).toBe(batches.length);
    } finally {
      await input.close();
    }
  });

  it(`stops holding after ${PLAN_HOLD.batches} batches and still hands every batch on`, async () => {
    const [empty, nulls] = [...RecordBatchReader.from(readFileSync(typed('mc_empty_first_large_list.arrows')))];
    const batches = [...Array.from({ length: PLAN_HOLD.batches + 5 }, (_, i) => (i % 2 === 0 ? empty! : nulls!))];
    const input = await openInput(batches);
    try {
      expect(rowsOf(await input.planBatches('probs'))).toEqual([0]);
      let count = 0;
      for await (const batch of input.batches()) expect(batch).toBe(batches[count++]);
      expect(count).toBe(batches.length);
    } finally {
      await input.close();
    }
  });

  it('turns a batch apache-arrow cannot read into E_INPUT naming the file and batch', async () => {
    failing.error = new Error('Record batch is compressed but codec not found');
    try {
      // The strings of a dictionary that grows by deltas are read by apache-arrow.
      const path = typed('mc_dict_delta_file.arrow');
      const input = await openInput(path);
      try {
        await expect(input.planBatches(null, 'label')).rejects.toThrow(
          new FocalEvalError('E_INPUT', `${path}: batch 0: cannot be read: Record batch is compressed but codec not found`),
        );
      } finally {
        await input.close();
      }
    } finally {
      failing.error = null;
    }
  });
});

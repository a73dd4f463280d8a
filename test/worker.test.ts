/**
 * The worker's score(): how its failures are classed. An input that cannot be read or is corrupt
 * comes back as E_INPUT naming the file and batch; anything else thrown while scoring is a bug and
 * comes back as E_INTERNAL, so that a user is never told their data is bad when it is not.
 */
import { describe, expect, it } from 'vitest';
import { openInput } from '../src/input/open.ts';
import { kernelParams, makePlan, partialShape } from '../src/input/plan.ts';
import type { Columns } from '../src/kernel/types.ts';
import { parseOptions } from '../src/options.ts';
import type { ScoreTask } from '../src/pool/task.ts';
import score from '../workers/score.ts';
import { fixture } from './support/fixtures.ts';

/** The first task evaluate() would send for a fixture, and the plan around it. */
async function firstTask(name: string): Promise<ScoreTask> {
  const opts = parseOptions({});
  const input = await openInput(fixture(name));
  try {
    const plan = makePlan(input.schema, opts, await input.planBatches(null), input.name);
    for await (const { batch } of input.batchRefs(plan)) {
      return { plan, params: kernelParams(plan, opts), shape: partialShape(plan, opts), file: input.name, index: 0, batch };
    }
    throw new Error(`${name} has no batches`);
  } finally {
    await input.close();
  }
}

describe('score (the worker)', () => {
  it('scores a batch it reads itself (the control for the cases below)', async () => {
    const task = await firstTask('mc_probs_f32.arrow');
    expect(task.batch.kind).toBe('ipc-lean');
    const result = await score(task);
    expect(result.failure).toBeUndefined();
    expect(result.error).toBeNull();
    expect(result.partial[0]).toBeGreaterThan(0); // rows read
  });

  it('returns E_INPUT naming the file and batch when the file cannot be opened', async () => {
    const task = await firstTask('mc_probs_f32.arrow');
    const missing = { ...task, file: 'gone.arrow', batch: { ...task.batch, path: '/nonexistent/gone.arrow' } as ScoreTask['batch'] };
    const result = await score(missing);
    expect(result.failure?.code).toBe('E_INPUT');
    expect(result.failure?.message).toMatch(/^gone\.arrow: batch 0: cannot be read: .*ENOENT/);
  });

  it('returns E_INPUT naming the file when the bytes at the block are not a record batch', async () => {
    const task = await firstTask('mc_probs_f32.arrow');
    if (task.batch.kind !== 'ipc-lean') throw new Error('expected a lean batch');
    // The block's offset moved onto the file's magic: what the reader finds there is no message.
    const corrupt = { ...task, batch: { ...task.batch, block: { ...task.batch.block, offset: 0 } } };
    const result = await score(corrupt);
    expect(result.failure?.code).toBe('E_INPUT');
    expect(result.failure?.message).toContain(fixture('mc_probs_f32.arrow'));
  });

  it('returns E_INTERNAL, not E_INPUT, when scoring itself throws (a bug)', async () => {
    const task = await firstTask('mc_probs_f32.arrow');
    // Columns no reader would make: the kernel fails on them as it would on a bug of ours.
    const broken = { length: 4, pred: null } as unknown as Columns;
    const result = await score({ ...task, batch: { kind: 'columns', columns: broken } });
    expect(result.failure?.code).toBe('E_INTERNAL');
    expect(result.failure?.message).toMatch(/^internal error: .*mc_probs_f32\.arrow: batch 0: /);
  });
});

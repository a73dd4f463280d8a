/**
 * A few hundred inputs of the seeded mutation fuzzer (scripts/fuzz.ts: IPC files and streams,
 * compressed IPC, Parquet of every codec and page kind; cut short, bytes flipped, lying lengths,
 * huge sizes, repeated ranges): no crash, no hang, every error a FocalEvalError with a stable code
 * naming the file. The 10,000-input run is `node --import tsx scripts/fuzz.ts`.
 */
import { describe, expect, it } from 'vitest';
import { fuzz, type FuzzCase } from '../scripts/fuzz.ts';

describe('the mutation fuzzer, 300 inputs', () => {
  it('ends every input in a report or a clear error, never a crash or a hang', async () => {
    const cases: FuzzCase[] = [];
    await fuzz({ count: 300, seed: 20261203, timeoutMs: 10_000 }, (c) => cases.push(c));
    const bad = cases.filter((c) => c.outcome === 'crash' || c.outcome === 'hang');
    expect(bad.map((c) => `${c.outcome}: ${c.mutation} of ${c.input}: ${c.detail}`)).toEqual([]);
    // The mutations reach the readers: most cut or lying inputs are refused.
    const errors = cases.filter((c) => c.outcome.startsWith('error ')).length;
    expect(errors).toBeGreaterThan(100);
    expect(new Set(cases.map((c) => c.mutation)).size).toBe(5);
  }, 120_000);

  it('replays the cases of seed 1 that once crashed: each now a clear error', async () => {
    // Case 3798: a FixedSizeList field without its child (compressed IPC); 7047: a Parquet footer's
    // ARROW:schema whose message length is negative; 7335: a Parquet schema list holding a non-struct.
    const cases: FuzzCase[] = [];
    await fuzz({ count: 7336, seed: 1, timeoutMs: 10_000, only: new Set([3798, 7047, 7335]) }, (c) => cases.push(c));
    expect(cases.map((c) => [c.index, c.outcome])).toEqual([
      [3798, 'error E_INPUT'],
      [7047, 'error E_INPUT'],
      [7335, 'error E_INPUT'],
    ]);
  });
});

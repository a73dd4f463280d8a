/** Exit statuses (spec §6, and internal errors): 1 for the data or the input, 2 for usage and for our own bugs. */
import { describe, expect, it } from 'vitest';
import { DataError, exitStatusOf, FocalEvalError, UsageError } from '../src/errors.ts';

describe('exitStatusOf', () => {
  const location = { file: 'f', batch: 0, row: 1, globalRow: 1, column: 'probs', value: NaN, reason: 'bad' };

  it.each([
    ['E_INPUT', 1],
    ['E_SCHEMA', 1],
    ['E_DATA', 1],
    ['E_USAGE', 2],
    ['E_INTERNAL', 2],
    ['E_WORKER', 3],
    ['E_ABORTED', 130],
  ] as const)('%s exits %i', (code, status) => {
    expect(exitStatusOf(new FocalEvalError(code, 'x'))).toBe(status);
  });

  it('a DataError exits 1 and a UsageError 2', () => {
    expect(exitStatusOf(new DataError(location))).toBe(1);
    expect(exitStatusOf(new UsageError('bad flag'))).toBe(2);
  });
});

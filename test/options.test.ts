/**
 * The option rules of spec §1: every bad value is a UsageError (code E_USAGE) naming the option,
 * every boundary value is accepted, defaults are filled in once, and options are validated
 * before any data is read. The alpha list's length needs C, so it is judged by the plan.
 */
import { describe, expect, it } from 'vitest';
import { FocalEvalError, UsageError } from '../src/errors.ts';
import { evaluate } from '../src/evaluate.ts';
import { parseOptions, type OptionsInput } from '../src/options.ts';
import { makePlan } from '../src/input/plan.ts';
import { fixedBools, fixedFloats, table, types, vec } from './support/arrow.ts';

function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

function expectRejected(options: Record<string, unknown>, option: string): void {
  const error = usageErrorOf(() => parseOptions(options));
  expect(error.code).toBe('E_USAGE');
  expect(error.option).toBe(option);
  expect(error.message).toContain(option);
}

describe('parseOptions', () => {
  it('fills every default of the spec', () => {
    const options = parseOptions({});
    expect(options.threads).toBeUndefined();
    expect(options.mode).toBeUndefined();
    expect(options.input).toBeUndefined();
    expect(options.pred).toBeUndefined();
    expect(options.classNames).toBeUndefined();
    expect(options).toMatchObject({
      label: 'label',
      gamma: 2,
      alpha: null,
      alphaScheme: 'inverse',
      beta: 0.999,
      epsilon: 1e-7,
      easyThreshold: 0.5,
      ignoreIndex: -100,
      histogramBins: 20,
      onInvalid: 'error',
    });
  });

  it('treats undefined as no options', () => {
    expect(parseOptions(undefined)).toEqual(parseOptions({}));
  });

  it('keeps what was given', () => {
    const given: OptionsInput = {
      mode: 'multiclass',
      input: 'logits',
      label: 'y',
      pred: 'scores',
      classNames: ['a', 'b'],
      gamma: 0.5,
      alpha: [0.2, 3],
      alphaScheme: 'effective',
      beta: 0.99,
      epsilon: 0,
      easyThreshold: 1,
      ignoreIndex: -1,
      histogramBins: 10000,
      onInvalid: 'skip',
      threads: 3,
    };
    expect(parseOptions(given)).toMatchObject(given);
  });

  it.each([
    ['gamma', 0],
    ['gamma', 5],
    ['alpha', 0],
    ['alpha', 1],
    ['alpha', 'auto'],
    ['alpha', null],
    ['alpha', [0, 2.5, 100]],
    ['beta', 0],
    ['beta', 0.999999],
    ['epsilon', 0],
    ['epsilon', 0.4999],
    ['easyThreshold', 1],
    ['easyThreshold', 1e-12],
    ['histogramBins', 1],
    ['histogramBins', 10000],
    ['threads', 1],
  ])('accepts %s = %j', (option, value) => {
    expect(parseOptions({ [option]: value })).toMatchObject({ [option]: value });
  });

  it.each([
    ['gamma', -0.1],
    ['gamma', -Infinity],
    ['gamma', Infinity],
    ['gamma', NaN],
    ['gamma', '2'],
    ['alpha', -0.01],
    ['alpha', 1.01],
    ['alpha', NaN],
    ['alpha', Infinity],
    ['alpha', 'sometimes'],
    ['alpha', []],
    ['alpha', [0.5, -1]],
    ['alpha', [0.5, NaN]],
    ['alpha', [Infinity, 0.5]],
    ['beta', -0.1],
    ['beta', 1],
    ['beta', NaN],
    ['epsilon', -1e-9],
    ['epsilon', 0.5],
    ['epsilon', NaN],
    ['easyThreshold', 0],
    ['easyThreshold', -0.5],
    ['easyThreshold', 1.0000001],
    ['easyThreshold', NaN],
    ['histogramBins', 0],
    ['histogramBins', 10001],
    ['histogramBins', 2.5],
    ['histogramBins', NaN],
    ['threads', 0],
    ['threads', -2],
    ['threads', 1.5],
    ['threads', Infinity],
    ['ignoreIndex', 0.5],
    ['alphaScheme', 'uniform'],
    ['onInvalid', 'warn'],
    ['mode', 'regression'],
    ['input', 'scores'],
    ['label', ''],
    ['classNames', []],
  ])('rejects %s = %j naming the option', (option, value) => {
    expectRejected({ [option]: value }, option);
  });

  it('rejects an unknown option naming it', () => {
    expectRejected({ gama: 2 }, 'gama');
  });
});

describe('alpha list length (checked by makePlan, from the schema)', () => {
  const multiclass = table({ probs: vec([[0.2, 0.3, 0.5]], fixedFloats(3)), label: vec([1], types.i32()) });
  const binary = table({ prob: vec([0.2], types.f64()), label: vec([1], types.i32()) });
  const multilabel = table({ probs: vec([[0.2, 0.3, 0.5]], fixedFloats(3)), label: vec([[true, false, true]], fixedBools(3)) });
  const plan = (t: typeof binary, options: OptionsInput) => makePlan(t.schema, parseOptions(options), t.batches[0]!, 'test');

  it('accepts a list of C entries in multiclass', () => {
    expect(plan(multiclass, { alpha: [1, 2, 3] }).classes).toBe(3);
  });

  it('rejects a list of C - 1 entries in multiclass, naming alpha', () => {
    const error = usageErrorOf(() => plan(multiclass, { alpha: [1, 2] }));
    expect(error).toMatchObject({ code: 'E_USAGE', option: 'alpha' });
  });

  it('rejects a list of C + 1 entries in multiclass, naming alpha', () => {
    expect(usageErrorOf(() => plan(multiclass, { alpha: [1, 2, 3, 4] })).option).toBe('alpha');
  });

  it('accepts a list of 2 entries in binary', () => {
    expect(plan(binary, { alpha: [0.75, 0.25] }).classes).toBe(2);
  });

  it('rejects a list of 1 entry in binary, naming alpha', () => {
    expect(usageErrorOf(() => plan(binary, { alpha: [0.25] })).option).toBe('alpha');
  });

  it('rejects a list of 3 entries in binary, naming alpha', () => {
    expect(usageErrorOf(() => plan(binary, { alpha: [0.25, 0.5, 0.25] })).option).toBe('alpha');
  });

  it('accepts a list of C entries in multilabel', () => {
    expect(plan(multilabel, { alpha: [0.1, 0.5, 1] }).mode).toBe('multilabel');
  });

  it('rejects a multilabel list entry above 1 (a weight on positives), naming alpha', () => {
    expect(usageErrorOf(() => plan(multilabel, { alpha: [0.1, 1.5, 1] })).option).toBe('alpha');
  });

  it('rejects a list of C - 1 entries in multilabel, naming alpha', () => {
    expect(usageErrorOf(() => plan(multilabel, { alpha: [0.1, 0.5] })).option).toBe('alpha');
  });
});

describe('evaluate option checks', () => {
  it('rejects a bad option before reading the input (a missing file is not even opened)', async () => {
    const error = await evaluate('/nonexistent/focal-eval/input.arrow', { gamma: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'E_USAGE', option: 'gamma' });
  });

  it('rejects, never throws synchronously, on a bad option', () => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = evaluate('/nonexistent/focal-eval/input.arrow', { histogramBins: 0 });
    }).not.toThrow();
    return expect(promise).rejects.toBeInstanceOf(FocalEvalError);
  });
});

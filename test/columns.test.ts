/**
 * extractColumns on real Arrow batches, scored by the kernels in this thread: nulls (in a
 * column, inside a list, in a label), bool labels at a bit offset, 64-bit labels (exact beyond
 * 2^53), string labels (dictionary, Utf8, LargeUtf8, Utf8View) mapped by string even when a later
 * batch's dictionary differs, List and LargeList offsets (uniform ones handed on as fixed-width),
 * and sliced batches.
 */
import { Bool, Dictionary, Field, Float32, Int64, Int8, LargeList, LargeUtf8, Uint32, Uint64, Utf8View, type RecordBatch } from 'apache-arrow';
import type { BatchLike, DataLike } from '../src/input/arrowTypes.ts';
import { TYPE } from '../src/input/arrowTypes.ts';
import { FocalEvalError } from '../src/errors.ts';
import { describe, expect, it } from 'vitest';
import { extractColumns } from '../src/input/columns.ts';
import { finalize } from '../src/report/finalize.ts';
import { kernelFor } from '../src/kernel/index.ts';
import { ROW_IGNORED, ROW_NULL_PRED, ROW_NULL_TARGET, ROW_OK, type KernelError } from '../src/kernel/types.ts';
import { parseOptions, type OptionsInput } from '../src/options.ts';
import { createPartial, mergeInto } from '../src/kernel/partial.ts';
import { kernelParams, makePlan, partialShape } from '../src/input/plan.ts';
import type { Report } from '../src/report/schema.ts';
import { batchOf, dictUtf8, fixedBools, fixedFloats, listFloats, listInt8, types, vec } from './support/arrow.ts';

/** Plan, columns, kernel and finalize in this thread: evaluate without the pool. */
function score(batches: RecordBatch[], options: OptionsInput = {}): { report?: Report; error?: KernelError & { batch: number } } {
  const opts = parseOptions(options);
  const plan = makePlan(batches[0]!.schema, opts, batches[0]!, 'test');
  const shape = partialShape(plan, opts);
  const total = createPartial(shape);
  for (const [index, batch] of batches.entries()) {
    const out = createPartial(shape);
    const error = kernelFor(plan.mode, plan.input)(extractColumns(batch, plan, 'test', index), kernelParams(plan, opts), out);
    if (error) return { error: { ...error, batch: index } };
    mergeInto(total, out);
  }
  return { report: finalize(total, plan, opts) };
}

function columnsOf(batch: RecordBatch, options: OptionsInput = {}) {
  const plan = makePlan(batch.schema, parseOptions(options), batch, 'test');
  return extractColumns(batch, plan, 'test', 0);
}

describe('extractColumns', () => {
  it('leaves rowState null when no column has a null', () => {
    const cols = columnsOf(batchOf({ prob: vec([0.2, 0.7], types.f64()), label: vec([0, 1], types.i32()) }));
    expect(cols.rowState).toBeNull();
  });

  it('marks a null prediction', () => {
    const cols = columnsOf(batchOf({ prob: vec([0.2, null], types.f64()), label: vec([0, 1], types.i32()) }));
    expect(Array.from(cols.rowState!)).toEqual([ROW_OK, ROW_NULL_PRED]);
  });

  it('marks a null label as ignored, even when its prediction is null too', () => {
    const cols = columnsOf(batchOf({ prob: vec([null, 0.3], types.f64()), label: vec([null, 1], types.i32()) }));
    expect(Array.from(cols.rowState!)).toEqual([ROW_IGNORED, ROW_OK]);
  });

  it('marks a null inside a FixedSizeList prediction', () => {
    const cols = columnsOf(batchOf({ probs: vec([[0.5, 0.5], [0.2, null]], fixedFloats(2)), label: vec([0, 1], types.i32()) }));
    expect(Array.from(cols.rowState!)).toEqual([ROW_OK, ROW_NULL_PRED]);
  });

  it('marks a null inside a multilabel target list, and a null target list as ignored', () => {
    const cols = columnsOf(
      batchOf({
        probs: vec([[0.5, 0.5], [0.2, 0.1], [0.3, 0.3]], fixedFloats(2)),
        label: vec([[true, null], null, [false, true]], fixedBools(2)),
      }),
    );
    expect(Array.from(cols.rowState!)).toEqual([ROW_NULL_TARGET, ROW_IGNORED, ROW_OK]);
  });

  it('unpacks bool labels of a sliced batch at their bit offset', () => {
    const batch = batchOf({
      prob: vec([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95], types.f64()),
      label: vec([true, false, false, true, true, false, true, true, false, true], new Bool()),
    });
    const cols = columnsOf(batch.slice(3, 9));
    expect(Array.from(cols.label!)).toEqual([1, 1, 0, 1, 1, 0]);
    expect(Array.from(cols.pred).slice(0, 6)).toEqual([0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('reads Int64 labels as numbers', () => {
    const cols = columnsOf(batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec([1n, 0n], new Int64()) }));
    expect(Array.from(cols.label!).slice(0, 2)).toEqual([1, 0]);
  });

  it('maps dictionary labels to class indices through the class names', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8], [0.9, 0.1]], fixedFloats(2)), label: vec(['dog', 'cat', 'dog'], dictUtf8()) });
    const cols = columnsOf(batch, { classNames: ['cat', 'dog'] });
    expect(Array.from(cols.label!).slice(0, 3)).toEqual([1, 0, 1]);
  });

  it('maps utf8 labels to class indices through the class names', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec(['b', 'a'], types.utf8()) });
    expect(Array.from(columnsOf(batch, { classNames: ['a', 'b'] }).label!).slice(0, 2)).toEqual([1, 0]);
  });

  it('records a utf8 label that names no class, with its string', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec(['b', 'zebra'], types.utf8()) });
    const cols = columnsOf(batch, { classNames: ['a', 'b'] });
    expect(cols.unknownLabels?.get(1)).toBe('zebra');
  });

  it('keeps List offsets for a List prediction', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8, 0]], listFloats()), label: vec([0, 1], types.i32()) });
    expect(Array.from(columnsOf(batch).predOffsets!)).toEqual([0, 2, 5]);
  });
});

describe('extractColumns with the kernels', () => {
  it('scores a sliced FixedSizeList batch as the same rows unsliced', () => {
    const probs = [[0.1, 0.9], [0.6, 0.4], [0.3, 0.7], [0.8, 0.2], [0.5, 0.5]];
    const labels = [1, 0, 1, 1, 0];
    const whole = batchOf({ probs: vec(probs.slice(1, 4), fixedFloats(2)), label: vec(labels.slice(1, 4), types.i32()) });
    const sliced = batchOf({ probs: vec(probs, fixedFloats(2)), label: vec(labels, types.i32()) }).slice(1, 4);
    expect(score([sliced]).report).toEqual(score([whole]).report);
  });

  it('scores a sliced List and multilabel batch as the same rows unsliced', () => {
    const probs = [[0.1, 0.9], [0.6, 0.4], [0.3, 0.7], [0.8, 0.2], [0.5, 0.5]];
    const targets = [[1, 0], [0, 0], [1, 1], [0, 1], [1, 0]];
    const whole = batchOf({ probs: vec(probs.slice(2, 5), listFloats()), label: vec(targets.slice(2, 5), listInt8()) });
    const sliced = batchOf({ probs: vec(probs, listFloats()), label: vec(targets, listInt8()) }).slice(2, 5);
    expect(score([sliced]).report).toEqual(score([whole]).report);
  });

  it('scores a dictionary label by its string when a later batch carries a different dictionary', () => {
    const cat = [0.7, 0.2, 0.1];
    const dog = [0.1, 0.8, 0.1];
    const first = batchOf({ probs: vec([cat, dog], fixedFloats(3)), label: vec(['cat', 'dog'], dictUtf8()) });
    // The second batch's dictionary is ["dog", "cat"]: index 0 means "dog" there.
    const second = batchOf({ probs: vec([dog, cat], fixedFloats(3)), label: vec(['dog', 'cat'], dictUtf8()) });
    expect(second.getChild('label')!.data[0]!.dictionary!.toArray()).toEqual(['dog', 'cat']);
    const report = score([first, second], { classNames: ['cat', 'dog', 'cow'] }).report!;
    expect(report.classes.map((c) => c.count)).toEqual([2, 2, 0]);
    expect(report.classes[0]!.sumCE).toBeCloseTo(-2 * Math.log(Math.fround(0.7)), 12);
    expect(report.classes[1]!.sumCE).toBeCloseTo(-2 * Math.log(Math.fround(0.8)), 12);
  });

  it('takes class names from the first dictionary and maps a later dictionary by string', () => {
    const first = batchOf({ probs: vec([[0.7, 0.3], [0.4, 0.6]], fixedFloats(2)), label: vec(['cat', 'dog'], dictUtf8()) });
    const second = batchOf({ probs: vec([[0.2, 0.8]], fixedFloats(2)), label: vec(['dog'], dictUtf8()) });
    const report = score([first, second]).report!;
    expect(report.classes.map((c) => c.name)).toEqual(['cat', 'dog']);
    expect(report.classes.map((c) => c.count)).toEqual([1, 2]);
  });

  it('rejects a string in a later dictionary that the first never had, blaming the label', () => {
    const first = batchOf({ probs: vec([[0.7, 0.3], [0.4, 0.6]], fixedFloats(2)), label: vec(['cat', 'dog'], dictUtf8()) });
    const second = batchOf({ probs: vec([[0.2, 0.8], [0.5, 0.5]], fixedFloats(2)), label: vec(['dog', 'cow'], dictUtf8()) });
    expect(score([first, second]).error).toMatchObject({ batch: 1, row: 1, column: 'label', value: 'cow' });
  });

  it('rejects a later string that the first dictionary never had, even when it spells a default class name', () => {
    // The first dictionary names classes 0 and 1 only; class 2 keeps the default name "2".
    const first = batchOf({ probs: vec([[0.5, 0.3, 0.2]], fixedFloats(3)), label: vec(['a'], dictUtf8()) });
    const second = batchOf({ probs: vec([[0.5, 0.3, 0.2]], fixedFloats(3)), label: vec(['2'], dictUtf8()) });
    expect(score([first, second]).error).toMatchObject({ batch: 1, row: 0, column: 'label', value: '2' });
  });

  it('rejects a null inside a prediction list as a null prediction', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, null]], fixedFloats(2)), label: vec([0, 1], types.i32()) });
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'pred', value: null });
  });

  it('ignores a null label whose prediction list holds a null', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, null]], fixedFloats(2)), label: vec([0, null], types.i32()) });
    expect(score([batch]).report).toMatchObject({ rows: 2, scored: 1, ignored: 1, invalid: 0 });
  });

  it('ignores a null label whose dictionary string would name no class', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec(['a', null], dictUtf8()) });
    expect(score([batch], { classNames: ['a', 'b'] }).report).toMatchObject({ scored: 1, ignored: 1, invalid: 0 });
  });

  it('ignores a null multilabel target list whose predictions are NaN', () => {
    const batch = batchOf({ probs: vec([[NaN, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec([null, [true, false]], fixedBools(2)) });
    expect(score([batch]).report).toMatchObject({ rows: 2, scored: 2, ignored: 1, invalid: 0 });
  });

  it('rejects a null element of a multilabel target list, blaming the label', () => {
    const batch = batchOf({ probs: vec([[0.1, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec([[false, true], [null, false]], fixedBools(2)) });
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'label' });
  });

  it('rejects an Int8 multilabel target of 2', () => {
    const batch = batchOf({ probs: vec([[0.1, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec([[0, 1], [1, 2]], listInt8()) });
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'label', value: 2 });
  });

  it('rejects a List prediction row whose length is not C', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.7, 0.1]], listFloats()), label: vec([0, 1], new Int8()) });
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'pred', value: 3 });
  });

  it('rejects an unsigned label of C', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec([1, 2], new Uint32()) });
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'label', value: 2 });
  });

  it('counts every invalid kind under skip and scores the rest', () => {
    const batch = batchOf({
      probs: vec([[0.5, 0.5], null, [NaN, 1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]], fixedFloats(2)),
      label: vec([0, 1, 1, 2, null, -100], types.i32()),
    });
    expect(score([batch], { onInvalid: 'skip' }).report).toMatchObject({ rows: 6, scored: 1, ignored: 2, invalid: 3 });
  });
});

const largeFloats = () => new LargeList(new Field('item', new Float32(), true));

/** A batch of hand-made column data (for offsets and views no writer would produce). */
function handMade(pred: Partial<DataLike>, label: Partial<DataLike>, numRows: number): BatchLike {
  const data = (d: Partial<DataLike>): DataLike => ({
    typeId: TYPE.Int,
    length: numRows,
    offset: 0,
    nullCount: 0,
    nullBitmap: undefined,
    values: undefined,
    children: [],
    getValid: () => true,
    ...d,
  });
  return { numRows, schema: { fields: [{ name: 'probs' }, { name: 'label' }] }, data: { children: [data(pred), data(label)] } };
}

describe('extractColumns on LargeList, LargeUtf8 and Utf8View columns', () => {
  it('hands on a LargeList whose rows all hold C values as a FixedSizeList, and scores it the same', () => {
    const probs = [[0.1, 0.9], [0.6, 0.4], [0.3, 0.7]];
    const large = batchOf({ probs: vec(probs, largeFloats()), label: vec([1, 0, 1], types.i32()) });
    const cols = columnsOf(large);
    expect(cols.predOffsets).toBeNull();
    expect(Array.from(cols.pred).slice(cols.predBase, cols.predBase + 6)).toEqual(probs.flat().map(Math.fround));
    const fixed = batchOf({ probs: vec(probs, fixedFloats(2)), label: vec([1, 0, 1], types.i32()) });
    expect(score([large]).report).toEqual(score([fixed]).report);
  });

  it('keeps the offsets of a LargeList whose rows differ in length, as an Int32Array', () => {
    const cols = columnsOf(batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.7, 0.1]], largeFloats()), label: vec([0, 1], types.i32()) }));
    expect(cols.predOffsets).toBeInstanceOf(Int32Array);
    expect(Array.from(cols.predOffsets!)).toEqual([0, 2, 5]);
    expect(score([batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.7, 0.1]], largeFloats()), label: vec([0, 1], types.i32()) })]).error).toMatchObject({
      row: 1,
      column: 'pred',
      value: 3,
    });
  });

  it('refuses LargeList offsets beyond 32 bits with an E_INPUT error naming the file, batch and column', () => {
    const child = { typeId: TYPE.Float, length: 2, values: new Float32Array([0.5, 0.5]) } as Partial<DataLike> as DataLike;
    const batch = handMade(
      { typeId: TYPE.LargeList, valueOffsets: new BigInt64Array([0n, 2n ** 40n]), children: [child] },
      { values: new Int32Array([0]) },
      1,
    );
    const plan = makePlan(batchOf({ probs: vec([[0.5]], largeFloats()), label: vec([0], types.i32()) }).schema, parseOptions({ classNames: ['a', 'b'] }), null, 'f.arrow');
    expect(() => extractColumns(batch, plan, 'f.arrow', 3)).toThrow(
      new FocalEvalError('E_INPUT', 'f.arrow: batch 3, column "probs": 64-bit list offset 1099511627776 (row 1) does not fit in 32 bits (corrupt input)'),
    );
  });

  it('refuses LargeList offsets that decrease or reach outside the values', () => {
    const child = { typeId: TYPE.Float, length: 4, values: new Float32Array([0.5, 0.5, 0.5, 0.5]), children: [], getValid: () => true } as Partial<DataLike> as DataLike;
    const plan = makePlan(batchOf({ probs: vec([[0.5]], largeFloats()), label: vec([0], types.i32()) }).schema, parseOptions({ classNames: ['a', 'b'] }), null, 'f.arrow');
    const decreasing = handMade({ typeId: TYPE.LargeList, valueOffsets: new BigInt64Array([0n, 2n, 1n]), children: [child] }, { values: new Int32Array([0, 1]) }, 2);
    expect(() => extractColumns(decreasing, plan, 'f.arrow', 0)).toThrow(/list offsets decrease at row 1/);
    const outside = handMade({ typeId: TYPE.LargeList, valueOffsets: new BigInt64Array([0n, 2n, 6n]), children: [child] }, { values: new Int32Array([0, 1]) }, 2);
    expect(() => extractColumns(outside, plan, 'f.arrow', 0)).toThrow(/list offsets \[0, 6\] reach outside its 4 values/);
  });

  it('hands on LargeList<Bool> targets whose rows all hold C values as fixed-width targets', () => {
    const probs = [[0.1, 0.9], [0.6, 0.4]];
    const targets = [[false, true], [true, true]];
    const large = batchOf({ probs: vec(probs, largeFloats()), label: vec(targets, new LargeList(new Field('item', new Bool(), true))) });
    const cols = columnsOf(large);
    expect(cols.targetOffsets).toBeNull();
    expect(Array.from(cols.target!).slice(0, 4)).toEqual([0, 1, 1, 1]);
    const fixed = batchOf({ probs: vec(probs, fixedFloats(2)), label: vec(targets, fixedBools(2)) });
    expect(score([large]).report).toEqual(score([fixed]).report);
  });

  it('maps LargeUtf8 and Utf8View labels, inline (12 bytes or fewer) and in a data buffer', () => {
    const names = ['cat', 'twelve-bytes', 'thirteen-byte', 'a much longer name, in a data buffer'];
    for (const type of [new LargeUtf8(), new Utf8View()]) {
      const batch = batchOf({ probs: vec(names.map(() => [0.25, 0.25, 0.25, 0.25]), fixedFloats(4)), label: vec([...names].reverse(), type) });
      expect(Array.from(columnsOf(batch, { classNames: names }).label!)).toEqual([3, 2, 1, 0]);
    }
  });

  it('records a Utf8View label that names no class, with its string', () => {
    const batch = batchOf({ probs: vec([[0.5, 0.5], [0.2, 0.8]], fixedFloats(2)), label: vec(['b', 'an unknown, long label'], new Utf8View()) });
    const cols = columnsOf(batch, { classNames: ['a', 'b'] });
    expect(cols.unknownLabels?.get(1)).toBe('an unknown, long label');
  });

  it('refuses a Utf8View whose view points outside its data buffers, naming the column', () => {
    const views = new Uint8Array(16);
    new DataView(views.buffer).setInt32(0, 20, true); // 20 bytes, in buffer 0 at offset 0
    const batch = handMade(
      { typeId: TYPE.Float, values: new Float32Array([0.5, 0.5]), children: [{ typeId: TYPE.Float, length: 2, offset: 0, nullCount: 0, nullBitmap: undefined, values: new Float32Array([0.5, 0.5]), children: [], getValid: () => true }] },
      { typeId: TYPE.Utf8View, values: views, variadicBuffers: [new Uint8Array(8)] },
      1,
    );
    const plan = makePlan(
      batchOf({ probs: vec([[0.5, 0.5]], fixedFloats(2)), label: vec(['a'], new Utf8View()) }).schema,
      parseOptions({ classNames: ['a', 'b'] }),
      null,
      'f.arrow',
    );
    expect(() => extractColumns(batch, plan, 'f.arrow', 2)).toThrow(/f\.arrow: batch 2, column "label": string view of row 0 points outside its data buffers/);
  });

  it('maps Dictionary<Int8, LargeUtf8> and Dictionary<Int8, Utf8View> labels by string across batches', () => {
    for (const values of [new LargeUtf8(), new Utf8View()]) {
      const type = () => new Dictionary(values, new Int8());
      const first = batchOf({ probs: vec([[0.7, 0.3], [0.4, 0.6]], fixedFloats(2)), label: vec(['cat', 'dog'], type()) });
      const second = batchOf({ probs: vec([[0.2, 0.8]], fixedFloats(2)), label: vec(['dog'], type()) });
      const report = score([first, second]).report!;
      expect(report.classes.map((c) => [c.name, c.count])).toEqual([['cat', 1], ['dog', 2]]);
    }
  });
});

describe('extractColumns on 64-bit labels', () => {
  const probs = () => vec([[0.5, 0.5], [0.2, 0.8], [0.9, 0.1]], fixedFloats(2));

  it('keeps the exact value of an Int64 label beyond 2^53 and makes it invalid, never wrapped', () => {
    const batch = batchOf({ probs: probs(), label: vec([1n, 2n ** 53n + 1n, 0n], new Int64()) });
    const cols = columnsOf(batch);
    expect(Number.isNaN(cols.label![1])).toBe(true);
    expect(cols.labelValues?.get(1)).toBe(2n ** 53n + 1n);
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'label', value: 2n ** 53n + 1n });
    expect(score([batch], { onInvalid: 'skip' }).report).toMatchObject({ rows: 3, scored: 2, invalid: 1 });
  });

  it('rejects an Int64 label of C and of -2^63 with their values', () => {
    expect(score([batchOf({ probs: probs(), label: vec([0n, 2n, 1n], new Int64()) })]).error).toMatchObject({ row: 1, value: 2 });
    expect(score([batchOf({ probs: probs(), label: vec([0n, 1n, -(2n ** 63n)], new Int64()) })]).error).toMatchObject({ row: 2, value: -(2n ** 63n) });
  });

  it('rejects a Uint64 label of 2^64 - 1 with its value', () => {
    const batch = batchOf({ probs: probs(), label: vec([2n ** 64n - 1n, 1n, 0n], new Uint64()) });
    expect(score([batch]).error).toMatchObject({ row: 0, column: 'label', value: 2n ** 64n - 1n });
  });

  it('rejects a binary Int64 label beyond 2^53 with its value', () => {
    const batch = batchOf({ prob: vec([0.5, 0.2], types.f64()), label: vec([1n, 2n ** 60n], new Int64()) });
    expect(score([batch]).error).toMatchObject({ row: 1, column: 'label', value: 2n ** 60n });
  });

  it('ignores an Int64 label equal to ignoreIndex', () => {
    const batch = batchOf({ probs: probs(), label: vec([-100n, 1n, 0n], new Int64()) });
    expect(score([batch]).report).toMatchObject({ scored: 2, ignored: 1 });
  });
});

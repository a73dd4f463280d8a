/**
 * makePlan: mode, input kind, C and class names from the Arrow schema (and the first batch for a
 * dictionary's strings or a List's width); columns found by name with the spec's defaults; a
 * schema that does not fit is an E_SCHEMA error naming the column.
 */
import {
  Bool,
  Dictionary,
  Field,
  Float16,
  Float32,
  Int64,
  Int8,
  LargeList,
  LargeUtf8,
  Uint16,
  Uint64,
  Uint8,
  Utf8View,
  type RecordBatch,
  type Schema,
  type Vector,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FocalEvalError } from '../src/errors.ts';
import { parseOptions, type OptionsInput } from '../src/options.ts';
import { listWidth, makePlan, planNeeds, type Plan } from '../src/input/plan.ts';
import { typeName } from '../src/input/arrowTypes.ts';
import { checkIpcFile } from '../src/input/ipc/fileCheck.ts';
import { batchOf, dictUtf8, fixedBools, fixedFloats, fixedInt8, listFloats, listInt8, table, types, vec } from './support/arrow.ts';
import { fixture } from './support/fixtures.ts';

function planOf(columns: Record<string, Vector>, options: OptionsInput = {}): Plan {
  const t = table(columns);
  return makePlan(t.schema, parseOptions(options), t.batches[0] ?? null, 'in.arrow');
}

function schemaErrorOf(columns: Record<string, Vector>, options: OptionsInput = {}): FocalEvalError {
  try {
    planOf(columns, options);
  } catch (error) {
    expect(error).toBeInstanceOf(FocalEvalError);
    return error as FocalEvalError;
  }
  throw new Error('expected an error, the plan was made');
}

const probs3 = () => vec([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], fixedFloats(3));
const labels = () => vec([2, 0], types.i32());

describe('makePlan', () => {
  it('reads multiclass probabilities from FixedSizeList<Float32>[C] and integer labels', () => {
    expect(planOf({ label: labels(), probs: probs3() })).toMatchObject({
      mode: 'multiclass',
      input: 'probs',
      classes: 3,
      classNames: ['0', '1', '2'],
      labelColumn: 'label',
      predColumn: 'probs',
      labelKind: 'int',
      predKind: 'fixed',
      stringLabels: false,
    });
  });

  it('reads FixedSizeList<Float64>[C] the same way', () => {
    const plan = planOf({ probs: vec([[0.2, 0.8]], fixedFloats(2, true)), label: vec([1], types.i32()) });
    expect(plan).toMatchObject({ mode: 'multiclass', classes: 2, predKind: 'fixed' });
  });

  it('reads a column named logits as logits', () => {
    expect(planOf({ logits: probs3(), label: labels() })).toMatchObject({ input: 'logits', predColumn: 'logits' });
  });

  it('reads a scalar column named logit as binary logits', () => {
    expect(planOf({ logit: vec([1.5, -2], types.f32()), label: vec([1, 0], types.i32()) })).toMatchObject({
      mode: 'binary',
      input: 'logits',
      predColumn: 'logit',
    });
  });

  it('prefers probs over prob, logits and logit', () => {
    const cols = { logit: vec([0.1], types.f64()), logits: vec([0.1], types.f64()), prob: vec([0.1], types.f64()), probs: vec([0.1], types.f64()) };
    expect(planOf({ ...cols, label: vec([1], types.i32()) }).predColumn).toBe('probs');
  });

  it('prefers prob over logits and logit', () => {
    const cols = { logit: vec([0.1], types.f64()), logits: vec([0.1], types.f64()), prob: vec([0.1], types.f64()) };
    expect(planOf({ ...cols, label: vec([1], types.i32()) })).toMatchObject({ predColumn: 'prob', input: 'probs' });
  });

  it('prefers logits over logit', () => {
    const cols = { logit: vec([0.1], types.f64()), logits: vec([0.1], types.f64()) };
    expect(planOf({ ...cols, label: vec([1], types.i32()) }).predColumn).toBe('logits');
  });

  it('finds columns by name, not position', () => {
    expect(planOf({ id: vec([0, 1], types.i32()), label: labels(), extra: vec([1, 2], types.f64()), probs: probs3() }).predColumn).toBe('probs');
  });

  it('takes the prediction and label columns named by the options', () => {
    const plan = planOf({ scores: probs3(), y: labels() }, { pred: 'scores', label: 'y' });
    expect(plan).toMatchObject({ predColumn: 'scores', labelColumn: 'y', input: 'probs', classes: 3 });
  });

  it('reads any prediction column whose name starts with logit as logits', () => {
    expect(planOf({ logit_score: vec([0.3], types.f64()), label: vec([1], types.i32()) }, { pred: 'logit_score' }).input).toBe('logits');
  });

  it('lets the input option override the name', () => {
    expect(planOf({ probs: probs3(), label: labels() }, { input: 'logits' }).input).toBe('logits');
  });

  it('reads binary probabilities with bool labels', () => {
    expect(planOf({ prob: vec([0.2, 0.9], types.f32()), label: vec([false, true], types.bool()) })).toMatchObject({
      mode: 'binary',
      input: 'probs',
      classes: 2,
      classNames: ['0', '1'],
      labelKind: 'bool',
      predKind: 'scalar',
    });
  });

  it('reads binary probabilities with integer labels', () => {
    expect(planOf({ prob: vec([0.2, 0.9], types.f64()), label: vec([0, 1], new Int8()) })).toMatchObject({ mode: 'binary', labelKind: 'int' });
  });

  it('reads binary labels stored as Int64', () => {
    expect(planOf({ prob: vec([0.2], types.f64()), label: vec([1n], new Int64()) })).toMatchObject({ mode: 'binary', labelKind: 'int' });
  });

  it('takes class names from a dictionary-encoded label column, dictionary index = class index', () => {
    const plan = planOf({ probs: probs3(), label: vec(['car', 'bus'], dictUtf8()) });
    expect(plan).toMatchObject({ labelKind: 'dictionary', stringLabels: true, classNames: ['car', 'bus', '2'] });
  });

  it('maps strings only to the classes the first dictionary lists (labelStrings null beyond it)', () => {
    const plan = planOf({ probs: probs3(), label: vec(['car', 'bus'], dictUtf8()) });
    expect(plan.labelStrings).toEqual(['car', 'bus', null]);
  });

  it('maps strings through classNames when they are given', () => {
    const plan = planOf({ probs: probs3(), label: vec(['car', 'bus'], dictUtf8()) }, { classNames: ['bus', 'car', 'van'] });
    expect(plan.labelStrings).toEqual(['bus', 'car', 'van']);
  });

  it('has no label strings for integer labels', () => {
    expect(planOf({ probs: probs3(), label: labels() }).labelStrings).toBeNull();
  });

  it('prefers classNames over the dictionary', () => {
    const plan = planOf({ probs: probs3(), label: vec(['car', 'bus'], dictUtf8()) }, { classNames: ['bus', 'car', 'van'] });
    expect(plan.classNames).toEqual(['bus', 'car', 'van']);
  });

  it('maps utf8 labels through classNames', () => {
    const plan = planOf({ probs: probs3(), label: vec(['a', 'c'], types.utf8()) }, { classNames: ['a', 'b', 'c'] });
    expect(plan).toMatchObject({ labelKind: 'utf8', stringLabels: true, classNames: ['a', 'b', 'c'] });
  });

  it('uses classNames for integer labels too', () => {
    expect(planOf({ probs: probs3(), label: labels() }, { classNames: ['x', 'y', 'z'] }).classNames).toEqual(['x', 'y', 'z']);
  });

  it('reads a List prediction with the width of the first non-null row as C', () => {
    const plan = planOf({ probs: vec([null, [0.1, 0.2, 0.3, 0.4]], listFloats()), label: vec([1, 2], types.i32()) });
    expect(plan).toMatchObject({ mode: 'multiclass', predKind: 'list', classes: 4 });
  });

  it('reads a List<Float32> prediction with C from classNames', () => {
    const plan = planOf({ logits: vec([[0.1, 0.2]], listFloats(false)), label: vec([1], types.i32()) }, { classNames: ['a', 'b'] });
    expect(plan).toMatchObject({ predKind: 'list', classes: 2, input: 'logits' });
  });

  it('reads multilabel from FixedSizeList<Bool>[C] targets', () => {
    const plan = planOf({ probs: probs3(), label: vec([[true, false, true], [false, false, false]], fixedBools(3)) });
    expect(plan).toMatchObject({ mode: 'multilabel', classes: 3, labelKind: 'list', targetIsList: false, classNames: ['0', '1', '2'] });
  });

  it('reads multilabel from FixedSizeList<Int8>[C] targets', () => {
    expect(planOf({ probs: probs3(), label: vec([[1, 0, 1], [0, 0, 0]], fixedInt8(3)) }).mode).toBe('multilabel');
  });

  it('reads multilabel from List<Int8> targets and List predictions', () => {
    const plan = planOf({ logits: vec([[0.1, 0.2]], listFloats()), label: vec([[1, 0]], listInt8()) });
    expect(plan).toMatchObject({ mode: 'multilabel', input: 'logits', predKind: 'list', targetIsList: true, classes: 2 });
  });

  it('accepts a mode option that agrees with the columns', () => {
    expect(planOf({ probs: probs3(), label: labels() }, { mode: 'multiclass' }).mode).toBe('multiclass');
  });
});

describe('makePlan on a schema that does not fit', () => {
  it('fails with E_SCHEMA when no prediction column is present, listing the defaults', () => {
    const error = schemaErrorOf({ scores: probs3(), label: labels() });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toMatch(/probs, prob, logits, logit/);
  });

  it('fails with E_SCHEMA naming a prediction column given but missing', () => {
    const error = schemaErrorOf({ probs: probs3(), label: labels() }, { pred: 'scores' });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('"scores"');
  });

  it('fails with E_SCHEMA naming a missing label column', () => {
    const error = schemaErrorOf({ probs: probs3(), target: labels() });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('"label"');
  });

  it('fails with E_SCHEMA naming an integer prediction column', () => {
    const error = schemaErrorOf({ probs: vec([1, 0], types.i32()), label: labels() });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "probs"');
  });

  it('fails with E_SCHEMA naming a prediction list of integers', () => {
    const error = schemaErrorOf({ probs: vec([[1, 0, 0]], fixedInt8(3)), label: vec([0], types.i32()) });
    expect(error).toMatchObject({ code: 'E_SCHEMA' });
    expect(error.message).toContain('column "probs"');
  });

  it('fails with E_SCHEMA naming a half-float prediction column', () => {
    const error = schemaErrorOf({ prob: vec([0.5], new Float16()), label: vec([1], types.i32()) });
    expect(error.message).toContain('column "prob"');
  });

  it('fails with E_SCHEMA naming a float label column in multiclass', () => {
    const error = schemaErrorOf({ probs: probs3(), label: vec([2, 0], types.f64()) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA naming a bool label column in multiclass', () => {
    const error = schemaErrorOf({ probs: probs3(), label: vec([true, false], types.bool()) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA naming a string label column in binary', () => {
    const error = schemaErrorOf({ prob: vec([0.2], types.f64()), label: vec(['yes'], dictUtf8()) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA naming a label list in binary', () => {
    const error = schemaErrorOf({ prob: vec([0.2], types.f64()), label: vec([[1, 0]], listInt8()) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA naming a multilabel target list of floats', () => {
    const error = schemaErrorOf({ probs: probs3(), label: vec([[1, 0, 1]], fixedFloats(3)) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA naming a multilabel target list of another width', () => {
    const error = schemaErrorOf({ probs: probs3(), label: vec([[true, false]], fixedBools(2)) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA naming a List prediction whose width cannot be known', () => {
    const error = schemaErrorOf({ probs: vec([null], listFloats()), label: vec([1], types.i32()) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "probs"');
  });

  it('fails with E_SCHEMA naming the label when its dictionary has more strings than classes', () => {
    const pairs = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]];
    const error = schemaErrorOf({ probs: vec(pairs, fixedFloats(2)), label: vec(['a', 'b', 'c'], dictUtf8()) });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('column "label"');
  });

  it('fails with E_SCHEMA when the mode option contradicts the columns', () => {
    const error = schemaErrorOf({ probs: probs3(), label: labels() }, { mode: 'binary' });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('"probs"');
  });

  it('fails with E_SCHEMA when multilabel is asked of integer labels', () => {
    const error = schemaErrorOf({ probs: probs3(), label: labels() }, { mode: 'multilabel' });
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toContain('"label"');
  });

  it('fails with E_USAGE naming classNames when utf8 labels come without them', () => {
    const error = schemaErrorOf({ probs: probs3(), label: vec(['a', 'b'], types.utf8()) });
    expect(error).toMatchObject({ code: 'E_USAGE', option: 'classNames' });
  });

  it('fails with E_USAGE naming classNames when their count is not C', () => {
    const error = schemaErrorOf({ probs: probs3(), label: labels() }, { classNames: ['a', 'b'] });
    expect(error).toMatchObject({ code: 'E_USAGE', option: 'classNames' });
  });

  it('fails with E_USAGE naming classNames when two names are the same', () => {
    const error = schemaErrorOf({ probs: probs3(), label: labels() }, { classNames: ['a', 'b', 'a'] });
    expect(error).toMatchObject({ code: 'E_USAGE', option: 'classNames' });
  });
});

describe('makePlan on a schema without batches', () => {
  it('plans from the schema alone when neither dictionary nor List needs a batch', () => {
    const t = table({ probs: probs3(), label: vec([2, 0], new Uint8()) });
    const schema: Schema = t.schema;
    const first: RecordBatch | null = null;
    expect(makePlan(schema, parseOptions({}), first, 'in.arrow')).toMatchObject({ mode: 'multiclass', classes: 3 });
  });
});

const largeList = <T extends Float32 | Bool | Int8>(child: T) => new LargeList(new Field('item', child, true));

describe('makePlan on the types pandas, polars and DuckDB write', () => {
  it('reads a LargeList<Float32> prediction as a List, its width from the first non-null row', () => {
    const plan = planOf({ probs: vec([null, [0.2, 0.3, 0.5]], largeList(new Float32())), label: vec([1n, 2n], new Int64()) });
    expect(plan).toMatchObject({ mode: 'multiclass', predKind: 'list', classes: 3, labelKind: 'int' });
  });

  it('reads LargeList<Bool> targets as multilabel (not as a multiclass label)', () => {
    const plan = planOf({ logits: vec([[0.1, 0.2]], largeList(new Float32())), label: vec([[true, false]], largeList(new Bool())) });
    expect(plan).toMatchObject({ mode: 'multilabel', labelKind: 'list', targetIsList: true, classes: 2 });
  });

  it('reads LargeList<Int8> targets beside a FixedSizeList prediction', () => {
    expect(planOf({ probs: probs3(), label: vec([[1, 0, 1]], largeList(new Int8())) })).toMatchObject({ mode: 'multilabel', targetIsList: true });
  });

  it('reads LargeUtf8 and Utf8View labels as strings mapped through classNames', () => {
    for (const type of [new LargeUtf8(), new Utf8View()]) {
      const plan = planOf({ probs: probs3(), label: vec(['a', 'c'], type) }, { classNames: ['a', 'b', 'c'] });
      expect(plan).toMatchObject({ labelKind: 'utf8', stringLabels: true, labelStrings: ['a', 'b', 'c'] });
    }
  });

  it('takes class names from a Dictionary<Int8, LargeUtf8> or Dictionary<Uint16, LargeUtf8>', () => {
    for (const index of [new Int8(), new Uint16()]) {
      const plan = planOf({ probs: probs3(), label: vec(['car', 'bus'], new Dictionary(new LargeUtf8(), index)) });
      expect(plan).toMatchObject({ labelKind: 'dictionary', classNames: ['car', 'bus', '2'] });
    }
  });

  it('takes the width of a List from a later batch when the first has no non-null row', () => {
    const t = table({ probs: vec([null, null], listFloats(false)), label: vec([null, 1], types.i32()) });
    const later = batchOf({ probs: vec([[0.5, 0.25, 0.25]], listFloats(false)), label: vec([1], types.i32()) });
    const plan = makePlan(t.schema, parseOptions({}), [t.batches[0]!, later], 'in.arrow');
    expect(plan).toMatchObject({ predKind: 'list', classes: 3 });
  });

  it('fails with E_SCHEMA naming the file, the column and its type when no batch has a width', () => {
    const t = table({ probs: vec([null], largeList(new Float32())), label: vec([1], types.i32()) });
    const error = (() => {
      try {
        makePlan(t.schema, parseOptions({}), [t.batches[0]!, t.batches[0]!], 'in.arrow');
      } catch (e) {
        return e as FocalEvalError;
      }
      throw new Error('planned');
    })();
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toBe(
      'in.arrow: column "probs": expected a LargeList<Float32> whose width is known: give --class-names or data with a non-null row, ' +
        'found no batch with a non-null row',
    );
  });

  it('names a refused type by its Arrow name, never by its type id', () => {
    const error = schemaErrorOf({ probs: vec([[0.5, 0.5]], largeList(new Int8())), label: vec([0], types.i32()) });
    expect(error.message).toBe(
      'in.arrow: column "probs": expected Float32/Float64, or a FixedSizeList, List or LargeList of Float32/Float64, found LargeList<Int8>',
    );
    const label = schemaErrorOf({ probs: probs3(), label: vec([[0.5]], largeList(new Float32())) });
    expect(label.message).toContain('found LargeList<Float32>');
  });
});

describe('planNeeds and listWidth', () => {
  const schemaOf = (columns: Record<string, Vector>) => table(columns).schema;

  it('needs no batch for fixed-width columns and integer labels', () => {
    expect(planNeeds(schemaOf({ probs: probs3(), label: labels() }), parseOptions({}))).toEqual({ batches: false, widthColumn: null, dictionaryColumn: null });
  });

  it('needs the first batch for a dictionary label, and a width for a List or LargeList prediction', () => {
    expect(planNeeds(schemaOf({ probs: probs3(), label: vec(['a'], dictUtf8()) }), parseOptions({}))).toEqual({ batches: true, widthColumn: null, dictionaryColumn: 'label' });
    const large = schemaOf({ logits: vec([[0.5]], largeList(new Float32())), label: vec([0], types.i32()) });
    expect(planNeeds(large, parseOptions({}))).toEqual({ batches: true, widthColumn: 'logits', dictionaryColumn: null });
  });

  it('needs nothing when classNames are given', () => {
    const schema = schemaOf({ probs: vec([[0.5, 0.5]], listFloats()), label: vec(['a'], dictUtf8()) });
    expect(planNeeds(schema, parseOptions({ classNames: ['a', 'b'] }))).toEqual({ batches: false, widthColumn: null, dictionaryColumn: null });
  });

  it('reads the width of the first non-null row of a List or LargeList, none without one', () => {
    expect(listWidth(batchOf({ p: vec([null, [1, 2]], largeList(new Float32())) }), 'p')).toBe(2);
    expect(listWidth(batchOf({ p: vec([null], listFloats()) }), 'p')).toBeUndefined();
  });
});

describe('typeName', () => {
  it('spells apache-arrow types as apache-arrow does', () => {
    const cases = [new Int8(), new Uint64(), new Float32(), largeList(new Float32()), fixedFloats(3), new Dictionary(new LargeUtf8(), new Int8()), new Utf8View()];
    for (const type of cases) expect(typeName(type)).toBe(String(type));
  });

  it('spells the lean schema decoder\'s types the same way', async () => {
    const layout = await checkIpcFile(fixture('types/mc_polars.arrow'));
    expect(layout.fields.map((f) => typeName(f.type))).toEqual(['LargeList<Float32>', 'Utf8View', 'Dictionary<Uint8, Utf8View>', 'Int64']);
    expect(layout.fields.map((f) => String(f.type))).toEqual(['LargeList<Float32>', 'Utf8View', 'Dictionary<Uint8, Utf8View>', 'Int64']);
  });
});

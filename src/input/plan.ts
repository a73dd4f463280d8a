/**
 * The plan: what a run reads and how, decided once on the main thread from the Arrow schema
 * (and the first batch, for a dictionary's strings, or the first batch with a non-null row of a
 * List prediction, for its width) before any work starts. A schema that does not fit fails here,
 * naming the file, the column, what was expected and the type found, by its Arrow name.
 *
 * The plan is plain data: it is sent with every task to the workers.
 */

import { sweepCodes } from '../kernel/sweep.ts';
import { FocalEvalError, UsageError } from '../errors.ts';
import type { InputKind, KernelParams, Mode } from '../kernel/types.ts';
import type { PartialShape } from '../kernel/partial.ts';
import type { Options } from '../options.ts';
import { columnOf, TYPE, typeName, type BatchLike, type SchemaLike, type TypeLike } from './arrowTypes.ts';

/**
 * How the label column is stored: an integer of any width, a bool, a Dictionary of strings, a
 * string (Utf8, LargeUtf8 or Utf8View), or a (FixedSize/Large)List of multilabel targets.
 */
export type LabelKind = 'int' | 'bool' | 'dictionary' | 'utf8' | 'list';
/** How the prediction column is stored: one float, a FixedSizeList, or a List or LargeList. */
export type PredKind = 'scalar' | 'fixed' | 'list';

/** Everything a worker needs to read a batch and score it. */
export interface Plan {
  mode: Mode;
  input: InputKind;
  labelColumn: string;
  predColumn: string;
  /** C: classes (2 in binary). */
  classes: number;
  classNames: string[];
  labelKind: LabelKind;
  predKind: PredKind;
  /** For multilabel: whether the target list is a List or LargeList (else FixedSizeList). */
  targetIsList: boolean;
  /** true when labels are strings that are mapped to classes by `labelStrings`. */
  stringLabels: boolean;
  /**
   * For string labels, the string that names each class: the classNames given, else the first
   * batch's dictionary; null for a class that no string names (beyond that dictionary). Null
   * for other labels.
   */
  labelStrings: (string | null)[] | null;
}

/** The scalar parameters the kernels take, from the plan and options. */
export function kernelParams(plan: Plan, opts: Options): KernelParams {
  return {
    classes: plan.classes,
    gamma: opts.gamma,
    sweep: sweepCodes(opts.gammas),
    fineBins: opts.concentrationBins,
    epsilon: opts.epsilon,
    easyThreshold: opts.easyThreshold,
    bins: opts.histogramBins,
    ignoreIndex: opts.ignoreIndex,
    skipInvalid: opts.onInvalid === 'skip',
  };
}

/** The partial's shape for a plan: C groups, or 2C in multilabel (positives, then negatives). */
export function partialShape(plan: Plan, options: Options): PartialShape {
  return {
    groups: plan.mode === 'multilabel' ? 2 * plan.classes : plan.classes,
    bins: options.histogramBins,
    sweep: options.gammas?.length ?? 0,
    fine: options.concentrationBins,
  };
}

/** The default prediction columns, in order of preference. */
export const PRED_COLUMNS = ['probs', 'prob', 'logits', 'logit'] as const;

/** The prediction column: the one named by `pred`, else the first of PRED_COLUMNS the schema has. */
export function predColumnOf(schema: SchemaLike, options: Pick<Options, 'pred'>): string | undefined {
  return options.pred ?? PRED_COLUMNS.find((name) => schema.fields.some((f) => f.name === name));
}

const isInt = (t: TypeLike): boolean => t.typeId === TYPE.Int;
const isBool = (t: TypeLike): boolean => t.typeId === TYPE.Bool;
const isString = (t: TypeLike): boolean => t.typeId === TYPE.Utf8 || t.typeId === TYPE.LargeUtf8 || t.typeId === TYPE.Utf8View;
const isList = (t: TypeLike): boolean => t.typeId === TYPE.List || t.typeId === TYPE.LargeList;
const isFixedSizeList = (t: TypeLike): boolean => t.typeId === TYPE.FixedSizeList;
const isDictionary = (t: TypeLike): boolean => t.typeId === TYPE.Dictionary;

/**
 * What the plan needs of the data beyond the schema (planBatches reads it): the first batch, for
 * a dictionary label's strings (`dictionaryColumn`), and, for a List or LargeList prediction,
 * batches up to the first with a non-null row of it (`widthColumn`), whose length is C. Nothing
 * when classNames are given.
 */
export function planNeeds(schema: SchemaLike, options: Options): { batches: boolean; widthColumn: string | null; dictionaryColumn: string | null } {
  if (options.classNames !== undefined) return { batches: false, widthColumn: null, dictionaryColumn: null };
  const pred = predColumnOf(schema, options);
  const typeOf = (name: string | undefined) => schema.fields.find((f) => f.name === name)?.type;
  const predType = typeOf(pred);
  const widthColumn = predType !== undefined && isList(predType) ? pred! : null;
  const dictionary = typeOf(options.label)?.typeId === TYPE.Dictionary;
  return { batches: widthColumn !== null || dictionary, widthColumn, dictionaryColumn: dictionary ? options.label : null };
}

/**
 * How many batches, and how many bytes of them, an input held in memory (a stream, the stage)
 * keeps while it looks for a List's width; past either, the plan is made from what was read.
 */
export const PLAN_HOLD = { batches: 1024, bytes: 64 * 1024 * 1024 } as const;

/** Whether the plan, holding `batches` batches of `bytes` bytes while it looks for a List's width, may hold one more (PLAN_HOLD). */
export function mayHoldMore(batches: number, bytes: number): boolean {
  return batches < PLAN_HOLD.batches && bytes < PLAN_HOLD.bytes;
}

/** The length of the first non-null row of a List column in a batch, if it has one. */
export function listWidth(batch: BatchLike, column: string): number | undefined {
  const data = columnOf(batch, column);
  const offsets = data?.valueOffsets as Int32Array | BigInt64Array | undefined;
  if (!data || !offsets) return undefined;
  for (let i = 0; i < data.length; i++) {
    if (data.getValid(i)) return Number(offsets[data.offset + i + 1]!) - Number(offsets[data.offset + i]!);
  }
  return undefined;
}


/**
 * Builds the plan from a schema and the batches read for it (planNeeds says which): the first
 * supplies a dictionary's strings, the first with a non-null row of a List prediction its width.
 */
export function makePlan(
  schema: SchemaLike,
  options: Options,
  batches: BatchLike | readonly BatchLike[] | null,
  file: string,
): Plan {
  const read: readonly BatchLike[] = batches === null ? [] : Array.isArray(batches) ? batches : [batches as BatchLike];
  const firstBatch = read[0] ?? null;
  const fail = (column: string, expected: string, found: TypeLike | string): never => {
    const what = typeof found === 'string' ? found : typeName(found);
    throw new FocalEvalError('E_SCHEMA', `${file}: column "${column}": expected ${expected}, found ${what}`);
  };
  const fieldOf = (name: string): SchemaLike['fields'][number] | undefined => schema.fields.find((f) => f.name === name);
  const names = schema.fields.map((f) => f.name).join(', ') || 'no columns';

  const predColumn = predColumnOf(schema, options);
  if (predColumn === undefined) {
    throw new FocalEvalError(
      'E_SCHEMA',
      `${file}: no prediction column: expected one of ${PRED_COLUMNS.join(', ')} (or name it with --pred); columns: ${names}`,
    );
  }
  const predField = fieldOf(predColumn);
  if (!predField) throw new FocalEvalError('E_SCHEMA', `${file}: no column "${predColumn}" (columns: ${names})`);
  const labelField = fieldOf(options.label);
  if (!labelField) {
    throw new FocalEvalError('E_SCHEMA', `${file}: no label column "${options.label}" (columns: ${names})`);
  }
  const input: InputKind = options.input ?? (predColumn.startsWith('logit') ? 'logits' : 'probs');

  const predType = predField.type;
  let predKind: PredKind;
  let width: number | undefined;
  if (isFloat(predType)) {
    predKind = 'scalar';
  } else if (isFixedSizeList(predType) && isFloat(predType.children[0]!.type)) {
    predKind = 'fixed';
    width = predType.listSize!;
  } else if (isList(predType) && isFloat(predType.children[0]!.type)) {
    predKind = 'list';
    width = options.classNames?.length;
    for (const batch of read) width ??= listWidth(batch, predColumn);
    if (width === undefined) {
      fail(
        predColumn,
        `a ${typeName(predType)} whose width is known: give --class-names or data with a non-null row`,
        read.length === 0 ? 'no batch' : 'no batch with a non-null row',
      );
    }
  } else {
    return fail(predColumn, 'Float32/Float64, or a FixedSizeList, List or LargeList of Float32/Float64', predType);
  }

  const labelType = labelField.type;
  const labelIsList = isFixedSizeList(labelType) || isList(labelType);
  let mode: Mode;
  if (predKind === 'scalar') mode = 'binary';
  else mode = labelIsList ? 'multilabel' : 'multiclass';
  if (options.mode !== undefined && options.mode !== mode) {
    const why =
      options.mode === 'binary'
        ? `binary needs one float per row in "${predColumn}"`
        : options.mode === 'multilabel'
          ? `multilabel needs a list of 0/1 targets in "${options.label}"`
          : `multiclass needs a list of C floats in "${predColumn}" and a class index in "${options.label}"`;
    throw new FocalEvalError('E_SCHEMA', `${file}: --mode ${options.mode} does not fit the columns: ${why}`);
  }

  let labelKind: LabelKind;
  let targetIsList = false;
  if (mode === 'multilabel') {
    const child = labelType.children[0]!.type;
    if (!(isBool(child) || isInt(child))) {
      fail(options.label, 'a list of Bool or integer 0/1 targets', labelType);
    }
    if (isFixedSizeList(labelType) && labelType.listSize !== width) {
      fail(options.label, `a target list of width ${width} (as "${predColumn}")`, labelType);
    }
    labelKind = 'list';
    targetIsList = isList(labelType);
  } else if (isBool(labelType)) {
    if (mode !== 'binary') fail(options.label, 'an integer class index or a string label', labelType);
    labelKind = 'bool';
  } else if (isInt(labelType)) {
    labelKind = 'int';
  } else if (isDictionary(labelType) && isString(labelType.dictionary!)) {
    labelKind = 'dictionary';
  } else if (isString(labelType)) {
    labelKind = 'utf8';
  } else {
    return fail(
      options.label,
      mode === 'binary'
        ? 'Bool or integer 0/1 labels'
        : 'integer class indices, or strings (Utf8, LargeUtf8, Utf8View, or a Dictionary of them)',
      labelType,
    );
  }
  if (mode === 'binary' && (labelKind === 'dictionary' || labelKind === 'utf8')) {
    fail(options.label, 'Bool or integer 0/1 labels', labelType);
  }

  const classes = mode === 'binary' ? 2 : width!;
  if (classes < 1) fail(predColumn, 'at least one class', `width ${classes}`);
  const stringLabels = labelKind === 'dictionary' || labelKind === 'utf8';
  const classNames = resolveClassNames(options, classes, labelType, firstBatch, file);
  // A default name ("2") is not a label string: only the first dictionary's strings map (spec §1).
  let labelStrings: (string | null)[] | null = null;
  if (stringLabels) {
    const strings = options.classNames ?? firstDictionary(firstBatch, options.label);
    labelStrings = classNames.map((_, c) => strings[c] ?? null);
  }
  checkAlpha(options, classes, mode);
  checkSavedAlphas(options, mode, classNames);
  return {
    mode,
    input,
    labelColumn: options.label,
    predColumn,
    classes,
    classNames,
    labelKind,
    predKind,
    targetIsList,
    stringLabels,
    labelStrings,
  };
}

function isFloat(type: TypeLike): boolean {
  // Half floats are rare in prediction dumps and have no typed array: not accepted.
  return type.typeId === TYPE.Float && (type.precision === 1 || type.precision === 2);
}

function resolveClassNames(
  options: Options,
  classes: number,
  labelType: TypeLike,
  firstBatch: BatchLike | null,
  file: string,
): string[] {
  if (options.classNames !== undefined) {
    if (options.classNames.length !== classes) {
      throw new UsageError(
        `option classNames: ${options.classNames.length} names given, but the data has ${classes} classes`,
        'classNames',
      );
    }
    if (new Set(options.classNames).size !== classes) {
      throw new UsageError('option classNames: names must be distinct', 'classNames');
    }
    return [...options.classNames];
  }
  const names = Array.from({ length: classes }, (_, c) => String(c));
  if (isDictionary(labelType)) {
    // Dictionary index = class index, from the first batch's dictionary (spec §1).
    const strings = firstDictionary(firstBatch, options.label);
    if (strings.length > classes) {
      throw new FocalEvalError(
        'E_SCHEMA',
        `${file}: column "${options.label}": its dictionary has ${strings.length} strings but the predictions have ${classes} classes`,
      );
    }
    strings.forEach((s, c) => {
      if (s !== null) names[c] = s;
    });
  } else if (isString(labelType)) {
    throw new UsageError(
      `option classNames: string labels (column "${options.label}", ${typeName(labelType)}) need --class-names to map them to classes`,
      'classNames',
    );
  }
  return names;
}

/** The strings of the label column's dictionary in the first batch (none without a batch). */
function firstDictionary(firstBatch: BatchLike | null, label: string): (string | null)[] {
  const dictionary = firstBatch === null ? undefined : columnOf(firstBatch, label)?.dictionary;
  return dictionary ? (dictionary.toArray() as (string | null)[]) : [];
}

/** Saved alphas must be for the same mode and the same classes, in the same order. */
function checkSavedAlphas(options: Options, mode: Mode, classNames: readonly string[]): void {
  const saved = options.alphaEstimates;
  if (saved === undefined) return;
  if (saved.mode !== mode) {
    throw new UsageError(`option alphaEstimates: the saved alphas are for ${saved.mode} data, this input is ${mode}`, 'alphaEstimates');
  }
  const same = saved.classNames.length === classNames.length && saved.classNames.every((n, c) => n === classNames[c]);
  if (!same) {
    const show = (names: readonly string[]): string => (names.length > 12 ? `${names.slice(0, 12).join(',')},…` : names.join(','));
    throw new UsageError(
      `option alphaEstimates: the saved alphas' ${saved.classNames.length} classes (${show(saved.classNames)}) ` +
        `do not match the data's ${classNames.length} (${show(classNames)})`,
      'alphaEstimates',
    );
  }
}

function checkAlpha(options: Options, classes: number, mode: Mode): void {
  if (!Array.isArray(options.alpha)) return;
  if (options.alpha.length !== classes) {
    throw new UsageError(
      `option alpha: a list of ${options.alpha.length} weights, but the data has ${classes} classes`,
      'alpha',
    );
  }
  // In multilabel each entry is the weight on positives and 1 - alpha weighs negatives.
  if (mode === 'multilabel' && options.alpha.some((a) => a > 1)) {
    throw new UsageError('option alpha: multilabel weights are weights on positives and must lie in [0, 1]', 'alpha');
  }
}

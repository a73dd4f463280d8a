/**
 * The per-row columns the stage appends to each batch (spec §5): p_t, ce, focal_loss (the
 * alpha-weighted loss) as Float64 and easy as Bool in binary and multiclass; in multilabel
 * focal_loss_per_class (FixedSizeList<Float32>[C]) and focal_loss (the row's sum). Rows that
 * were not scored (ignored, skipped) are null, never NaN.
 */
import {
  Bool,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  type Data,
} from 'apache-arrow';
import { UsageError } from '../errors.ts';
import type { RowColumns } from '../kernel/types.ts';
import type { Plan } from '../input/plan.ts';

import { lossColumnNames } from './lossNames.ts';

/** The output schema: the input's fields, then the loss columns; a name clash is a usage error. */
export function outputSchema(input: Schema, plan: Plan): Schema {
  for (const name of lossColumnNames(plan)) {
    if (input.fields.some((f) => f.name === name)) {
      throw new UsageError(`the input already has a column "${name}", which the stage would add; rename or drop it first`);
    }
  }
  const added =
    plan.mode === 'multilabel'
      ? [new Field('focal_loss_per_class', perClassType(plan.classes), true), new Field('focal_loss', new Float64(), true)]
      : [
          new Field('p_t', new Float64(), true),
          new Field('ce', new Float64(), true),
          new Field('focal_loss', new Float64(), true),
          new Field('easy', new Bool(), true),
        ];
  return new Schema([...input.fields, ...added], input.metadata);
}

/**
 * The batch with its loss columns appended: the input columns reused and the worker's buffers
 * (bits already packed) taken as they are, nothing copied.
 */
export function appendLossColumns(batch: RecordBatch, schema: Schema, plan: Plan, rows: RowColumns): RecordBatch {
  const n = batch.numRows;
  const nulls = rows.nulls;
  const bitmap = nulls === 0 ? undefined : rows.valid;
  const f64 = (values: Float64Array): Data =>
    makeData({ type: new Float64(), length: n, data: values, nullBitmap: bitmap, nullCount: nulls });
  let added: Data[];
  if (plan.mode === 'multilabel') {
    const C = plan.classes;
    const child = makeData({ type: new Float32(), length: n * C, data: rows.perClass! });
    added = [
      makeData({ type: perClassType(C), length: n, child, nullBitmap: bitmap, nullCount: nulls }),
      f64(rows.loss),
    ];
  } else {
    added = [
      f64(rows.pt),
      f64(rows.ce),
      f64(rows.loss),
      makeData({ type: new Bool(), length: n, data: rows.easy, nullBitmap: bitmap, nullCount: nulls }),
    ];
  }
  const data = makeData({
    type: new Struct(schema.fields),
    length: n,
    children: [...batch.data.children, ...added],
    nullCount: 0,
  });
  return new RecordBatch(schema, data);
}

function perClassType(C: number): FixedSizeList<Float32> {
  return new FixedSizeList(C, new Field('item', new Float32(), false));
}

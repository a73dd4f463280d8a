/**
 * Arrow record batches built straight from typed arrays: the generator fills flat Float32/Int32/
 * Uint8 buffers and wraps them with makeData, with no per-value builder calls, which is what makes
 * generating tens of millions of rows take seconds. The schema (and a dictionary label's string
 * vector) is made once per dump and shared by every batch, as the IPC file writer expects.
 */
import {
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Uint8,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';

/** The columns of a dump: which prediction column, and how labels are stored. */
export interface DumpLayout {
  /** "probs" or "logits": the prediction column's name (the evaluator infers the input kind from it). */
  predColumn: 'probs' | 'logits';
  classes: number;
  /** int32 class index, dictionary-encoded class name, or a FixedSizeList<Uint8>[C] of 0/1 targets. */
  label: 'int32' | 'dictionary' | 'multilabel';
  /** Class names, for a dictionary-encoded label. */
  classNames?: readonly string[];
}

/** A batch's raw buffers: predictions (rows x C), labels (rows, or rows x C targets) and label validity. */
export interface BatchBuffers {
  rows: number;
  pred: Float32Array;
  label: Int32Array | Uint8Array;
  /** Validity bitmap of the label column (bit set = valid), or null when no label is null. */
  labelValidity: Uint8Array | null;
  labelNulls: number;
}

/** Makes batches of one layout; the schema and dictionary are shared by all of them. */
export class BatchMaker {
  readonly schema: Schema;
  private readonly predType: FixedSizeList<Float32>;
  private readonly labelType: DataType;
  private readonly dictionary: Vector<Utf8> | null;

  /** Builds the schema for a layout. */
  constructor(layout: DumpLayout) {
    this.predType = new FixedSizeList(layout.classes, new Field('item', new Float32(), false));
    this.dictionary = null;
    if (layout.label === 'multilabel') {
      this.labelType = new FixedSizeList(layout.classes, new Field('item', new Uint8(), false));
    } else if (layout.label === 'dictionary') {
      if (layout.classNames?.length !== layout.classes) throw new RangeError('a dictionary label needs one name per class');
      this.labelType = new Dictionary(new Utf8(), new Int32(), 0);
      this.dictionary = vectorFromArray([...layout.classNames], new Utf8());
    } else {
      this.labelType = new Int32();
    }
    this.schema = new Schema([
      new Field(layout.predColumn, this.predType, false),
      new Field('label', this.labelType, true),
    ]);
  }

  /** Wraps one batch's buffers (no copy) as a RecordBatch. */
  make(b: BatchBuffers): RecordBatch {
    const child = makeData({ type: this.predType.children[0]!.type, length: b.pred.length, data: b.pred });
    const pred = makeData({ type: this.predType, length: b.rows, nullCount: 0, child });
    const children: Data[] = [pred, this.labelData(b)];
    const struct = makeData({ type: new Struct(this.schema.fields), length: b.rows, nullCount: 0, children });
    return new RecordBatch(this.schema, struct);
  }

  private labelData(b: BatchBuffers): Data {
    const validity = { nullCount: b.labelNulls, nullBitmap: b.labelValidity ?? undefined };
    const type = this.labelType;
    if (type instanceof FixedSizeList) {
      const child = makeData({ type: new Uint8(), length: b.label.length, data: b.label as Uint8Array });
      return makeData({ type: type as FixedSizeList<Uint8>, length: b.rows, child, ...validity });
    }
    if (type instanceof Dictionary) {
      return makeData({ type, length: b.rows, data: b.label as Int32Array, dictionary: this.dictionary!, ...validity });
    }
    return makeData({ type: type as Int32, length: b.rows, data: b.label as Int32Array, ...validity });
  }
}

/**
 * The Arrow vocabulary every reader and the plan share: the type ids (Schema.fbs's Type union,
 * as apache-arrow numbers them), and the shapes of a type, schema, column Data and batch that the
 * plan and the column reader look at (and the one lookup of a batch's column by name).
 * apache-arrow's objects fit these shapes, and so do the lean IPC and Parquet readers', which is
 * how a file is planned and scored without loading apache-arrow. A leaf: it imports nothing.
 */

/** apache-arrow's Type ids (the same numbers as Schema.fbs's Type union; Dictionary is -1). */
export const TYPE = {
  Dictionary: -1,
  Null: 1,
  Int: 2,
  Float: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  Interval: 11,
  List: 12,
  Struct: 13,
  Union: 14,
  FixedSizeBinary: 15,
  FixedSizeList: 16,
  Map: 17,
  Duration: 18,
  LargeBinary: 19,
  LargeUtf8: 20,
  LargeList: 21,
  RunEndEncoded: 22,
  BinaryView: 23,
  Utf8View: 24,
  ListView: 25,
  LargeListView: 26,
} as const;

/**
 * The parts of a column type the plan reads: apache-arrow's DataType has them, and so has the
 * lean IPC reader's (ipc/schema.ts).
 */
export interface TypeLike {
  readonly typeId: number;
  readonly precision?: number;
  readonly bitWidth?: number;
  readonly isSigned?: boolean;
  readonly listSize?: number;
  readonly children: readonly { readonly type: TypeLike }[];
  /** Dictionary: the value type and the index type. */
  readonly dictionary?: TypeLike;
  readonly indices?: TypeLike;
  toString(): string;
}

/**
 * Whether apache-arrow (21) cannot read a column of this type, nested ones included: it refuses a
 * schema holding RunEndEncoded, ListView, LargeListView or an integer wider than 64 bits (polars'
 * Int128), whichever column it is in.
 */
export function arrowCannotRead(t: TypeLike): boolean {
  if (t.typeId === TYPE.RunEndEncoded || t.typeId === TYPE.ListView || t.typeId === TYPE.LargeListView) return true;
  if (t.typeId === TYPE.Int && (t.bitWidth ?? 32) > 64) return true;
  if (t.dictionary && arrowCannotRead(t.dictionary)) return true;
  return t.children.some((c) => arrowCannotRead(c.type));
}

/** The names of the types whose name has no parameter (apache-arrow's spelling). */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  [TYPE.Null]: 'Null',
  [TYPE.Binary]: 'Binary',
  [TYPE.Utf8]: 'Utf8',
  [TYPE.Bool]: 'Bool',
  [TYPE.Decimal]: 'Decimal',
  [TYPE.Date]: 'Date',
  [TYPE.Time]: 'Time',
  [TYPE.Timestamp]: 'Timestamp',
  [TYPE.Interval]: 'Interval',
  [TYPE.Struct]: 'Struct',
  [TYPE.Union]: 'Union',
  [TYPE.FixedSizeBinary]: 'FixedSizeBinary',
  [TYPE.Map]: 'Map',
  [TYPE.Duration]: 'Duration',
  [TYPE.LargeBinary]: 'LargeBinary',
  [TYPE.LargeUtf8]: 'LargeUtf8',
  [TYPE.RunEndEncoded]: 'RunEndEncoded',
  [TYPE.BinaryView]: 'BinaryView',
  [TYPE.Utf8View]: 'Utf8View',
};

/**
 * A type's name for messages, the same from apache-arrow's types and the lean reader's:
 * `Int8`, `Uint64`, `Float32`, `LargeList<Float32>`, `FixedSizeList[3]<Bool>`,
 * `Dictionary<Int8, LargeUtf8>`, `Utf8View` (apache-arrow's spelling), never a bare type id.
 */
export function typeName(t: TypeLike): string {
  const child = (): string => (t.children[0] ? typeName(t.children[0].type) : '?');
  switch (t.typeId) {
    case TYPE.Int:
      return t.bitWidth === undefined ? 'Int' : `${t.isSigned === false ? 'Uint' : 'Int'}${t.bitWidth}`;
    case TYPE.Float:
      return ['Float16', 'Float32', 'Float64'][t.precision ?? -1] ?? 'Float';
    case TYPE.List:
      return `List<${child()}>`;
    case TYPE.LargeList:
      return `LargeList<${child()}>`;
    case TYPE.ListView:
      return `ListView<${child()}>`;
    case TYPE.LargeListView:
      return `LargeListView<${child()}>`;
    case TYPE.FixedSizeList:
      return `FixedSizeList[${t.listSize}]<${child()}>`;
    case TYPE.Dictionary:
      return `Dictionary<${t.indices ? typeName(t.indices) : 'Int32'}, ${t.dictionary ? typeName(t.dictionary) : '?'}>`;
    default:
      return TYPE_NAMES[t.typeId] ?? `an unknown type (id ${t.typeId})`;
  }
}

/** The parts of a schema the plan reads. */
export interface SchemaLike {
  readonly fields: readonly { readonly name: string; readonly type: TypeLike }[];
}

/**
 * The parts of an Arrow Data that the column reader (columns.ts) reads: apache-arrow's Data has
 * them, and so do the lean reader's columns (ipc/batch.ts).
 */
export interface DataLike {
  readonly typeId: number;
  readonly length: number;
  readonly offset: number;
  readonly nullCount: number;
  readonly nullBitmap: Uint8Array | undefined;
  readonly values: unknown;
  readonly valueOffsets?: unknown;
  /** Utf8View (and BinaryView): the data buffers its views point into; `values` holds the views. */
  readonly variadicBuffers?: readonly Uint8Array[];
  readonly children: readonly DataLike[];
  readonly dictionary?: { toArray(): unknown } | undefined;
  getValid(index: number): boolean;
}

/** The parts of a RecordBatch that the column reader reads. */
export interface BatchLike {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  readonly data: { readonly children: readonly DataLike[] };
}

/** A batch's column, by name (undefined when it has none). */
export function columnOf(batch: BatchLike, name: string): DataLike | undefined {
  const index = batch.schema.fields.findIndex((f) => f.name === name);
  return index < 0 ? undefined : batch.data.children[index];
}

/**
 * The lean decoding of an Arrow IPC schema (a footer's or a stream's, already checked by
 * messageCheck.ts): field names and the types the plan looks at, shaped like apache-arrow's
 * Field/DataType (typeId, precision, listSize, children, dictionary) so that the plan reads
 * either. With it, scoring an IPC file never loads apache-arrow on the main thread or in the
 * workers. Also where each top-level column's nodes and buffers sit in a record batch.
 */
import { TYPE, typeName } from '../arrowTypes.ts';
import { IpcFormatError, type FlatBuffer, type Table } from './flatbuffer.ts';

/** A column type, as much of it as focal-eval reads. */
export interface IpcType {
  typeId: number;
  /** Float: 0 half, 1 single, 2 double. */
  precision?: number;
  /** Int: bits and signedness. */
  bitWidth?: number;
  isSigned?: boolean;
  /** FixedSizeList: the width. */
  listSize?: number;
  children: IpcField[];
  /** Dictionary: the value type, the index type, and the id its dictionary batches carry. */
  dictionary?: IpcType;
  indices?: IpcType;
  dictionaryId?: number;
  toString(): string;
}

/** A field of the schema. */
export interface IpcField {
  name: string;
  nullable: boolean;
  type: IpcType;
}

// A class, so that toString lives on the prototype: a type crosses to the workers by structured
// clone, which copies data properties and would refuse a function-valued one.
class ParsedType implements IpcType {
  typeId!: number;
  children!: IpcField[];
  constructor(fields: Omit<IpcType, 'toString'>) {
    Object.assign(this, fields);
  }
  toString(): string {
    return typeName(this);
  }
}

/** A type with its Arrow name as toString (the Parquet reader makes them too). */
export function makeType(fields: Omit<IpcType, 'toString'>): IpcType {
  return new ParsedType(fields);
}

/** Decodes a checked Schema table into fields. */
export function decodeSchema(fb: FlatBuffer, schema: Table): IpcField[] {
  const vec = fb.vector(schema, 1, 4, 'the schema fields');
  const fields: IpcField[] = [];
  for (let i = 0; vec && i < vec.count; i++) fields.push(decodeField(fb, fb.tableIn(vec, i, 'a field')));
  return fields;
}

// Field: 0 name, 1 nullable, 2 type_type, 3 type, 4 dictionary, 5 children.
function decodeField(fb: FlatBuffer, field: Table): IpcField {
  const name = fb.text(field, 0, 'a field name') ?? '';
  const nullable = fb.u8Field(field, 1, 'a field') !== 0;
  const childVec = fb.vector(field, 5, 4, 'field children');
  const children: IpcField[] = [];
  for (let i = 0; childVec && i < childVec.count; i++) children.push(decodeField(fb, fb.tableIn(childVec, i, 'a child field')));
  const typeId = fb.u8Field(field, 2, 'a field');
  const params = fb.table(field, 3, 'a field type');
  const valueType = makeType({ typeId, children, ...typeParams(fb, typeId, params) });
  const encoding = fb.table(field, 4, 'a dictionary encoding');
  if (!encoding) return { name, nullable, type: valueType };
  // DictionaryEncoding: 0 id, 1 indexType (an Int table; int32 when absent).
  const dictionaryId = Number(fb.i64Field(encoding, 0, 'a dictionary encoding'));
  const indexTable = fb.table(encoding, 1, 'a dictionary index type');
  const indices = makeType({ typeId: TYPE.Int, children: [], ...typeParams(fb, TYPE.Int, indexTable) });
  return { name, nullable, type: makeType({ typeId: TYPE.Dictionary, children: [], dictionary: valueType, indices, dictionaryId }) };
}

function typeParams(fb: FlatBuffer, typeId: number, params: Table | null): Partial<IpcType> {
  switch (typeId) {
    case TYPE.Int:
      return params === null
        ? { bitWidth: 32, isSigned: true }
        : { bitWidth: fb.i32Field(params, 0, 32, 'an int type'), isSigned: fb.u8Field(params, 1, 'an int type') !== 0 };
    case TYPE.Float:
      return { precision: params === null ? 0 : fb.i16Field(params, 0, 0, 'a float type') };
    case TYPE.FixedSizeList:
      return { listSize: params === null ? 0 : fb.i32Field(params, 0, 0, 'a fixed-size list type') };
    default:
      return {};
  }
}

/**
 * Where a top-level column's field nodes and buffers start in a record batch. With `views`, the
 * buffer index leaves out the data buffers of the view-typed fields (BinaryView, Utf8View) before
 * the column, `views` of them in depth-first order: how many each has is a batch's own
 * (RecordBatch.variadicBufferCounts), so the reader adds them per batch (ipc/batch.ts).
 */
export interface ColumnPlace {
  node: number;
  buffer: number;
  views?: number;
}

/** Where a column's nodes and buffers are in one batch; `views` counts the view-typed fields before. */
export interface Cursor {
  node: number;
  buffer: number;
  views: number;
}

/**
 * A column's start in a batch whose view-typed fields have `variadic` data buffers each
 * (RecordBatch.variadicBufferCounts): its place, its buffers after those of the views before it.
 */
export function startOf(place: ColumnPlace, variadic: readonly number[]): Cursor {
  const views = place.views ?? 0;
  let buffer = place.buffer;
  for (let v = 0; v < views; v++) buffer += variadicCount(variadic, v);
  return { node: place.node, buffer, views };
}

/** The data buffers of the batch's view-typed field `v` (depth-first). */
export function variadicCount(variadic: readonly number[], v: number): number {
  const n = variadic[v];
  if (n === undefined) throw new IpcFormatError(`the batch has ${variadic.length} variadic buffer counts, the schema's view-typed fields need more`);
  return n;
}

/**
 * The node and buffer index of each top-level column, walking the schema in IPC's depth-first
 * order; a column after a type whose buffer count the schema alone does not tell (a union, and
 * unless `countViews`, BinaryView or Utf8View) is absent (such files are read through apache-arrow).
 */
export function columnPlaces(fields: readonly IpcField[], countViews = false): Map<string, ColumnPlace> {
  const places = new Map<string, ColumnPlace>();
  const at = { node: 0, buffer: 0, views: 0 };
  for (const field of fields) {
    places.set(field.name, countViews ? { ...at } : { node: at.node, buffer: at.buffer });
    if (!advance(field.type, at, countViews)) break;
  }
  return places;
}

function advance(type: IpcType, at: { node: number; buffer: number; views: number }, countViews: boolean): boolean {
  at.node += 1;
  const t = type.typeId === TYPE.Dictionary ? type.indices! : type;
  switch (t.typeId) {
    case TYPE.Null:
      return true;
    case TYPE.Binary:
    case TYPE.Utf8:
    case TYPE.LargeBinary:
    case TYPE.LargeUtf8:
      at.buffer += 3;
      return true;
    case TYPE.List:
    case TYPE.Map:
    case TYPE.LargeList:
      at.buffer += 2;
      return t.children.every((c) => advance(c.type, at, countViews));
    case TYPE.FixedSizeList:
    case TYPE.Struct:
      at.buffer += 1;
      return t.children.every((c) => advance(c.type, at, countViews));
    case TYPE.ListView:
    case TYPE.LargeListView:
      // Validity, offsets, sizes.
      at.buffer += 3;
      return t.children.every((c) => advance(c.type, at, countViews));
    case TYPE.RunEndEncoded:
      // No buffers of its own: its run ends and values are its two children.
      return t.children.every((c) => advance(c.type, at, countViews));
    case TYPE.BinaryView:
    case TYPE.Utf8View:
      // Validity and views; its data buffers are counted per batch (ColumnPlace.views).
      if (!countViews) return false;
      at.buffer += 2;
      at.views += 1;
      return true;
    default:
      // Fixed-width types: validity and values. Unions (their buffers depend on the metadata
      // version) are not walked.
      if (t.typeId === TYPE.Union || t.typeId > TYPE.LargeList) return false;
      at.buffer += 2;
      return true;
  }
}

/**
 * A Parquet file's columns as Arrow sees them, and which of them the lean reader reads. The
 * Arrow schema is the one Arrow writers store in the footer (`ARROW:schema`, an IPC schema
 * message, base64), decoded by the lean IPC schema decoder; without it (DuckDB, other writers)
 * it is derived from the Parquet schema as arrow-rs derives it (FLOAT → Float32, INT32 with
 * INT(8, true) → Int8, a LIST group → List<element>, ...). When a field's type cannot be derived
 * here the caller reads the file's schema through parquet-wasm instead.
 *
 * A lean column is a top-level number or bool, or a list of them (one repeated level: the
 * 3-level LIST of the spec, or the legacy 2-level forms), whose Arrow type agrees with the
 * Parquet physical type; and, for a label, a top-level BYTE_ARRAY of strings (Arrow Utf8,
 * LargeUtf8, Utf8View, or a Dictionary of one of them). Its definition levels say, for each value slot: `def < nullDef`, the
 * row is null; `def < slotDef`, the list is empty; `def < maxDef`, the element is null; else a
 * value is stored.
 */
import { checkMessage, SCHEMA } from '../ipc/messageCheck.ts';
import { FlatBuffer, IpcFormatError } from '../ipc/flatbuffer.ts';
import { messagePrefix } from '../ipc/io.ts';
import { decodeSchema, makeType, type IpcField, type IpcType } from '../ipc/schema.ts';
import { TYPE } from '../arrowTypes.ts';
import { CONVERTED, PHYSICAL, REPETITION, type FileMetaData, type SchemaElement } from './metadata.ts';

/** What a worker needs to read one lean column of a row group. Plain data (it crosses threads). */
export interface LeanParquetColumn {
  name: string;
  /** The column chunk's index in each row group. */
  chunk: number;
  physical: number;
  /** INT32 / INT64 holding unsigned values. */
  unsigned: boolean;
  maxDef: number;
  maxRep: number;
  nullDef: number;
  slotDef: number;
  /** How the rows are handed on: a value per row, a List (Int32 offsets), or a FixedSizeList of `listSize`. */
  shape: 'flat' | 'list' | 'fixed';
  listSize: number;
}

/** A top-level field of the Parquet schema: its element, and its leaf columns' indices and paths. */
interface TopField {
  element: SchemaElement;
  /** The elements from the field down to each leaf (depth-first), and each leaf's column index. */
  leaves: { path: SchemaElement[]; column: number }[];
}

/** The Parquet schema's top-level fields, with the leaves under each. */
function topFields(meta: FileMetaData): TopField[] {
  const elements = meta.schema;
  const root = elements[0];
  if (!root) throw new IpcFormatError('the schema is empty');
  let at = 1;
  let column = 0;
  const walk = (path: SchemaElement[], leaves: TopField['leaves'], depth: number): void => {
    if (depth > 64) throw new IpcFormatError('the schema nests deeper than 64 levels');
    const element = elements[at++];
    if (!element) throw new IpcFormatError('the schema has fewer elements than its groups declare');
    const here = [...path, element];
    if (element.numChildren === 0 && element.type !== undefined) {
      leaves.push({ path: here, column: column++ });
      return;
    }
    for (let i = 0; i < element.numChildren; i++) walk(here, leaves, depth + 1);
  };
  const fields: TopField[] = [];
  for (let i = 0; i < root.numChildren; i++) {
    const leaves: TopField['leaves'] = [];
    const element = elements[at];
    walk([], leaves, 0);
    fields.push({ element: element!, leaves });
  }
  if (at !== elements.length) throw new IpcFormatError(`the schema has ${elements.length - at} elements no group holds`);
  return fields;
}

/** The file's Arrow schema: stored by an Arrow writer, else derived; null if a field's type cannot be derived here. */
export function arrowFields(meta: FileMetaData): IpcField[] | null {
  const stored = meta.keyValues.get('ARROW:schema');
  const fields = topFields(meta);
  if (stored !== undefined) {
    const decoded = storedSchema(stored);
    // A stored schema that does not match the file's columns is ignored (parquet-wasm would refuse it).
    if (decoded && decoded.length === fields.length && decoded.every((f, i) => f.name === fields[i]!.element.name)) return decoded;
  }
  const derived = fields.map((f) => ({ name: f.element.name, nullable: f.element.repetition !== REPETITION.REQUIRED, type: deriveType(f) }));
  return derived.every((f) => f.type !== null) ? (derived as IpcField[]) : null;
}

function storedSchema(base64: string): IpcField[] | null {
  try {
    const bytes = Buffer.from(base64, 'base64');
    const { prefixLength, metadataLength } = messagePrefix(bytes);
    if (metadataLength < 0 || metadataLength > bytes.length - prefixLength) return null;
    const metadata = new Uint8Array(bytes.buffer, bytes.byteOffset + prefixLength, metadataLength);
    if (checkMessage(metadata, null).headerType !== SCHEMA) return null;
    const fb = new FlatBuffer(metadata);
    const header = fb.table(fb.root('the message'), 2, 'the schema');
    return header ? decodeSchema(fb, header) : null;
  } catch (error) {
    if (error instanceof IpcFormatError) return null;
    throw error;
  }
}

/** The Arrow type of a top-level field, as arrow-rs derives it, for the types the plan may meet; null for others. */
function deriveType(field: TopField): IpcType | null {
  const { element } = field;
  if (element.type !== undefined && element.numChildren === 0) {
    const leaf = leafType(element);
    // A bare repeated primitive is a list of it.
    if (leaf && element.repetition === REPETITION.REPEATED) return listOf(leaf, element.name);
    return leaf;
  }
  const isList = element.convertedType === CONVERTED.LIST || element.logical?.kind === 3;
  const leafPath = field.leaves.length === 1 ? field.leaves[0]!.path : null;
  if (!isList || !leafPath) return null;
  // LIST: group (LIST) { repeated group list { element } } or the 2-level group (LIST) { repeated leaf }.
  const repeated = leafPath[1];
  if (!repeated || repeated.repetition !== REPETITION.REPEATED) return null;
  const leaf = leafPath[leafPath.length - 1]!;
  if (leafPath.length > 3) return null;
  const child = leafType(leaf);
  return child ? listOf(child, leafPath.length === 3 ? leaf.name : 'element') : null;
}

function listOf(child: IpcType, name: string): IpcType {
  return makeType({ typeId: TYPE.List, children: [{ name, nullable: true, type: child }] });
}

function leafType(e: SchemaElement): IpcType | null {
  const int = (bitWidth: number, isSigned: boolean): IpcType => makeType({ typeId: TYPE.Int, children: [], bitWidth, isSigned });
  const intLogical = intWidth(e);
  switch (e.type) {
    case PHYSICAL.BOOLEAN:
      return makeType({ typeId: TYPE.Bool, children: [] });
    case PHYSICAL.FLOAT:
      return e.logical === undefined ? makeType({ typeId: TYPE.Float, children: [], precision: 1 }) : null;
    case PHYSICAL.DOUBLE:
      return e.logical === undefined ? makeType({ typeId: TYPE.Float, children: [], precision: 2 }) : null;
    case PHYSICAL.INT32:
      if (intLogical) return intLogical.bitWidth <= 32 ? int(intLogical.bitWidth, intLogical.isSigned) : null;
      return e.logical === undefined && e.convertedType === undefined ? int(32, true) : null;
    case PHYSICAL.INT64:
      if (intLogical) return intLogical.bitWidth === 64 ? int(64, intLogical.isSigned) : null;
      return e.logical === undefined && e.convertedType === undefined ? int(64, true) : null;
    case PHYSICAL.BYTE_ARRAY:
      return e.logical?.kind === 1 || e.convertedType === CONVERTED.UTF8 ? makeType({ typeId: TYPE.Utf8, children: [] }) : null;
    default:
      return null;
  }
}

/** An INT32/INT64's integer annotation, from its logical type or its converted type. */
function intWidth(e: SchemaElement): { bitWidth: number; isSigned: boolean } | null {
  if (e.logical?.kind === 10) return { bitWidth: e.logical.bitWidth!, isSigned: e.logical.isSigned! };
  const converted: Record<number, [number, boolean]> = {
    [CONVERTED.INT_8]: [8, true],
    [CONVERTED.INT_16]: [16, true],
    [CONVERTED.INT_32]: [32, true],
    [CONVERTED.INT_64]: [64, true],
    [CONVERTED.UINT_8]: [8, false],
    [CONVERTED.UINT_16]: [16, false],
    [CONVERTED.UINT_32]: [32, false],
    [CONVERTED.UINT_64]: [64, false],
  };
  const c = e.convertedType === undefined ? undefined : converted[e.convertedType];
  return c ? { bitWidth: c[0], isSigned: c[1] } : null;
}

/**
 * How the lean reader reads a top-level column of this Arrow type, or null if it does not (nested
 * structs, lists of strings, Float16, a type that disagrees with the stored values, ...). Strings
 * only where `strings` (the label column: predictions are numbers).
 */
export function leanColumn(meta: FileMetaData, name: string, type: IpcType, strings = false): LeanParquetColumn | null {
  const top = topFields(meta).find((f) => f.element.name === name);
  if (!top || top.leaves.length !== 1) return null;
  const { path, column } = top.leaves[0]!;
  const leaf = path[path.length - 1]!;
  const isListType = type.typeId === TYPE.List || type.typeId === TYPE.LargeList || type.typeId === TYPE.FixedSizeList;
  const valueType = isListType ? type.children[0]?.type : type;
  if (leaf.type === PHYSICAL.BYTE_ARRAY) {
    if (!strings || isListType || !isStringType(type) || !isStringLeaf(leaf)) return null;
  } else if (!valueType || !agrees(valueType, leaf)) {
    return null;
  }
  let def = 0;
  let rep = 0;
  let nullDef = 0;
  let slotDef = 0;
  for (let i = 0; i < path.length; i++) {
    const e = path[i]!;
    if (e.repetition === REPETITION.OPTIONAL) def++;
    if (e.repetition === REPETITION.REPEATED) {
      def++;
      rep++;
      slotDef = def;
    }
    if (i === 0) nullDef = e.repetition === REPETITION.OPTIONAL ? def : 0;
  }
  if (rep !== (isListType ? 1 : 0)) return null;
  // Between the field and its leaf only the list's own groups, each with one child.
  if (path.slice(0, -1).some((e) => e.numChildren !== 1)) return null;
  if (!isListType) slotDef = def;
  return {
    name,
    chunk: column,
    physical: leaf.type!,
    unsigned: valueType?.typeId === TYPE.Int && valueType.isSigned === false,
    maxDef: def,
    maxRep: rep,
    nullDef,
    slotDef,
    shape: !isListType ? 'flat' : type.typeId === TYPE.FixedSizeList ? 'fixed' : 'list',
    listSize: type.typeId === TYPE.FixedSizeList ? (type.listSize ?? 0) : 0,
  };
}

const isString = (t: IpcType): boolean => t.typeId === TYPE.Utf8 || t.typeId === TYPE.LargeUtf8 || t.typeId === TYPE.Utf8View;

/** Utf8, LargeUtf8, Utf8View, or a Dictionary (of any index type) of one of them. */
function isStringType(type: IpcType): boolean {
  return isString(type) || (type.typeId === TYPE.Dictionary && type.dictionary !== undefined && isString(type.dictionary));
}

/** A BYTE_ARRAY leaf of strings: annotated as such (STRING, UTF8), or not annotated (the Arrow schema says strings). */
function isStringLeaf(leaf: SchemaElement): boolean {
  return (leaf.logical === undefined || leaf.logical.kind === 1) && (leaf.convertedType === undefined || leaf.convertedType === CONVERTED.UTF8);
}

/** Whether an Arrow value type is what the leaf stores, in a form the lean reader decodes. */
function agrees(type: IpcType, leaf: SchemaElement): boolean {
  switch (leaf.type) {
    case PHYSICAL.FLOAT:
      return type.typeId === TYPE.Float && type.precision === 1;
    case PHYSICAL.DOUBLE:
      return type.typeId === TYPE.Float && type.precision === 2;
    case PHYSICAL.INT32:
      return type.typeId === TYPE.Int && (type.bitWidth ?? 32) <= 32;
    case PHYSICAL.INT64:
      return type.typeId === TYPE.Int && type.bitWidth === 64;
    case PHYSICAL.BOOLEAN:
      return type.typeId === TYPE.Bool;
    default:
      return false;
  }
}

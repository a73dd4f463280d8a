/**
 * Arrow IPC inputs are untrusted, and apache-arrow 21 trusts them. On malformed input it spins
 * forever (a negative footer block offset, a block that is not a record batch, a negative
 * metadata length in a stream), decodes ~1e9 schema fields inside one synchronous call where no
 * timer can stop it (a corrupted vector length), or reads an empty or truncated file as an empty
 * table without a word. So before apache-arrow sees the bytes, we walk the framing and the
 * flatbuffer metadata ourselves, every offset, length and count bounds-checked, and refuse
 * whatever apache-arrow could loop on or misread.
 *
 * This module checks one message: its Message flatbuffer and the Schema, RecordBatch or
 * DictionaryBatch inside it (offsets in range, vectors inside the buffer, nesting depth and field
 * count bounded, buffers inside the body). fileCheck.ts checks a file's framing and footer with
 * it, streamCheck.ts a stream's. A compressed body must use a codec we decode (ipc/codecs.ts),
 * which the summary reports so that the reader loads its decoder. Not checked: the body bytes
 * themselves (a compressed buffer's length prefix is checked where it is decoded), nor whether a column's
 * buffers are long enough for its row count; both depend on the column type, so they are checked
 * on the decoded data.
 */
import { FocalEvalError } from '../../errors.ts';
import { TYPE } from '../arrowTypes.ts';
import { codecName, isCodec, LENGTH_PREFIX_BYTES, LZ4_FRAME, ZSTD, type Codec } from './codecs.ts';
import { fail, FlatBuffer, int64InRange, IpcFormatError, type Table } from './flatbuffer.ts';

/** The largest metadata (a message's, or a file's footer) we read. */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;
const MAX_BODY_BYTES = 2 ** 31;
const MAX_ROWS = 2 ** 31 - 1; // beyond this apache-arrow's typed arrays cannot hold a column
const MAX_FIELD_DEPTH = 64;
const MAX_FIELDS = 100_000;

// Message.fbs: MessageHeader union tags and MetadataVersion values.
export const SCHEMA = 1;
export const DICTIONARY_BATCH = 2;
export const RECORD_BATCH = 3;
const HEADER_NAMES = ['NONE', 'Schema', 'DictionaryBatch', 'RecordBatch', 'Tensor', 'SparseTensor'];
const V4 = 3; // Arrow >= 0.8; apache-arrow reads older buffers with a different stride
const V5 = 4;

// Schema.fbs: the Type union. For the types whose parameter table apache-arrow reads, the byte
// size of each scalar slot; Timestamp (slot 1: timezone string) and Union (slot 1: typeIds
// vector) have one more slot each, checked separately.
const MAX_TYPE_ID = TYPE.LargeListView;
const TYPE_SCALAR_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [TYPE.Int, [4, 1]], // bitWidth, is_signed
  [TYPE.Float, [2]], // FloatingPoint: precision
  [TYPE.Decimal, [4, 4, 4]], // precision, scale, bitWidth
  [TYPE.Date, [2]], // unit
  [TYPE.Time, [2, 4]], // unit, bitWidth
  [TYPE.Timestamp, [2]], // unit
  [TYPE.Interval, [2]], // unit
  [TYPE.Union, [2]], // mode
  [TYPE.FixedSizeBinary, [4]], // byteWidth
  [TYPE.FixedSizeList, [4]], // listSize
  [TYPE.Map, [1]], // keysSorted
  [TYPE.Duration, [2]], // unit
]);

/** Runs a check, prefixing any violation with where it was found. */
export function inContext<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof IpcFormatError) fail(`${where}: ${error.message}`);
    throw error;
  }
}

/** What a checked schema declares that later messages are checked against. */
export interface SchemaSummary {
  readonly dictionaryIds: ReadonlySet<number>;
}

/** What a checked Message says about itself. */
export interface MessageSummary {
  readonly headerType: number;
  readonly bodyLength: number;
  readonly schema: SchemaSummary | null; // for a Schema message
  /** A record or dictionary batch's body compression codec, null when its body is not compressed. */
  readonly compression: Codec | null;
}


// Versions before V4 (Arrow 0.8) lay buffers out differently; later ones do not exist yet.
export function checkVersion(version: number): void {
  if (version < V4 || version > V5) fail(`metadata version ${version} is not supported (only V4 = 3 and V5 = 4 are)`);
}

export function checkKeyValues(fb: FlatBuffer, t: Table, slot: number, what: string): void {
  const entries = fb.vector(t, slot, 4, `${what} custom metadata`);
  for (let i = 0; entries && i < entries.count; i++) {
    const kv = fb.tableIn(entries, i, `${what} custom metadata`);
    fb.string(kv, 0, 'a metadata key');
    fb.string(kv, 1, 'a metadata value');
  }
}

/** What the walk over a schema's fields has counted and collected so far. */
interface SchemaWalk {
  fields: number;
  dictionaryIds: Set<number>;
}

export function checkSchema(fb: FlatBuffer, schema: Table): SchemaSummary {
  if (fb.i16Field(schema, 0, 0, 'the schema') !== 0) fail('big-endian data is not supported');
  const state: SchemaWalk = { fields: 0, dictionaryIds: new Set<number>() };
  const fields = fb.vector(schema, 1, 4, 'the schema fields');
  for (let i = 0; fields && i < fields.count; i++) checkField(fb, fb.tableIn(fields, i, 'a field'), 1, state);
  checkKeyValues(fb, schema, 2, 'the schema');
  fb.vector(schema, 3, 8, 'the schema features');
  return { dictionaryIds: state.dictionaryIds };
}

// Recursion is bounded by MAX_FIELD_DEPTH; apache-arrow decodes fields recursively too.
function checkField(fb: FlatBuffer, field: Table, depth: number, state: SchemaWalk): void {
  if (depth > MAX_FIELD_DEPTH) fail(`fields are nested more than ${MAX_FIELD_DEPTH} deep`);
  if (++state.fields > MAX_FIELDS) fail(`the schema has more than ${MAX_FIELDS} fields`);
  fb.string(field, 0, 'a field name');
  fb.scalar(field, 1, 1, 'a field');
  checkFieldType(fb, field);
  const dictionary = fb.table(field, 4, 'a dictionary encoding');
  if (dictionary) state.dictionaryIds.add(checkDictionaryEncoding(fb, dictionary));
  const children = fb.vector(field, 5, 4, 'field children');
  // A list type has exactly one child field, its values' (apache-arrow and the plan read children[0]).
  const typeId = fb.u8Field(field, 2, 'a field');
  if (LIST_TYPES.has(typeId) && children?.count !== 1) fail(`a list field has ${children?.count ?? 0} child fields, not 1`);
  for (let i = 0; children && i < children.count; i++) checkField(fb, fb.tableIn(children, i, 'a child field'), depth + 1, state);
  checkKeyValues(fb, field, 6, 'a field');
}

/** The list types: List, FixedSizeList, LargeList, ListView, LargeListView. */
const LIST_TYPES = new Set<number>([TYPE.List, TYPE.FixedSizeList, TYPE.LargeList, TYPE.ListView, TYPE.LargeListView]);

function checkFieldType(fb: FlatBuffer, field: Table): void {
  const typeId = fb.u8Field(field, 2, 'a field');
  if (typeId > MAX_TYPE_ID) fail(`a field has unknown type id ${typeId}`);
  const params = fb.table(field, 3, 'a field type');
  const sizes = TYPE_SCALAR_SIZES.get(typeId);
  if (!sizes) return;
  // apache-arrow dereferences these parameter tables without a null check.
  if (!params) fail(`a field of type id ${typeId} has no type parameters`);
  sizes.forEach((size, slot) => fb.scalar(params, slot, size, 'a field type'));
  if (typeId === TYPE.Timestamp) fb.string(params, 1, 'a timestamp time zone');
  if (typeId === TYPE.Union) fb.vector(params, 1, 4, 'union type ids');
}

function checkDictionaryEncoding(fb: FlatBuffer, encoding: Table): number {
  const id = dictionaryId(fb.i64Field(encoding, 0, 'a dictionary encoding'), 'a dictionary id');
  const indexType = fb.table(encoding, 1, 'a dictionary index type');
  if (indexType) [4, 1].forEach((size, slot) => fb.scalar(indexType, slot, size, 'a dictionary index type'));
  fb.scalar(encoding, 2, 1, 'a dictionary encoding');
  fb.scalar(encoding, 3, 2, 'a dictionary encoding');
  return id;
}

/** A dictionary id: any safe integer, negative ones included (the format allows them). */
function dictionaryId(value: bigint, what: string): number {
  return int64InRange(value, what, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER);
}

/** Checks a RecordBatch table (a record batch's, or a dictionary batch's data); returns its body compression codec. */
function checkRecordBatch(fb: FlatBuffer, batch: Table, bodyLength: number): Codec | null {
  int64InRange(fb.i64Field(batch, 0, 'a record batch'), 'the record batch length', MAX_ROWS);
  const nodes = fb.vector(batch, 1, 16, 'the field nodes');
  for (let i = 0; nodes && i < nodes.count; i++) {
    const length = int64InRange(fb.i64(nodes.start + 16 * i), `field node ${i}'s length`, MAX_ROWS);
    int64InRange(fb.i64(nodes.start + 16 * i + 8), `field node ${i}'s null count`, length);
  }
  const codec = checkCompression(fb, fb.table(batch, 3, 'the body compression'));
  const buffers = fb.vector(batch, 2, 16, 'the buffers');
  for (let i = 0; buffers && i < buffers.count; i++) {
    const offset = int64InRange(fb.i64(buffers.start + 16 * i), `buffer ${i}'s offset`, bodyLength);
    const length = int64InRange(fb.i64(buffers.start + 16 * i + 8), `buffer ${i}'s length (body is ${bodyLength} bytes)`, bodyLength - offset);
    // A compressed buffer starts with its uncompressed length; apache-arrow would read it past the buffer.
    if (codec !== null && length > 0 && length < LENGTH_PREFIX_BYTES) {
      fail(`buffer ${i} (${length} bytes) is too short for a ${codecName(codec)}-compressed buffer's ${LENGTH_PREFIX_BYTES}-byte length`);
    }
  }
  const counts = fb.vector(batch, 4, 8, 'the variadic buffer counts');
  for (let i = 0; counts && i < counts.count; i++) int64InRange(fb.i64(counts.start + 8 * i), 'a variadic buffer count', MAX_ROWS);
  return codec;
}

// BodyCompression: 0 codec (CompressionType, a byte), 1 method (BodyCompressionMethod, a byte).
const BUFFER_METHOD = 0;

/** The codec of a batch's BodyCompression, null when there is none; a codec or method we cannot decode is refused. */
function checkCompression(fb: FlatBuffer, compression: Table | null): Codec | null {
  if (!compression) return null;
  const codec = fb.u8Field(compression, 0, 'the body compression');
  const method = fb.u8Field(compression, 1, 'the body compression');
  if (!isCodec(codec)) {
    fail(`body compression codec ${codec} is not supported (only ${codecName(LZ4_FRAME)} = ${LZ4_FRAME} and ${codecName(ZSTD)} = ${ZSTD} are)`);
  }
  if (method !== BUFFER_METHOD) fail(`${codecName(codec)} body compression method ${method} is not supported (only BUFFER = ${BUFFER_METHOD} is)`);
  return codec;
}

function checkDictionaryBatch(fb: FlatBuffer, batch: Table, bodyLength: number): { id: number; compression: Codec | null } {
  const id = dictionaryId(fb.i64Field(batch, 0, 'a dictionary batch'), 'a dictionary id');
  const data = fb.table(batch, 1, 'the dictionary data');
  if (!data) fail('a dictionary batch has no data');
  const compression = checkRecordBatch(fb, data, bodyLength);
  fb.scalar(batch, 2, 1, 'a dictionary batch');
  return { id, compression };
}

export function headerName(type: number): string {
  return HEADER_NAMES[type] ?? `unknown (${type})`;
}

/** Checks one Message flatbuffer; `schema` is what batches are checked against (null before it). */
export function checkMessage(metadata: Uint8Array, schema: SchemaSummary | null): MessageSummary {
  const fb = new FlatBuffer(metadata);
  const message = fb.root('the message');
  checkVersion(fb.i16Field(message, 0, 0, 'the message'));
  const headerType = fb.u8Field(message, 1, 'the message');
  const header = fb.table(message, 2, 'the message header');
  const bodyLength = int64InRange(fb.i64Field(message, 3, 'the message'), 'the message body length', MAX_BODY_BYTES);
  checkKeyValues(fb, message, 4, 'the message');
  if (!header) fail(`a ${headerName(headerType)} message has no header`);
  switch (headerType) {
    case SCHEMA:
      // apache-arrow reads no body after a schema: a body would be misread as the next message.
      if (bodyLength !== 0) fail('a schema message has a body');
      return { headerType, bodyLength, schema: checkSchema(fb, header), compression: null };
    case RECORD_BATCH:
      return { headerType, bodyLength, schema: null, compression: checkRecordBatch(fb, header, bodyLength) };
    case DICTIONARY_BATCH: {
      const { id, compression } = checkDictionaryBatch(fb, header, bodyLength);
      if (schema && !schema.dictionaryIds.has(id)) fail(`a dictionary batch has id ${id}, which no field uses`);
      return { headerType, bodyLength, schema: null, compression };
    }
    default:
      // apache-arrow skips other messages without reading their body, then misreads it.
      return fail(`unsupported message type ${headerName(headerType)}`);
  }
}

export function checkMetadataLength(length: number): void {
  if (length < 0 || length > MAX_METADATA_BYTES) fail(`message metadata length ${length} is out of range`);
}

/** Turns a format violation (or, for files, an I/O error) into an E_INPUT error naming the input. */
export function inputError(name: string, error: unknown, wrapIo: boolean): unknown {
  if (error instanceof IpcFormatError) return new FocalEvalError('E_INPUT', `${name}: ${error.message}`);
  if (!wrapIo || error instanceof FocalEvalError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FocalEvalError('E_INPUT', `${name}: cannot read the file (${reason})`, { cause: error });
}

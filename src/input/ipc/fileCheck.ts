/**
 * Arrow IPC inputs are untrusted, and apache-arrow 21 trusts them. On malformed input it spins
 * forever (a negative footer block offset, a block that is not a record batch, a negative
 * metadata length in a stream), decodes ~1e9 schema fields inside one synchronous call where no
 * timer can stop it (a corrupted vector length), or reads an empty or truncated file as an empty
 * table without a word. So before apache-arrow sees the bytes, we walk the framing and the
 * flatbuffer metadata ourselves, every offset, length and count bounds-checked, and refuse
 * whatever apache-arrow could loop on or misread.
 *
 * Checked: the file's magic, footer and blocks; every message's prefix, its Message flatbuffer
 * and the Schema, RecordBatch or DictionaryBatch inside it (offsets in range, vectors inside the
 * buffer, nesting depth and field count bounded, buffers inside the body). Not checked: the body
 * bytes themselves, nor whether a column's buffers are long enough for its row count; both
 * depend on the column type, so they are checked on the decoded data.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { readSync } from 'node:fs';
import { TYPE } from '../arrowTypes.ts';
import { FocalEvalError } from '../../errors.ts';
import { fail, FlatBuffer, IpcFormatError, type Table } from './flatbuffer.ts';
import { decodeSchema, type IpcField } from './schema.ts';

/** Where one message sits in an IPC file, as the footer's Block says (in bytes). */
export interface IpcBlock {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/** An IPC file's checked layout: its size, its schema's fields and its blocks, in footer order. */
export interface IpcFileLayout {
  size: number;
  fields: IpcField[];
  recordBatches: IpcBlock[];
  dictionaries: IpcBlock[];
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const FILE_HEAD_BYTES = 8; // magic + 2 padding bytes
const FILE_TAIL_BYTES = 10; // int32 footer length + magic
export const CONTINUATION = -1; // 0xFFFFFFFF read as an int32
const MAX_METADATA_BYTES = 64 * 1024 * 1024;
const MAX_BODY_BYTES = 2 ** 31;
const MAX_ROWS = 2 ** 31 - 1; // beyond this apache-arrow's typed arrays cannot hold a column
const MAX_FIELD_DEPTH = 64;
const MAX_FIELDS = 100_000;

// Message.fbs: MessageHeader union tags and MetadataVersion values.
export const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
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

/** True when the bytes start with the Arrow IPC file magic "ARROW1". */
export function isIpcFileMagic(head: Uint8Array): boolean {
  return head.byteLength >= MAGIC.length && MAGIC.every((byte, i) => head[i] === byte);
}

// ---------------------------------------------------------------------------------------------
// Schema.fbs, Message.fbs and File.fbs, walked with the reader above.

/** What a checked schema declares that later messages are checked against. */
export interface SchemaSummary {
  readonly dictionaryIds: ReadonlySet<bigint>;
}

/** What a checked Message says about itself. */
export interface MessageSummary {
  readonly headerType: number;
  readonly bodyLength: number;
  readonly schema: SchemaSummary | null; // for a Schema message
}

// Versions before V4 (Arrow 0.8) lay buffers out differently; later ones do not exist yet.
function checkVersion(version: number): void {
  if (version < V4 || version > V5) fail(`metadata version ${version} is not supported (only V4 = 3 and V5 = 4 are)`);
}

function checkKeyValues(fb: FlatBuffer, t: Table, slot: number, what: string): void {
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
  dictionaryIds: Set<bigint>;
}

function checkSchema(fb: FlatBuffer, schema: Table): SchemaSummary {
  if (fb.i16Field(schema, 0, 0, 'the schema') !== 0) fail('big-endian data is not supported');
  const state: SchemaWalk = { fields: 0, dictionaryIds: new Set<bigint>() };
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
  for (let i = 0; children && i < children.count; i++) checkField(fb, fb.tableIn(children, i, 'a child field'), depth + 1, state);
  checkKeyValues(fb, field, 6, 'a field');
}

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

function checkDictionaryEncoding(fb: FlatBuffer, encoding: Table): bigint {
  const id = checkSafe(fb.i64Field(encoding, 0, 'a dictionary encoding'), 'a dictionary id');
  const indexType = fb.table(encoding, 1, 'a dictionary index type');
  if (indexType) [4, 1].forEach((size, slot) => fb.scalar(indexType, slot, size, 'a dictionary index type'));
  fb.scalar(encoding, 2, 1, 'a dictionary encoding');
  fb.scalar(encoding, 3, 2, 'a dictionary encoding');
  return id;
}

// apache-arrow turns int64s into numbers and throws on unsafe ones; we say which value it was.
function checkSafe(value: bigint, what: string): bigint {
  if (value < -BigInt(Number.MAX_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} (${value}) is out of range`);
  return value;
}

function checkRange(value: bigint, max: number, what: string): number {
  if (value < 0n || value > BigInt(max)) fail(`${what} (${value}) is out of range`);
  return Number(value);
}

function checkRecordBatch(fb: FlatBuffer, batch: Table, bodyLength: number): void {
  checkRange(fb.i64Field(batch, 0, 'a record batch'), MAX_ROWS, 'the record batch length');
  const nodes = fb.vector(batch, 1, 16, 'the field nodes');
  for (let i = 0; nodes && i < nodes.count; i++) {
    const length = checkRange(fb.i64(nodes.start + 16 * i), MAX_ROWS, `field node ${i}'s length`);
    checkRange(fb.i64(nodes.start + 16 * i + 8), length, `field node ${i}'s null count`);
  }
  const buffers = fb.vector(batch, 2, 16, 'the buffers');
  for (let i = 0; buffers && i < buffers.count; i++) {
    const offset = checkRange(fb.i64(buffers.start + 16 * i), bodyLength, `buffer ${i}'s offset`);
    checkRange(fb.i64(buffers.start + 16 * i + 8), bodyLength - offset, `buffer ${i}'s length (body is ${bodyLength} bytes)`);
  }
  const compression = fb.table(batch, 3, 'the body compression');
  if (compression) [1, 1].forEach((size, slot) => fb.scalar(compression, slot, size, 'the body compression'));
  const counts = fb.vector(batch, 4, 8, 'the variadic buffer counts');
  for (let i = 0; counts && i < counts.count; i++) checkRange(fb.i64(counts.start + 8 * i), MAX_ROWS, 'a variadic buffer count');
}

function checkDictionaryBatch(fb: FlatBuffer, batch: Table, bodyLength: number): bigint {
  const id = checkSafe(fb.i64Field(batch, 0, 'a dictionary batch'), 'a dictionary id');
  const data = fb.table(batch, 1, 'the dictionary data');
  if (!data) fail('a dictionary batch has no data');
  checkRecordBatch(fb, data, bodyLength);
  fb.scalar(batch, 2, 1, 'a dictionary batch');
  return id;
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
  const bodyLength = checkRange(fb.i64Field(message, 3, 'the message'), MAX_BODY_BYTES, 'the message body length');
  checkKeyValues(fb, message, 4, 'the message');
  if (!header) fail(`a ${headerName(headerType)} message has no header`);
  switch (headerType) {
    case SCHEMA:
      // apache-arrow reads no body after a schema: a body would be misread as the next message.
      if (bodyLength !== 0) fail('a schema message has a body');
      return { headerType, bodyLength, schema: checkSchema(fb, header) };
    case RECORD_BATCH:
      checkRecordBatch(fb, header, bodyLength);
      return { headerType, bodyLength, schema: null };
    case DICTIONARY_BATCH: {
      const dictionaryId = checkDictionaryBatch(fb, header, bodyLength);
      if (schema && !schema.dictionaryIds.has(dictionaryId)) fail(`a dictionary batch has id ${dictionaryId}, which no field uses`);
      return { headerType, bodyLength, schema: null };
    }
    default:
      // apache-arrow skips other messages without reading their body, then misreads it.
      return fail(`unsupported message type ${headerName(headerType)}`);
  }
}

/** Splits a message's prefix: the continuation marker and int32 length, or a legacy int32 length. */
export function messagePrefix(bytes: Uint8Array): { prefixLength: number; metadataLength: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) fail('truncated message prefix');
  const first = view.getInt32(0, true);
  if (first !== CONTINUATION) return { prefixLength: 4, metadataLength: first };
  if (bytes.byteLength < 8) fail('truncated message prefix');
  return { prefixLength: 8, metadataLength: view.getInt32(4, true) };
}

export function checkMetadataLength(length: number): void {
  if (length < 0 || length > MAX_METADATA_BYTES) fail(`message metadata length ${length} is out of range`);
}

// ---------------------------------------------------------------------------------------------
// The file: head and tail, footer, and the message each block points at.

/** A footer's content, checked against the region before the footer. */
interface Footer {
  readonly schema: SchemaSummary;
  readonly fields: IpcField[];
  readonly dictionaries: IpcBlock[];
  readonly recordBatches: IpcBlock[];
}

function checkFooter(bytes: Uint8Array, footerStart: number): Footer {
  const fb = new FlatBuffer(bytes);
  const footer = fb.root('the footer');
  checkVersion(fb.i16Field(footer, 0, 0, 'the footer'));
  const schema = fb.table(footer, 1, 'the footer schema');
  if (!schema) fail('no schema');
  const summary = checkSchema(fb, schema);
  const dictionaries = readBlocks(fb, footer, 2, footerStart, 'dictionary');
  const recordBatches = readBlocks(fb, footer, 3, footerStart, 'record batch');
  checkKeyValues(fb, footer, 4, 'the footer');
  return { schema: summary, fields: decodeSchema(fb, schema), dictionaries, recordBatches };
}

// Block: { offset: int64, metaDataLength: int32, (4 bytes padding), bodyLength: int64 }.
function readBlocks(fb: FlatBuffer, footer: Table, slot: number, footerStart: number, kind: string): IpcBlock[] {
  const vec = fb.vector(footer, slot, 24, `the ${kind} blocks`);
  const blocks: IpcBlock[] = [];
  for (let i = 0; vec && i < vec.count; i++) {
    const at = vec.start + 24 * i;
    const what = `${kind} block ${i}`;
    const offset = checkRange(fb.i64(at), footerStart, `${what}'s offset`);
    if (offset < FILE_HEAD_BYTES) fail(`${what}'s offset (${offset}) points into the file header`);
    const metaDataLength = fb.i32(at + 8);
    if (metaDataLength < 8 || metaDataLength > footerStart - offset) fail(`${what}'s metadata length (${metaDataLength}) is out of range`);
    const bodyLength = checkRange(fb.i64(at + 16), footerStart - offset - metaDataLength, `${what}'s body length`);
    blocks.push({ offset, metaDataLength, bodyLength });
  }
  return blocks;
}

// Overlapping blocks are never written by a real writer; refusing them also bounds the bytes we
// read for the messages by the file size, however many blocks the footer lists.
function checkDisjoint(blocks: readonly IpcBlock[]): void {
  const sorted = [...blocks].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.offset + prev.metaDataLength + prev.bodyLength > sorted[i].offset) fail(`footer blocks overlap at offset ${sorted[i].offset}`);
  }
}

/**
 * Reads `length` bytes at `position`. Synchronously: the metadata of a block is a few hundred
 * bytes, read from the page cache in microseconds, where an asynchronous read is a round trip
 * through libuv's thread pool, once per block, on the path to the first batch.
 */
function readAt(handle: FileHandle, position: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const bytesRead = readSync(handle.fd, bytes, filled, length - filled, position + filled);
    if (bytesRead === 0) fail('truncated (the file shrank while being read)');
    filled += bytesRead;
  }
  return bytes;
}

function notAFile(head: Uint8Array): never {
  const stream = head.byteLength >= 4 && head.every((byte, i) => i >= 4 || byte === 0xff);
  fail(`not an Arrow IPC file (bad magic${stream ? '; it looks like an IPC stream' : ''})`);
}

/** Reads the tail and returns where the footer starts and how long it is. */
function locateFooter(handle: FileHandle, size: number): { start: number; length: number } {
  const tail = readAt(handle, size - FILE_TAIL_BYTES, FILE_TAIL_BYTES);
  if (!isIpcFileMagic(tail.subarray(4))) fail('not an Arrow IPC file (no magic at the end; truncated?)');
  const length = new DataView(tail.buffer).getInt32(0, true);
  const start = size - FILE_TAIL_BYTES - length;
  if (length <= 0 || length > MAX_METADATA_BYTES || start < FILE_HEAD_BYTES) fail(`footer length ${length} does not fit the file`);
  return { start, length };
}

/** Checks the message a block points at (`bytes`: its prefix and metadata) against the block. */
function checkBlockMessage(bytes: Uint8Array, block: IpcBlock, expected: number, schema: SchemaSummary): void {
  const { prefixLength, metadataLength } = messagePrefix(bytes);
  // apache-arrow reads the body right after the metadata the prefix announces.
  if (metadataLength <= 0 || prefixLength + metadataLength !== block.metaDataLength) {
    fail(`message length ${metadataLength} disagrees with the block's metadata length ${block.metaDataLength}`);
  }
  const message = checkMessage(bytes.subarray(prefixLength), schema);
  if (message.headerType !== expected) fail(`holds a ${headerName(message.headerType)} message, not a ${headerName(expected)}`);
  // apache-arrow reads as many body bytes as the message says, not the block.
  if (message.bodyLength !== block.bodyLength) fail(`message body length ${message.bodyLength} disagrees with the block's ${block.bodyLength}`);
}

/** Checks every block's message, in block order, so the first bad block is the one reported. */
function checkBlocks(handle: FileHandle, blocks: readonly IpcBlock[], expected: number, schema: SchemaSummary): void {
  for (const [i, block] of blocks.entries()) {
    const where = `${expected === RECORD_BATCH ? 'record batch' : 'dictionary'} block ${i} (offset ${block.offset})`;
    inContext(where, () => checkBlockMessage(readAt(handle, block.offset, block.metaDataLength), block, expected, schema));
  }
}

async function checkOpenFile(handle: FileHandle): Promise<IpcFileLayout> {
  const { size } = await handle.stat();
  if (size === 0) fail('empty file, not an Arrow IPC file');
  const head = readAt(handle, 0, Math.min(size, FILE_HEAD_BYTES));
  if (!isIpcFileMagic(head)) notAFile(head);
  if (size < FILE_HEAD_BYTES + FILE_TAIL_BYTES) fail(`truncated Arrow IPC file (${size} bytes)`);
  const footerAt = locateFooter(handle, size);
  const footerBytes = readAt(handle, footerAt.start, footerAt.length);
  const footer = inContext('the footer', () => checkFooter(footerBytes, footerAt.start));
  checkDisjoint([...footer.dictionaries, ...footer.recordBatches]);
  checkBlocks(handle, footer.dictionaries, DICTIONARY_BATCH, footer.schema);
  checkBlocks(handle, footer.recordBatches, RECORD_BATCH, footer.schema);
  return { size, fields: footer.fields, recordBatches: footer.recordBatches, dictionaries: footer.dictionaries };
}

/** Turns a format violation (or, for files, an I/O error) into an E_INPUT error naming the input. */
export function inputError(name: string, error: unknown, wrapIo: boolean): unknown {
  if (error instanceof IpcFormatError) return new FocalEvalError('E_INPUT', `${name}: ${error.message}`);
  if (!wrapIo || error instanceof FocalEvalError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FocalEvalError('E_INPUT', `${name}: cannot read the file (${reason})`, { cause: error });
}

/** Checks an Arrow IPC file's framing, footer, schema and blocks before apache-arrow reads it; throws E_INPUT naming the file. */
export async function checkIpcFile(path: string): Promise<IpcFileLayout> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    return await checkOpenFile(handle);
  } catch (error) {
    throw inputError(path, error, true);
  } finally {
    await handle?.close();
  }
}

/**
 * The lean IPC file reader the workers use: one record batch's metadata, then only the bytes of
 * the columns being scored, read into a buffer reused from batch to batch (fresh memory costs a
 * page fault per 4 KiB; a reused buffer reads at memory speed), exposed as typed-array views
 * shaped like apache-arrow's Data. No apache-arrow import: a worker starts faster without it.
 * The file was checked (fileCheck.ts) before any task was sent; this re-checks what it reads.
 * Reads are synchronous (io.ts says why): a worker has nothing else to do while its batch arrives.
 * A compressed batch (LZ4_FRAME or ZSTD) is read whole: its columns' buffers are decoded into the
 * decoder's reused memory (compressedBody.ts), whose decoder the caller has loaded (loadCodecs).
 */
import type { BatchLike, DataLike } from '../arrowTypes.ts';
import { takeShared } from '../../kernel/sharedBuffers.ts';
import { FocalEvalError } from '../../errors.ts';
import { isCodec, type Codec } from './codecs.ts';
import { readCompressedBuffers } from './compressedBody.ts';
import { FlatBuffer, int64InRange, IpcFormatError, type Table } from './flatbuffer.ts';
import type { IpcBlock } from './fileCheck.ts';
import { bodySpan, messagePrefix, readFully } from './io.ts';
import { DICTIONARY_BATCH, inputError, RECORD_BATCH } from './messageCheck.ts';
import { TYPE } from '../arrowTypes.ts';
import { startOf, variadicCount, type ColumnPlace, type Cursor, type IpcType } from './schema.ts';
import { viewStrings } from '../stringViews.ts';

/**
 * A column to read: its name, type and where its nodes and buffers start; a dictionary-encoded
 * label's strings (the file's dictionary, read once on the main thread: readDictionary).
 */
export interface LeanColumn {
  name: string;
  type: IpcType;
  place: ColumnPlace;
  dictionary?: (string | null)[];
}

/** The reused body buffer of this thread. */
let scratch = new ArrayBuffer(0);

/** Reads the named columns of the record batch at `block` (batch `batch`, for messages) of the file open as `fd`. */
export function readLeanBatch(fd: number, block: IpcBlock, columns: readonly LeanColumn[], name: string, batch?: number): BatchLike {
  return openLeanBatch(fd, block, columns, name, batch).read();
}

/**
 * One record batch whose metadata has been read: its columns are then read whole, or, when
 * `sliceable`, rows [from, to) at a time. A slice keeps the reused buffer small (a fresh page
 * costs a fault on first touch: ~25 ms for an 80-class batch of 65,536 rows) and still in cache
 * when the kernel copies it.
 */
export interface LeanBatch {
  numRows: number;
  /** Every column fixed-width (numbers, bools, FixedSizeLists of them), without nulls, its buffers complete; the batch not compressed. */
  sliceable: boolean;
  /**
   * The columns of rows [from, to) (default: all); a slice of a bool column starts at a multiple
   * of 8. A sliceable batch's column goes where `place` says, when it gives a place (a view of
   * exactly that column's bytes, 8-aligned), else into the reused buffer.
   */
  read(from?: number, to?: number, place?: SlicePlace): BatchLike;
}

/** Where to read a column's slice of `bytes` bytes: a view of exactly that many, or null for the reused buffer. */
export type SlicePlace = (column: string, bytes: number) => Uint8Array | null;

/** Reads the metadata of the record batch at `block` (batch `batch` of the file, for messages) of the file open as `fd`. */
export function openLeanBatch(fd: number, block: IpcBlock, columns: readonly LeanColumn[], name: string, batch?: number): LeanBatch {
  const named = <T>(step: () => T): T => inputErrorOf(name, step);
  const meta = named(() => decodeMeta(readExactly(fd, new Uint8Array(block.metaDataLength), block.offset), block.bodyLength));
  const body = block.offset + block.metaDataLength;
  const slices = named(() => columns.map((c) => sliceLayout(c, meta)));
  const sliceable = meta.compression === null && slices.every((l) => l !== null);
  const where = batch === undefined ? 'a batch' : `batch ${batch}`;
  return {
    numRows: meta.length,
    sliceable,
    read: (from = 0, to = meta.length, place) =>
      named(() =>
        sliceable && (from > 0 || to < meta.length || place)
          ? readSlice(fd, body, columns, slices as SliceLayout[], from, to, place)
          : meta.compression !== null
            ? readCompressedBatch(fileFill(fd, body), columns, meta, meta.compression, where)
            : readBatch(fd, body, columns, meta),
      ),
  };
}

interface Meta {
  length: number;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  compression: Codec | null;
  /** Data buffers of each view-typed field, depth-first (RecordBatch.variadicBufferCounts). */
  variadic: number[];
}

function readBatch(fd: number, bodyAt: number, columns: readonly LeanColumn[], meta: Meta): BatchLike {
  // Which buffers the columns use, and the span of the body that holds them all.
  const { start, end } = bodySpan(meta.buffers, columns.flatMap((c) => bufferRange(c.type, startOf(c.place, meta.variadic), meta)));
  const span = end - start;
  if (scratch.byteLength < span) scratch = new ArrayBuffer(Math.ceil(span * 1.25));
  const body = new Uint8Array(scratch, 0, span);
  readExactly(fd, body, bodyAt + start);
  return columnsOver(columns, meta, body, start);
}

/** The columns built over `body`, which holds the batch's body from byte `start` on. */
function columnsOver(columns: readonly LeanColumn[], meta: Meta, body: Uint8Array, start: number): BatchLike {
  const children = columns.map((c) => {
    const data = buildData(c.type, meta, startOf(c.place, meta.variadic), body, start);
    const strings = c.dictionary;
    return strings === undefined ? data : { ...data, dictionary: { toArray: () => strings } };
  });
  return leanBatchOf(columns, meta.length, children);
}

/**
 * The strings of a dictionary-encoded column's dictionary in an IPC file: its dictionary batch
 * among `blocks` (the footer's). Null when the file has more than one for the column (deltas:
 * the first record batch then sees fewer strings than the last, which apache-arrow's reading
 * tells apart), so that apache-arrow reads such files.
 */
export function readDictionary(fd: number, blocks: readonly IpcBlock[], type: IpcType, name: string): (string | null)[] | null {
  const valueType = type.dictionary!;
  const column: LeanColumn = { name: 'dictionary', type: valueType, place: { node: 0, buffer: 0 } };
  let strings: (string | null)[] | null = null;
  for (const block of blocks) {
    const metaBytes = readExactly(fd, new Uint8Array(block.metaDataLength), block.offset);
    const header = inputErrorOf(name, () => dictionaryHeader(metaBytes, block.bodyLength));
    if (header.id !== type.dictionaryId) continue;
    if (strings !== null) return null;
    const where = `the dictionary of id ${header.id}`;
    const bodyAt = block.offset + block.metaDataLength;
    const batch = inputErrorOf(name, () =>
      header.meta.compression !== null
        ? readCompressedBatch(fileFill(fd, bodyAt), [column], header.meta, header.meta.compression, where)
        : readBatch(fd, bodyAt, [column], header.meta),
    );
    const values = batch.data.children[0]!;
    strings = values.typeId === TYPE.Utf8View ? viewDictionary(values) : utf8Strings(values);
  }
  return strings ?? [];
}

/** `step`'s result; a format error it throws becomes an input error naming `name` (inputError). */
function inputErrorOf<T>(name: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw inputError(name, error, false);
  }
}

/** A Utf8 or LargeUtf8 column's strings (null where a row is null). */
function utf8Strings(data: DataLike): (string | null)[] {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  const decoder = new TextDecoder();
  const out: (string | null)[] = [];
  for (let i = 0; i < data.length; i++) {
    const from = Number(offsets[i]);
    const to = Number(offsets[i + 1]);
    if (!(from >= 0 && from <= to && to <= bytes.length)) throw new IpcFormatError(`a dictionary string's offsets (${from}, ${to}) lie outside its ${bytes.length} bytes`);
    out.push(data.getValid(i) ? decoder.decode(bytes.subarray(from, to)) : null);
  }
  return out;
}

/** A Utf8View dictionary's strings (null where a row is null). */
function viewDictionary(data: DataLike): (string | null)[] {
  const strings = viewStrings(data.values as Uint8Array, data.variadicBuffers ?? [], data.length, (reason) => {
    throw new IpcFormatError(`the dictionary ${reason}`);
  });
  return strings.map((text, i) => (data.getValid(i) ? text : null));
}

/** Whether a label of this type is read lean with its dictionary: Dictionary<any integer, Utf8, LargeUtf8 or Utf8View>. */
export function leanDictionary(type: IpcType): boolean {
  const value = type.dictionary?.typeId;
  const strings = value === TYPE.Utf8 || value === TYPE.LargeUtf8 || value === TYPE.Utf8View;
  return type.typeId === TYPE.Dictionary && type.dictionaryId !== undefined && strings;
}

/** A BatchLike of the read columns. */
function leanBatchOf(columns: readonly LeanColumn[], numRows: number, children: DataLike[]): BatchLike {
  return { numRows, schema: { fields: columns.map((c) => ({ name: c.name })) }, data: { children } };
}

/** A compressed batch, whole: its columns' buffers decoded, then viewed as readBatch views a plain body. */
function readCompressedBatch(fill: BodyFill, columns: readonly LeanColumn[], meta: Meta, codec: Codec, where: string): BatchLike {
  const { body, buffers } = readCompressedBuffers(fill, codec, columns, meta.length, meta.nodes, meta.buffers, meta.variadic, where);
  return columnsOver(columns, { ...meta, buffers }, body, 0);
}

/** Fills `into` with a body's bytes from `start` on. */
type BodyFill = (into: Uint8Array, start: number) => void;

/** A body's bytes read from the file open as `fd`, the body starting at byte `bodyAt`. */
function fileFill(fd: number, bodyAt: number): BodyFill {
  return (into, start) => void readExactly(fd, into, bodyAt + start);
}

/**
 * The named columns of a record batch whose message (prefix and metadata) and body are in memory:
 * an IPC stream's, read on the main thread. The arrays are views of `body` (or, for a compressed
 * body, of the decoder's memory, valid until its next use). Batch `batch` of `name`, for messages.
 */
export function bodyBatch(header: Uint8Array, body: Uint8Array, columns: readonly LeanColumn[], name: string, batch: number): BatchLike {
  const meta = inputErrorOf(`${name}: batch ${batch}`, () => decodeMeta(header, body.byteLength));
  if (meta.compression === null) return inputErrorOf(`${name}: batch ${batch}`, () => columnsOver(columns, meta, body, 0));
  // The compressed reader names the batch itself (with the column and buffer).
  const fill: BodyFill = (into, start) => into.set(body.subarray(start, start + into.byteLength));
  return inputErrorOf(name, () => readCompressedBatch(fill, columns, meta, meta.compression!, `batch ${batch}`));
}

function readExactly(fd: number, into: Uint8Array, position: number): Uint8Array {
  return readFully(fd, into, position, 'the file ends inside a record batch');
}

/**
 * Where a fixed-width column's rows are: its values buffer, its bits per row, and its nesting
 * (the FixedSizeList widths from the top, each level's node and value count checked).
 */
interface SliceLayout {
  buffer: { offset: number; length: number };
  bitsPerRow: number;
  /** The types from the column down to its values, and each level's values per row. */
  levels: { type: IpcType; perRow: number }[];
}

/** The column's slice layout, or null when its rows cannot be read a range at a time. */
function sliceLayout(column: LeanColumn, meta: Meta): SliceLayout | null {
  const levels: { type: IpcType; perRow: number }[] = [];
  let type = column.type;
  let { node, buffer } = startOf(column.place, meta.variadic);
  let perRow = 1;
  for (;;) {
    const n = meta.nodes[node];
    if (!n || n.nullCount !== 0 || n.length !== meta.length * perRow) return null;
    levels.push({ type, perRow });
    if (type.typeId !== TYPE.FixedSizeList) break;
    perRow *= type.listSize!;
    type = type.children[0]!.type;
    node += 1;
    buffer += 1; // the list's validity bitmap
  }
  const bits = valueBits(type);
  const values = meta.buffers[buffer + 1];
  if (bits === 0 || !values) return null;
  const bitsPerRow = bits * perRow;
  if (values.length * 8 < meta.length * bitsPerRow) return null; // short: the whole-batch read says so
  return { buffer: values, bitsPerRow, levels };
}

/** Bits per value of a fixed-width leaf type, 0 for any other. */
function valueBits(type: IpcType): number {
  if (type.typeId === TYPE.Bool) return 1;
  if (type.typeId === TYPE.Int) return type.bitWidth!;
  if (type.typeId === TYPE.Float) return type.precision === 2 ? 64 : type.precision === 1 ? 32 : 16;
  return 0;
}

/** Rows [from, to) of sliceable columns: each column's byte range read where `place` says, or into the reused buffer. */
function readSlice(
  fd: number,
  bodyAt: number,
  columns: readonly LeanColumn[],
  layouts: readonly SliceLayout[],
  from: number,
  to: number,
  place?: SlicePlace,
): BatchLike {
  const ranges = layouts.map((l) => {
    if ((from * l.bitsPerRow) % 8 !== 0) throw new FocalEvalError('E_INTERNAL', `internal error: a slice of column rows must start on a byte (row ${from})`);
    return { start: (from * l.bitsPerRow) / 8, bytes: Math.ceil((to * l.bitsPerRow) / 8) - (from * l.bitsPerRow) / 8 };
  });
  const given = columns.map((c, i) => place?.(c.name, ranges[i]!.bytes) ?? null);
  given.forEach((view, i) => {
    if (view !== null && (view.byteOffset % 8 !== 0 || view.byteLength !== ranges[i]!.bytes)) {
      throw new FocalEvalError('E_INTERNAL', `internal error: column ${columns[i]!.name}'s slice placed off an 8-byte boundary or at the wrong size`);
    }
  });
  // Each column in the reused buffer 8-aligned.
  const sizes = ranges.map((r, i) => (given[i] !== null ? 0 : r.bytes + 7 - ((r.bytes + 7) % 8)));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (scratch.byteLength < total) scratch = new ArrayBuffer(Math.ceil(total * 1.25));
  let at = 0;
  const children = layouts.map((layout, i) => {
    const bytes = given[i] ?? new Uint8Array(scratch, at, ranges[i]!.bytes);
    at += sizes[i]!;
    readExactly(fd, bytes, bodyAt + layout.buffer.offset + ranges[i]!.start);
    return sliceData(layout, 0, to - from, bytes);
  });
  return leanBatchOf(columns, to - from, children);
}

/** The DataLike of a slice of `rows` rows at nesting level `level` of a column, over its value bytes. */
function sliceData(layout: SliceLayout, level: number, rows: number, bytes: Uint8Array): DataLike {
  const { type } = layout.levels[level]!;
  const length = rows * layout.levels[level]!.perRow;
  const leaf = type.typeId !== TYPE.FixedSizeList;
  return {
    typeId: type.typeId,
    length,
    offset: 0,
    nullCount: 0,
    nullBitmap: undefined,
    values: !leaf ? undefined : type.typeId === TYPE.Bool ? bytes : view(bytes, typedArrayOf(type)),
    valueOffsets: undefined,
    children: leaf ? [] : [sliceData(layout, level + 1, rows, bytes)],
    getValid: () => true,
  };
}

// Message: 0 version, 1 header_type, 2 header, 3 bodyLength. RecordBatch: 0 length, 1 nodes
// (16-byte FieldNode structs), 2 buffers (16-byte Buffer structs), 3 compression.
function decodeMeta(bytes: Uint8Array, bodyLength: number): Meta {
  const fb = new FlatBuffer(bytes.subarray(messagePrefix(bytes).prefixLength));
  const message = fb.root('the message');
  if (fb.u8Field(message, 1, 'the message') !== RECORD_BATCH) throw new IpcFormatError('a block is not a record batch');
  const batch = fb.table(message, 2, 'the record batch');
  if (!batch) throw new IpcFormatError('a record batch message has no header');
  return recordBatchMeta(fb, batch, bodyLength);
}

// DictionaryBatch: 0 id, 1 data (a RecordBatch), 2 isDelta (not read: a second batch of an id is refused).
function dictionaryHeader(bytes: Uint8Array, bodyLength: number): { id: number; meta: Meta } {
  const fb = new FlatBuffer(bytes.subarray(messagePrefix(bytes).prefixLength));
  const message = fb.root('the message');
  if (fb.u8Field(message, 1, 'the message') !== DICTIONARY_BATCH) throw new IpcFormatError('a dictionary block is not a dictionary batch');
  const header = fb.table(message, 2, 'the dictionary batch');
  const data = header ? fb.table(header, 1, 'the dictionary batch data') : null;
  if (!header || !data) throw new IpcFormatError('a dictionary batch message has no data');
  const id = Number(fb.i64Field(header, 0, 'the dictionary batch'));
  return { id, meta: recordBatchMeta(fb, data, bodyLength) };
}

function recordBatchMeta(fb: FlatBuffer, batch: Table, bodyLength: number): Meta {
  const compressionTable = fb.table(batch, 3, 'the body compression');
  const codec = compressionTable ? fb.u8Field(compressionTable, 0, 'the body compression') : null;
  if (codec !== null && !isCodec(codec)) throw new IpcFormatError(`body compression codec ${codec} is not supported`);
  const length = int64InRange(fb.i64Field(batch, 0, 'the record batch'), 'the record batch length');
  const nodeVec = fb.vector(batch, 1, 16, 'the field nodes');
  const nodes = [];
  for (let i = 0; nodeVec && i < nodeVec.count; i++) {
    const at = nodeVec.start + 16 * i;
    nodes.push({ length: int64InRange(fb.i64(at), 'a node length'), nullCount: int64InRange(fb.i64(at + 8), 'a null count') });
  }
  const bufferVec = fb.vector(batch, 2, 16, 'the buffers');
  const buffers = [];
  for (let i = 0; bufferVec && i < bufferVec.count; i++) {
    const at = bufferVec.start + 16 * i;
    const offset = int64InRange(fb.i64(at), 'a buffer offset');
    const len = int64InRange(fb.i64(at + 8), 'a buffer length');
    if (offset + len > bodyLength) throw new IpcFormatError(`buffer ${i} lies outside the body`);
    buffers.push({ offset, length: len });
  }
  const variadicVec = fb.vector(batch, 4, 8, 'the variadic buffer counts');
  const variadic = [];
  for (let i = 0; variadicVec && i < variadicVec.count; i++) variadic.push(int64InRange(fb.i64(variadicVec.start + 8 * i), 'a variadic buffer count', buffers.length));
  return { length, nodes, buffers, compression: codec, variadic };
}

/** The buffer indices a column of this type uses in this batch, from its start. */
function bufferRange(type: IpcType, start: Cursor, meta: Meta): number[] {
  const count = bufferCount(type, { ...start }, meta);
  return Array.from({ length: count }, (_, i) => start.buffer + i);
}

function bufferCount(type: IpcType, at: Cursor, meta: Meta): number {
  switch (type.typeId) {
    case TYPE.FixedSizeList:
      return 1 + bufferCount(type.children[0]!.type, at, meta);
    case TYPE.List:
    case TYPE.LargeList:
      return 2 + bufferCount(type.children[0]!.type, at, meta);
    case TYPE.Utf8:
    case TYPE.LargeUtf8:
      return 3;
    case TYPE.Utf8View:
      return 2 + variadicCount(meta.variadic, at.views++);
    default:
      return 2;
  }
}

/**
 * Whether this reader reads a column of this type: numbers, bools, Utf8 and LargeUtf8, and
 * (Large/FixedSize) lists of them; with `views` (a file, whose columns were placed with their
 * views counted: columnPlaces), Utf8View labels too. Dictionaries (but see leanDictionary) and
 * other view types are read through apache-arrow.
 */
export function leanReads(type: IpcType, views = false): boolean {
  switch (type.typeId) {
    case TYPE.Int:
    case TYPE.Float:
    case TYPE.Bool:
    case TYPE.Utf8:
    case TYPE.LargeUtf8:
      return true;
    case TYPE.Utf8View:
      return views;
    case TYPE.List:
    case TYPE.LargeList:
    case TYPE.FixedSizeList:
      return type.children.length === 1 && leanReads(type.children[0]!.type);
    default:
      return false;
  }
}

/** Builds a column's DataLike from its nodes and buffers (depth-first, as IPC lays them out). */
function buildData(type: IpcType, meta: Meta, cursor: Cursor, body: Uint8Array, bodyStart: number): DataLike {
  const node = meta.nodes[cursor.node++];
  if (!node) throw new IpcFormatError('the batch has fewer field nodes than the schema needs');
  const slice = (): Uint8Array => {
    const buf = meta.buffers[cursor.buffer++];
    if (!buf) throw new IpcFormatError('the batch has fewer buffers than the schema needs');
    return body.subarray(buf.offset - bodyStart, buf.offset - bodyStart + buf.length);
  };
  const validity = slice();
  if (node.nullCount > 0 && validity.byteLength === 0) throw new IpcFormatError('a column with nulls has no validity bitmap');
  const nullBitmap = validity.byteLength > 0 ? validity : undefined;
  let values: unknown;
  let valueOffsets: Int32Array | BigInt64Array | undefined;
  let variadicBuffers: Uint8Array[] | undefined;
  const children: DataLike[] = [];
  switch (type.typeId) {
    case TYPE.FixedSizeList:
      children.push(buildData(type.children[0]!.type, meta, cursor, body, bodyStart));
      break;
    case TYPE.List:
    case TYPE.LargeList:
      valueOffsets = view(slice(), type.typeId === TYPE.List ? Int32Array : (BigInt64Array as unknown as TypedArrayClass));
      children.push(buildData(type.children[0]!.type, meta, cursor, body, bodyStart));
      break;
    case TYPE.Utf8:
    case TYPE.LargeUtf8:
      valueOffsets = view(slice(), type.typeId === TYPE.Utf8 ? Int32Array : (BigInt64Array as unknown as TypedArrayClass));
      values = slice();
      break;
    case TYPE.Utf8View:
      // The views (16 bytes a row), then the batch's data buffers for this field.
      values = slice();
      variadicBuffers = Array.from({ length: variadicCount(meta.variadic, cursor.views++) }, slice);
      break;
    case TYPE.Dictionary:
      // The indices; the strings they name come with the column (columnsOver).
      values = view(slice(), typedArrayOf(type.indices!));
      break;
    case TYPE.Bool:
      values = slice();
      break;
    default:
      values = view(slice(), typedArrayOf(type));
  }
  const { length, nullCount } = node;
  return {
    typeId: type.typeId,
    length,
    offset: 0,
    nullCount,
    nullBitmap,
    values,
    valueOffsets,
    variadicBuffers,
    children,
    getValid: (i: number) => nullCount === 0 || ((nullBitmap![i >> 3]! >> (i & 7)) & 1) === 1,
  };
}

type TypedArrayClass = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayLike<unknown>; BYTES_PER_ELEMENT: number };

function typedArrayOf(type: IpcType): TypedArrayClass {
  if (type.typeId === TYPE.Float) return type.precision === 2 ? Float64Array : Float32Array;
  if (type.typeId !== TYPE.Int) throw new IpcFormatError(`unexpected column type ${type}`);
  const signed = type.isSigned;
  switch (type.bitWidth) {
    case 8:
      return signed ? Int8Array : Uint8Array;
    case 16:
      return signed ? Int16Array : Uint16Array;
    case 64:
      return (signed ? BigInt64Array : BigUint64Array) as unknown as TypedArrayClass;
    default:
      return signed ? Int32Array : Uint32Array;
  }
}

/** A typed view of a buffer; copied when the file did not align it (Arrow asks for 8 bytes). */
function view<T>(bytes: Uint8Array, Kind: TypedArrayClass): T {
  const n = Math.floor(bytes.byteLength / Kind.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % Kind.BYTES_PER_ELEMENT === 0) return new Kind(bytes.buffer, bytes.byteOffset, n) as T;
  const copy = Uint8Array.prototype.slice.call(bytes, 0, n * Kind.BYTES_PER_ELEMENT); // a copy, even of a Buffer
  return new Kind(copy.buffer, 0, n) as T;
}

/**
 * A record batch for the stage, as it goes out again: its body bytes in a fresh shared buffer
 * (the main thread writes them out uncopied: the result message shares, never clones, it), its
 * field nodes and buffers as a message lists them, and the scored columns as views into it.
 */
export interface OwnedBatch {
  numRows: number;
  body: Uint8Array;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  /** The view-typed columns' data buffer counts (none in a slice: its columns are fixed-width). */
  variadic: number[];
  columns: BatchLike;
}

/** The whole uncompressed record batch at `block`: one read of its body. */
export function readOwnedBatch(fd: number, block: IpcBlock, columns: readonly LeanColumn[], name: string): OwnedBatch {
  return inputErrorOf(name, () => {
    const meta = decodeMeta(readExactly(fd, new Uint8Array(block.metaDataLength), block.offset), block.bodyLength);
    if (meta.compression !== null) throw new IpcFormatError('a compressed batch cannot be passed through as it is');
    const body = new Uint8Array(takeShared(block.bodyLength), 0, block.bodyLength);
    readExactly(fd, body, block.offset + block.metaDataLength);
    return { numRows: meta.length, body, nodes: meta.nodes, buffers: meta.buffers, variadic: meta.variadic, columns: columnsOver(columns, meta, body, 0) };
  });
}

/**
 * Rows [from, to) of a record batch whose every column is fixed-width without nulls (the caller
 * checked: `sliceable` of openLeanBatch over all of them), as a batch of their own: each column's
 * value bytes for those rows, 8-aligned, in one fresh shared buffer; nodes and buffers to match
 * (empty validity bitmaps). `from` starts on a byte of every bool column (a multiple of 8).
 */
export function readOwnedSlice(
  fd: number,
  block: IpcBlock,
  all: readonly LeanColumn[],
  scored: readonly string[],
  from: number,
  to: number,
  name: string,
): OwnedBatch {
  return inputErrorOf(name, () => {
    const meta = decodeMeta(readExactly(fd, new Uint8Array(block.metaDataLength), block.offset), block.bodyLength);
    const layouts = all.map((c) => sliceLayout(c, meta));
    if (meta.compression !== null || layouts.some((l) => l === null)) throw new IpcFormatError('the batch cannot be read a range of rows at a time');
    const rows = to - from;
    const ranges = (layouts as SliceLayout[]).map((l) => {
      if ((from * l.bitsPerRow) % 8 !== 0) throw new IpcFormatError(`a slice of column rows must start on a byte (row ${from})`);
      const start = (from * l.bitsPerRow) / 8;
      return { start, bytes: Math.ceil((to * l.bitsPerRow) / 8) - start };
    });
    const total = ranges.reduce((n, r) => n + ((r.bytes + 7) & ~7), 0);
    const body = new Uint8Array(takeShared(total), 0, total).fill(0); // its padding goes out too
    const nodes: OwnedBatch['nodes'] = [];
    const buffers: OwnedBatch['buffers'] = [];
    const children: DataLike[] = [];
    let at = 0;
    (layouts as SliceLayout[]).forEach((layout, i) => {
      const bytes = body.subarray(at, at + ranges[i]!.bytes);
      readExactly(fd, bytes, block.offset + block.metaDataLength + layout.buffer.offset + ranges[i]!.start);
      for (const level of layout.levels) {
        nodes.push({ length: rows * level.perRow, nullCount: 0 });
        buffers.push({ offset: at, length: 0 });
      }
      buffers.push({ offset: at, length: ranges[i]!.bytes });
      if (scored.includes(all[i]!.name)) children.push(sliceData(layout, 0, rows, bytes));
      at += (ranges[i]!.bytes + 7) & ~7;
    });
    const wanted = scored.map((s) => all.find((c) => c.name === s)!);
    const order = wanted.map((c) => all.filter((a) => scored.includes(a.name)).indexOf(c));
    return { numRows: rows, body, nodes, buffers, variadic: [], columns: leanBatchOf(wanted, rows, order.map((k) => children[k]!)) };
  });
}

/**
 * The lean IPC file reader the workers use: one record batch's metadata, then only the bytes of
 * the columns being scored, read into a buffer reused from batch to batch (fresh memory costs a
 * page fault per 4 KiB; a reused buffer reads at memory speed), exposed as typed-array views
 * shaped like apache-arrow's Data. No apache-arrow import: a worker starts faster without it.
 * The file was checked (ipcCheck.ts) before any task was sent; this re-checks what it reads.
 *
 * Reads are synchronous: a worker has nothing else to do while its batch arrives, and a
 * synchronous read copies from the page cache on this thread, where an asynchronous one is
 * a round trip through libuv's thread pool (measured on W1: ~15% less time per pass).
 */
import { readSync } from 'node:fs';
import type { BatchLike, DataLike } from '../columns.ts';
import { FocalEvalError } from '../errors.ts';
import { FlatBuffer, IpcFormatError } from './flatbuffer.ts';
import type { IpcBlock } from './ipcCheck.ts';
import { toSafeNumber, TYPE, type ColumnPlace, type IpcType } from './ipcSchema.ts';

/** A column to read: its name, type and where its nodes and buffers start. */
export interface LeanColumn {
  name: string;
  type: IpcType;
  place: ColumnPlace;
}

const RECORD_BATCH = 3;

/** The reused body buffer of this thread. */
let scratch = new ArrayBuffer(0);

/** Reads the named columns of the record batch at `block` of the file open as `fd`. */
export function readLeanBatch(fd: number, block: IpcBlock, columns: readonly LeanColumn[], name: string): BatchLike {
  try {
    return readBatch(fd, block, columns);
  } catch (error) {
    if (error instanceof IpcFormatError) throw new FocalEvalError('E_INPUT', `${name}: ${error.message}`);
    throw error;
  }
}

interface Meta {
  length: number;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
}

function readBatch(fd: number, block: IpcBlock, columns: readonly LeanColumn[]): BatchLike {
  const metaBytes = readExactly(fd, new Uint8Array(block.metaDataLength), block.offset);
  const meta = decodeMeta(metaBytes, block.bodyLength);

  // Which buffers the columns use, and the span of the body that holds them all.
  const used = columns.flatMap((c) => bufferRange(c.type, c.place.buffer));
  let start = Infinity;
  let end = 0;
  for (const b of used) {
    const buf = meta.buffers[b];
    if (!buf) throw new IpcFormatError(`the batch has no buffer ${b}`);
    if (buf.length > 0) {
      start = Math.min(start, buf.offset);
      end = Math.max(end, buf.offset + buf.length);
    }
  }
  if (start === Infinity) start = end = 0;
  const span = end - start;
  if (scratch.byteLength < span) scratch = new ArrayBuffer(Math.ceil(span * 1.25));
  const body = new Uint8Array(scratch, 0, span);
  readExactly(fd, body, block.offset + block.metaDataLength + start);

  const children = columns.map((c) => {
    const cursor = { node: c.place.node, buffer: c.place.buffer };
    return buildData(c.type, meta, cursor, body, start);
  });
  return { numRows: meta.length, schema: { fields: columns.map((c) => ({ name: c.name })) }, data: { children } };
}

function readExactly(fd: number, into: Uint8Array, position: number): Uint8Array {
  let done = 0;
  while (done < into.byteLength) {
    const bytesRead = readSync(fd, into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) throw new IpcFormatError('the file ends inside a record batch');
    done += bytesRead;
  }
  return into;
}

// Message: 0 version, 1 header_type, 2 header, 3 bodyLength. RecordBatch: 0 length, 1 nodes
// (16-byte FieldNode structs), 2 buffers (16-byte Buffer structs), 3 compression.
function decodeMeta(bytes: Uint8Array, bodyLength: number): Meta {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = bytes.byteLength >= 8 && view.getInt32(0, true) === -1 ? 8 : 4;
  const fb = new FlatBuffer(bytes.subarray(prefix));
  const message = fb.root('the message');
  if (fb.u8Field(message, 1, 'the message') !== RECORD_BATCH) throw new IpcFormatError('a block is not a record batch');
  const batch = fb.table(message, 2, 'the record batch');
  if (!batch) throw new IpcFormatError('a record batch message has no header');
  if (fb.table(batch, 3, 'the body compression')) {
    throw new FocalEvalError('E_INPUT', 'compressed record batches (LZ4/ZSTD) are not supported: write the file uncompressed');
  }
  const length = toSafeNumber(fb.i64Field(batch, 0, 'the record batch'), 'the record batch length');
  const nodeVec = fb.vector(batch, 1, 16, 'the field nodes');
  const nodes = [];
  for (let i = 0; nodeVec && i < nodeVec.count; i++) {
    const at = nodeVec.start + 16 * i;
    nodes.push({ length: toSafeNumber(fb.i64(at), 'a node length'), nullCount: toSafeNumber(fb.i64(at + 8), 'a null count') });
  }
  const bufferVec = fb.vector(batch, 2, 16, 'the buffers');
  const buffers = [];
  for (let i = 0; bufferVec && i < bufferVec.count; i++) {
    const at = bufferVec.start + 16 * i;
    const offset = toSafeNumber(fb.i64(at), 'a buffer offset');
    const len = toSafeNumber(fb.i64(at + 8), 'a buffer length');
    if (offset + len > bodyLength) throw new IpcFormatError(`buffer ${i} lies outside the body`);
    buffers.push({ offset, length: len });
  }
  return { length, nodes, buffers };
}

/** The buffer indices a column of this type uses, from its first. */
function bufferRange(type: IpcType, first: number): number[] {
  const count = bufferCount(type);
  return Array.from({ length: count }, (_, i) => first + i);
}

function bufferCount(type: IpcType): number {
  switch (type.typeId) {
    case TYPE.FixedSizeList:
      return 1 + bufferCount(type.children[0]!.type);
    case TYPE.List:
      return 2 + bufferCount(type.children[0]!.type);
    case TYPE.Utf8:
      return 3;
    default:
      return 2;
  }
}

/** Builds a column's DataLike from its nodes and buffers (depth-first, as IPC lays them out). */
function buildData(type: IpcType, meta: Meta, cursor: ColumnPlace, body: Uint8Array, bodyStart: number): DataLike {
  const node = meta.nodes[cursor.node++];
  if (!node) throw new IpcFormatError('the batch has fewer field nodes than the schema needs');
  const slice = (): Uint8Array => {
    const buf = meta.buffers[cursor.buffer++]!;
    return body.subarray(buf.offset - bodyStart, buf.offset - bodyStart + buf.length);
  };
  const validity = slice();
  if (node.nullCount > 0 && validity.byteLength === 0) throw new IpcFormatError('a column with nulls has no validity bitmap');
  const nullBitmap = validity.byteLength > 0 ? validity : undefined;
  let values: unknown;
  let valueOffsets: Int32Array | undefined;
  const children: DataLike[] = [];
  switch (type.typeId) {
    case TYPE.FixedSizeList:
      children.push(buildData(type.children[0]!.type, meta, cursor, body, bodyStart));
      break;
    case TYPE.List:
      valueOffsets = view(slice(), Int32Array);
      children.push(buildData(type.children[0]!.type, meta, cursor, body, bodyStart));
      break;
    case TYPE.Utf8:
      valueOffsets = view(slice(), Int32Array);
      values = slice();
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
  const copy = bytes.slice(0, n * Kind.BYTES_PER_ELEMENT);
  return new Kind(copy.buffer, 0, n) as T;
}

/**
 * Checks an Arrow IPC file before apache-arrow (or the lean reader) reads it (messageCheck.ts says
 * why): the magic at both ends, the footer and its schema, every block inside the file and apart
 * from the others, and the message each block points at, against the block.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { fail, FlatBuffer, int64InRange, type Table } from './flatbuffer.ts';
import type { Codec } from './codecs.ts';
import { messagePrefix, readFully } from './io.ts';
import {
  checkKeyValues,
  checkMessage,
  checkSchema,
  checkVersion,
  DICTIONARY_BATCH,
  headerName,
  inContext,
  inputError,
  MAX_METADATA_BYTES,
  RECORD_BATCH,
  type SchemaSummary,
} from './messageCheck.ts';
import { decodeSchema, type IpcField } from './schema.ts';

/** Where one message sits in an IPC file, as the footer's Block says (in bytes). */
export interface IpcBlock {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/**
 * An IPC file's checked layout: its size, its schema's fields, its blocks in footer order, and
 * the body compression codecs its batches use (dictionaries included), whose decoders a reader
 * loads first.
 */
export interface IpcFileLayout {
  size: number;
  fields: IpcField[];
  recordBatches: IpcBlock[];
  dictionaries: IpcBlock[];
  codecs: Codec[];
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const FILE_HEAD_BYTES = 8; // magic + 2 padding bytes
const FILE_TAIL_BYTES = 10; // int32 footer length + magic

/** True when the bytes start with the Arrow IPC file magic "ARROW1". */
export function isIpcFileMagic(head: Uint8Array): boolean {
  return head.byteLength >= MAGIC.length && MAGIC.every((byte, i) => head[i] === byte);
}

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
    const offset = int64InRange(fb.i64(at), `${what}'s offset`, footerStart);
    if (offset < FILE_HEAD_BYTES) fail(`${what}'s offset (${offset}) points into the file header`);
    const metaDataLength = fb.i32(at + 8);
    if (metaDataLength < 8 || metaDataLength > footerStart - offset) fail(`${what}'s metadata length (${metaDataLength}) is out of range`);
    const bodyLength = int64InRange(fb.i64(at + 16), `${what}'s body length`, footerStart - offset - metaDataLength);
    blocks.push({ offset, metaDataLength, bodyLength });
  }
  return blocks;
}

// Overlapping blocks are never written by a real writer; refusing them also bounds the bytes we
// read for the messages by the file size, however many blocks the footer lists.
function checkDisjoint(blocks: readonly IpcBlock[]): void {
  const sorted = [...blocks].sort((a, b) => a.offset - b.offset);
  sorted.forEach((block, i) => {
    const prev = sorted[i - 1];
    if (prev && prev.offset + prev.metaDataLength + prev.bodyLength > block.offset) fail(`footer blocks overlap at offset ${block.offset}`);
  });
}

/**
 * Reads `length` bytes at `position`. Synchronously: the metadata of a block is a few hundred
 * bytes, read from the page cache in microseconds, where an asynchronous read is a round trip
 * through libuv's thread pool, once per block, on the path to the first batch.
 */
function readAt(handle: FileHandle, position: number, length: number): Uint8Array {
  return readFully(handle.fd, new Uint8Array(length), position, 'truncated (the file shrank while being read)');
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

/** Checks the message a block points at (`bytes`: its prefix and metadata) against the block; returns its body compression codec. */
function checkBlockMessage(bytes: Uint8Array, block: IpcBlock, expected: number, schema: SchemaSummary): Codec | null {
  const { prefixLength, metadataLength } = messagePrefix(bytes);
  // apache-arrow reads the body right after the metadata the prefix announces.
  if (metadataLength <= 0 || prefixLength + metadataLength !== block.metaDataLength) {
    fail(`message length ${metadataLength} disagrees with the block's metadata length ${block.metaDataLength}`);
  }
  const message = checkMessage(bytes.subarray(prefixLength), schema);
  if (message.headerType !== expected) fail(`holds a ${headerName(message.headerType)} message, not a ${headerName(expected)}`);
  // apache-arrow reads as many body bytes as the message says, not the block.
  if (message.bodyLength !== block.bodyLength) fail(`message body length ${message.bodyLength} disagrees with the block's ${block.bodyLength}`);
  return message.compression;
}

/** Checks every block's message, in block order, so the first bad block is the one reported; adds their codecs to `codecs`. */
function checkBlocks(handle: FileHandle, blocks: readonly IpcBlock[], expected: number, schema: SchemaSummary, codecs: Set<Codec>): void {
  for (const [i, block] of blocks.entries()) {
    const where = `${expected === RECORD_BATCH ? 'record batch' : 'dictionary'} block ${i} (offset ${block.offset})`;
    const codec = inContext(where, () => checkBlockMessage(readAt(handle, block.offset, block.metaDataLength), block, expected, schema));
    if (codec !== null) codecs.add(codec);
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
  const codecs = new Set<Codec>();
  checkBlocks(handle, footer.dictionaries, DICTIONARY_BATCH, footer.schema, codecs);
  checkBlocks(handle, footer.recordBatches, RECORD_BATCH, footer.schema, codecs);
  return { size, fields: footer.fields, recordBatches: footer.recordBatches, dictionaries: footer.dictionaries, codecs: [...codecs] };
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

/**
 * The buffers of a compressed record batch, for the workers' lean reader (batch.ts): the
 * compressed bytes of the scored columns' buffers are read from the file straight into the
 * decoder's input region, and each buffer is decoded into its output region (both reused from
 * batch to batch: ipc/codecs.ts), where the columns are then viewed.
 *
 * Each buffer is checked as the uncompressed path checks a buffer against the batch: its
 * uncompressed length (the int64 before the frame) must be -1 (stored as is) or lie between 0 and
 * what the column's type needs for the batch's rows at that level, rounded up to Arrow's 64-byte
 * padding (the data of a string column, whose size the rows do not bound, up to MAX_DECODED_BYTES);
 * the frame must decode to exactly that length. Any failure is a format error that names the
 * batch, the column, the buffer and the codec (the reader adds the file).
 */
import { TYPE } from '../arrowTypes.ts';
import { CodecError, frameDecoder, LENGTH_PREFIX_BYTES, MAX_DECODED_BYTES, STORED_AS_IS, type Codec } from './codecs.ts';
import { IpcFormatError } from './flatbuffer.ts';
import { bodySpan } from './io.ts';
import type { LeanColumn } from './batch.ts';
import { startOf, variadicCount, type Cursor, type IpcType } from './schema.ts';

/** A buffer's place in the body, as the batch's metadata says. */
export interface BodyBuffer {
  offset: number;
  length: number;
}


/** A buffer to decode: its index, its column, and the largest plausible uncompressed length. */
interface Wanted {
  index: number;
  column: string;
  limit: number;
  /** What the limit is for, for the message. */
  what: string;
}

/**
 * Reads and decodes the buffers of `columns` from a body: `fill(into, start)` fills `into` with
 * the body's bytes from `start` on (read from a file, or copied from a body in memory).
 * Returns the decoded bytes (a view of the decoder's memory, valid until its next use) and the
 * batch's buffer list with the decoded ones in place of theirs (offsets into those bytes).
 */
export function readCompressedBuffers(
  fill: (into: Uint8Array, start: number) => void,
  codec: Codec,
  columns: readonly LeanColumn[],
  rows: number,
  nodes: readonly { length: number }[],
  buffers: readonly BodyBuffer[],
  variadic: readonly number[],
  batch: string,
): { body: Uint8Array; buffers: BodyBuffer[] } {
  const wanted = columns.flatMap((c) => {
    const out: Wanted[] = [];
    limits(c.type, rows, startOf(c.place, variadic), nodes, variadic, c.name, out);
    return out;
  });
  const { start, end } = bodySpan(buffers, wanted.map((w) => w.index), batch);

  const decoder = frameDecoder(codec);
  const input = decoder.input(end - start);
  fill(input, start);
  const prefixes = new DataView(input.buffer, input.byteOffset, input.byteLength);
  // Where each decoded buffer goes in the output region (8-aligned, as in a body), and how.
  let size = 0;
  const steps = wanted.map((w) => {
    const where = `${batch}, column "${w.column}", buffer ${w.index}`;
    const buf = buffers[w.index]!;
    const from = buf.offset - start + LENGTH_PREFIX_BYTES;
    const frame = buf.length - LENGTH_PREFIX_BYTES;
    if (buf.length === 0) return { w, where, from, frame, at: size, length: 0, stored: false }; // an empty buffer stays empty
    if (frame < 0) throw new IpcFormatError(`${where}: ${buf.length} bytes, too short for a compressed buffer's length`);
    const prefix = prefixes.getBigInt64(buf.offset - start, true);
    const stored = prefix === BigInt(STORED_AS_IS);
    if (!stored && (prefix < 0n || prefix > BigInt(w.limit))) {
      const reason = `uncompressed length ${prefix} is not plausible (-1, or at most ${w.limit} bytes for ${w.what})`;
      throw new IpcFormatError(`${where}: ${new CodecError(codec, reason).message}`);
    }
    const length = stored ? frame : Number(prefix);
    const step = { w, where, from, frame, at: size, length, stored };
    size += length + 7 - ((length + 7) % 8);
    return step;
  });

  decoder.reserveOutput(size);
  const decoded = buffers.slice();
  for (const s of steps) {
    decoded[s.w.index] = { offset: s.at, length: s.length };
    if (buffers[s.w.index]!.length === 0) continue;
    if (s.stored) {
      decoder.copy(s.from, s.frame, s.at);
      continue;
    }
    try {
      decoder.decode(s.from, s.frame, s.at, s.length);
    } catch (error) {
      if (error instanceof CodecError) throw new IpcFormatError(`${s.where}: ${error.message}`);
      throw error;
    }
  }
  return { body: decoder.output(size), buffers: decoded };
}

/**
 * The plausible uncompressed length of each buffer of a column of `type` holding `rows` rows at
 * this level, walking its nodes and buffers depth-first as IPC lays them out.
 */
function limits(type: IpcType, rows: number, cursor: Cursor, nodes: readonly { length: number }[], variadic: readonly number[], column: string, out: Wanted[]): void {
  if (!nodes[cursor.node++]) throw new IpcFormatError('the batch has fewer field nodes than the schema needs');
  const add = (bytes: number, what: string): void => {
    out.push({ index: cursor.buffer++, column, limit: Math.min(MAX_DECODED_BYTES, bytes + 63 - ((bytes + 63) % 64)), what });
  };
  add(Math.ceil(rows / 8), `the validity of ${rows} rows`);
  switch (type.typeId) {
    case TYPE.FixedSizeList:
      limits(type.children[0]!.type, rows * type.listSize!, cursor, nodes, variadic, column, out);
      return;
    case TYPE.List:
    case TYPE.LargeList:
      add(offsetBytes(type) * (rows + 1), `the offsets of ${rows} lists`);
      // A list's values are as many as its child node says: the rows do not bound them.
      limits(type.children[0]!.type, nodes[cursor.node]?.length ?? 0, cursor, nodes, variadic, column, out);
      return;
    case TYPE.Utf8:
    case TYPE.LargeUtf8:
      add(offsetBytes(type) * (rows + 1), `the offsets of ${rows} strings`);
      add(MAX_DECODED_BYTES, `the data of ${rows} strings`);
      return;
    case TYPE.Utf8View: {
      add(16 * rows, `the views of ${rows} strings`);
      const buffers = variadicCount(variadic, cursor.views++);
      for (let k = 0; k < buffers; k++) add(MAX_DECODED_BYTES, `the data of ${rows} strings`);
      return;
    }
    case TYPE.Bool:
      add(Math.ceil(rows / 8), `${rows} bools`);
      return;
    default: {
      // A dictionary-encoded column holds its indices here.
      const t = type.typeId === TYPE.Dictionary ? type.indices! : type;
      const bytes = valueBytes(t);
      add(rows * bytes, `${rows} ${t.typeId === TYPE.Float ? 'Float' : t.isSigned ? 'Int' : 'Uint'}${8 * bytes} values`);
    }
  }
}

/** Bytes per offset: 4 for List and Utf8, 8 for their Large forms. */
function offsetBytes(type: IpcType): number {
  return type.typeId === TYPE.LargeList || type.typeId === TYPE.LargeUtf8 ? 8 : 4;
}

/** Bytes per value of a fixed-width number type. (A type that came to a worker has lost its toString: structured clone.) */
function valueBytes(type: IpcType): number {
  if (type.typeId === TYPE.Float) return type.precision === 2 ? 8 : type.precision === 1 ? 4 : 2;
  if (type.typeId === TYPE.Int) return type.bitWidth! / 8;
  throw new IpcFormatError(`unexpected column type id ${type.typeId}`);
}

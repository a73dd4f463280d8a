/**
 * Encodes the two flatbuffer messages the stage's file path writes, without apache-arrow (whose
 * import costs this thread ~135-200 ms, on the critical path of `--emit`):
 *
 *   a RecordBatch message: Message { version V5, header RecordBatch { length, nodes, buffers }, bodyLength }
 *   a Schema message:      Message { version V5, header Schema { endianness, fields, custom_metadata } }
 *                          whose fields are the input's own Field tables, by reference into a
 *                          verbatim copy of the input file's footer placed after the new tables
 *                          (flatbuffer offsets are relative, so the copy stays valid), then the
 *                          loss columns' fields, encoded here.
 *
 * Written front to back: every offset points forward, as flatbuffers' unsigned offsets must;
 * scalars are aligned to their size (Arrow C++'s verifier checks it).
 */
import { FlatBuffer } from '../input/ipc/flatbuffer.ts';

const V5 = 4;
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
/** Type union ids (Schema.fbs). */
const TYPE_FLOAT = 3;
const TYPE_BOOL = 6;
const TYPE_FIXED_SIZE_LIST = 16;

/** A growable little-endian byte buffer written front to back, with forward offsets patched in. */
class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  at = 0;

  #room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(2 * this.bytes.length, this.at + n));
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  /** Pads with zeros until (at + extra) is a multiple of n. */
  align(n: number, extra = 0): void {
    while ((this.at + extra) % n !== 0) this.u8(0);
  }
  u8(v: number): void {
    this.#room(1);
    this.view.setUint8(this.at, v);
    this.at += 1;
  }
  u16(v: number): void {
    this.#room(2);
    this.view.setUint16(this.at, v, true);
    this.at += 2;
  }
  i32(v: number): void {
    this.#room(4);
    this.view.setInt32(this.at, v, true);
    this.at += 4;
  }
  i64(v: number): void {
    this.#room(8);
    this.view.setBigInt64(this.at, BigInt(v), true);
    this.at += 8;
  }
  raw(b: Uint8Array): void {
    this.#room(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }
  /** Reserves an offset slot (4 bytes); returns its position, for `point`. */
  slot(): number {
    this.i32(0);
    return this.at - 4;
  }
  /** Points the offset slot at `pos` to `target` (forward). */
  point(pos: number, target: number): void {
    this.view.setUint32(pos, target - pos, true);
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.at);
  }
}

/**
 * A table: its vtable (field offsets within the table, 0 = absent) then the table, 8-aligned; the
 * table's fields are written by `body`, which gets the table's start. Returns the table's position.
 */
function table(w: Writer, fieldOffsets: readonly number[], size: number, body: (start: number) => void): number {
  const vtableSize = 4 + 2 * fieldOffsets.length;
  w.align(8, vtableSize);
  const vtable = w.at;
  w.u16(vtableSize);
  w.u16(size);
  for (const o of fieldOffsets) w.u16(o);
  const start = w.at;
  w.i32(start - vtable); // soffset to the vtable
  body(start);
  while (w.at < start + size) w.u8(0);
  return start;
}

/** The Message table (version, header type, header, bodyLength); returns the header offset slot. */
function message(w: Writer, headerType: number, bodyLength: number): number {
  // [0 soffset][4 header][8 bodyLength][16 version][18 header_type]
  let headerSlot = 0;
  const root = w.slot();
  const start = table(w, [16, 18, 4, 8], 20, () => {
    headerSlot = w.slot();
    w.i64(bodyLength);
    w.u16(V5);
    w.u8(headerType);
  });
  w.point(root, start);
  return headerSlot;
}

/** A vector of 16-byte structs of two int64s (FieldNode, Buffer), its count 4 bytes before an 8-aligned start. */
function pairs(w: Writer, slot: number, items: readonly (readonly [number, number])[]): void {
  w.align(8, 4);
  w.point(slot, w.at);
  w.i32(items.length);
  for (const [a, b] of items) {
    w.i64(a);
    w.i64(b);
  }
}

/**
 * A RecordBatch message's flatbuffer: length, nodes (length, null count), buffers (offset,
 * length), bodyLength, and with view-typed columns their variadic buffer counts (depth-first).
 */
export function encodeRecordBatch(
  length: number,
  nodes: readonly { length: number; nullCount: number }[],
  buffers: readonly { offset: number; length: number }[],
  bodyLength: number,
  variadic: readonly number[] = [],
): Uint8Array {
  const w = new Writer();
  const header = message(w, HEADER_RECORD_BATCH, bodyLength);
  // [0 soffset][4 nodes][8 length][16 buffers], then [20 variadicBufferCounts] (field 4; field 3,
  // the body compression, absent) when there are view columns.
  const views = variadic.length > 0;
  let nodesSlot = 0;
  let buffersSlot = 0;
  let variadicSlot = 0;
  const start = table(w, views ? [8, 4, 16, 0, 20] : [8, 4, 16], views ? 24 : 20, () => {
    nodesSlot = w.slot();
    w.i64(length);
    buffersSlot = w.slot();
    if (views) variadicSlot = w.slot();
  });
  w.point(header, start);
  pairs(w, nodesSlot, nodes.map((n) => [n.length, n.nullCount] as const));
  pairs(w, buffersSlot, buffers.map((b) => [b.offset, b.length] as const));
  if (views) {
    w.align(8, 4);
    w.point(variadicSlot, w.at);
    w.i32(variadic.length);
    for (const n of variadic) w.i64(n);
  }
  return w.done();
}

/** A field to append: a Float64, Bool or FixedSizeList<Float32 'item' (not nullable)>[C] column, nullable. */
export type AddedField = { name: string; type: 'float64' | 'bool' } | { name: string; type: 'fixedSizeListFloat32'; listSize: number };

const encoder = new TextEncoder();

/** A string (length, bytes, NUL) pointed to by `slot`. */
function string(w: Writer, slot: number, text: string): void {
  const bytes = encoder.encode(text);
  w.align(4);
  w.point(slot, w.at);
  w.i32(bytes.length);
  w.raw(bytes);
  w.u8(0);
}

/** A Field table; returns its position. Type tables and children follow it. */
function field(w: Writer, name: string, nullable: boolean, type: 'float32' | AddedField['type'], listSize = 0): number {
  // [0 soffset][4 name][8 type][12 children][16 nullable][17 type_type]
  let nameSlot = 0;
  let typeSlot = 0;
  let childrenSlot = 0;
  const typeId = type === 'bool' ? TYPE_BOOL : type === 'fixedSizeListFloat32' ? TYPE_FIXED_SIZE_LIST : TYPE_FLOAT;
  const start = table(w, [4, 16, 17, 8, 0, 12], 20, () => {
    nameSlot = w.slot();
    typeSlot = w.slot();
    childrenSlot = w.slot();
    w.u8(nullable ? 1 : 0);
    w.u8(typeId);
  });
  string(w, nameSlot, name);
  // The type table: FloatingPoint { precision: short }, Bool {}, FixedSizeList { listSize: int }.
  const typeStart =
    type === 'bool'
      ? table(w, [], 4, () => {})
      : type === 'fixedSizeListFloat32'
        ? table(w, [4], 8, () => w.i32(listSize))
        : table(w, [4], 8, () => {
            w.u16(type === 'float64' ? 2 : 1);
          });
  w.point(typeSlot, typeStart);
  w.align(4);
  w.point(childrenSlot, w.at);
  if (type !== 'fixedSizeListFloat32') {
    w.i32(0);
  } else {
    w.i32(1);
    const child = w.slot();
    w.point(child, field(w, 'item', false, 'float32'));
  }
  return start;
}

/**
 * The Schema message of the output: the input file's schema (from its footer's flatbuffer,
 * `footer`) with `added` fields after its own, its endianness and custom metadata kept.
 */
export function encodeSchema(footer: Uint8Array, added: readonly AddedField[]): Uint8Array {
  const fb = new FlatBuffer(footer);
  const schema = fb.table(fb.root('the footer'), 1, 'the footer schema');
  if (!schema) throw new Error('the footer has no schema');
  const fields = fb.vector(schema, 1, 4, 'the schema fields');
  const inputFields = Array.from({ length: fields?.count ?? 0 }, (_, i) => fb.tableIn(fields!, i, 'a field').pos);
  const endianness = fb.i16Field(schema, 0, 0, 'the schema');
  const metadataSlot = fb.slot(schema, 2, 4, 'the schema metadata');
  const metadata = metadataSlot === null ? null : metadataSlot + fb.i32(metadataSlot);

  const w = new Writer();
  const header = message(w, HEADER_SCHEMA, 0);
  // [0 soffset][4 fields][8 custom_metadata][12 endianness]
  let fieldsSlot = 0;
  let metadataOut = 0;
  const start = table(w, [12, 4, metadata === null ? 0 : 8], 16, () => {
    fieldsSlot = w.slot();
    metadataOut = w.slot();
    w.u16(endianness);
  });
  w.point(header, start);
  w.align(4);
  w.point(fieldsSlot, w.at);
  w.i32(inputFields.length + added.length);
  const slots = [...inputFields, ...added].map(() => w.slot());
  const addedAt = added.map((f) => field(w, f.name, true, f.type, f.type === 'fixedSizeListFloat32' ? f.listSize : 0));
  // The footer, verbatim and 8-aligned (its own alignment holds), after everything that points into it.
  w.align(8);
  const copy = w.at;
  w.raw(footer);
  inputFields.forEach((pos, i) => w.point(slots[i]!, copy + pos));
  addedAt.forEach((pos, i) => w.point(slots[inputFields.length + i]!, pos));
  if (metadata !== null) w.point(metadataOut, copy + metadata);
  return w.done();
}

/**
 * The Thrift compact protocol, as Parquet writes its footer and page headers: a struct is read
 * whole into a Map from field id to value (nested structs as Maps, lists as arrays, binary as
 * byte views), and the callers (metadata.ts, pages.ts) pick the fields they know. Every length
 * is checked against the bytes left and nesting is bounded, so a corrupt footer is a
 * ThriftError, never a huge allocation or a stack overflow.
 *
 * Field header: one byte, the id delta in its high nibble (0: a zigzag i16 id follows) and the
 * type in its low one. Integers are zigzag varints; a list's header holds its size (15: a varint
 * follows) and element type; a bool field's value is its type (1 true, 2 false).
 */

/** A decoded value: numbers for ints and doubles (int64 beyond 2^53 is refused), bools, bytes, lists, structs. */
export type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;
export type ThriftStruct = Map<number, ThriftValue>;

export class ThriftError extends Error {}

const T_BOOL_TRUE = 1;
const T_BOOL_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;

/** Deeper than any Parquet struct nests (FileMetaData > RowGroup > ColumnChunk > ColumnMetaData > Statistics). */
const MAX_DEPTH = 32;

/** A reader over bytes; `pos` is where the next value starts. */
export class ThriftReader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Reads one struct from `pos` (whose end, its STOP byte, is passed). */
  readStruct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftError(`structs nest deeper than ${MAX_DEPTH}`);
    const fields: ThriftStruct = new Map();
    let id = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      const type = header & 0x0f;
      const delta = header >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      fields.set(id, type === T_BOOL_TRUE ? true : type === T_BOOL_FALSE ? false : this.value(type, depth));
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case T_BYTE:
        return (this.byte() << 24) >> 24;
      case T_I16:
      case T_I32:
      case T_I64:
        return this.zigzag();
      case T_DOUBLE: {
        this.need(8);
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return v;
      }
      case T_BINARY: {
        const length = this.varint();
        this.need(length);
        const bytes = this.bytes.subarray(this.pos, this.pos + length);
        this.pos += length;
        return bytes;
      }
      case T_LIST:
      case T_SET:
        return this.list(depth);
      case T_MAP:
        return this.map(depth);
      case T_STRUCT:
        return this.readStruct(depth + 1);
      default:
        throw new ThriftError(`unknown field type ${type} at byte ${this.pos - 1}`);
    }
  }

  private list(depth: number): ThriftValue[] {
    const header = this.byte();
    const size = header >> 4 === 15 ? this.varint() : header >> 4;
    const type = header & 0x0f;
    // Every element takes at least one byte: a size beyond the bytes left is corrupt.
    this.need(size);
    const out: ThriftValue[] = new Array(size);
    for (let i = 0; i < size; i++) {
      out[i] = type === T_BOOL_TRUE || type === T_BOOL_FALSE ? this.byte() === T_BOOL_TRUE : this.value(type, depth + 1);
    }
    return out;
  }

  /** Maps are read and dropped (Parquet's footer has none we use). */
  private map(depth: number): ThriftValue[] {
    const size = this.varint();
    if (size === 0) return [];
    this.need(size);
    const types = this.byte();
    for (let i = 0; i < size; i++) {
      this.value(types >> 4, depth + 1);
      this.value(types & 0x0f, depth + 1);
    }
    return [];
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  /** An unsigned varint of up to 64 bits, as a number; beyond 2^53 is refused. */
  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) throw new ThriftError(`an integer beyond 2^53 at byte ${this.pos}`);
        return value;
      }
      scale *= 128;
    }
    throw new ThriftError(`a varint longer than 10 bytes at byte ${this.pos}`);
  }

  private zigzag(): number {
    const u = this.varint();
    // (u >>> 1) ^ -(u & 1), in float arithmetic: exact below 2^53.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.bytes.length) throw new ThriftError(`the struct ends past its ${this.bytes.length} bytes`);
  }
}

/** Field accessors that check the type: a field of the wrong type is corrupt metadata. */
export function int(s: ThriftStruct, id: number, what: string): number {
  const v = s.get(id);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ThriftError(`${what} is missing or not an integer`);
  return v;
}

export function optInt(s: ThriftStruct, id: number, what: string): number | undefined {
  return s.has(id) ? int(s, id, what) : undefined;
}

export function struct(s: ThriftStruct, id: number, what: string): ThriftStruct {
  const v = s.get(id);
  if (!(v instanceof Map)) throw new ThriftError(`${what} is missing or not a struct`);
  return v;
}

export function optStruct(s: ThriftStruct, id: number, what: string): ThriftStruct | undefined {
  return s.has(id) ? struct(s, id, what) : undefined;
}

export function list(s: ThriftStruct, id: number, what: string): ThriftValue[] {
  const v = s.get(id);
  if (!Array.isArray(v)) throw new ThriftError(`${what} is missing or not a list`);
  return v;
}

/** A list of structs. */
export function structs(s: ThriftStruct, id: number, what: string): ThriftStruct[] {
  const items = list(s, id, what);
  if (!items.every((item) => item instanceof Map)) throw new ThriftError(`${what} holds something other than structs`);
  return items as ThriftStruct[];
}

export function text(s: ThriftStruct, id: number, what: string): string {
  const v = s.get(id);
  if (!(v instanceof Uint8Array)) throw new ThriftError(`${what} is missing or not a string`);
  return new TextDecoder().decode(v);
}

export function optBool(s: ThriftStruct, id: number): boolean | undefined {
  const v = s.get(id);
  return typeof v === 'boolean' ? v : undefined;
}

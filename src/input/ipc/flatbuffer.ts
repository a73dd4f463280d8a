/**
 * A bounds-checked flatbuffer reader, for Arrow's IPC metadata (Schema.fbs, Message.fbs,
 * File.fbs). apache-arrow's generated code reads offsets as signed int32 and vtable entries as
 * signed int16 and never checks a bound, so we accept only values that both readings agree on
 * (non-negative) and that land inside the buffer. Used by the checks (messageCheck.ts,
 * fileCheck.ts, streamCheck.ts) and by the lean reader that decodes what was checked (schema.ts,
 * batch.ts).
 */

/** A format violation; the entry points turn it into an E_INPUT error that names the input. */
export class IpcFormatError extends Error {}

/** Throws a format violation. */
export function fail(reason: string): never {
  throw new IpcFormatError(reason);
}

/**
 * An int64 as a number, failing (with `what` and the value) unless it lies in [min, max]: lengths
 * and offsets must be safe JS numbers, and apache-arrow would throw on an unsafe one without
 * saying which value it was.
 */
export function int64InRange(value: bigint, what: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  if (value < BigInt(min) || value > BigInt(max)) fail(`${what} (${value}) is out of range`);
  return Number(value);
}

/** A table whose vtable has been checked. */
export interface Table {
  readonly pos: number;
  readonly vtable: number;
  readonly vtableSize: number;
  readonly tableSize: number;
}

/** A vector whose elements have been checked to lie inside the buffer. */
export interface Vec {
  readonly start: number;
  readonly count: number;
}

/** Reads one flatbuffer; every accessor fails on an offset or length outside it. */
export class FlatBuffer {
  private readonly view: DataView;
  // Shared subobjects (a DAG) would let a small buffer make apache-arrow decode the same
  // strings and fields billions of times; a tree touches each byte about once.
  private budget: number;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = 8 * bytes.byteLength + 4096;
  }

  need(pos: number, size: number, what: string): void {
    if (!(pos >= 0 && size >= 0 && pos + size <= this.bytes.byteLength)) fail(`${what} lies outside the metadata`);
  }

  private charge(bytes: number): void {
    this.budget -= bytes + 1;
    if (this.budget < 0) fail('metadata refers to the same data too many times');
  }

  i16(pos: number): number {
    this.need(pos, 2, 'an int16');
    return this.view.getInt16(pos, true);
  }

  i32(pos: number): number {
    this.need(pos, 4, 'an int32');
    return this.view.getInt32(pos, true);
  }

  i64(pos: number): bigint {
    this.need(pos, 8, 'an int64');
    return this.view.getBigInt64(pos, true);
  }

  u8(pos: number): number {
    this.need(pos, 1, 'a byte');
    return this.view.getUint8(pos);
  }

  /** Follows a forward offset (uoffset_t) stored at `pos`. */
  private follow(pos: number, what: string): number {
    const offset = this.i32(pos);
    if (offset <= 0) fail(`${what}: bad offset ${offset}`);
    const target = pos + offset;
    this.need(target, 1, what);
    return target;
  }

  root(what: string): Table {
    return this.tableAt(this.follow(0, what), what);
  }

  tableAt(pos: number, what: string): Table {
    this.need(pos, 4, what);
    const vtable = pos - this.i32(pos);
    this.need(vtable, 4, `${what}'s vtable`);
    const vtableSize = this.i16(vtable);
    const tableSize = this.i16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) fail(`${what}: bad vtable size ${vtableSize}`);
    if (tableSize < 4) fail(`${what}: bad table size ${tableSize}`);
    this.need(vtable, vtableSize, `${what}'s vtable`);
    if (pos + tableSize > this.bytes.byteLength) fail(`${what}: table size ${tableSize} overruns the metadata`);
    this.charge(tableSize);
    return { pos, vtable, vtableSize, tableSize };
  }

  /** Position of slot `slot` (of `size` bytes) inside the table, or null when it is absent. */
  slot(t: Table, slot: number, size: number, what: string): number | null {
    const entry = 4 + 2 * slot;
    if (entry >= t.vtableSize) return null;
    const offset = this.i16(t.vtable + entry);
    if (offset === 0) return null;
    if (offset < 4 || offset + size > t.tableSize) fail(`${what}: field ${slot} lies outside its table`);
    return t.pos + offset;
  }

  scalar(t: Table, slot: number, size: number, what: string): void {
    this.slot(t, slot, size, what);
  }

  i16Field(t: Table, slot: number, fallback: number, what: string): number {
    const pos = this.slot(t, slot, 2, what);
    return pos === null ? fallback : this.i16(pos);
  }

  i32Field(t: Table, slot: number, fallback: number, what: string): number {
    const pos = this.slot(t, slot, 4, what);
    return pos === null ? fallback : this.i32(pos);
  }

  u8Field(t: Table, slot: number, what: string): number {
    const pos = this.slot(t, slot, 1, what);
    return pos === null ? 0 : this.u8(pos);
  }

  i64Field(t: Table, slot: number, what: string): bigint {
    const pos = this.slot(t, slot, 8, what);
    return pos === null ? 0n : this.i64(pos);
  }

  table(t: Table, slot: number, what: string): Table | null {
    const pos = this.slot(t, slot, 4, what);
    return pos === null ? null : this.tableAt(this.follow(pos, what), what);
  }

  /** A vector of `stride`-byte elements; its length must fit in what is left of the buffer. */
  vector(t: Table, slot: number, stride: number, what: string): Vec | null {
    const pos = this.slot(t, slot, 4, what);
    if (pos === null) return null;
    const at = this.follow(pos, what);
    const count = this.i32(at);
    if (count < 0 || count * stride > this.bytes.byteLength - at - 4) fail(`${what}: vector length ${count} overruns the metadata`);
    this.charge(count * stride);
    return { start: at + 4, count };
  }

  string(t: Table, slot: number, what: string): void {
    this.vector(t, slot, 1, what);
  }

  /** A string's text (UTF-8), or null when the slot is absent. */
  text(t: Table, slot: number, what: string): string | null {
    const v = this.vector(t, slot, 1, what);
    return v === null ? null : new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.count));
  }

  tableIn(v: Vec, index: number, what: string): Table {
    return this.tableAt(this.follow(v.start + 4 * index, what), what);
  }
}

/**
 * One lean column of one row group, read a number of rows at a time: its pages (a dictionary page,
 * then data pages v1 or v2) decoded one after another, their levels and values assembled into the
 * DataLike shapes the column reader (../columns.ts) takes: a value per row, a List (Int32
 * offsets) or a FixedSizeList, with validity bitmaps where a row or an element is null. Bools come
 * out as bytes (0/1) typed as an Int8 column, which is how the kernels take them. Strings (a flat
 * BYTE_ARRAY label) come out as a dictionary-encoded column: an Int32 index per row into the
 * chunk's strings (strings.ts), which are its `dictionary`.
 *
 * Encodings read: PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (bools), BYTE_STREAM_SPLIT; the
 * levels' RLE. Any other (DELTA_*, the old BIT_PACKED levels) throws NotLean, and the caller reads
 * the row group through parquet-wasm. The arrays handed out are reused: valid until the next read.
 */
import * as zlib from 'node:zlib';
import { TYPE, type DataLike } from '../arrowTypes.ts';
import { ChunkBytes } from './chunkBytes.ts';
import { decompressPage, NotLean } from './decompress.ts';
import { decodeHybrid, decodeIndexed, type IndexedArray } from './hybrid.ts';
import { readPlainStrings, StringTable } from './strings.ts';
import { isUniform } from './uniformLists.ts';
import { CODEC, ParquetFormatError, PHYSICAL } from './metadata.ts';
import { PageDecoder } from './pageDecoder.ts';
import { decodePageHeader, PAGE, type PageHeader } from './pageHeader.ts';
import type { LeanParquetColumn } from './schema.ts';
import { ThriftError } from './thrift.ts';

/** parquet.thrift Encoding. */
const ENCODING = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, BIT_PACKED: 4, RLE_DICTIONARY: 8, BYTE_STREAM_SPLIT: 9 } as const;

/**
 * Bounds on one page, so that a corrupt header cannot make the reader allocate gigabytes: far past
 * what writers make (pyarrow, arrow-rs and DuckDB cut pages at about 1 MB).
 */
const MAX_PAGE_BYTES = 1024 * 1024 * 1024;
const MAX_PAGE_VALUES = 2 ** 28;

/** Where a column chunk is and what it holds (from the footer). */
export interface ChunkRef {
  codec: number;
  start: number;
  bytes: number;
  numValues: number;
}

type Values = Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Uint8Array;
type ValuesClass = { new (length: number): Values; new (buffer: ArrayBufferLike, byteOffset: number, length: number): Values; BYTES_PER_ELEMENT: number };

/** A data page's stored values, copied out a run at a time. */
interface PageValues {
  /** Copies stored values [from, from + count) to out[at...]. */
  copyTo(out: Values, at: number, from: number, count: number): void;
}

/**
 * A string column's batch dictionary: the chunk's strings so far (every index of the batch names
 * one of them; valid until the next read), and whether any of the batch's values came from a
 * PLAIN page (then parquet-wasm's dictionary for the batch is its strings in order of first
 * appearance, not the dictionary page: see open.ts).
 */
export interface StringDictionary {
  toArray(): string[];
  readonly plain: boolean;
}

/** A decoded data page and how far it has been read. */
interface Page {
  entries: number;
  /** The levels of each entry; null when the column has none (every entry is a row with a value). */
  def: Uint8Array | null;
  rep: Uint8Array | null;
  /** When every list of the page holds this many values (and no level is below the maximum): its levels are not decoded. */
  uniform: number;
  /** Entries with a value (def = maxDef). */
  stored: number;
  values: PageValues;
  /** Its values are PLAIN strings (not dictionary indices). */
  plainStrings: boolean;
  /** The next entry and the next stored value. */
  entry: number;
  value: number;
}

export class ColumnReader {
  /** The wasm decoder whose memory holds this reader's byte buffers (null: JS arrays, JS decoders). */
  private readonly pages = PageDecoder.create();
  private readonly bytes = new ChunkBytes((n) => this.buffer(n));
  private readonly Kind: ValuesClass;
  private readonly width: number;
  private column!: LeanParquetColumn;
  private chunk!: ChunkRef;
  private pos = 0;
  private valuesSeen = 0;
  private page: Page | null = null;
  private dictionary: Values | null = null;
  /** A string column's strings (its dictionary page's, then its PLAIN pages' new ones), and whether this read took PLAIN ones. */
  private strings: StringTable | null = null;
  private readPlain = false;
  // Buffers reused from page to page and from chunk to chunk (fresh memory costs a page fault per
  // 4 KiB): the decompressed page, its levels, its decoded values, the dictionary, the outputs.
  // The chunk bytes, the page, its values and the dictionary are in the page decoder's memory,
  // handed out afresh for each chunk (the same memory again, at the sizes the last chunk grew them to).
  private pageBuffer: Uint8Array = new Uint8Array(0);
  private defBuffer: Uint8Array = new Uint8Array(0);
  private repBuffer: Uint8Array = new Uint8Array(0);
  private decoded: Values;
  private dictionaryBuffer: Values;
  private out: Values;
  private offsets = new Int32Array(0);
  private rowBits: Uint8Array = new Uint8Array(0);
  private slotBits: Uint8Array = new Uint8Array(0);

  private constructor(column: LeanParquetColumn) {
    this.Kind = valuesClass(column);
    this.width = column.physical === PHYSICAL.BOOLEAN ? 1 : this.Kind.BYTES_PER_ELEMENT;
    this.decoded = new this.Kind(0);
    this.dictionaryBuffer = new this.Kind(0);
    this.out = new this.Kind(0);
  }

  /** A reader set to read `chunk` of `fd`, from `readers` (its buffers kept from the last chunk it read) or new. */
  static of(readers: ColumnReader[], slot: number, fd: number, column: LeanParquetColumn, chunk: ChunkRef): ColumnReader {
    let reader = readers[slot];
    if (!reader || reader.Kind !== valuesClass(column)) readers[slot] = reader = new ColumnReader(column);
    reader.column = column;
    reader.chunk = chunk;
    const fresh = reader.pages !== null;
    if (fresh) reader.freeBuffers();
    reader.bytes.reset(fd, chunk.start, chunk.bytes, fresh);
    reader.pos = 0;
    reader.valuesSeen = 0;
    reader.page = null;
    reader.dictionary = null;
    reader.strings = column.physical === PHYSICAL.BYTE_ARRAY ? new StringTable() : null;
    return reader;
  }

  /** `bytes` bytes in the page decoder's memory where they fit, else a JS array. */
  private buffer(bytes: number): Uint8Array {
    return this.pages?.alloc(bytes) ?? new Uint8Array(bytes);
  }

  /** `n` values of the column's kind, in a buffer(). */
  private valuesBuffer(n: number): Values {
    const bytes = this.buffer(n * this.Kind.BYTES_PER_ELEMENT);
    return new this.Kind(bytes.buffer, bytes.byteOffset, n);
  }

  /** Drops the buffers in the page decoder's memory, which it frees: a new chunk gets them afresh, as large as they were. */
  private freeBuffers(): void {
    this.pages!.reset();
    this.pageBuffer = this.buffer(this.pageBuffer.length);
    this.decoded = this.valuesBuffer(this.decoded.length);
    this.dictionaryBuffer = this.valuesBuffer(this.dictionaryBuffer.length);
  }

  /**
   * The next `rows` rows. Their values go into `into` (a view the caller owns: the wasm kernel's
   * prediction slot) where they fit in it, else into the reader's own array.
   */
  read(rows: number, into: Uint8Array | null = null): DataLike {
    return this.column.maxRep === 0 ? this.readFlat(rows, into) : this.readLists(rows, into);
  }

  /** Checks that the chunk holds no more than was read (its declared values, no page left). */
  finish(rowsRead: number): void {
    if (this.unread() !== null) {
      throw new ParquetFormatError(`column "${this.column.name}" holds more than the row group's ${rowsRead} rows`);
    }
    if (this.valuesSeen !== this.chunk.numValues) {
      throw new ParquetFormatError(`column "${this.column.name}": its pages hold ${this.valuesSeen} values, the footer says ${this.chunk.numValues}`);
    }
  }

  private readFlat(rows: number, into: Uint8Array | null): DataLike {
    const out = this.output(rows, into);
    const { maxDef } = this.column;
    let nulls = 0;
    let r = 0;
    this.readPlain = false;
    while (r < rows) {
      const p = this.current(r, rows);
      const take = Math.min(rows - r, p.entries - p.entry);
      if (p.plainStrings) this.readPlain = true;
      if (p.def === null || p.stored === p.entries) {
        p.values.copyTo(out, r, p.value, take);
        p.value += take;
      } else {
        for (let k = 0; k < take; ) {
          let run = 0;
          while (k + run < take && p.def[p.entry + k + run] === maxDef) run++;
          if (run > 0) {
            p.values.copyTo(out, r + k, p.value, run);
            p.value += run;
            k += run;
            continue;
          }
          if (nulls++ === 0) this.rowBits = ones(this.rowBits, rows);
          clearBit(this.rowBits, r + k); // its value slot keeps whatever it held: a null row is not scored
          k++;
        }
      }
      p.entry += take;
      r += take;
    }
    const bits = nulls > 0 ? this.rowBits : undefined;
    if (this.strings !== null) return stringLeaf(this.strings, this.readPlain, out.subarray(0, rows) as Int32Array, rows, nulls, bits);
    return leaf(this.column, out.subarray(0, rows), rows, nulls, bits);
  }

  private readLists(rows: number, into: Uint8Array | null): DataLike {
    const { maxDef, nullDef, slotDef } = this.column;
    if (this.offsets.length < rows + 1) this.offsets = new Int32Array(rows + 1);
    const offsets = this.offsets;
    let out = this.output(Math.max(rows, 1) * Math.max(this.column.listSize, 1), into);
    let rowNulls = 0;
    let slotNulls = 0;
    let slots = 0;
    let r = 0;
    const room = (needed: number): void => {
      if (out.length >= needed) return;
      const grown = new this.Kind(Math.ceil(needed * 1.5));
      grown.set(out.subarray(0, slots) as never);
      this.out = out = grown;
    };
    for (;;) {
      const p = this.unread();
      if (p === null) break;
      if (p.uniform > 0) {
        // Lists of `width` values each, from the page's start: row k starts at value k · width.
        const width = p.uniform;
        const take = Math.min(rows - r, (p.entries - p.entry) / width);
        for (let k = 0; k < take; k++) offsets[r + k] = slots + k * width;
        const count = take * width;
        room(slots + count);
        p.values.copyTo(out, slots, p.value, count);
        p.value += count;
        p.entry += count;
        slots += count;
        r += take;
        if (p.entry < p.entries) break;
        continue;
      }
      const rep = p.rep!;
      if (p.entry === 0 && rep[0] !== 0 && r === 0) throw new ParquetFormatError(`column "${this.column.name}": the row group starts inside a list`);
      if (p.stored === p.entries) {
        // No null and no empty list in this page: every entry is a value of the current row.
        let k = p.entry;
        for (; k < p.entries; k++) {
          if (rep[k] === 0) {
            if (r === rows) break;
            offsets[r++] = slots + k - p.entry;
          }
        }
        const count = k - p.entry;
        room(slots + count);
        p.values.copyTo(out, slots, p.value, count);
        p.value += count;
        slots += count;
        p.entry = k;
        if (k < p.entries) break;
        continue;
      }
      const def = p.def!;
      for (; p.entry < p.entries; p.entry++) {
        const d = def[p.entry]!;
        if (rep[p.entry] === 0) {
          if (r === rows) break;
          offsets[r] = slots;
          if (d < nullDef) {
            if (rowNulls++ === 0) this.rowBits = ones(this.rowBits, rows);
            clearBit(this.rowBits, r);
          }
          r++;
          if (d < slotDef) continue;
        }
        room(slots + 1);
        if (d === maxDef) {
          p.values.copyTo(out, slots, p.value++, 1);
        } else {
          if (slotNulls++ === 0) this.slotBits = ones(this.slotBits, Math.max(out.length, slots + 1));
          if (this.slotBits.length * 8 <= slots) this.slotBits = grownOnes(this.slotBits, slots + 1);
          clearBit(this.slotBits, slots);
        }
        slots++;
      }
      if (p.entry < p.entries) break;
    }
    if (r < rows) throw new ParquetFormatError(`column "${this.column.name}" ends after ${r} of the row group's rows`);
    offsets[rows] = slots;
    if (slotNulls > 0 && this.slotBits.length * 8 < slots) this.slotBits = grownOnes(this.slotBits, slots);
    const rowBitmap = rowNulls > 0 ? this.rowBits : undefined;
    const slotBitmap = slotNulls > 0 ? this.slotBits : undefined;
    if (this.column.shape === 'fixed') return this.fixedList(out.subarray(0, slots), rows, rowNulls, rowBitmap, slotNulls, slotBitmap);
    const child = leaf(this.column, out.subarray(0, slots), slots, slotNulls, slotBitmap);
    return list(rows, rowNulls, rowBitmap, offsets.subarray(0, rows + 1), child);
  }

  /** A FixedSizeList: every non-null row must hold listSize values; a null row (no values in Parquet) gets listSize empty slots. */
  private fixedList(read: Values, rows: number, rowNulls: number, rowBitmap: Uint8Array | undefined, slotNulls: number, slotBitmap: Uint8Array | undefined): DataLike {
    const size = this.column.listSize;
    const offsets = this.offsets;
    const slots = read.length;
    let values = read;
    let bits = slotBitmap;
    if (slots !== rows * size || rowNulls > 0) {
      const spread = new this.Kind(rows * size);
      const spreadBits = slotNulls > 0 ? ones(new Uint8Array(0), rows * size) : undefined;
      for (let r = 0; r < rows; r++) {
        const count = offsets[r + 1]! - offsets[r]!;
        const isNull = rowBitmap !== undefined && !getBit(rowBitmap, r);
        if (isNull && count === 0) continue;
        if (count !== size) {
          throw new ParquetFormatError(`column "${this.column.name}": row ${r} holds ${count} values, FixedSizeList[${size}] needs ${size}`);
        }
        spread.set(values.subarray(offsets[r]!, offsets[r + 1]!) as never, r * size);
        if (spreadBits && bits) for (let k = 0; k < size; k++) if (!getBit(bits, offsets[r]! + k)) clearBit(spreadBits, r * size + k);
      }
      values = spread;
      bits = spreadBits;
    }
    const child = leaf(this.column, values, rows * size, slotNulls, bits);
    return {
      typeId: TYPE.FixedSizeList,
      length: rows,
      offset: 0,
      nullCount: rowNulls,
      nullBitmap: rowBitmap,
      values: undefined,
      children: [child],
      getValid: validity(rowBitmap),
    };
  }

  /** The page being read, or the next one when it is done; null at the chunk's end. */
  private unread(): Page | null {
    return this.page && this.page.entry < this.page.entries ? this.page : this.nextPage();
  }

  /** The page being read, the next one when it is done; running out before `rows` rows is corrupt. */
  private current(r: number, rows: number): Page {
    const p = this.unread();
    if (p === null) throw new ParquetFormatError(`column "${this.column.name}" ends after ${r} of ${rows} rows`);
    return p;
  }

  /**
   * The output array, at least `length` long: `into` where it is that long (and aligned for the
   * column's values), else the reused array of the reader's own. A read that outgrows `into`
   * (rows longer than the caller said) moves on to an array of the reader's own (readLists' room).
   */
  private output(length: number, into: Uint8Array | null): Values {
    const size = this.Kind.BYTES_PER_ELEMENT;
    if (into !== null && into.byteLength >= length * size && into.byteOffset % size === 0) {
      return new this.Kind(into.buffer, into.byteOffset, Math.floor(into.byteLength / size));
    }
    if (this.out.length < length) this.out = new this.Kind(Math.ceil(length * 1.25));
    return this.out;
  }

  /** Reads the next data page (after a dictionary page, and skipping index pages); null at the chunk's end. */
  private nextPage(): Page | null {
    for (;;) {
      if (this.pos >= this.bytes.length) return (this.page = null);
      const { header, length } = this.header();
      if (header.uncompressedSize > MAX_PAGE_BYTES || header.numValues > MAX_PAGE_VALUES) {
        throw new ParquetFormatError(
          `column "${this.column.name}": a page declares ${header.uncompressedSize} bytes and ${header.numValues} values, past what the reader holds (${MAX_PAGE_BYTES} bytes, ${MAX_PAGE_VALUES} values)`,
        );
      }
      this.pos += length;
      const body = this.bytes.view(this.pos, header.compressedSize);
      if (body.length < header.compressedSize) throw new ParquetFormatError(`column "${this.column.name}": a page runs past its column chunk`);
      this.pos += header.compressedSize;
      // Checked where Node has zlib.crc32 (20.15 on).
      if (header.crc !== undefined && typeof zlib.crc32 === 'function' && zlib.crc32(body) !== header.crc) {
        throw new ParquetFormatError(`column "${this.column.name}": a page's checksum does not match its bytes`);
      }
      if (header.type === PAGE.DICTIONARY) {
        this.readDictionary(header, body);
        continue;
      }
      if (header.type === PAGE.INDEX) continue;
      if (header.type !== PAGE.DATA && header.type !== PAGE.DATA_V2) throw new ParquetFormatError(`column "${this.column.name}": unknown page type ${header.type}`);
      this.valuesSeen += header.numValues;
      if (this.valuesSeen > this.chunk.numValues) {
        throw new ParquetFormatError(`column "${this.column.name}": its pages hold more than the ${this.chunk.numValues} values the footer says`);
      }
      this.page = header.type === PAGE.DATA ? this.dataPage(header, body) : this.dataPageV2(header, body);
      if (this.page.entries > 0) return this.page;
    }
  }

  private header(): { header: PageHeader; length: number } {
    for (let window = 256; ; window *= 16) {
      const bytes = this.bytes.view(this.pos, window);
      const complete = this.pos + bytes.length >= this.bytes.length || window >= 16 * 1024 * 1024;
      let decoded;
      try {
        decoded = decodePageHeader(bytes, complete);
      } catch (error) {
        if (!(error instanceof ThriftError)) throw error;
        throw new ParquetFormatError(`column "${this.column.name}": the page header at byte ${this.pos} of its column chunk: ${error.message}`);
      }
      if (decoded) return decoded;
    }
  }

  private decompressed(input: Uint8Array, size: number): Uint8Array {
    if (this.chunk.codec === CODEC.UNCOMPRESSED) {
      if (input.length !== size) throw new ParquetFormatError(`column "${this.column.name}": an uncompressed page of ${input.length} bytes declares ${size}`);
      return input;
    }
    if (this.pageBuffer.length < size) this.pageBuffer = this.buffer(Math.ceil(size * 1.25));
    const out = this.pageBuffer.subarray(0, size);
    try {
      if (!(this.chunk.codec === CODEC.SNAPPY && this.pages?.snappy(input, out))) decompressPage(this.chunk.codec, input, out);
    } catch (error) {
      if (error instanceof ParquetFormatError) throw new ParquetFormatError(`column "${this.column.name}": ${error.message}`);
      throw error;
    }
    return out;
  }

  private readDictionary(header: PageHeader, body: Uint8Array): void {
    if (header.encoding !== ENCODING.PLAIN && header.encoding !== ENCODING.PLAIN_DICTIONARY) throw new NotLean(`dictionary encoding ${header.encoding}`);
    if (this.column.physical === PHYSICAL.BOOLEAN) throw new NotLean('a dictionary of bools');
    const bytes = this.decompressed(body, header.uncompressedSize);
    const n = header.numValues;
    if (this.strings !== null) {
      if (this.strings.size > 0 || this.valuesSeen > 0) throw new ParquetFormatError(`column "${this.column.name}": a dictionary page that is not the chunk's first page`);
      readPlainStrings(bytes, 0, bytes.length, n, this.strings, this.column.name, null, 'the dictionary page');
      return;
    }
    if (bytes.length < n * this.width) throw new ParquetFormatError(`column "${this.column.name}": a dictionary of ${n} values holds ${bytes.length} bytes`);
    if (this.dictionaryBuffer.length < n) this.dictionaryBuffer = this.valuesBuffer(Math.ceil(n * 1.25));
    const dictionary = this.dictionaryBuffer.subarray(0, n);
    new Uint8Array(dictionary.buffer, dictionary.byteOffset, n * this.width).set(bytes.subarray(0, n * this.width));
    this.dictionary = dictionary;
  }

  private dataPage(header: PageHeader, body: Uint8Array): Page {
    const bytes = this.decompressed(body, header.uncompressedSize);
    const n = header.numValues;
    let at = 0;
    const span = (max: number, encoding: number, what: string): [number, number] => {
      if (max === 0) return [at, at];
      if (encoding !== ENCODING.RLE) throw new NotLean(`${what} levels encoded as ${encoding}`);
      if (at + 4 > bytes.length) throw new ParquetFormatError(`column "${this.column.name}": a page ends inside its ${what} levels`);
      const length = int32At(bytes, at);
      if (length < 0 || at + 4 + length > bytes.length) throw new ParquetFormatError(`column "${this.column.name}": ${what} levels run past the page`);
      at += 4 + length;
      return [at - length, at];
    };
    const rep = span(this.column.maxRep, header.repEncoding, 'repetition');
    const def = span(this.column.maxDef, header.defEncoding, 'definition');
    return this.page_(n, bytes, rep, def, header.encoding, bytes.subarray(at));
  }

  private dataPageV2(header: PageHeader, body: Uint8Array): Page {
    const levelBytes = header.repBytes + header.defBytes;
    const stored = body.subarray(levelBytes);
    const values = header.compressed ? this.decompressed(stored, header.uncompressedSize - levelBytes) : stored;
    return this.page_(header.numValues, body, [0, header.repBytes], [header.repBytes, levelBytes], header.encoding, values);
  }

  /**
   * The page of `entries` entries: its levels decoded from levelBytes [rep) and [def) (empty for a
   * column without them), its values (`bytes`) per `encoding`.
   */
  private page_(entries: number, levelBytes: Uint8Array, rep: [number, number], def: [number, number], encoding: number, bytes: Uint8Array): Page {
    const { maxDef, maxRep } = this.column;
    if (this.repBuffer.length < entries) this.repBuffer = new Uint8Array(Math.ceil(entries * 1.25));
    if (this.defBuffer.length < entries) this.defBuffer = new Uint8Array(Math.ceil(entries * 1.25));
    const repLevels = maxRep === 0 ? null : this.repBuffer.subarray(0, entries);
    const defLevels = maxDef === 0 ? null : this.defBuffer.subarray(0, entries);
    // Entries whose definition level is the maximum hold a value.
    const stored = defLevels ? decodeHybrid(levelBytes, def[0], def[1], maxDef, entries, defLevels, true) : entries;
    // Lists of one width without nulls (the usual prediction list) need no levels decoded.
    let uniform = 0;
    if (repLevels && stored === entries) {
      const width = this.column.shape === 'fixed' ? this.column.listSize : this.firstWidth(levelBytes, rep, entries);
      if (width > 0 && (this.pages?.uniform(levelBytes, rep[0], rep[1], entries, width) ?? isUniform(levelBytes, rep[0], rep[1], entries, width))) uniform = width;
    }
    if (repLevels && uniform === 0) decodeHybrid(levelBytes, rep[0], rep[1], maxRep, entries, repLevels, false);
    const values = this.strings !== null ? this.stringValues(encoding, bytes, stored) : this.values(encoding, bytes, stored);
    const plainStrings = this.strings !== null && encoding === ENCODING.PLAIN;
    return { entries, def: defLevels, rep: repLevels, uniform, stored, values, plainStrings, entry: 0, value: 0 };
  }

  /** The length of the page's first list, from its first levels (0 if it has no second row within them). */
  private firstWidth(levelBytes: Uint8Array, rep: [number, number], entries: number): number {
    const head = this.repBuffer.subarray(0, Math.min(entries, 4096));
    decodeHybrid(levelBytes, rep[0], rep[1], 1, head.length, head, false);
    return head[0] === 0 ? Math.max(head.indexOf(0, 1), 0) : 0;
  }

  private values(encoding: number, bytes: Uint8Array, stored: number): PageValues {
    const { physical, name } = this.column;
    const short = (what: string): never => {
      throw new ParquetFormatError(`column "${name}": a page holds too few bytes for its ${stored} ${what}`);
    };
    const w = this.width;
    switch (encoding) {
      case ENCODING.PLAIN:
        if (physical === PHYSICAL.BOOLEAN) {
          if (bytes.length * 8 < stored) short('bools');
          return { copyTo: (out, at, from, count) => unpackBits(bytes, from, count, out as Uint8Array, at) };
        }
        if (bytes.length < stored * w) short('values');
        return {
          copyTo: (out, at, from, count) => new Uint8Array(out.buffer, out.byteOffset + at * w, count * w).set(bytes.subarray(from * w, (from + count) * w)),
        };
      case ENCODING.PLAIN_DICTIONARY:
      case ENCODING.RLE_DICTIONARY: {
        const dictionary = this.dictionary;
        if (!dictionary) throw new ParquetFormatError(`column "${name}": a dictionary-encoded page without a dictionary page`);
        const decoded = this.decodedBuffer(stored) as IndexedArray;
        if (stored > 0) {
          if (bytes.length < 1) short('dictionary indices');
          const args = [bytes, 1, bytes.length, bytes[0]!, stored, dictionary as IndexedArray, decoded] as const;
          if (!this.pages?.gather(...args)) decodeIndexed(...args);
        }
        return { copyTo: (out, at, from, count) => out.set(decoded.subarray(from, from + count) as never, at) };
      }
      case ENCODING.RLE: {
        if (physical !== PHYSICAL.BOOLEAN) throw new NotLean(`RLE values of physical type ${physical}`);
        if (bytes.length < 4) short('bools');
        const length = int32At(bytes, 0);
        if (length < 0 || 4 + length > bytes.length) short('bools');
        const bools = this.decodedBuffer(stored) as Uint8Array;
        decodeHybrid(bytes, 4, 4 + length, 1, stored, bools, false);
        return { copyTo: (out, at, from, count) => out.set(bools.subarray(from, from + count) as never, at) };
      }
      case ENCODING.BYTE_STREAM_SPLIT: {
        if (physical === PHYSICAL.BOOLEAN) throw new NotLean('BYTE_STREAM_SPLIT bools');
        if (bytes.length < stored * w) short('values');
        const decoded = this.decodedBuffer(stored);
        const into = new Uint8Array(decoded.buffer, decoded.byteOffset, stored * w);
        // Byte b of value k is stream b's byte k.
        for (let b = 0; b < w; b++) for (let k = 0; k < stored; k++) into[k * w + b] = bytes[b * stored + k]!;
        return { copyTo: (out, at, from, count) => out.set(decoded.subarray(from, from + count) as never, at) };
      }
      default:
        throw new NotLean(`encoding ${encoding}`);
    }
  }

  /** A string page's values as indices into the chunk's strings: dictionary indices as they are, PLAIN strings interned. */
  private stringValues(encoding: number, bytes: Uint8Array, stored: number): PageValues {
    const { name } = this.column;
    const strings = this.strings!;
    const indices = this.decodedBuffer(stored) as Int32Array;
    switch (encoding) {
      case ENCODING.PLAIN:
        readPlainStrings(bytes, 0, bytes.length, stored, strings, name, indices, 'a PLAIN page');
        break;
      case ENCODING.PLAIN_DICTIONARY:
      case ENCODING.RLE_DICTIONARY:
        if (stored === 0) break;
        if (strings.size === 0) throw new ParquetFormatError(`column "${name}": a dictionary-encoded page without a dictionary page`);
        if (bytes.length < 1) throw new ParquetFormatError(`column "${name}": a page holds too few bytes for its ${stored} dictionary indices`);
        decodeHybrid(bytes, 1, bytes.length, strings.size - 1, stored, indices, false, bytes[0]);
        break;
      default:
        throw new NotLean(`strings encoded as ${encoding}`);
    }
    return { copyTo: (out, at, from, count) => out.set(indices.subarray(from, from + count) as never, at) };
  }

  private decodedBuffer(n: number): Values {
    if (this.decoded.length < n) this.decoded = this.valuesBuffer(Math.ceil(n * 1.25));
    return this.decoded;
  }
}

/** The typed array a column's values come out in. */
function valuesClass(column: LeanParquetColumn): ValuesClass {
  const kinds: Record<number, unknown> = {
    [PHYSICAL.FLOAT]: Float32Array,
    [PHYSICAL.DOUBLE]: Float64Array,
    [PHYSICAL.INT32]: column.unsigned ? Uint32Array : Int32Array,
    [PHYSICAL.INT64]: column.unsigned ? BigUint64Array : BigInt64Array,
    [PHYSICAL.BOOLEAN]: Uint8Array,
    // Strings: an index per row into the chunk's strings.
    [PHYSICAL.BYTE_ARRAY]: Int32Array,
  };
  const kind = kinds[column.physical];
  if (!kind) throw new NotLean(`physical type ${column.physical}`);
  return kind as ValuesClass;
}

/** The little-endian int32 at byte `at` (the length before a v1 page's levels, or its RLE bools). */
function int32At(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/** out[at + k] = bit (from + k) of a PLAIN bool page (least significant bit first). */
function unpackBits(bits: Uint8Array, from: number, count: number, out: Uint8Array, at: number): void {
  for (let k = 0; k < count; k++) {
    const bit = from + k;
    out[at + k] = (bits[bit >>> 3]! >>> (bit & 7)) & 1;
  }
}

/** A bitmap of at least `n` bits, all set (reused when long enough). */
function ones(bits: Uint8Array, n: number): Uint8Array {
  const bytes = (n + 7) >>> 3;
  const out = bits.length >= bytes ? bits : new Uint8Array(Math.ceil(bytes * 1.25));
  out.fill(0xff);
  return out;
}

function grownOnes(bits: Uint8Array, n: number): Uint8Array {
  const out = ones(new Uint8Array(0), Math.ceil(n * 1.5));
  out.set(bits);
  return out;
}

function clearBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3]! &= ~(1 << (i & 7));
}

function getBit(bits: Uint8Array, i: number): boolean {
  return ((bits[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

function validity(bits: Uint8Array | undefined): (i: number) => boolean {
  return bits === undefined ? () => true : (i) => getBit(bits, i);
}

/** A leaf column's DataLike: numbers as they are stored, bools as 0/1 bytes typed Int8 (the kernels take either). */
function leaf(column: LeanParquetColumn, values: Values, length: number, nullCount: number, nullBitmap: Uint8Array | undefined): DataLike {
  return {
    typeId: column.physical === PHYSICAL.FLOAT || column.physical === PHYSICAL.DOUBLE ? TYPE.Float : TYPE.Int,
    length,
    offset: 0,
    nullCount,
    nullBitmap,
    values,
    children: [],
    getValid: validity(nullBitmap),
  };
}

/** A string column's DataLike: dictionary-encoded, an index per row into the chunk's strings. */
function stringLeaf(strings: StringTable, plain: boolean, indices: Int32Array, length: number, nullCount: number, nullBitmap: Uint8Array | undefined): DataLike {
  const dictionary: StringDictionary = { toArray: () => strings.strings, plain };
  return { typeId: TYPE.Dictionary, length, offset: 0, nullCount, nullBitmap, values: indices, children: [], dictionary, getValid: validity(nullBitmap) };
}

/** A List's DataLike (a LargeList's too: the column reader takes Int32 offsets for either). */
function list(length: number, nullCount: number, nullBitmap: Uint8Array | undefined, valueOffsets: Int32Array, child: DataLike): DataLike {
  return { typeId: TYPE.List, length, offset: 0, nullCount, nullBitmap, values: undefined, valueOffsets, children: [child], getValid: validity(nullBitmap) };
}

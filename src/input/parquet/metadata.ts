/**
 * A Parquet file's footer: the 4-byte length and `PAR1` at the end, and before them the
 * FileMetaData (Thrift compact, parquet.thrift's field ids): the schema as a flat depth-first
 * list of elements, the row groups with each column chunk's codec, offsets and value count, and
 * the key/value metadata (where Arrow writers keep the Arrow schema, `ARROW:schema`).
 */
import { readFully } from '../ipc/io.ts';
import { int, list, optInt, optStruct, struct, structs, text, ThriftError, ThriftReader, type ThriftStruct } from './thrift.ts';
import { fstatSync } from 'node:fs';

/** Physical types (parquet.thrift Type). */
export const PHYSICAL = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
/** FieldRepetitionType. */
export const REPETITION = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
/** CompressionCodec. */
export const CODEC = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, LZO: 3, BROTLI: 4, LZ4: 5, ZSTD: 6, LZ4_RAW: 7 } as const;
export const CODEC_NAMES = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];
/** ConvertedType values we read. */
export const CONVERTED = { UTF8: 0, LIST: 3, UINT_8: 11, UINT_16: 12, UINT_32: 13, UINT_64: 14, INT_8: 15, INT_16: 16, INT_32: 17, INT_64: 18 } as const;

/** The footer's bounds: a footer longer than this is refused rather than read. */
export const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

export class ParquetFormatError extends Error {}

export interface SchemaElement {
  name: string;
  type: number | undefined;
  repetition: number;
  numChildren: number;
  convertedType: number | undefined;
  /** LogicalType: the union member's field id (1 STRING, 3 LIST, 10 INTEGER, 15 FLOAT16, ...) and, for INTEGER, its width and sign. */
  logical: { kind: number; bitWidth?: number; isSigned?: boolean } | undefined;
}

export interface ColumnChunk {
  /** The column's path from the root, e.g. ['probs', 'list', 'element']. */
  path: string[];
  type: number;
  codec: number;
  numValues: number;
  /** Where the chunk's pages start (its dictionary page, if any) and how many bytes they take. */
  start: number;
  bytes: number;
  /** Set when the chunk lives in another file (never written by the writers we know). */
  external: boolean;
}

export interface RowGroup {
  numRows: number;
  columns: ColumnChunk[];
}

export interface FileMetaData {
  numRows: number;
  schema: SchemaElement[];
  rowGroups: RowGroup[];
  keyValues: Map<string, string>;
  createdBy: string | undefined;
}

/** Reads and decodes the footer of the Parquet file open as `fd`. */
export function readFooter(fd: number): FileMetaData {
  const size = fstatSync(fd).size;
  if (size < 12) throw new ParquetFormatError(`the file is ${size} bytes, too short for a Parquet file`);
  const tail = readFully(fd, new Uint8Array(8), size - 8, 'the file is shorter than its footer says');
  if (new TextDecoder().decode(tail.subarray(4)) !== 'PAR1') throw new ParquetFormatError('no PAR1 magic at the end (truncated, or not Parquet)');
  const length = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
  if (length > MAX_FOOTER_BYTES) throw new ParquetFormatError(`the footer declares ${length} bytes, more than the ${MAX_FOOTER_BYTES} allowed`);
  if (length + 12 > size) throw new ParquetFormatError(`the footer declares ${length} bytes, more than the file holds`);
  const bytes = readFully(fd, new Uint8Array(length), size - 8 - length, 'the file is shorter than its footer says');
  try {
    return decodeFileMetaData(new ThriftReader(bytes).readStruct(), size - 8 - length);
  } catch (error) {
    if (error instanceof ThriftError) throw new ParquetFormatError(`corrupt footer: ${error.message}`);
    throw error;
  }
}

// FileMetaData: 1 version, 2 schema, 3 num_rows, 4 row_groups, 5 key_value_metadata, 6 created_by.
function decodeFileMetaData(s: ThriftStruct, footerAt: number): FileMetaData {
  const schema = structs(s, 2, 'the schema').map(decodeSchemaElement);
  const rowGroups = structs(s, 4, 'the row groups').map((g, i) => decodeRowGroup(g, i, footerAt));
  const keyValues = new Map<string, string>();
  for (const entry of s.has(5) ? structs(s, 5, 'the key/value metadata') : []) {
    keyValues.set(text(entry, 1, 'a metadata key'), entry.has(2) ? text(entry, 2, 'a metadata value') : '');
  }
  return {
    numRows: int(s, 3, 'the row count'),
    schema,
    rowGroups,
    keyValues,
    createdBy: s.has(6) ? text(s, 6, 'created_by') : undefined,
  };
}

// SchemaElement: 1 type, 2 type_length, 3 repetition_type, 4 name, 5 num_children, 6 converted_type, 10 logicalType.
function decodeSchemaElement(s: ThriftStruct): SchemaElement {
  const logicalType = optStruct(s, 10, 'a logical type');
  let logical: SchemaElement['logical'];
  if (logicalType) {
    const kind = [...logicalType.keys()][0] ?? 0;
    logical = { kind };
    if (kind === 10) {
      const intType = struct(logicalType, 10, 'an integer logical type');
      logical.bitWidth = int(intType, 1, 'an integer bit width');
      logical.isSigned = intType.get(2) === true;
    }
  }
  return {
    name: text(s, 4, 'a schema name'),
    type: optInt(s, 1, 'a physical type'),
    repetition: optInt(s, 3, 'a repetition') ?? REPETITION.REQUIRED,
    numChildren: optInt(s, 5, 'a child count') ?? 0,
    convertedType: optInt(s, 6, 'a converted type'),
    logical,
  };
}

// RowGroup: 1 columns, 3 num_rows. ColumnChunk: 1 file_path, 3 meta_data.
// ColumnMetaData: 1 type, 3 path_in_schema, 4 codec, 5 num_values, 7 total_compressed_size,
// 9 data_page_offset, 11 dictionary_page_offset.
function decodeRowGroup(s: ThriftStruct, index: number, footerAt: number): RowGroup {
  const numRows = int(s, 3, `row group ${index}'s row count`);
  const columns = structs(s, 1, `row group ${index}'s columns`).map((chunk) => {
    const meta = struct(chunk, 3, `row group ${index}'s column metadata`);
    const dataAt = int(meta, 9, 'a data page offset');
    const dictionaryAt = optInt(meta, 11, 'a dictionary page offset');
    // The chunk starts at its first page: the dictionary page, if any. An offset of 0 means none
    // (some writers set the dictionary offset to 0 without one; pyarrow writes an empty row group's
    // data offset as 0, its chunk a dictionary page alone).
    const offsets = [dataAt, dictionaryAt ?? 0].filter((o) => o > 0);
    const bytes = int(meta, 7, 'a compressed size');
    const start = offsets.length > 0 ? Math.min(...offsets) : 4;
    if (start < 4 || bytes < 0 || start + bytes > footerAt || (offsets.length === 0 && bytes > 0)) {
      throw new ThriftError(`row group ${index}: a column chunk lies outside the file's data (bytes ${start}..${start + bytes})`);
    }
    return {
      path: list(meta, 3, 'a column path').map((p) => {
        if (!(p instanceof Uint8Array)) throw new ThriftError('a column path holds something other than strings');
        return new TextDecoder().decode(p);
      }),
      type: int(meta, 1, 'a column type'),
      codec: int(meta, 4, 'a codec'),
      numValues: int(meta, 5, 'a value count'),
      start,
      bytes,
      external: chunk.has(1),
    };
  });
  return { numRows, columns };
}

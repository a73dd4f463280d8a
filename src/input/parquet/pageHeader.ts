/**
 * A page header (Thrift compact, parquet.thrift's PageHeader): the page's type and sizes, and the
 * header of its kind, for the three kinds a column chunk of the lean reader holds (a dictionary
 * page first, if any, then data pages, v1 or v2). Index pages are skipped by the caller.
 */
import { int, optBool, struct, ThriftError, ThriftReader } from './thrift.ts';

export const PAGE = { DATA: 0, INDEX: 1, DICTIONARY: 2, DATA_V2: 3 } as const;

export interface PageHeader {
  type: number;
  uncompressedSize: number;
  compressedSize: number;
  /** The CRC-32 of the page's stored bytes, when the writer wrote one (pyarrow's write_page_checksum). */
  crc: number | undefined;
  /** Values (level entries) in the page; for a dictionary page, its entries. */
  numValues: number;
  encoding: number;
  /** v1: the levels' encodings (RLE, or the old BIT_PACKED). */
  defEncoding: number;
  repEncoding: number;
  /** v2: the byte lengths of the levels (stored uncompressed, before the values), and whether the values are compressed. */
  defBytes: number;
  repBytes: number;
  compressed: boolean;
  /** v2: the rows the page holds. */
  numRows: number;
}

/**
 * Decodes the header at the start of `bytes`; returns it and its length, or null when `bytes`
 * ends inside it (the caller reads more and tries again).
 */
export function decodePageHeader(bytes: Uint8Array, complete: boolean): { header: PageHeader; length: number } | null {
  const reader = new ThriftReader(bytes);
  let s;
  try {
    s = reader.readStruct();
  } catch (error) {
    if (!complete && error instanceof ThriftError && error.message.includes('ends past')) return null;
    throw error;
  }
  // PageHeader: 1 type, 2 uncompressed_page_size, 3 compressed_page_size, 4 crc, 5 data_page_header,
  // 7 dictionary_page_header, 8 data_page_header_v2.
  const type = int(s, 1, 'the page type');
  const header: PageHeader = {
    type,
    uncompressedSize: int(s, 2, 'the uncompressed page size'),
    compressedSize: int(s, 3, 'the compressed page size'),
    crc: s.has(4) ? int(s, 4, 'the page checksum') >>> 0 : undefined,
    numValues: 0,
    encoding: 0,
    defEncoding: 3,
    repEncoding: 3,
    defBytes: 0,
    repBytes: 0,
    compressed: true,
    numRows: 0,
  };
  if (header.uncompressedSize < 0 || header.compressedSize < 0) throw new ThriftError('a page size is negative');
  if (type === PAGE.DATA) {
    // DataPageHeader: 1 num_values, 2 encoding, 3 definition_level_encoding, 4 repetition_level_encoding.
    const d = struct(s, 5, 'the data page header');
    header.numValues = int(d, 1, 'the page value count');
    header.encoding = int(d, 2, 'the page encoding');
    header.defEncoding = int(d, 3, 'the definition level encoding');
    header.repEncoding = int(d, 4, 'the repetition level encoding');
  } else if (type === PAGE.DICTIONARY) {
    // DictionaryPageHeader: 1 num_values, 2 encoding.
    const d = struct(s, 7, 'the dictionary page header');
    header.numValues = int(d, 1, 'the dictionary size');
    header.encoding = int(d, 2, 'the dictionary encoding');
  } else if (type === PAGE.DATA_V2) {
    // DataPageHeaderV2: 1 num_values, 2 num_nulls, 3 num_rows, 4 encoding,
    // 5 definition_levels_byte_length, 6 repetition_levels_byte_length, 7 is_compressed.
    const d = struct(s, 8, 'the data page v2 header');
    header.numValues = int(d, 1, 'the page value count');
    header.numRows = int(d, 3, 'the page row count');
    header.encoding = int(d, 4, 'the page encoding');
    header.defBytes = int(d, 5, 'the definition levels length');
    header.repBytes = int(d, 6, 'the repetition levels length');
    header.compressed = optBool(d, 7) ?? true;
    if (header.defBytes < 0 || header.repBytes < 0 || header.defBytes + header.repBytes > header.compressedSize) {
      throw new ThriftError('the levels of a v2 page are longer than the page');
    }
  }
  if (header.numValues < 0) throw new ThriftError('a page value count is negative');
  return { header, length: reader.pos };
}

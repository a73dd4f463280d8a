/**
 * The lean Parquet reader (src/input/parquet/) on files pyarrow wrote (test/fixtures/parquet/,
 * from scripts/parquet-fixtures.py): each file scores to the report of its IPC twin (the same rows
 * in batches of its row groups, read by the IPC reader), byte for byte, with the wasm page decoder
 * (pageDecoder.ts) and with the JS decoders alone, and to the report parquet-wasm's path makes of it; over every codec, page v1 and v2, dictionaries, BYTE_STREAM_SPLIT,
 * small pages, null rows, null elements, empty lists, bools, unsigned and 64-bit labels, a row
 * group longer than a batch, an empty row group; an encoding it does not read (DELTA_BINARY_PACKED)
 * goes to parquet-wasm row group by row group. String labels too (names.*): dictionary pages and
 * PLAIN pages, a dictionary that falls back to PLAIN mid-chunk, a pandas categorical, DuckDB
 * VARCHAR, polars Categorical beside an Int128; without --class-names a dictionary label's first
 * strings are the plan's class names, in parquet-wasm's order. Corrupt bytes are E_INPUT errors
 * naming the file, the row group and the column.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import { readParquetFooter } from '../src/input/parquet/file.ts';
import type { OptionsInput } from '../src/options.ts';
import { batchKinds } from './support/batchKinds.ts';
import { fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => {
  delete process.env.FOCAL_EVAL_PARQUET_READER;
  delete process.env.FOCAL_EVAL_PARQUET_DECODER;
});

const dir = (name: string): string => fixture(`parquet/${name}`);
const OPTIONS: OptionsInput = { alpha: 'auto', gamma: 2, onInvalid: 'skip', threads: 2 };

async function reportJson(path: string, options: OptionsInput = OPTIONS): Promise<string> {
  const report = JSON.stringify(await evaluate(path, options));
  return report;
}

const readerOf = (path: string, options: OptionsInput = OPTIONS): Promise<string[]> => batchKinds(path, options);

const TWINS: [string, string][] = [
  ['mc.snappy.parquet', 'mc.arrow'],
  ['mc.zstd.v2.parquet', 'mc.arrow'],
  ['mc.gzip.parquet', 'mc.arrow'],
  ['mc.brotli.v2.parquet', 'mc.arrow'],
  ['mc.lz4raw.parquet', 'mc.arrow'],
  ['mc.none.smallpages.parquet', 'mc.arrow'],
  ['mc.snappy.v2.smallpages.parquet', 'mc.arrow'],
  ['mc.bss.parquet', 'mc.arrow'],
  ['mc.delta.parquet', 'mc.arrow'],
  ['mc.crc.parquet', 'mc.arrow'],
  ['fsl.snappy.parquet', 'fsl.arrow'],
  ['fsl.zstd.v2.parquet', 'fsl.arrow'],
  ['bin.snappy.parquet', 'bin.arrow'],
  ['bin.none.v2.parquet', 'bin.arrow'],
  ['ml.snappy.parquet', 'ml.arrow'],
  ['ml.gzip.v2.parquet', 'ml.arrow'],
  ['long.snappy.parquet', 'long.arrow'],
  ['mc_empty_first.snappy.parquet', 'mc_empty_first.arrow'],
];

describe('the lean Parquet reader', () => {
  for (const [parquet, twin] of TWINS) {
    it(`${parquet}: the report of its IPC twin ${twin}, with the wasm page decoder and the JS one, and of parquet-wasm's path`, async () => {
      expect(await readerOf(dir(parquet))).toEqual(['parquet-lean']);
      const lean = await reportJson(dir(parquet));
      expect(lean).toBe(await reportJson(dir(twin)));
      process.env.FOCAL_EVAL_PARQUET_DECODER = 'js';
      expect(lean).toBe(await reportJson(dir(parquet)));
      process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
      expect(await readerOf(dir(parquet))).toEqual(['parquet']);
      expect(lean).toBe(await reportJson(dir(parquet)));
    });
  }

  it('the fixtures hold what the tests count on: nulls, invalid rows, several row groups, one longer than a batch', async () => {
    const mc = await evaluate(dir('mc.snappy.parquet'), OPTIONS);
    expect(mc.ignored).toBeGreaterThan(0); // null labels
    expect(mc.invalid).toBeGreaterThan(0); // null rows, null elements, empty lists
    expect(readParquetFooter(dir('mc.none.smallpages.parquet')).meta.rowGroups).toHaveLength(3);
    const long = readParquetFooter(dir('long.snappy.parquet')).meta.rowGroups;
    expect(long.map((g) => g.numRows)).toEqual([70_000]);
    expect(readParquetFooter(dir('mc_empty_first.snappy.parquet')).meta.rowGroups.map((g) => g.numRows)).toEqual([0, 8, 32]);
  });

  it('an invalid row is placed by its row in the row group, as parquet-wasm places it', async () => {
    const strict = { ...OPTIONS, onInvalid: 'error' } as const;
    const lean = await evaluate(dir('mc.snappy.parquet'), strict).catch((e: FocalEvalError) => e.message);
    process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
    const wasm = await evaluate(dir('mc.snappy.parquet'), strict).catch((e: FocalEvalError) => e.message);
    expect(typeof lean).toBe('string');
    expect(lean).toBe(wasm);
  });
});

const NAMES = ['cat', 'dog', 'bird-café', 'fish'];
const NAMED: OptionsInput = { ...OPTIONS, classNames: NAMES };

/** String labels in every form the writers use, each with its twin (Utf8 labels, read by the IPC reader). */
const STRING_TWINS = [
  'names.snappy.parquet',
  'names.none.parquet',
  'names.zstd.v2.parquet',
  'names.plain.snappy.parquet',
  'names.plain.none.parquet',
  'names.plain.gzip.v2.smallpages.parquet',
  'names.fallback.parquet',
  'names.dictfallback.parquet',
  'names.pandas.parquet',
  'names.polars.parquet',
];

/** Files whose label is a Dictionary: scored without --class-names too, the first row group's strings naming the classes. */
const DICTIONARY_LABELS = ['names.dictfallback.parquet', 'names.pandas.parquet', 'names.polars.parquet'];

describe('string labels through the lean reader', () => {
  for (const parquet of STRING_TWINS) {
    it(`${parquet}: the report of its IPC twin names.arrow, with either page decoder${parquet.includes('polars') ? '' : ", and of parquet-wasm's path"}`, async () => {
      expect(await readerOf(dir(parquet), NAMED)).toEqual(['parquet-lean']);
      const lean = await reportJson(dir(parquet), NAMED);
      expect(lean).toBe(await reportJson(dir('names.arrow'), NAMED));
      process.env.FOCAL_EVAL_PARQUET_DECODER = 'js';
      expect(lean).toBe(await reportJson(dir(parquet), NAMED));
      // parquet-wasm does not read a file with an Int128 column.
      if (parquet.includes('polars')) return;
      process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
      expect(await readerOf(dir(parquet), NAMED)).toEqual(['parquet']);
      expect(lean).toBe(await reportJson(dir(parquet), NAMED));
    });
  }

  it('DuckDB VARCHAR labels (no ARROW:schema, one row group): the report of parquet-wasm\'s path', async () => {
    const file = dir('names.duckdb.parquet');
    expect(readParquetFooter(file).meta.keyValues.has('ARROW:schema')).toBe(false);
    expect(await readerOf(file, NAMED)).toEqual(['parquet-lean']);
    const lean = await reportJson(file, NAMED);
    process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
    expect(lean).toBe(await reportJson(file, NAMED));
  });

  for (const parquet of DICTIONARY_LABELS) {
    it(`${parquet} without --class-names: the classes named as parquet-wasm's path names them`, async () => {
      expect(await readerOf(dir(parquet))).toEqual(['parquet-lean']);
      const lean = await evaluate(dir(parquet), OPTIONS);
      const names = lean.classes.map((c) => c.name);
      expect([...names].sort()).toEqual([...NAMES].sort());
      // The same report as the twin's with those names, in that order.
      expect(JSON.stringify(lean)).toBe(await reportJson(dir('names.arrow'), { ...OPTIONS, classNames: names }));
      if (parquet.includes('polars')) return;
      process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
      expect(JSON.stringify(lean)).toBe(await reportJson(dir(parquet)));
    });
  }

  it('the fixtures hold what the tests count on: PLAIN pages after a dictionary page, categories in an order of their own', async () => {
    // names.dictfallback: its first dictionary page is not in the order its rows name them, and the
    // writer falls back to PLAIN after 100 rows: parquet-wasm names the classes in order of appearance.
    const fallback = await evaluate(dir('names.dictfallback.parquet'), OPTIONS);
    expect(fallback.classes.map((c) => c.name)).not.toEqual(['fish', 'bird-café', 'dog', 'cat']);
    const pandas = await evaluate(dir('names.pandas.parquet'), OPTIONS);
    expect(pandas.classes.map((c) => c.name)).toEqual(['fish', 'cat', 'dog', 'bird-café']);
    expect(pandas.ignored).toBeGreaterThan(0);
    expect(readParquetFooter(dir('names.pandas.parquet')).meta.rowGroups).toHaveLength(3);
  });

  it('a string that names no class is an invalid row named by its string, as parquet-wasm places it', async () => {
    const strict: OptionsInput = { ...OPTIONS, onInvalid: 'error', classNames: ['cat', 'dog', 'bird', 'fish'] };
    for (const parquet of ['names.snappy.parquet', 'names.plain.snappy.parquet', 'names.duckdb.parquet']) {
      const lean = await evaluate(dir(parquet), strict).catch((e: FocalEvalError) => e.message);
      process.env.FOCAL_EVAL_PARQUET_READER = 'parquet-wasm';
      const wasm = await evaluate(dir(parquet), strict).catch((e: FocalEvalError) => e.message);
      delete process.env.FOCAL_EVAL_PARQUET_READER;
      expect(lean).toContain('bird-café');
      expect(lean).toBe(wasm);
    }
  });
});

describe('corrupt Parquet is a located E_INPUT error', () => {
  /** A copy of a fixture with bytes patched at byte `skip` of row group 0's first column chunk. */
  function patched(name: string, skip: (data: Uint8Array, start: number) => number, bytes: number[]): string {
    const data = new Uint8Array(readFileSync(dir(name)));
    const { start } = readParquetFooter(dir(name)).meta.rowGroups[0]!.columns[0]!;
    data.set(bytes, start + skip(data, start));
    return tmp.write(`patched-${name}`, data);
  }

  async function failure(path: string, options: OptionsInput = OPTIONS): Promise<FocalEvalError> {
    const error = await evaluate(path, options).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FocalEvalError);
    return error as FocalEvalError;
  }

  it('a page header that is not Thrift', async () => {
    const path = patched('mc.snappy.parquet', () => 0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const error = await failure(path);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain(`${path}: row group 0: column "probs": the page header at byte 0 of its column chunk: `);
    expect(error.message).toContain('(corrupt Parquet)');
  });

  it('a Snappy page that does not decode to its declared size', async () => {
    // The page body's first bytes, after its header: a block that declares 5 bytes, then a copy
    // reaching back before the block's start.
    const path = patched('mc.snappy.parquet', headerLength, [0x05, 0x01, 0x00]);
    const error = await failure(path);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(/row group 0: column "probs": a SNAPPY page does not decompress: .* \(corrupt Parquet\)/);
  });

  it('a page header that declares a gigantic page is refused before anything is allocated', async () => {
    // A dictionary page header (Thrift compact): 1 type = 2 (zigzag 4), 2 uncompressed size = 2^31 - 1,
    // 3 compressed size = 1, 7 its dictionary header { 1 num_values = 1, 2 encoding = PLAIN }.
    const header = [0x15, 0x04, 0x15, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x15, 0x02, 0x4c, 0x15, 0x02, 0x15, 0x00, 0x00, 0x00];
    const path = patched('mc.snappy.parquet', () => 0, header);
    const error = await failure(path);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(/row group 0: column "probs": a page declares 2147483647 bytes .* past what the reader holds/);
  });

  it('a page whose bytes do not match its checksum (where the writer wrote one)', async () => {
    // A byte inside the first page's body, past its header: a value's, so only the checksum can tell.
    const path = patched('mc.crc.parquet', (data, start) => headerLength(data, start) + 20, [0x5a]);
    const error = await failure(path);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain(`row group 0: column "probs": a page's checksum does not match its bytes`);
  });

  /** A copy of a fixture whose first string `text` in row group 0's label chunk has its length set to `length`. */
  function patchedLength(name: string, text: string, length: number): string {
    const data = new Uint8Array(readFileSync(dir(name)));
    const { start, bytes } = readParquetFooter(dir(name)).meta.rowGroups[0]!.columns[1]!;
    const encoded = new TextEncoder().encode(text);
    const stored = Buffer.concat([Buffer.from([encoded.length, 0, 0, 0]), encoded]);
    const at = Buffer.from(data.subarray(start, start + bytes)).indexOf(stored);
    expect(at).toBeGreaterThanOrEqual(0);
    new DataView(data.buffer).setUint32(start + at, length, true);
    return tmp.write(`length-${name}`, data);
  }

  it('a string whose length runs past its PLAIN page', async () => {
    const path = patchedLength('names.plain.none.parquet', 'dog', 0x7fff_ffff);
    const error = await failure(path, NAMED);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(new RegExp(`^${path}: row group 0: column "label": string \\d+ of a PLAIN page \\(2147483647 bytes\\) runs past its end \\(corrupt Parquet\\)`));
  });

  it('a string whose length runs past its dictionary page', async () => {
    const path = patchedLength('names.none.parquet', 'dog', 1000);
    const error = await failure(path, NAMED);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toMatch(new RegExp(`^${path}: row group 0: column "label": string \\d+ of the dictionary page \\(1000 bytes\\) runs past its end \\(corrupt Parquet\\)`));
  });

  it('a footer whose column chunk lies past the data', async () => {
    const data = new Uint8Array(readFileSync(dir('bin.snappy.parquet')));
    // Drop 2,000 bytes of data after the magic: every chunk now reaches past the data, the footer intact.
    const path = tmp.write('cut.parquet', Buffer.concat([data.subarray(0, 4), data.subarray(2004)]));
    const error = await failure(path);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain(path);
  });
});

/** The length of the Thrift struct at `at` (a page header), found by decoding it. */
function headerLength(bytes: Uint8Array, at: number): number {
  // Field headers and zigzag varints; the page header has only ints and nested structs of ints.
  let i = at;
  let depth = 0;
  for (;;) {
    const b = bytes[i++]!;
    if (b === 0) {
      if (depth === 0) return i - at;
      depth--;
      continue;
    }
    if ((b & 0x0f) === 12) {
      depth++;
      continue;
    }
    if ((b & 0x0f) === 1 || (b & 0x0f) === 2) continue;
    while (bytes[i++]! & 0x80);
  }
}

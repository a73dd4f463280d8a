/**
 * The lean Parquet reader (src/input/parquet/) on files pyarrow wrote (test/fixtures/parquet/,
 * from scripts/parquet-fixtures.py): each file scores to the report of its IPC twin (the same rows
 * in batches of its row groups, read by the IPC reader), byte for byte, with the wasm page decoder
 * (pageDecoder.ts) and with the JS decoders alone, and to the report parquet-wasm's path makes of it; over every codec, page v1 and v2, dictionaries, BYTE_STREAM_SPLIT,
 * small pages, null rows, null elements, empty lists, bools, unsigned and 64-bit labels, a row
 * group longer than a batch, an empty row group; an encoding it does not read (DELTA_BINARY_PACKED)
 * goes to parquet-wasm row group by row group. Corrupt bytes are E_INPUT errors naming the file,
 * the row group and the column.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import { openInput } from '../src/input/open.ts';
import { makePlan, planNeeds } from '../src/input/plan.ts';
import { readParquetFooter } from '../src/input/parquet/file.ts';
import { parseOptions, type OptionsInput } from '../src/options.ts';
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

/** The kinds of the BatchRefs an input's plan makes. */
async function readerOf(path: string): Promise<string[]> {
  const input = await openInput(path);
  try {
    const opts = parseOptions(OPTIONS);
    const needs = planNeeds(input.schema, opts);
    const plan = makePlan(input.schema, opts, needs.batches ? await input.planBatches(needs.widthColumn) : null, input.name);
    const kinds = new Set<string>();
    for await (const { batch } of input.batchRefs(plan)) kinds.add(batch.kind);
    return [...kinds];
  } finally {
    await input.close();
  }
}

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

describe('corrupt Parquet is a located E_INPUT error', () => {
  /** A copy of a fixture with bytes patched at byte `skip` of row group 0's first column chunk. */
  function patched(name: string, skip: (data: Uint8Array, start: number) => number, bytes: number[]): string {
    const data = new Uint8Array(readFileSync(dir(name)));
    const { start } = readParquetFooter(dir(name)).meta.rowGroups[0]!.columns[0]!;
    data.set(bytes, start + skip(data, start));
    return tmp.write(`patched-${name}`, data);
  }

  async function failure(path: string): Promise<FocalEvalError> {
    const error = await evaluate(path, OPTIONS).then(
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

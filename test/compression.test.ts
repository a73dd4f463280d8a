/**
 * Compressed Arrow IPC (BodyCompression LZ4_FRAME / ZSTD), as pyarrow writes it (the fixtures in
 * test/fixtures/compressed/, from scripts/compressed-fixtures.py): every compressed file, stream
 * and stdin scores to the report of its uncompressed twin, byte for byte, through the lean reader
 * (plain labels) and through apache-arrow (dictionary-encoded labels, whose dictionary batch is
 * compressed too); corrupt length prefixes and frames, made here by patching a fixture's bytes,
 * are E_INPUT errors naming the file, the batch and the codec (and the column, in the lean
 * reader), exit status 1 on the CLI, without a stack trace.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import { arrowCodec, CodecError, frameDecoder, loadCodecs, LZ4_FRAME, ZSTD, type Codec } from '../src/input/ipc/codecs.ts';
import { checkIpcFile, type IpcBlock } from '../src/input/ipc/fileCheck.ts';
import { FlatBuffer } from '../src/input/ipc/flatbuffer.ts';
import { messagePrefix } from '../src/input/ipc/io.ts';
import { checkMessage } from '../src/input/ipc/messageCheck.ts';
import { fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';
import { ipcContent } from './support/ipcContent.ts';
import { cli, requireBuild, type CliRun } from './support/cli.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const dir = (name: string): string => fixture(`compressed/${name}`);
const OPTIONS = { alpha: 'auto', gamma: 2, threads: 2 } as const;
const CLI_FLAGS = ['--alpha', 'auto', '--gamma', '2', '--format', 'json', '--threads', '2'];

async function reportJson(path: string): Promise<string> {
  return JSON.stringify(await evaluate(path, OPTIONS));
}

function expectOk(run: CliRun): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

describe('compressed files score as their uncompressed twins', () => {
  const twins: [string, string][] = [
    ['bin.lz4.feather', 'bin.arrow'],
    ['bin.zstd.feather', 'bin.arrow'],
    ['mc.lz4.feather', 'mc.arrow'],
    ['mc.zstd.feather', 'mc.arrow'],
    ['mc_dict.lz4.feather', 'mc_dict.arrow'],
    ['mc_dict.zstd.feather', 'mc_dict.arrow'],
    ['mc.default.feather', 'mc.default.arrow'],
    ['mc.lz4.arrows', 'mc.arrow'],
  ];
  for (const [compressed, plain] of twins) {
    it(`${compressed}: the report of ${plain}`, async () => {
      expect(await reportJson(dir(compressed))).toBe(await reportJson(dir(plain)));
    });
  }

  it('the fixtures are what they say: compressed with the codec in their name, several batches, one empty', async () => {
    for (const [name, codecs] of [
      ['mc.lz4.feather', [LZ4_FRAME]],
      ['mc.zstd.feather', [ZSTD]],
      ['mc_dict.zstd.feather', [ZSTD]],
      ['mc.default.feather', [LZ4_FRAME]],
      ['mc.arrow', []],
    ] as const) {
      const layout = await checkIpcFile(dir(name));
      expect(layout.codecs, name).toEqual(codecs);
      if (name !== 'mc.default.feather') expect(layout.recordBatches.map((b) => b.bodyLength === 0)).toContain(true);
    }
    const dict = await checkIpcFile(dir('mc_dict.lz4.feather'));
    expect(dict.dictionaries).toHaveLength(1);
    expect(batchBuffers(readFileSync(dir('mc_dict.lz4.feather')), dict.dictionaries[0]!, true).some((b) => b.length > 0)).toBe(true);
  });

  it('the CLI prints the same JSON for an LZ4 file, an LZ4 stream from a file and from stdin (-), and the uncompressed file', async () => {
    const plain = await cli(['score', dir('mc.arrow'), ...CLI_FLAGS]);
    expectOk(plain);
    for (const run of [
      await cli(['score', dir('mc.lz4.feather'), ...CLI_FLAGS]),
      await cli(['score', dir('mc.lz4.arrows'), ...CLI_FLAGS]),
      await cli(['score', '-', ...CLI_FLAGS], readFileSync(dir('mc.lz4.arrows'))),
    ]) {
      expectOk(run);
      expect(run.stdout.toString()).toBe(plain.stdout.toString());
    }
  });

  it('score --emit on an LZ4 file writes what it writes for the uncompressed file', async () => {
    const out = (name: string): string => tmp.path(name);
    const lz4 = await cli(['score', dir('mc.lz4.feather'), '--alpha', '0.25', '--format', 'json', '--emit', out('lz4.arrows')]);
    const plain = await cli(['score', dir('mc.arrow'), '--alpha', '0.25', '--format', 'json', '--emit', out('plain.arrows')]);
    expectOk(lz4);
    expectOk(plain);
    expect(lz4.stdout.toString()).toBe(plain.stdout.toString());
    // The uncompressed file passes through (its own body layout, our headers), the LZ4 one is
    // re-encoded by apache-arrow: the same content, other bytes.
    expect(ipcContent(readFileSync(out('lz4.arrows')))).toEqual(ipcContent(readFileSync(out('plain.arrows'))));
  });

  it('score --emit on an LZ4 file with dictionary labels (apache-arrow on the main thread) works too', async () => {
    const run = await cli(['score', dir('mc_dict.lz4.feather'), '--alpha', 'auto', '--format', 'json', '--emit', tmp.path('dict.arrows')]);
    const plain = await cli(['score', dir('mc_dict.arrow'), '--alpha', 'auto', '--format', 'json', '--emit', tmp.path('dict-plain.arrows')]);
    expectOk(run);
    expect(run.stdout.toString()).toBe(plain.stdout.toString());
    expect(readFileSync(tmp.path('dict.arrows')).equals(readFileSync(tmp.path('dict-plain.arrows')))).toBe(true);
  });
});

describe('the decoders (ipc/codecs.ts)', () => {
  beforeAll(() => loadCodecs([LZ4_FRAME, ZSTD]));

  /** Each non-empty compressed buffer of batch 0 and the same buffer of the uncompressed twin. */
  async function framesAndPlain(name: string, twin: string): Promise<{ frame: Uint8Array; prefix: bigint; plain: Uint8Array }[]> {
    const bytes = new Uint8Array(readFileSync(dir(name)));
    const plainBytes = new Uint8Array(readFileSync(dir(twin)));
    const compressed = batchBuffers(bytes, (await checkIpcFile(dir(name))).recordBatches[0]!);
    const plain = batchBuffers(plainBytes, (await checkIpcFile(dir(twin))).recordBatches[0]!);
    return compressed.flatMap((b, i) =>
      b.length === 0
        ? []
        : [{ frame: bytes.subarray(b.at + 8, b.at + b.length), prefix: view(bytes).getBigInt64(b.at, true), plain: plainBytes.subarray(plain[i]!.at, plain[i]!.at + plain[i]!.length) }],
    );
  }

  for (const [codec, name] of [
    [LZ4_FRAME, 'mc.lz4.feather'],
    [ZSTD, 'mc.zstd.feather'],
  ] as [Codec, string][]) {
    it(`${name}: each frame decodes to the uncompressed file's buffer, into the decoder's reused memory`, async () => {
      const decoder = frameDecoder(codec);
      for (const { frame, prefix, plain } of await framesAndPlain(name, 'mc.arrow')) {
        const input = decoder.input(frame.byteLength);
        input.set(frame);
        decoder.reserveOutput(Number(prefix));
        decoder.decode(0, frame.byteLength, 0, Number(prefix));
        expect(Buffer.from(decoder.output(Number(prefix))).equals(plain)).toBe(true);
        // apache-arrow's codec: the prefix is read in the 8 bytes before the frame.
        expect(Buffer.from(arrowCodec(codec).decode(frame)).equals(plain)).toBe(true);
      }
    });

    it(`${name}: a size other than the frame's, or a garbled frame, is a CodecError naming the codec; the decoder still works after it`, async () => {
      const decoder = frameDecoder(codec);
      const { frame, prefix, plain } = (await framesAndPlain(name, 'mc.arrow')).at(-1)!;
      const size = Number(prefix);
      const attempt = (bytes: Uint8Array, expected: number): void => {
        decoder.input(bytes.byteLength).set(bytes);
        decoder.reserveOutput(expected + 64);
        decoder.decode(0, bytes.byteLength, 0, expected);
      };
      const named = new RegExp(`^${codec === LZ4_FRAME ? 'LZ4_FRAME' : 'ZSTD'}: `);
      expect(() => attempt(frame, size + 16)).toThrow(CodecError);
      expect(() => attempt(frame, size + 16)).toThrow(named);
      expect(() => attempt(frame, size - 16)).toThrow(named);
      expect(() => attempt(frame.subarray(0, frame.byteLength - 9), size)).toThrow(named);
      const garbled = frame.slice();
      garbled.fill(0, 0, 4); // the frame's magic number
      expect(() => attempt(garbled, size)).toThrow(named);
      attempt(frame, size);
      expect(Buffer.from(decoder.output(size)).equals(plain)).toBe(true);
    });
  }

  it("apache-arrow's codec refuses a frame with no room for a length before it, and an insane length", () => {
    expect(() => arrowCodec(LZ4_FRAME).decode(new Uint8Array(16))).toThrow(/^LZ4_FRAME: cannot find the uncompressed length/);
    const bytes = new Uint8Array(32);
    view(bytes).setBigInt64(0, -5n, true);
    expect(() => arrowCodec(ZSTD).decode(bytes.subarray(8))).toThrow(/^ZSTD: uncompressed length -5 is out of range/);
    view(bytes).setBigInt64(0, 2n ** 40n, true);
    expect(() => arrowCodec(ZSTD).decode(bytes.subarray(8))).toThrow(/^ZSTD: uncompressed length 1099511627776 is out of range/);
  });
});

/** A buffer of a batch: where its Buffer struct sits in the file, where its bytes start, and its length. */
interface BufferPlace {
  struct: number;
  at: number;
  length: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The buffers of the record (or dictionary) batch of an IPC file's block, by our flatbuffer reader. */
function batchBuffers(bytes: Uint8Array, block: IpcBlock, dictionary = false): BufferPlace[] {
  const metaAt = block.offset + messagePrefix(bytes.subarray(block.offset, block.offset + 8)).prefixLength;
  return messageBuffers(bytes, metaAt, block.offset + block.metaDataLength, dictionary);
}

function messageBuffers(bytes: Uint8Array, metaAt: number, bodyAt: number, dictionary: boolean): BufferPlace[] {
  const fb = new FlatBuffer(bytes.subarray(metaAt, bodyAt));
  let batch = fb.table(fb.root('the message'), 2, 'the header')!;
  if (dictionary) batch = fb.table(batch, 1, 'the dictionary data')!;
  const vec = fb.vector(batch, 2, 16, 'the buffers')!;
  return Array.from({ length: vec.count }, (_, i) => ({
    struct: metaAt + vec.start + 16 * i,
    at: bodyAt + Number(fb.i64(vec.start + 16 * i)),
    length: Number(fb.i64(vec.start + 16 * i + 8)),
  }));
}

/** The record batch messages of an IPC stream: each one's buffers. */
function streamBatches(bytes: Uint8Array): BufferPlace[][] {
  const out: BufferPlace[][] = [];
  for (let at = 0; at < bytes.byteLength; ) {
    const { prefixLength, metadataLength } = messagePrefix(bytes.subarray(at, at + 8));
    if (metadataLength === 0) break;
    const metaAt = at + prefixLength;
    const fb = new FlatBuffer(bytes.subarray(metaAt, metaAt + metadataLength));
    const message = fb.root('the message');
    const bodyAt = metaAt + metadataLength;
    if (fb.u8Field(message, 1, 'the message') === 3) out.push(messageBuffers(bytes, metaAt, bodyAt, false));
    at = bodyAt + Number(fb.i64Field(message, 3, 'the message'));
  }
  return out;
}

/** A copy of a fixture with `patch` applied, written to a temporary file named after the case. */
async function patched(name: string, caseName: string, patch: (bytes: Uint8Array, batches: BufferPlace[][], dictionaries: BufferPlace[][]) => void): Promise<string> {
  const bytes = new Uint8Array(readFileSync(dir(name)));
  if (name.endsWith('.arrows')) {
    patch(bytes, streamBatches(bytes), []);
  } else {
    const layout = await checkIpcFile(dir(name));
    patch(
      bytes,
      layout.recordBatches.map((b) => batchBuffers(bytes, b)),
      layout.dictionaries.map((b) => batchBuffers(bytes, b, true)),
    );
  }
  return tmp.write(`${caseName}-${name}`, bytes);
}

const setPrefix = (bytes: Uint8Array, b: BufferPlace, value: bigint): void => view(bytes).setBigInt64(b.at, value, true);
const prefixOf = (bytes: Uint8Array, b: BufferPlace): bigint => view(bytes).getBigInt64(b.at, true);
const setLength = (bytes: Uint8Array, b: BufferPlace, length: number): void => view(bytes).setBigInt64(b.struct + 8, BigInt(length), true);

async function expectInputError(path: string, pattern: RegExp): Promise<void> {
  const error = await evaluate(path, OPTIONS).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FocalEvalError);
  expect((error as FocalEvalError).code).toBe('E_INPUT');
  expect((error as FocalEvalError).message).toContain(path);
  expect((error as FocalEvalError).message).toMatch(pattern);
}

describe('corrupt compressed buffers are E_INPUT errors naming the file, batch, column and codec (lean reader)', () => {
  // mc.*.feather's buffers: id (0 validity, 1 values), label (2, 3), probs (4; child 5, 6).
  // Batch 0 holds 800 rows: label validity 100 bytes (plausible up to 128), probs values 12,800.
  for (const [name, codec] of [
    ['mc.lz4.feather', 'LZ4_FRAME'],
    ['mc.zstd.feather', 'ZSTD'],
  ] as const) {
    const where = (column: string, buffer: number): string => `batch 0, column "${column}", buffer ${buffer}: ${codec}: `;
    const cases: [string, (bytes: Uint8Array, b: BufferPlace[]) => void, RegExp][] = [
      ['larger', (bytes, b) => setPrefix(bytes, b[2]!, 104n), new RegExp(`${where('label', 2)}the frame decodes to 100 bytes, not the 104`)],
      ['larger-implausible', (bytes, b) => setPrefix(bytes, b[6]!, 12_801n), new RegExp(`${where('probs', 6)}uncompressed length 12801 is not plausible \\(-1, or at most 12800 bytes for 3200 Float32 values\\)`)],
      ['smaller', (bytes, b) => setPrefix(bytes, b[6]!, 12_000n), new RegExp(`${where('probs', 6)}the frame \\(\\d+ bytes\\) does not decode to the 12000 bytes|${where('probs', 6)}the frame decodes to`)],
      ['negative', (bytes, b) => setPrefix(bytes, b[3]!, -2n), new RegExp(`${where('label', 3)}uncompressed length -2 is not plausible`)],
      ['absurd', (bytes, b) => setPrefix(bytes, b[6]!, 2n ** 62n), new RegExp(`${where('probs', 6)}uncompressed length 4611686018427387904 is not plausible`)],
      ['truncated', (bytes, b) => setLength(bytes, b[6]!, b[6]!.length - 9), new RegExp(`${where('probs', 6)}the frame \\(\\d+ bytes\\) does not decode`)],
      ['garbled', (bytes, b) => bytes.fill(0xa5, b[6]!.at + 8, b[6]!.at + 12), new RegExp(`${where('probs', 6)}the frame \\(\\d+ bytes\\) does not decode`)],
    ];
    for (const [caseName, patch, pattern] of cases) {
      it(`${name}: ${caseName} length prefix or frame`, async () => {
        const path = await patched(name, caseName, (bytes, batches) => patch(bytes, batches[0]!));
        await expectInputError(path, pattern);
      });
    }
  }

  // The probs values of batch 0 (mc: buffer 6; mc_dict, read through apache-arrow: buffer 4), written
  // raw after a -1 in place of their frame (which is longer: float noise does not compress).
  for (const [name, twin, index] of [
    ['mc.lz4.feather', 'mc.arrow', 6],
    ['mc_dict.lz4.feather', 'mc_dict.arrow', 4],
  ] as const) {
    it(`${name}: a buffer stored as is (length -1) is read as it stands`, async () => {
      const plain = new Uint8Array(readFileSync(dir(twin)));
      const raw = batchBuffers(plain, (await checkIpcFile(dir(twin))).recordBatches[0]!)[index]!;
      const path = await patched(name, 'stored', (bytes, batches) => {
        const b = batches[0]![index]!;
        expect(raw.length + 8).toBeLessThanOrEqual(b.length);
        setPrefix(bytes, b, -1n);
        bytes.set(plain.subarray(raw.at, raw.at + raw.length), b.at + 8);
        setLength(bytes, b, raw.length + 8);
      });
      expect(await reportJson(path)).toBe(await reportJson(dir(twin)));
    });
  }

  it('the CLI: exit status 1, one line on stderr naming the file, batch, column and codec, no stack trace', async () => {
    let frame = 0;
    const path = await patched('mc.lz4.feather', 'cli', (bytes, batches) => {
      setPrefix(bytes, batches[2]![6]!, 99n);
      frame = batches[2]![6]!.length - 8;
    });
    const run = await cli(['score', path, '--format', 'table']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `focal-eval: ${path}: batch 2, column "probs", buffer 6: LZ4_FRAME: the frame (${frame} bytes) does not decode to the 99 bytes its length prefix says (corrupt, truncated or longer)\n`,
    );
  });
});

describe('corrupt compressed buffers of dictionary-labelled files and of streams and stdin (the lean reader, which names the column and buffer)', () => {
  it('a record batch: E_INPUT naming the file, the batch and the codec (read by a worker)', async () => {
    // mc_dict's buffers: id (0, 1), probs (2; child 3, 4), label indices (5, 6). Batch 2 is read by a worker.
    const path = await patched('mc_dict.lz4.feather', 'arrow-batch', (bytes, batches) => setPrefix(bytes, batches[2]![4]!, 99n));
    await expectInputError(path, /batch 2, column "probs", buffer 4: LZ4_FRAME: the frame \(\d+ bytes\) does not decode to the 99 bytes/);
  });

  it('batch 0 (read on the main thread for the plan): the same', async () => {
    const path = await patched('mc_dict.zstd.feather', 'arrow-first', (bytes, batches) => setPrefix(bytes, batches[0]![4]!, -7n));
    await expectInputError(path, /batch 0, column "probs", buffer 4: ZSTD: uncompressed length -7 is not plausible/);
  });

  it('the dictionary batch: E_INPUT naming the file and the codec', async () => {
    const path = await patched('mc_dict.lz4.feather', 'dictionary', (bytes, _, dictionaries) => {
      const data = dictionaries[0]![2]!; // the strings' bytes
      setPrefix(bytes, data, prefixOf(bytes, data) + 1n);
    });
    await expectInputError(path, /LZ4_FRAME: the frame decodes to \d+ bytes, not the \d+ its length prefix says/);
  });

  it('an LZ4 stream, from a file and from stdin: E_INPUT naming the input, the batch and the codec; the CLI exits 1 without a stack trace', async () => {
    const path = await patched('mc.lz4.arrows', 'stream', (bytes, batches) => setPrefix(bytes, batches[2]![6]!, 2n ** 40n));
    // Read by the lean reader (a stream's batches go to the workers as their bodies): it names the column and buffer too.
    const reason = 'batch 2, column "probs", buffer 6: LZ4_FRAME: uncompressed length 1099511627776 is not plausible (-1, or at most 14400 bytes for 3600 Float32 values)';
    await expectInputError(path, new RegExp(reason.replace(/[()]/g, '\\$&')));
    const run = await cli(['score', '-', '--format', 'table'], readFileSync(path));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`focal-eval: stdin: ${reason}\n`);
    const garbled = await patched('mc.lz4.arrows', 'stream-garbled', (bytes, batches) => bytes.fill(0, batches[0]![6]!.at + 8, batches[0]![6]!.at + 12));
    const second = await cli(['score', garbled, '--format', 'table']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^focal-eval: \S+stream-garbled-mc\.lz4\.arrows: batch 0, column "probs", buffer 6: LZ4_FRAME: the frame \(\d+ bytes\) does not decode to the 12800 bytes its length prefix says \(corrupt, truncated or longer\)\n$/);
  });
});

describe('the message check (messageCheck.ts): a codec or method we cannot decode, named, with the file and batch', () => {
  it('an unknown codec', async () => {
    // mc.zstd.feather writes its codec (ZSTD = 1; LZ4_FRAME = 0 is the default, which writers leave out).
    const path = await patched('mc.zstd.feather', 'codec', (bytes) => {
      const layout = checkIpcFileSync(bytes);
      const at = compressionSlot(bytes, layout[1]!, 0);
      expect(bytes[at]).toBe(1);
      bytes[at] = 7;
    });
    const run = await cli(['score', path, '--format', 'table']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^focal-eval: ${path}: record batch block 1 \\(offset \\d+\\): body compression codec 7 is not supported \\(only LZ4_FRAME = 0 and ZSTD = 1 are\\)\\n$`),
    );
  });

  it('an unknown method, and a compressed buffer too short for its length', () => {
    expect(() => checkMessage(recordBatchMessage({ codec: 1, method: 3, buffers: [[0, 16]] }), null)).toThrow(
      /^ZSTD body compression method 3 is not supported \(only BUFFER = 0 is\)$/,
    );
    expect(() => checkMessage(recordBatchMessage({ codec: 0, method: 0, buffers: [[0, 5]] }), null)).toThrow(
      /^buffer 0 \(5 bytes\) is too short for a LZ4_FRAME-compressed buffer's 8-byte length$/,
    );
    expect(checkMessage(recordBatchMessage({ codec: 1, method: 0, buffers: [[0, 0], [0, 16]] }), null).compression).toBe(ZSTD);
  });
});

/** The blocks of a file's record batches, read from its footer (the file is checked when scored). */
function checkIpcFileSync(bytes: Uint8Array): IpcBlock[] {
  const footerLength = view(bytes).getInt32(bytes.byteLength - 10, true);
  const fb = new FlatBuffer(bytes.subarray(bytes.byteLength - 10 - footerLength, bytes.byteLength - 10));
  const vec = fb.vector(fb.root('the footer'), 3, 24, 'the record batches')!;
  return Array.from({ length: vec.count }, (_, i) => ({
    offset: Number(fb.i64(vec.start + 24 * i)),
    metaDataLength: fb.i32(vec.start + 24 * i + 8),
    bodyLength: Number(fb.i64(vec.start + 24 * i + 16)),
  }));
}

/** Where slot `slot` of a record batch's BodyCompression table sits in the file. */
function compressionSlot(bytes: Uint8Array, block: IpcBlock, slot: number): number {
  const metaAt = block.offset + messagePrefix(bytes.subarray(block.offset, block.offset + 8)).prefixLength;
  const fb = new FlatBuffer(bytes.subarray(metaAt, block.offset + block.metaDataLength));
  const compression = fb.table(fb.table(fb.root('the message'), 2, 'the header')!, 3, 'the body compression')!;
  return metaAt + fb.slot(compression, slot, 1, 'the body compression')!;
}

/**
 * A Message flatbuffer holding a RecordBatch of one row, no field nodes, the given buffers
 * ([offset, length]) and a BodyCompression, laid out front to back (each vtable before its table,
 * each table before what it points to), as our reader accepts and Arrow's writers never need.
 */
function recordBatchMessage({ codec, method, buffers }: { codec: number; method: number; buffers: [number, number][] }): Uint8Array {
  const bytes = new Uint8Array(512);
  const dv = view(bytes);
  let at = 4;
  /** A table with these scalar fields (size, value); returns where each field is, and the table. */
  const table = (fields: [number, number | bigint][]): { pos: number; fields: number[] } => {
    const vtable = at;
    const vtableSize = 4 + 2 * fields.length;
    at += vtableSize + ((4 - ((vtableSize + at) % 4)) % 4);
    const pos = at;
    dv.setInt32(pos, pos - vtable, true);
    let offset = 4;
    const places = fields.map(([size, value], i) => {
      const place = pos + offset;
      if (size === 1) dv.setUint8(place, Number(value));
      else if (size === 2) dv.setInt16(place, Number(value), true);
      else if (size === 4) dv.setInt32(place, Number(value), true);
      else dv.setBigInt64(place, BigInt(value), true);
      dv.setInt16(vtable + 4 + 2 * i, offset, true);
      offset += size;
      return place;
    });
    dv.setInt16(vtable, vtableSize, true);
    dv.setInt16(vtable + 2, offset, true);
    at = pos + offset;
    return { pos, fields: places };
  };
  const point = (from: number, to: number): void => dv.setInt32(from, to - from, true);
  const bodyLength = Math.max(0, ...buffers.map(([o, l]) => o + l));
  // Message: version (V5 = 4), header_type (RecordBatch = 3), header, bodyLength.
  const message = table([[2, 4], [1, 3], [4, 0], [8, BigInt(bodyLength)]]);
  point(0, message.pos);
  // RecordBatch: length, nodes, buffers, compression.
  const batch = table([[8, 1n], [4, 0], [4, 0], [4, 0]]);
  point(message.fields[2]!, batch.pos);
  const vector = (stride: number, count: number, fill: (start: number) => void): number => {
    at += (4 - (at % 4)) % 4;
    const start = at;
    dv.setInt32(start, count, true);
    fill(start + 4);
    at = start + 4 + stride * count;
    return start;
  };
  point(batch.fields[1]!, vector(16, 0, () => {}));
  point(batch.fields[2]!, vector(16, buffers.length, (start) => buffers.forEach(([o, l], i) => {
    dv.setBigInt64(start + 16 * i, BigInt(o), true);
    dv.setBigInt64(start + 16 * i + 8, BigInt(l), true);
  })));
  point(batch.fields[3]!, table([[1, codec], [1, method]]).pos);
  return bytes.subarray(0, at);
}

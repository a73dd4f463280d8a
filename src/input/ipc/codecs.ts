/**
 * The decoders of compressed Arrow IPC bodies (BodyCompression: codec LZ4_FRAME = 0 or ZSTD = 1,
 * method BUFFER): each buffer of a compressed batch is an int64 little-endian uncompressed length
 * and then one frame, a length of -1 meaning the bytes that follow are stored as is, and an empty
 * buffer stays empty. This module decodes one frame; the readers (ipc/batch.ts for the workers'
 * lean reader, arrow.ts for apache-arrow's) read the length prefix and check it first.
 *
 * The decoders, measured on this project's 2-core VM on W1 (pyarrow's Feather, 154 frames of
 * 220 MB decoded, one thread, median of 5): @foxglove/wasm-lz4 ~3.9 GB/s (lz4-napi 0.2 GB/s
 * here), @foxglove/wasm-zstd ~0.43 GB/s (zstd-napi 1.15 GB/s, but it builds with node-gyp or
 * downloads a prebuilt binary at install; Node 20 has no zlib zstd). Both are C compiled to
 * WebAssembly by emscripten: no native build, and they work in worker threads.
 *
 * We use their emscripten modules (dist/wasm-lz4.js, dist/wasm-zstd.js: the factory each package's
 * own index.js calls) and not that index.js, whose decompress(frame, size) mallocs room for the
 * frame and the output in the module's memory on every call, copies the frame in and the output
 * out into a fresh Buffer, and frees both. Here each decoder keeps two regions of its module's
 * memory from call to call: the compressed bytes (which the lean reader reads from the file
 * straight into it) and the decoded ones (which it views where they are), grown when a batch
 * needs more. Measured: 5.2 GB/s against 3.4 GB/s for the index.js call with its output copied
 * into a reused buffer. The versions are pinned exactly in package.json, since we depend on the
 * modules' exports (_malloc, _free, _createDecompressionContext, _decompressFrame, _decompress,
 * HEAPU8); test/compression.test.ts checks them.
 *
 * Both decoders need the output size: wasm-lz4's decompressFrame(ctx, dst, dstSize, src, srcSize)
 * stops when dst is full and then reports failure (pyarrow's LZ4 frames are linked-block frames
 * without a content size, so the frame itself cannot tell), and wasm-zstd's decompress fails when
 * the frame holds more than dstSize. We pass Arrow's uncompressed length, which the caller has
 * checked to be plausible, and require the decoded size to equal it exactly. A failed LZ4 decode
 * leaves its context mid-frame (LZ4F contexts are not resumable after an error, and the module
 * exports no reset), so a new context is made after each failure.
 *
 * apache-arrow 21's compressionRegistry codec gets only the frame (`codec.decode(frame)`) and
 * must decode synchronously. Its reader passes `body.subarray(offset + 8, offset + length)`, so the
 * length prefix sits in the 8 bytes before the frame: arrowCodec reads it there when the frame has
 * at least 8 bytes before it in its ArrayBuffer, and requires it to be a sane length
 * (0..MAX_DECODED_BYTES); otherwise (a future apache-arrow that copies the frame, say) it refuses
 * the buffer with an error naming the codec, rather than guess a size. Loading is asynchronous
 * (the WebAssembly is compiled on first use), so whoever hands apache-arrow a compressed input
 * awaits loadCodecs first: the file checks report the codecs a file uses, and the stream check
 * awaits the codec of each compressed message before passing it on. Only compressed inputs load
 * a decoder.
 */
import { createRequire } from 'node:module';
import { FocalEvalError } from '../../errors.ts';
import { IpcFormatError } from './flatbuffer.ts';

/** CompressionType (Message.fbs). */
export const LZ4_FRAME = 0;
export const ZSTD = 1;
export type Codec = typeof LZ4_FRAME | typeof ZSTD;
const NAMES: Readonly<Record<Codec, string>> = { [LZ4_FRAME]: 'LZ4_FRAME', [ZSTD]: 'ZSTD' };

/** Bytes of the uncompressed length before each compressed buffer. */
export const LENGTH_PREFIX_BYTES = 8;
/** The uncompressed length that means "stored as is". */
export const STORED_AS_IS = -1;
/** The largest decoded buffer: an IPC body is at most 2^31 bytes (messageCheck.ts), and so is the decoders' memory. */
export const MAX_DECODED_BYTES = 2 ** 31 - 1;

/** True when `value` is a codec we decode. */
export function isCodec(value: number): value is Codec {
  return value === LZ4_FRAME || value === ZSTD;
}

/** The codec's name as Message.fbs spells it. */
export function codecName(codec: Codec): string {
  return NAMES[codec];
}

/** A buffer that did not decode; the reader that met it says where (file, batch, column). */
export class CodecError extends IpcFormatError {
  constructor(
    readonly codec: Codec,
    reason: string,
  ) {
    super(`${codecName(codec)}: ${reason}`);
  }
}

// What we use of an emscripten module (see the header).
interface WasmHeap {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}
interface Lz4Module extends WasmHeap {
  _createDecompressionContext(): number;
  _decompressFrame(context: number, dst: number, dstSize: number, src: number, srcSize: number): number;
}
interface ZstdModule extends WasmHeap {
  _decompress(dst: number, dstSize: number, src: number, srcSize: number): number;
}

const MODULE_PATHS: Readonly<Record<Codec, string>> = {
  [LZ4_FRAME]: '@foxglove/wasm-lz4/dist/wasm-lz4.js',
  [ZSTD]: '@foxglove/wasm-zstd/dist/wasm-zstd.js',
};
const EXPORTS: Readonly<Record<Codec, readonly string[]>> = {
  [LZ4_FRAME]: ['_malloc', '_free', '_createDecompressionContext', '_decompressFrame'],
  [ZSTD]: ['_malloc', '_free', '_decompress'],
};

const loading = new Map<Codec, Promise<FrameDecoder>>();
const loaded = new Map<Codec, FrameDecoder>();

/** Loads the decoders of these codecs (once per thread); resolves when they can decode. */
export async function loadCodecs(codecs: Iterable<Codec>): Promise<void> {
  const pending: Promise<FrameDecoder>[] = [];
  for (const codec of codecs) {
    if (loaded.has(codec)) continue;
    let promise = loading.get(codec);
    if (!promise) {
      promise = instantiate(codec);
      loading.set(codec, promise);
    }
    pending.push(promise);
  }
  if (pending.length > 0) await Promise.all(pending);
}

async function instantiate(codec: Codec): Promise<FrameDecoder> {
  const path = MODULE_PATHS[codec];
  let module: WasmHeap;
  try {
    const factory = createRequire(import.meta.url)(path) as (options: object) => Promise<WasmHeap>;
    // print/printErr: the module would print its own complaints on stderr; ours are the errors.
    module = await factory({ print: () => {}, printErr: () => {} });
  } catch (error) {
    loading.delete(codec);
    throw new FocalEvalError('E_INTERNAL', `internal error: the ${codecName(codec)} decoder (${path}) did not load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const missing = EXPORTS[codec].filter((name) => typeof (module as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0 || !(module.HEAPU8 instanceof Uint8Array)) {
    loading.delete(codec);
    throw new FocalEvalError('E_INTERNAL', `internal error: ${path} lacks ${missing.join(', ') || 'HEAPU8'} (another version than package.json pins?)`);
  }
  const decoder = codec === LZ4_FRAME ? new Lz4Decoder(module as Lz4Module) : new ZstdDecoder(module as ZstdModule);
  loaded.set(codec, decoder);
  return decoder;
}

/** The loaded decoder of a codec; not loaded yet is our bug (the caller should have awaited loadCodecs). */
export function frameDecoder(codec: Codec): FrameDecoder {
  const decoder = loaded.get(codec);
  if (!decoder) throw new FocalEvalError('E_INTERNAL', `internal error: the ${codecName(codec)} decoder was used before loadCodecs`);
  return decoder;
}

/**
 * One codec's decoder with its two reused regions of the module's memory: `input` (compressed
 * bytes) and `output` (decoded bytes). A view returned here is valid until the next call into the
 * decoder, which may grow the module's memory (and so detach every earlier view).
 */
export abstract class FrameDecoder {
  private inputAt = 0;
  private inputBytes = 0;
  private outputAt = 0;
  private outputBytes = 0;

  protected constructor(
    readonly codec: Codec,
    protected readonly module: WasmHeap,
  ) {}

  /** The input region, made to hold `bytes` (its content is not kept when it grows). */
  input(bytes: number): Uint8Array {
    if (this.inputBytes < bytes) [this.inputAt, this.inputBytes] = this.regrow(this.inputAt, bytes);
    return new Uint8Array(this.module.HEAPU8.buffer, this.inputAt, bytes);
  }

  /** Makes the output region hold `bytes`; the input region's content is kept. */
  reserveOutput(bytes: number): void {
    if (this.outputBytes < bytes) [this.outputAt, this.outputBytes] = this.regrow(this.outputAt, bytes);
  }

  /** Output bytes [0, bytes). */
  output(bytes: number): Uint8Array {
    return new Uint8Array(this.module.HEAPU8.buffer, this.outputAt, bytes);
  }

  /**
   * Decodes the frame at input bytes [from, from + length) into output bytes [at, at + expected);
   * throws a CodecError unless it decodes to exactly `expected` bytes.
   */
  decode(from: number, length: number, at: number, expected: number): void {
    let decoded: number;
    try {
      decoded = this.decodeFrame(this.outputAt + at, expected, this.inputAt + from, length);
    } catch (error) {
      // A trap inside the module (none is known): the frame is refused like a corrupt one.
      throw new CodecError(this.codec, `the decoder failed (${(error as Error).message})`);
    }
    if (decoded < 0) {
      throw new CodecError(this.codec, `the frame (${length} bytes) does not decode to the ${expected} bytes its length prefix says (corrupt, truncated or longer)`);
    }
    if (decoded !== expected) throw new CodecError(this.codec, `the frame decodes to ${decoded} bytes, not the ${expected} its length prefix says`);
  }

  /** Copies input bytes [from, from + length) to output byte `at` (a buffer stored as is). */
  copy(from: number, length: number, at: number): void {
    this.module.HEAPU8.copyWithin(this.outputAt + at, this.inputAt + from, this.inputAt + from + length);
  }

  /** One frame decoded into a fresh array of exactly `expected` bytes (apache-arrow keeps what its codec returns). */
  decodeFresh(frame: Uint8Array, expected: number): Uint8Array {
    this.input(frame.byteLength).set(frame);
    this.reserveOutput(expected);
    this.decode(0, frame.byteLength, 0, expected);
    return this.output(expected).slice();
  }

  /** Decodes into dst; returns the decoded size, or a negative number when the frame does not decode. */
  protected abstract decodeFrame(dst: number, dstSize: number, src: number, srcSize: number): number;

  /** A region of at least `bytes` in place of the one at `at` (1.25x, so that slowly growing batches do not regrow each time). */
  private regrow(at: number, bytes: number): [number, number] {
    if (at !== 0) this.module._free(at);
    const size = Math.max(64, Math.ceil(bytes * 1.25));
    const pointer = this.module._malloc(size);
    if (pointer === 0) {
      throw new CodecError(this.codec, `cannot hold ${bytes} bytes in the decoder's memory (at most 2 GiB in all)`);
    }
    return [pointer, size];
  }
}

class Lz4Decoder extends FrameDecoder {
  private context: number;

  constructor(private readonly lz4: Lz4Module) {
    super(LZ4_FRAME, lz4);
    this.context = this.newContext();
  }

  protected decodeFrame(dst: number, dstSize: number, src: number, srcSize: number): number {
    const decoded = this.lz4._decompressFrame(this.context, dst, dstSize, src, srcSize);
    if (decoded < 0) this.context = this.newContext(); // not resumable after an error
    return decoded;
  }

  private newContext(): number {
    const context = this.lz4._createDecompressionContext();
    if (context === 0) throw new CodecError(LZ4_FRAME, "cannot make a decompression context (the decoder's memory is full)");
    return context;
  }
}

class ZstdDecoder extends FrameDecoder {
  constructor(private readonly zstd: ZstdModule) {
    super(ZSTD, zstd);
  }

  protected decodeFrame(dst: number, dstSize: number, src: number, srcSize: number): number {
    return this.zstd._decompress(dst, dstSize, src, srcSize);
  }
}

/**
 * apache-arrow's codec for one of ours: decode(frame) reads the uncompressed length in the 8 bytes
 * before the frame (see the header), checks it, and decodes into a fresh array.
 */
export function arrowCodec(codec: Codec): { decode(frame: Uint8Array): Uint8Array } {
  return {
    decode(frame) {
      if (frame.byteOffset < LENGTH_PREFIX_BYTES) {
        throw new CodecError(codec, 'cannot find the uncompressed length before the frame (apache-arrow passed the frame alone)');
      }
      const length = new DataView(frame.buffer, frame.byteOffset - LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES).getBigInt64(0, true);
      if (length < 0n || length > BigInt(MAX_DECODED_BYTES)) throw new CodecError(codec, `uncompressed length ${length} is out of range`);
      return frameDecoder(codec).decodeFresh(frame, Number(length));
    },
  };
}

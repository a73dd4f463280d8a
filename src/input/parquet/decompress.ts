/**
 * A page's bytes decompressed by its column chunk's codec into a buffer of the page's declared
 * size: Snappy and LZ4_RAW by our own decoders (snappy.ts, lz4Raw.ts), GZIP and Brotli by Node's
 * zlib, ZSTD by the wasm decoder the IPC reader uses (ipc/codecs.ts; loaded by the caller, see
 * codecsToLoad). An UNCOMPRESSED page is read where it lies (columnReader.ts), not copied here.
 * LZO and the old Hadoop-framed LZ4 are not read here: such a chunk is read through parquet-wasm
 * (NotLean). A page that does not decode to its declared size is a ParquetFormatError naming the
 * codec.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { frameDecoder, ZSTD, type Codec } from '../ipc/codecs.ts';
import { CODEC, CODEC_NAMES, ParquetFormatError } from './metadata.ts';
import { lz4RawDecode } from './lz4Raw.ts';
import { snappyDecode } from './snappy.ts';

/** Thrown when the lean reader meets what it does not read (a codec, an encoding): parquet-wasm reads the row group. */
export class NotLean extends Error {}

/** Whether the lean reader decompresses this codec. */
export function leanCodec(codec: number): boolean {
  return codec === CODEC.UNCOMPRESSED || codec === CODEC.SNAPPY || codec === CODEC.GZIP || codec === CODEC.BROTLI || codec === CODEC.ZSTD || codec === CODEC.LZ4_RAW;
}

/** The IPC codecs' decoders a chunk of this codec needs loaded (ipc/codecs.ts loadCodecs). */
export function codecsToLoad(codec: number): Codec[] {
  return codec === CODEC.ZSTD ? [ZSTD] : [];
}

/** Decompresses `input` (of a compressed codec) into `out` (exactly its length). */
export function decompressPage(codec: number, input: Uint8Array, out: Uint8Array): void {
  try {
    switch (codec) {
      case CODEC.SNAPPY:
        snappyDecode(input, out);
        return;
      case CODEC.LZ4_RAW:
        lz4RawDecode(input, out);
        return;
      case CODEC.GZIP:
        exactly(gunzipSync(input), out);
        return;
      case CODEC.BROTLI:
        exactly(brotliDecompressSync(input), out);
        return;
      case CODEC.ZSTD: {
        const zstd = frameDecoder(ZSTD);
        zstd.input(input.length).set(input);
        zstd.reserveOutput(out.length);
        zstd.decode(0, input.length, 0, out.length);
        out.set(zstd.output(out.length));
        return;
      }
      default:
        throw new NotLean(`codec ${CODEC_NAMES[codec] ?? codec}`);
    }
  } catch (error) {
    if (error instanceof NotLean) throw error;
    throw new ParquetFormatError(`a ${CODEC_NAMES[codec]} page does not decompress: ${(error as Error).message}`);
  }
}

function exactly(decoded: Uint8Array, out: Uint8Array): void {
  if (decoded.length !== out.length) throw new Error(`it decodes to ${decoded.length} bytes, the page header says ${out.length}`);
  out.set(decoded);
}

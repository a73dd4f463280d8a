/**
 * apache-arrow, as the readers load it: on first use (inputs that never need it never load it),
 * with our decoders of compressed IPC bodies registered in its compressionRegistry. Every reader
 * that hands IPC bytes to apache-arrow loads it here (the file opener, arrowFile.ts, on the main
 * thread and in each worker; the streams and batches of ipcStream.ts and open.ts), so that the registry of each thread's
 * apache-arrow holds the codecs before it reads anything. Registering does not load the decoders:
 * the readers await loadCodecs (ipc/codecs.ts) for the codecs an input uses. The registry is
 * apache-arrow's own, shared with a library user's code that imports the same apache-arrow: a
 * decoder registered there before ours is left in place, and an encoder is kept beside ours.
 */
import { FocalEvalError } from '../errors.ts';
import { arrowCodec, CodecError, LZ4_FRAME, ZSTD } from './ipc/codecs.ts';

type Arrow = typeof import('apache-arrow');

let arrow: Promise<Arrow> | null = null;

/** apache-arrow, with the codecs registered. */
export function loadArrow(): Promise<Arrow> {
  return (arrow ??= import('apache-arrow').then((module) => {
    const { compressionRegistry: registry, CompressionType } = module;
    // CompressionType (Message.fbs) has the same numbers as our codecs.
    for (const type of [CompressionType.LZ4_FRAME, CompressionType.ZSTD]) {
      const existing = registry.get(type);
      if (existing?.decode) continue;
      registry.set(type, { ...arrowCodec(type === CompressionType.LZ4_FRAME ? LZ4_FRAME : ZSTD), encode: existing?.encode?.bind(existing) });
    }
    return module;
  }));
}

/**
 * apache-arrow's failure reading a stream or in-memory batches as an E_INPUT error naming the
 * input, and the batch being read if any (a frame our codec could not decode, inside its reading
 * of a batch or of a dictionary before it, names the codec).
 */
export function asInputError(error: unknown, name: string, batch: number | null): FocalEvalError {
  if (error instanceof FocalEvalError) return error;
  if (error instanceof CodecError) {
    return new FocalEvalError('E_INPUT', `${name}: ${batch === null ? '' : `batch ${batch}: `}${error.message}`, { cause: error });
  }
  return new FocalEvalError('E_INPUT', `${name}: not a readable Arrow IPC stream: ${(error as Error).message}`, { cause: error });
}

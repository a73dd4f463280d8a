/**
 * apache-arrow's random-access reader over an Arrow IPC file, for the batches the lean reader
 * does not take (dictionary-encoded labels, Utf8View, columns after a view type). One opener for both threads: the main thread (the
 * plan's first batch, the stage) and each worker (its own batches, the handle kept across
 * tasks). apache-arrow is loaded here on first use (arrow.ts, with our codecs registered), so
 * inputs that never need it never load it; the decoders of the codecs the file uses (its checked
 * layout says which) are loaded before apache-arrow reads a batch or a dictionary.
 */
import type { FileHandle } from 'node:fs/promises';
import type { AsyncRecordBatchFileReader, RecordBatch } from 'apache-arrow';
import { FocalEvalError } from '../errors.ts';
import { loadArrow } from './arrow.ts';
import { loadCodecs, type Codec } from './ipc/codecs.ts';

/** Opens apache-arrow's file reader on an open handle; a file it cannot read is an E_INPUT error naming `path`. */
export async function arrowFileReader(handle: FileHandle, path: string, codecs: readonly Codec[]): Promise<AsyncRecordBatchFileReader> {
  const [{ RecordBatchReader }] = await Promise.all([loadArrow(), loadCodecs(codecs)]);
  try {
    const reader = (await RecordBatchReader.from(handle)) as AsyncRecordBatchFileReader;
    await reader.open();
    return reader;
  } catch (error) {
    if (error instanceof FocalEvalError) throw error;
    throw new FocalEvalError('E_INPUT', `${path}: not a readable Arrow IPC file: ${(error as Error).message}`, { cause: error });
  }
}

/** One batch through apache-arrow's reader: its failures (a corrupt body, a bad dictionary, a frame that does not decode) are the input's. */
export async function readArrowBatch(reader: AsyncRecordBatchFileReader, file: string, index: number): Promise<RecordBatch> {
  let batch;
  try {
    batch = await reader.readRecordBatch(index);
  } catch (error) {
    if (error instanceof FocalEvalError) throw error;
    throw new FocalEvalError('E_INPUT', `${file}: batch ${index}: cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (!batch) throw new FocalEvalError('E_INPUT', `${file}: batch ${index} could not be read`);
  return batch;
}

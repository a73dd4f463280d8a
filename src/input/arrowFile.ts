/**
 * apache-arrow's random-access reader over an Arrow IPC file, for the batches the lean reader
 * does not take (dictionary-encoded labels, Utf8View, columns after a view type). One opener for both threads: the main thread (the
 * plan's first batch, the stage) and each worker (its own batches, the handle kept across
 * tasks). apache-arrow is loaded here on first use, so inputs that never need it never load it.
 */
import type { FileHandle } from 'node:fs/promises';
import type { AsyncRecordBatchFileReader } from 'apache-arrow';
import { FocalEvalError } from '../errors.ts';

/** Opens apache-arrow's file reader on an open handle; a file it cannot read is an E_INPUT error naming `path`. */
export async function arrowFileReader(handle: FileHandle, path: string): Promise<AsyncRecordBatchFileReader> {
  const { RecordBatchReader } = await import('apache-arrow');
  try {
    const reader = (await RecordBatchReader.from(handle)) as AsyncRecordBatchFileReader;
    await reader.open();
    return reader;
  } catch (error) {
    throw new FocalEvalError('E_INPUT', `${path}: not a readable Arrow IPC file: ${(error as Error).message}`, { cause: error });
  }
}

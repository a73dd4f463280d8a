/**
 * What opening a file takes from its batches on the main thread, before the workers read them:
 * the batches the plan reads (the first, the first with a List's width), and the bound on what a
 * batch (a Parquet row group) may declare.
 */
import { FocalEvalError } from '../errors.ts';
import type { BatchLike } from './arrowTypes.ts';
import { listWidth } from './plan.ts';

/**
 * The plan's batches from a file's batches in order: the first, and with a `widthColumn` the
 * first that has a non-null row of it (each batch between is read and dropped).
 */
export async function keptForPlan(widthColumn: string | null, batches: () => AsyncIterable<BatchLike>): Promise<BatchLike[]> {
  let first: BatchLike | null = null;
  for await (const batch of batches()) {
    first ??= batch;
    if (widthColumn === null) break;
    if (listWidth(batch, widthColumn) !== undefined) return batch === first ? [first] : [first, batch];
  }
  return first === null ? [] : [first];
}

/** The first batch, alone (the lean reader's arrays are reused by the next). */
export async function firstBatch(batches: AsyncIterable<BatchLike>): Promise<BatchLike[]> {
  for await (const batch of batches) return [batch];
  return [];
}

/**
 * The first batch with a non-null row of `widthColumn` (else the last batch read): the lean
 * reader's batches reuse their arrays, so only the one the plan reads is kept.
 */
export async function widthBatch(widthColumn: string, batches: AsyncIterable<BatchLike>): Promise<BatchLike[]> {
  let last: BatchLike | null = null;
  for await (const batch of batches) {
    last = batch;
    if (listWidth(batch, widthColumn) !== undefined) break;
  }
  return last === null ? [] : [last];
}

/** A batch (a row group) declaring more bytes than allowed is refused before it is read. */
export function checkBatchBytes(path: string, what: string, bytes: number, max: number): void {
  if (bytes > max) {
    throw new FocalEvalError('E_INPUT', `${path}: ${what} declares ${bytes} bytes, more than the ${max} allowed (--max-batch-bytes)`);
  }
}

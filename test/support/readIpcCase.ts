/**
 * Reads Arrow IPC inputs the way the project does (our checks, then apache-arrow reading every
 * batch and touching every column), in a process of its own, so that the test can kill it when
 * one hangs: some of apache-arrow's hangs are synchronous and no timer in this process could fire.
 *
 * Usage: node --import tsx test/support/readIpcCase.ts < cases, one "file|stream<TAB>path" a line.
 * Prints "ready" once loaded, then one JSON line per case, in order:
 * {"outcome":"ok"|"rejected"|"arrow-error", ...}. The parent times each case from the line before.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { RecordBatchReader } from 'apache-arrow';
import type { Data, RecordBatch } from 'apache-arrow';
import { FocalEvalError } from '../../src/errors.ts';
import { checkIpcFile } from '../../src/input/ipc/fileCheck.ts';
import { checkedIpcStream } from '../../src/input/ipc/streamCheck.ts';

/** What reading one input came to, as printed for the test. */
export type CaseResult =
  | { outcome: 'ok'; batches: number; rows: number }
  | { outcome: 'rejected'; code: string; message: string }
  | { outcome: 'arrow-error'; message: string };

// Sums every byte of every buffer, so that each one is really read, and recurses into children
// and dictionaries; returns the sum so the work cannot be skipped.
function touchData(data: Data, depth = 0): number {
  if (depth > 100) return 0;
  let sum = 0;
  for (const buffer of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as unknown[]) {
    if (ArrayBuffer.isView(buffer)) {
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      for (const byte of bytes) sum += byte;
    }
  }
  for (const child of data.children) if (child) sum += touchData(child, depth + 1);
  for (const chunk of data.dictionary?.data ?? []) sum += touchData(chunk, depth + 1);
  return sum;
}

// Reads the first and last value of each column through apache-arrow's getters too.
function touchBatch(batch: RecordBatch): number {
  let sum = touchData(batch.data);
  for (let i = 0; i < batch.numCols; i++) {
    const column = batch.getChildAt(i);
    if (!column || column.length === 0) continue;
    sum += String(column.get(0)).length + String(column.get(column.length - 1)).length;
  }
  return sum;
}

async function readFile(path: string): Promise<CaseResult> {
  const layout = await checkIpcFile(path);
  const handle = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    let rows = 0;
    for (let i = 0; i < layout.recordBatches.length; i++) {
      const batch = await reader.readRecordBatch(i);
      if (!batch) throw new Error(`record batch ${i} read as null`);
      touchBatch(batch);
      rows += batch.numRows;
    }
    return { outcome: 'ok', batches: layout.recordBatches.length, rows };
  } finally {
    await handle.close().catch(() => undefined); // apache-arrow may have closed it already
  }
}

async function readStream(path: string): Promise<CaseResult> {
  const reader = await RecordBatchReader.from(checkedIpcStream(createReadStream(path), path));
  await reader.open();
  let batches = 0;
  let rows = 0;
  for await (const batch of reader) {
    touchBatch(batch);
    batches++;
    rows += batch.numRows;
  }
  return { outcome: 'ok', batches, rows };
}

function describeError(error: unknown): CaseResult {
  if (error instanceof FocalEvalError) return { outcome: 'rejected', code: error.code, message: error.message };
  return { outcome: 'arrow-error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

// Writes to a pipe are synchronous on Linux, so each line is out before the next case can hang.
const cases = (await readStdin()).split('\n').filter((line) => line.length > 0);
process.stdout.write('ready\n');
for (const line of cases) {
  const [kind = '', path = ''] = line.split('\t');
  const result = await (kind === 'file' ? readFile(path) : readStream(path)).catch(describeError);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
process.exit(0);

/**
 * focal-eval as one stage of an ETL pipeline: read a prediction dump (Parquet or Arrow IPC, file or
 * stream), append per-row p_t, ce, focal_loss and easy columns with `focalStage`, and write the
 * batches out as an Arrow IPC stream, with Node's stream.pipeline doing the backpressure. The
 * stage's report (the same one `evaluate` gives) is printed when the stream has ended.
 *
 * In a project that depends on focal-eval the import is `from 'focal-eval'`; here it is the
 * source, so the example runs without a build. Run:
 *   node --import tsx examples/etl-stage.ts [input] [output.arrows]
 * (defaults: test/fixtures/mc_logits_f32.arrow, and a file in a new temporary directory).
 */
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecordBatchReader, RecordBatchStreamWriter, tableFromIPC, type RecordBatch } from 'apache-arrow';
import { focalStage } from '../src/index.ts';

const DEFAULT_INPUT = new URL('../test/fixtures/mc_logits_f32.arrow', import.meta.url).pathname;

/** Whether a file starts with Parquet's magic bytes. */
async function isParquet(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.toString('latin1') === 'PAR1';
  } finally {
    await handle.close();
  }
}

/** A Parquet file's record batches, row group by row group, read with parquet-wasm. */
async function* parquetBatches(path: string): AsyncGenerator<RecordBatch> {
  const { ParquetFile } = await import('parquet-wasm');
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const reader = (await file.stream({ batchSize: 65_536 })).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      // Each item is a batch in WebAssembly memory: copy it out as Arrow IPC.
      yield* tableFromIPC((value as { intoIPCStream(): Uint8Array }).intoIPCStream()).batches;
    }
  } finally {
    reader.releaseLock();
    file.free();
  }
}

/** An Arrow IPC file or stream's record batches. */
async function* arrowBatches(path: string): AsyncGenerator<RecordBatch> {
  const handle = await open(path, 'r');
  try {
    yield* await RecordBatchReader.from(handle);
  } finally {
    await handle.close().catch(() => {}); // apache-arrow may have closed it
  }
}

async function main(): Promise<void> {
  const input = process.argv[2] ?? DEFAULT_INPUT;
  const output = process.argv[3] ?? join(await mkdtemp(join(tmpdir(), 'focal-eval-etl-')), 'scored.arrows');
  const batches = (await isParquet(input)) ? parquetBatches(input) : arrowBatches(input);

  // The stage: the library's options (gamma, alpha, ...), and a name for messages.
  const stage = focalStage({ gamma: 2, name: input });
  await pipeline(Readable.from(batches), stage, RecordBatchStreamWriter.throughNode(), createWriteStream(output));

  const report = await stage.report;
  const percent = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  const number = (x: number | null): string => (x === null ? '-' : x.toFixed(4));
  const added = report.mode === 'multilabel' ? 'focal_loss_per_class, focal_loss' : 'p_t, ce, focal_loss, easy';
  console.log(`wrote ${report.rows} rows with ${added} appended to ${output}`);
  console.log(`${report.mode} ${report.input}: ${report.rows} rows, ${report.scored} units scored, ${report.ignored} ignored, ${report.invalid} invalid`);
  console.log(`mean CE ${number(report.total.meanCE)}, mean focal loss ${number(report.total.meanLoss)}, mean p_t ${number(report.total.meanPt)}`);
  console.log(`easy units carry ${percent(report.total.easyShareCE)} of CE but ${percent(report.total.easyShareFL)} of the focal term`);
}

main().catch((error: unknown) => {
  console.error(`etl-stage: ${(error as Error).message}`);
  process.exitCode = 1;
});

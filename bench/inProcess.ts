/**
 * The bench's baseline: the evaluator's reference path on one thread, with no process to start
 * and no pool. The main thread reads the IPC file's batches with apache-arrow's random-access
 * file reader and runs extractColumns, the scalar kernel (kernelFor) into a partial per batch,
 * the in-order merge and finalize. (The workers now have a leaner reader and a WebAssembly
 * kernel of their own; bench/workerPath.ts runs those.)
 */
import { open } from 'node:fs/promises';
import { RecordBatchReader, type AsyncRecordBatchFileReader } from 'apache-arrow';
import { extractColumns } from '../src/input/columns.ts';
import { finalize } from '../src/report/finalize.ts';
import type { Report } from '../src/index.ts';
import { kernelFor } from '../src/kernel/index.ts';
import { parseOptions } from '../src/options.ts';
import { createPartial, mergeInto } from '../src/kernel/partial.ts';
import { kernelParams, makePlan, partialShape } from '../src/input/plan.ts';

/** One in-process run: total wall time, CPU time, and how much of the wall time the kernels took. */
export interface InProcessRun {
  seconds: number;
  /** User + system CPU seconds of this process during the run (the main thread, and V8's GC helpers). */
  cpuSeconds: number;
  /** Time inside the kernels only (the rest is reading batches, extracting columns, merging, finalizing). */
  kernelSeconds: number;
  report: Report;
}

/** Scores a file on the main thread with the same options as the CLI runs (alpha auto, gamma 2). */
export async function runInProcess(path: string): Promise<InProcessRun> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const options = parseOptions({ alpha: 'auto', gamma: 2, threads: 1 });
  const handle = await open(path, 'r');
  try {
    const reader = (await RecordBatchReader.from(handle)) as AsyncRecordBatchFileReader;
    await reader.open();
    const count = reader.numRecordBatches;
    const first = count > 0 ? ((await reader.readRecordBatch(0)) ?? null) : null;
    const plan = makePlan(reader.schema, options, first, path);
    const shape = partialShape(plan, options);
    const params = kernelParams(plan, options);
    const kernel = kernelFor(plan.mode, plan.input);
    const total = createPartial(shape);
    let kernelMs = 0;
    for (let i = 0; i < count; i++) {
      const batch = i === 0 && first ? first : await reader.readRecordBatch(i);
      if (!batch) throw new Error(`${path}: batch ${i} could not be read`);
      const columns = extractColumns(batch, plan, path, i);
      const partial = createPartial(shape);
      const t0 = performance.now();
      const error = kernel(columns, params, partial);
      kernelMs += performance.now() - t0;
      if (error) throw new Error(`${path}: batch ${i} row ${error.row}: ${error.reason}`);
      mergeInto(total, partial);
    }
    const report = finalize(total, plan, options);
    const cpu = process.cpuUsage(cpuBefore);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, kernelSeconds: kernelMs / 1000, report };
  } finally {
    await handle.close();
  }
}


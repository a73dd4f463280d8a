/**
 * The workers' own code, run on the main thread: the input opened as evaluate() opens it, each
 * task handed straight to the worker's score() (for an IPC file: its lean batch reader, then the
 * kernel the workers pick, WebAssembly by default), the partials merged in order and finalized.
 * Only the pool and the process are missing, so the CLI's time over this one is what they cost.
 */
import { finalize } from '../src/report/finalize.ts';
import type { Report } from '../src/index.ts';
import { parseOptions } from '../src/options.ts';
import { createPartial, mergeInto } from '../src/kernel/partial.ts';
import { kernelParams, makePlan, partialShape } from '../src/input/plan.ts';
import { openInput } from '../src/input/open.ts';
import score from '../workers/score.ts';

/** One run: wall time, CPU time, and the report. */
export interface WorkerPathRun {
  seconds: number;
  cpuSeconds: number;
  report: Report;
}

/** Scores a file through the workers' score() on this thread (alpha auto, gamma 2, as the CLI runs). */
export async function runWorkerPath(path: string): Promise<WorkerPathRun> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const options = parseOptions({ alpha: 'auto', gamma: 2, threads: 1 });
  const input = await openInput(path);
  try {
    // The bench's inputs have no dictionary or List column, so the plan needs no first batch.
    const plan = makePlan(input.schema, options, null, input.name);
    const shape = partialShape(plan, options);
    const total = createPartial(shape);
    for await (const { task } of input.tasks(plan, kernelParams(plan, options), shape)) {
      const result = await score(task);
      if (result.failure) throw new Error(result.failure.message);
      if (result.error) throw new Error(`${path}: row ${result.error.row}: ${result.error.reason}`);
      mergeInto(total, result.partial);
    }
    const report = finalize(total, plan, options);
    const cpu = process.cpuUsage(cpuBefore);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, report };
  } finally {
    await input.close();
  }
}

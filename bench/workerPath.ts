/**
 * The workers' own code, run on the main thread: evaluate()'s pipeline (runPipeline) with each
 * task handed straight to the worker's score() (for an IPC file: its lean batch reader, then the
 * kernel the workers pick, WebAssembly by default) instead of the pool. Only the pool and the
 * process are missing, so the CLI's time over this one is what they cost.
 */
import { runPipeline } from '../src/evaluate.ts';
import type { Report } from '../src/index.ts';
import { parseOptions } from '../src/options.ts';
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
  // One task at a time, as one thread runs them.
  const report = await runPipeline(path, options, { run: ({ task }) => score(task), inFlight: 1 });
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, report };
}

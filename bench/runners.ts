/**
 * What the bench times on each workload, in one list: the whole CLI process (2 thread counts, and
 * with the scalar kernel forced), and two single-thread in-process runs: apache-arrow's reader
 * with the scalar kernel (the baseline every ratio is taken against), and the workers' own code
 * (their lean reader and WebAssembly kernel) without the pool. Each runner gives a wall time, a
 * CPU time, a peak RSS where it can be measured apart from the bench itself, and its report.
 */
import type { Report } from '../src/index.ts';
import { runCli } from './cliRunner.ts';
import { runInProcess } from './inProcess.ts';
import { runWorkerPath } from './workerPath.ts';

/** One timed run of a runner. */
export interface RunnerResult {
  seconds: number;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  report: Report;
  /** In-process runs: time inside the kernels. */
  kernelSeconds?: number;
}

/** A way of scoring a file that the bench times. */
export interface Runner {
  id: 'cli1' | 'cli2' | 'cli1-scalar' | 'inproc-scalar' | 'inproc-worker';
  name: string;
  run(path: string): Promise<RunnerResult>;
}

/** The id of the runner every ratio is taken against. */
export const BASELINE: Runner['id'] = 'inproc-scalar';

/** The runners, in table order. */
export const RUNNERS: readonly Runner[] = [
  { id: 'cli1', name: 'CLI --threads 1', run: (p) => runCli(p, 1) },
  { id: 'cli2', name: 'CLI --threads 2', run: (p) => runCli(p, 2) },
  { id: 'cli1-scalar', name: 'CLI --threads 1, FOCAL_EVAL_KERNEL=scalar', run: (p) => runCli(p, 1, 'scalar') },
  { id: 'inproc-scalar', name: 'in-process: apache-arrow + kernelFor (baseline)', run: baseline },
  { id: 'inproc-worker', name: "in-process: the workers' score(), no pool", run: workerPath },
];

/** The baseline run; its RSS is the bench's own, so not reported. */
async function baseline(path: string): Promise<RunnerResult> {
  return { ...(await runInProcess(path)), peakRssMb: null };
}

/** The workers' code on this thread; its RSS is the bench's own, so not reported. */
async function workerPath(path: string): Promise<RunnerResult> {
  return { ...(await runWorkerPath(path)), peakRssMb: null };
}

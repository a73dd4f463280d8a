/**
 * The numpy float32 baseline (bench/numpy_baseline.py) as a runner: a whole python3 process timed
 * from outside like the CLI. It needs numpy and, to read Arrow IPC, pyarrow; when either cannot be
 * imported the runner is skipped and the table says why (pyarrow comes from PyPI, which this
 * project's machines cannot reach, so on them it is usually skipped).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTimed, type TimedRun } from './timedProcess.ts';

const SCRIPT = fileURLToPath(new URL('./numpy_baseline.py', import.meta.url));

/** What the numpy script prints. */
export interface NumpyResult {
  mode: string;
  rows: number;
  scored: number;
  sumCE: number;
  sumFL: number;
  sumLoss: number;
  easy: number;
  seconds: number;
}

/** Null when python3 with numpy and pyarrow is usable; else the reason it is not. */
export function numpyUnavailable(): string | null {
  const probe = (module: string): boolean =>
    spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
  if (!probe('numpy')) return 'python3 with numpy not found';
  if (!probe('pyarrow')) return 'pyarrow not importable';
  return null;
}

/** Runs the numpy baseline on a file once; throws if it fails. */
export async function runNumpy(file: string): Promise<TimedRun & { result: NumpyResult }> {
  const run = await runTimed('python3', [SCRIPT, file, '--gamma', '2']);
  if (run.status !== 0) throw new Error(`numpy baseline exited with ${run.status}: ${run.stderr.trim()}`);
  return { ...run, result: JSON.parse(run.stdout) as NumpyResult };
}

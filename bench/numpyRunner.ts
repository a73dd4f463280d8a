/**
 * The numpy float32 baseline (bench/numpy_baseline.py) as a runner: a whole python3 process timed
 * from outside like the CLI (wall time, CPU time and peak RSS by bench/timedProcess.ts). The
 * script reads the Arrow IPC file itself with numpy only (it parses the footer and the flatbuffer
 * metadata, then views each record batch's buffers with np.frombuffer), so it needs no pyarrow,
 * which comes from PyPI and cannot be installed on this project's machines. The runner is skipped,
 * and the table says why, only when python3 or numpy is missing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/index.ts';
import { runTimed, type TimedRun } from './timedProcess.ts';

const SCRIPT = fileURLToPath(new URL('./numpy_baseline.py', import.meta.url));

/** The flags of the CLI run the script mirrors (`--alpha auto --gamma 2`; alpha "auto" is built in). */
const SCRIPT_FLAGS = ['--gamma', '2'] as const;

/** What the numpy script prints: the report's totals, computed with float32 elementwise math and float64 sums. */
export interface NumpyResult {
  mode: 'multiclass' | 'multilabel';
  input: 'probs' | 'logits';
  rows: number;
  ignored: number;
  /** Scored units: rows in multiclass, rows x C in multilabel (the report's `scored`). */
  scored: number;
  sumCE: number;
  sumFL: number;
  sumLoss: number;
  meanPt: number;
  easy: number;
  easyCE: number;
  easyFL: number;
  hard: number;
  hardCE: number;
  hardFL: number;
  histogram: number[];
  /** Units per group: class; multilabel: class positives, then class negatives. */
  groupCounts: number[];
  /** Wall time inside the script (reading and scoring, after python3 and numpy have started). */
  seconds: number;
}

let cachedPython: { executable: string | null; reason: string | null } | null = null;

/**
 * The python3 that has numpy, resolved once to its real executable (sys.executable), so that the
 * timed process is the interpreter itself and not a version manager's shim in front of it (pyenv's
 * bash shim adds ~60 ms per start on this project's machines).
 */
function python(): { executable: string | null; reason: string | null } {
  if (cachedPython !== null) return cachedPython;
  const probe = spawnSync('python3', ['-c', 'import sys, numpy; print(sys.executable)'], { encoding: 'utf8' });
  const executable = probe.stdout?.trim() ?? '';
  cachedPython =
    probe.error !== undefined
      ? { executable: null, reason: 'python3 not found' }
      : probe.status !== 0 || executable === ''
        ? { executable: null, reason: 'python3 with numpy not found' }
        : { executable, reason: null };
  return cachedPython;
}

/** Null when python3 with numpy is usable; else the reason it is not. */
export function numpyUnavailable(): string | null {
  return python().reason;
}

/** Runs the numpy baseline on a file once; throws if it fails (or if numpy is unavailable). */
export async function runNumpy(file: string): Promise<TimedRun & { result: NumpyResult }> {
  const { executable, reason } = python();
  if (executable === null) throw new Error(`numpy baseline unavailable: ${reason}`);
  const run = await runTimed(executable, [SCRIPT, file, ...SCRIPT_FLAGS]);
  if (run.status !== 0) throw new Error(`numpy baseline exited with ${run.status}: ${run.stderr.trim()}`);
  return { ...run, result: JSON.parse(run.stdout) as NumpyResult };
}

/** Relative tolerance of the numpy totals against the report: float32 elementwise math, float64 sums. */
export const NUMPY_TOLERANCE = 1e-4;

/** One compared quantity: numpy's value, the report's, their relative difference and whether it is within tolerance. */
export interface NumpyComparison {
  name: string;
  numpy: number;
  report: number;
  relative: number;
  ok: boolean;
}

/**
 * Compares the numpy totals with a focal-eval report of `--alpha auto --gamma 2`: unit counts
 * exactly, sums within NUMPY_TOLERANCE, and the easy count and histogram within the same share
 * of the units (float32 p_t may land on the other side of 0.5 or of a bin edge).
 */
export function compareNumpy(numpy: NumpyResult, report: Report, tolerance = NUMPY_TOLERANCE): NumpyComparison[] {
  const t = report.total;
  const rel = (a: number, e: number): number => Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
  const histDiff = numpy.histogram.reduce((s, x, i) => s + Math.abs(x - (t.histogram[i] ?? 0)), 0);
  const groups =
    report.mode === 'multilabel'
      ? [...report.classes.map((c) => c.positive?.count ?? -1), ...report.classes.map((c) => c.negative?.count ?? -1)]
      : report.classes.map((c) => c.count);
  const groupMismatches = groups.filter((n, g) => numpy.groupCounts[g] !== n).length + Math.abs(groups.length - numpy.groupCounts.length);
  const row = (name: string, a: number, e: number, exact = false): NumpyComparison => {
    const relative = rel(a, e);
    return { name, numpy: a, report: e, relative, ok: exact ? a === e : relative <= tolerance };
  };
  return [
    row('rows', numpy.rows, report.rows, true),
    row('scored', numpy.scored, report.scored, true),
    row('ignored', numpy.ignored, report.ignored, true),
    { name: 'groups with another unit count', numpy: groupMismatches, report: 0, relative: groupMismatches, ok: groupMismatches === 0 },
    row('sumCE', numpy.sumCE, t.sumCE),
    row('sumFL', numpy.sumFL, t.sumFL),
    row('sumLoss', numpy.sumLoss, t.sumLoss),
    row('easy.count', numpy.easy, t.easy.count),
    row('easy.sumCE', numpy.easyCE, t.easy.sumCE),
    row('hard.sumFL', numpy.hardFL, t.hard.sumFL),
    row('meanPt', numpy.meanPt, t.meanPt ?? 0),
    { name: 'histogram (L1 / units)', numpy: histDiff, report: 0, relative: histDiff / Math.max(1, t.count), ok: histDiff / Math.max(1, t.count) <= tolerance },
  ];
}

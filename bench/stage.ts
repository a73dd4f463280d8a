/**
 * The stage in the bench: `focal-eval score FILE --alpha 0.25 --gamma 2 --emit OUT` (the whole
 * process, 2 threads) against a pyarrow + numpy script doing the same (bench/stage_peer.py:
 * memory-maps the file, appends p_t, ce, focal_loss, easy, or the multilabel columns, batch by
 * batch in float64, writes an IPC stream), on W1 and W3, interleaved, each output deleted before
 * each run so that both write a fresh file. The output goes to $BENCH_EMIT_DIR, else the system's
 * temporary directory: a slow filesystem slows both sides alike (writing a fresh file costs the
 * filesystem's own time: see the note). The peer's python is $BENCH_PYTHON, else python3; it is
 * skipped, with the reason, without pyarrow and numpy. The emitted loss sums are checked
 * against each other.
 */
import { rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/index.ts';
import { pyarrowPython } from './compressed.ts';
import { median } from './median.ts';
import type { ResultRow } from './table.ts';
import { runTimed, type TimedRun } from './timedProcess.ts';
import type { Workload } from './workloads.ts';

const BIN = fileURLToPath(new URL('../bin/focal-eval.js', import.meta.url));
const PEER = fileURLToPath(new URL('./stage_peer.py', import.meta.url));
const FLAGS = ['--alpha', '0.25', '--gamma', '2', '--format', 'json', '--threads', '2'];

/** Where the stage's outputs are written. */
export function emitDir(): string {
  return process.env.BENCH_EMIT_DIR || tmpdir();
}

/** The stage's command line, for printing. */
export function stageCommand(file: string): string {
  return ['node bin/focal-eval.js score', file, '--emit', 'OUT', ...FLAGS].join(' ');
}

/** Why the peer cannot run, or null (with the python it runs on). */
function peerPython(): { executable: string | null; reason: string | null } {
  const found = pyarrowPython();
  if (found.executable === null) return found;
  const numpy = spawnSync(found.executable, ['-c', 'import numpy'], { encoding: 'utf8' });
  return numpy.status === 0 ? found : { executable: null, reason: `${found.executable} has no numpy` };
}

/** The stage rows of a workload (W1 and W3) and their notes. */
export async function benchStage(
  w: Workload,
  runs: number,
  row: (runner: string, timed: readonly { seconds: number; cpuSeconds: number | null; peakRssMb: number | null }[]) => ResultRow,
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  if (w.id !== 'W1' && w.id !== 'W3') return { rows: [], notes: [] };
  const mode = w.unitsPerRow > 1 ? 'multilabel-logits' : w.spec.mode;
  const out = join(emitDir(), `focal-bench-${w.id.toLowerCase()}-${process.pid}.arrows`);
  const python = peerPython();
  const cli = async (): Promise<TimedRun & { report: Report }> => {
    await rm(out, { force: true });
    const run = await runTimed(process.execPath, [BIN, 'score', w.path, '--emit', out, ...FLAGS]);
    if (run.status !== 0) throw new Error(`focal-eval --emit exited with ${run.status}: ${run.stderr.trim()}`);
    return { ...run, report: JSON.parse(run.stdout) as Report };
  };
  const peer = async (): Promise<TimedRun & { sumLoss: number }> => {
    await rm(out, { force: true });
    const run = await runTimed(python.executable!, [PEER, w.path, out, mode, '0.25', '2']);
    if (run.status !== 0) throw new Error(`stage_peer.py exited with ${run.status}: ${run.stderr.trim()}`);
    return { ...run, sumLoss: (JSON.parse(run.stdout) as { sumLoss: number }).sumLoss };
  };
  try {
    await cli(); // warm-up
    if (python.executable !== null) await peer();
    const ours: (TimedRun & { report: Report })[] = [];
    const theirs: (TimedRun & { sumLoss: number })[] = [];
    for (let r = 0; r < runs; r++) {
      ours.push(await cli());
      if (python.executable !== null) theirs.push(await peer());
    }
    const rows = [row('CLI --threads 2 --emit (the stage, alpha 0.25)', ours)];
    rows.push(row(python.executable !== null ? 'pyarrow + numpy stage script (python process)' : `pyarrow + numpy stage script (skipped: ${python.reason})`, theirs));
    const notes: string[] = [];
    if (theirs.length > 0) {
      const ratio = median(ours.map((r) => r.seconds)) / median(theirs.map((r) => r.seconds));
      const ourLoss = ours[0]!.report.total.sumLoss;
      const diff = Math.abs(theirs[0]!.sumLoss - ourLoss) / Math.abs(ourLoss);
      notes.push(
        `${w.id}: stage, focal-eval --emit / pyarrow + numpy script time: ${ratio.toFixed(2)}x; peak RSS ` +
          `${Math.max(...ours.map((r) => r.peakRssMb ?? NaN)).toFixed(0)} MB vs ${Math.max(...theirs.map((r) => r.peakRssMb ?? NaN)).toFixed(0)} MB; ` +
          `the script's emitted focal_loss sum vs the report's: relative difference ${diff.toExponential(1)}.`,
      );
    }
    return { rows, notes };
  } finally {
    await rm(out, { force: true });
  }
}

/**
 * W1 as compressed Feather files (LZ4 and ZSTD), as pyarrow and pandas write them by default
 * (LZ4) or on request: copies of W1's IPC file, written by python3 with pyarrow (bench/compress_ipc.py),
 * since Arrow JS cannot write compressed IPC. The python is $BENCH_PYTHON if set, else python3;
 * without pyarrow these rows are skipped with the reason, and the bench goes on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Workload } from './workloads.ts';

const SCRIPT = fileURLToPath(new URL('./compress_ipc.py', import.meta.url));

/** One compressed copy of a workload's file. */
export interface CompressedVariant {
  codec: 'lz4' | 'zstd';
  /** For the table: what the file is. */
  title: string;
  path: string;
}

/** The compressed copies the bench times (W1 only: the workload where decoding weighs most against scoring). */
export function compressedVariants(w: Workload): CompressedVariant[] {
  if (w.id !== 'W1') return [];
  return (['lz4', 'zstd'] as const).map((codec) => ({
    codec,
    title: `${w.title}, ${codec.toUpperCase()} Feather`,
    path: w.path.replace(/\.arrow$/, `.${codec}.feather`),
  }));
}

let python: { executable: string | null; reason: string | null } | null = null;

/** The python with pyarrow, or why there is none ($BENCH_PYTHON, else python3). */
export function pyarrowPython(): { executable: string | null; reason: string | null } {
  if (python !== null) return python;
  const command = process.env.BENCH_PYTHON || 'python3';
  const probe = spawnSync(command, ['-c', 'import pyarrow'], { encoding: 'utf8' });
  python =
    probe.error !== undefined
      ? { executable: null, reason: `${command} not found` }
      : probe.status !== 0
        ? { executable: null, reason: `${command} has no pyarrow (set BENCH_PYTHON to a python that has it)` }
        : { executable: command, reason: null };
  return python;
}

/**
 * Writes the missing compressed copies of `w`'s file; returns those that exist, and the reason
 * the others were skipped (null when none was).
 */
export function ensureCompressed(w: Workload, progress: (message: string) => void): { ready: CompressedVariant[]; skipped: string | null } {
  const variants = compressedVariants(w);
  const missing = variants.filter((v) => !existsSync(v.path));
  if (missing.length === 0) return { ready: variants, skipped: null };
  const { executable, reason } = pyarrowPython();
  const names = (vs: readonly CompressedVariant[]): string => `${w.id} as ${vs.map((v) => v.codec.toUpperCase()).join(' and ')} Feather`;
  if (executable === null) return { ready: variants.filter((v) => existsSync(v.path)), skipped: `${names(missing)} skipped: ${reason}` };
  const failed: { v: CompressedVariant; why: string }[] = [];
  for (const v of missing) {
    progress(`  writing ${v.path} with pyarrow`);
    const run = spawnSync(executable, [SCRIPT, w.path, v.path, v.codec], { encoding: 'utf8' });
    if (run.status !== 0) failed.push({ v, why: (run.stderr || String(run.error)).trim().split('\n').at(-1) ?? '' });
  }
  const ready = variants.filter((v) => existsSync(v.path));
  if (failed.length === 0) return { ready, skipped: null };
  return { ready, skipped: `${names(failed.map((f) => f.v))} skipped: pyarrow could not write it (${failed.map((f) => f.why).join('; ')})` };
}

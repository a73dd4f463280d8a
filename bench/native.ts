/**
 * The big dump against native C: the W1-shaped dump of `npm run bench:memory` (50,000,000 rows,
 * 2.2 GB; made here if missing), scored by the CLI (--threads 2) and by bench/native_reference.c
 * (the same statistics, gcc -O3 -fopenmp -march=native, 2 OpenMP threads, reading .npy copies of
 * the columns through mmap: written once by bench/to_npy.py with pyarrow), interleaved, median of
 * N runs, peak RSS beside each time (the C side's counts the mapped file's pages). The C reference
 * also runs built to do what focal-eval must (every value checked; read through pread, as a wasm
 * kernel cannot map a file), to say how much of the gap is that work and how much is ours. Skipped with
 * the reason where /usr/bin/gcc or a python with pyarrow is missing. Not part of `npm run bench`:
 * it needs ~4.5 GB of disk and a minute to prepare.
 *
 * Usage: [BENCH_PYTHON=python-with-pyarrow] npm run bench:native -- [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDump, type DumpSpec } from '../examples/generate.ts';
import { assertCliBuilt, runCli } from './cliRunner.ts';
import { pyarrowPython } from './compressed.ts';
import { median } from './median.ts';
import { warmPageCache } from './pageCache.ts';
import { runTimed } from './timedProcess.ts';
import { DATA_DIR } from './workloads.ts';

const SOURCE = fileURLToPath(new URL('./native_reference.c', import.meta.url));
const TO_NPY = fileURLToPath(new URL('./to_npy.py', import.meta.url));
const GCC = '/usr/bin/gcc';

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  await assertCliBuilt();
  await mkdir(DATA_DIR, { recursive: true });
  const spec: DumpSpec = { rows: 50_000_000, classes: 10, mode: 'multiclass-probs', seed: 7, batchSize: 65_536 };
  const path = `${DATA_DIR}mem-multiclass-probs-10c-${spec.rows}r-s7.arrow`;
  await ensureDump(path, spec);
  if (!existsSync(GCC)) return say(`native reference skipped: no ${GCC}`);
  const python = pyarrowPython();
  if (python.executable === null) return say(`native reference skipped: ${python.reason}`);
  const binaries: string[] = [];
  for (const variant of VARIANTS) {
    const binary = `${DATA_DIR}native_reference${variant.suffix}`;
    const built = spawnSync(GCC, ['-O3', '-fopenmp', '-march=native', ...variant.defines, '-o', binary, SOURCE, '-lm'], { encoding: 'utf8' });
    if (built.status !== 0) return say(`native reference skipped: ${GCC} failed: ${built.stderr.trim()}`);
    binaries.push(binary);
  }
  const [probs, labels] = [`${DATA_DIR}mem.probs.npy`, `${DATA_DIR}mem.label.npy`];
  if (!existsSync(probs) || !existsSync(labels)) spawnSync(python.executable, [TO_NPY, path, probs, labels], { stdio: 'inherit' });
  for (const f of [path, probs, labels]) await warmPageCache(f);
  const c = (binary: string): ReturnType<typeof runTimed> => runTimed(binary, [probs, labels, '2', '1e-7', '0.5', '20'], { OMP_NUM_THREADS: '2' });
  for (const binary of binaries) await c(binary);
  await runCli(path, 2);
  const ours = [];
  const native: Awaited<ReturnType<typeof c>>[][] = VARIANTS.map(() => []);
  for (let r = 0; r < runs; r++) {
    ours.push(await runCli(path, 2));
    for (const [v, binary] of binaries.entries()) native[v]!.push(await c(binary));
  }
  const total = ours[0]!.report.total;
  const seconds = (timed: { seconds: number }[]): number => median(timed.map((t) => t.seconds));
  const line = (name: string, timed: { seconds: number; peakRssMb: number | null }[]): string =>
    `${name}: ${seconds(timed).toFixed(3)} s (median of ${runs}), peak RSS ${Math.max(...timed.map((t) => t.peakRssMb ?? NaN)).toFixed(0)} MB`;
  say(line('focal-eval score --threads 2 (alpha auto, gamma 2)', ours));
  for (const [v, variant] of VARIANTS.entries()) {
    const sums = JSON.parse(native[v]![0]!.stdout) as { sumCE: number; sumFL: number };
    const rel = Math.max(Math.abs(sums.sumCE - total.sumCE) / total.sumCE, Math.abs(sums.sumFL - total.sumFL) / total.sumFL);
    say(line(`native C, gcc -O3 -fopenmp, 2 threads, ${variant.name}`, native[v]!));
    say(`  focal-eval / this: ${(seconds(ours) / seconds(native[v]!)).toFixed(2)}x; sums agree to ${rel.toExponential(1)}`);
  }
}

/**
 * The reference as the issue states it (p[y] of each row, read through the map), and built to do
 * what focal-eval must as well (bench/native_reference.c): check every value, read every byte
 * through a copy.
 */
const VARIANTS = [
  { name: 'mmap of .npy, reads p[y] only (the issue\'s reference)', suffix: '', defines: [] },
  { name: 'mmap, every value checked', suffix: '_checked', defines: ['-DCHECK_ALL'] },
  { name: 'pread into a reused buffer, every value checked', suffix: '_checked_pread', defines: ['-DCHECK_ALL', '-DPREAD'] },
];

function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:native: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

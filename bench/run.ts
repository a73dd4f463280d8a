/**
 * `npm run bench`: how fast focal-eval scores large dumps, and what the process and the pool
 * cost over the evaluator's own code. For each workload (bench/workloads.ts; generated into
 * bench/data/ if missing) it times, on a warm page cache after one untimed warm-up, the median of
 * N runs of each runner of bench/runners.ts (the whole CLI process at --threads 1 and 2, and with
 * the scalar kernel forced; single-thread in-process runs, no process start and no pool: the
 * baseline, apache-arrow's reader with the scalar kernel, and the workers' own code), and a numpy
 * float32 script where python3 has numpy (it reads the IPC file itself). W1 is also timed as LZ4 and
 * ZSTD Feather files (bench/compressed.ts; written by pyarrow when a python with it is found, else
 * skipped), by the CLI and the workers' code, interleaved with the uncompressed file's rounds; and
 * every workload as Parquet, scored by the CLI and by a DuckDB SQL peer (bench/formats.ts).
 * Prints one table, then whether the reports agree.
 * Benchmarks are not tests: nothing here runs under vitest.
 *
 * Usage: [BENCH_PYTHON=python-with-pyarrow] npm run bench -- [--quick] [--only W1,W3] [--runs N]
 */
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { relative } from 'node:path';
import { describeDump, ensureDump } from '../examples/generate.ts';
import { parseBenchArgs } from './args.ts';
import { identical, maxRelativeDifference } from './agreement.ts';
import { assertCliBuilt, cliCommand, runCli } from './cliRunner.ts';
import { ensureCompressed, type CompressedVariant } from './compressed.ts';
import type { Report } from '../src/index.ts';
import { median } from './median.ts';
import { compareNumpy, numpyUnavailable, runNumpy, type NumpyResult } from './numpyRunner.ts';
import { warmPageCache } from './pageCache.ts';
import { BASELINE, RUNNERS, type Runner, type RunnerResult } from './runners.ts';
import { benchParquet } from './formats.ts';
import { benchStage, emitDir, stageCommand } from './stage.ts';
import { renderResults, type ResultRow } from './table.ts';
import { hasGnuTime, runTimed } from './timedProcess.ts';
import { DATA_DIR, floorWorkload, workloads, type Workload } from './workloads.ts';

/** A workload's rows of the table and the notes that go under it. */
interface WorkloadResult {
  rows: ResultRow[];
  notes: string[];
}

/** What a runner's timed runs have in common. */
interface Measured {
  seconds: number;
  cpuSeconds: number | null;
  peakRssMb: number | null;
}

/** Makes a table row from a runner's timed runs (none: a skipped runner); `workload` names another input than the workload's own file. */
type RowMaker = (runner: string, timed: readonly Measured[], workload?: string) => ResultRow;

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  await assertCliBuilt();
  const selected = workloads(args.quick).filter((w) => args.only === null || args.only.includes(w.id));
  if (selected.length === 0) throw new Error(`--only ${args.only?.join(',')} matches no workload (W1, W2, W3)`);
  await ensureInputs(selected);
  const compressed = new Map(selected.map((w) => [w.id, args.stageOnly ? { ready: [], skipped: null } : ensureCompressed(w, progress)]));
  const numpySkip = numpyUnavailable();
  const loadBefore = loadavg();
  const results: WorkloadResult[] = [];
  for (const w of selected) {
    results.push(args.stageOnly ? await stageOnly(w, args.runs) : await benchWorkload(w, args.runs, numpySkip, compressed.get(w.id)!));
  }
  const floor = args.stageOnly ? '' : await startupFloor(args.runs);
  const out = [
    machineLine(args.runs, loadBefore, loadavg()),
    '',
    renderResults(results.flatMap((r) => r.rows)),
    ...results.flatMap((r) => r.notes),
    floor,
    numpySkip === null ? '' : `numpy float32 baseline skipped: ${numpySkip}.`,
    `CLI command timed: ${cliCommand('FILE', 1)} (and --threads 2); units = rows (W1, W2), rows x 80 (W3).`,
    `Stage command timed: ${stageCommand('FILE')}, OUT in ${emitDir()} (BENCH_EMIT_DIR).`,
  ];
  process.stdout.write(out.filter((l, i) => l !== '' || i === 1).join('\n') + '\n');
}

/** Generates the missing inputs, one summary line each on stderr. */
async function ensureInputs(selected: readonly Workload[]): Promise<void> {
  await mkdir(DATA_DIR, { recursive: true });
  for (const w of selected) {
    progress(`${w.id}: ${relative(process.cwd(), w.path)}`);
    const made = await ensureDump(w.path, w.spec);
    if (made) progress(`  generated ${describeDump({ ...made, path: relative(process.cwd(), made.path) })}`);
  }
}

/** The runners timed on a workload's compressed copies: the whole CLI, and the workers' code in-process. */
const COMPRESSED_RUNNERS = RUNNERS.filter((r) => r.id === 'cli1' || r.id === 'cli2' || r.id === 'inproc-worker');

/**
 * Times every runner on one workload (and the compressed-copy runners on its compressed copies):
 * warm cache, one untimed warm-up each, then `runs` interleaved rounds.
 */
async function benchWorkload(
  w: Workload,
  runs: number,
  numpySkip: string | null,
  compressed: { ready: CompressedVariant[]; skipped: string | null },
): Promise<WorkloadResult> {
  for (const path of [w.path, ...compressed.ready.map((v) => v.path)]) await warmPageCache(path);
  const timed = await timeRounds(w, runs, compressed.ready);
  const baseline = timed.get(BASELINE)!;
  const row = rowMaker(w, median(baseline.map((r) => r.seconds)));
  const numpy = await timeNumpy(w, runs, numpySkip);
  const rows = RUNNERS.map((r) => row(r.name, timed.get(r.id)!));
  rows.push(row(numpySkip === null ? 'numpy float32 (python3 process)' : `numpy float32 (skipped: ${numpySkip})`, numpy));
  for (const v of compressed.ready) {
    for (const r of COMPRESSED_RUNNERS) rows.push(row(r.name, timed.get(`${v.codec}:${r.id}`)!, `${w.id} ${v.title}`));
  }
  const notes = [agreementNote(w, timed), kernelShareNote(w, timed)];
  if (numpy.length > 0) notes.push(numpyAgreement(w, numpy[0]!.result, baseline[0]!.report));
  notes.push(...compressed.ready.map((v) => compressedNote(w, v, timed)));
  if (compressed.skipped !== null) notes.push(`${compressed.skipped}.`);
  if (w.id === 'W1') {
    const sweep = await benchSweep(w, runs, row, median(timed.get('cli2')!.map((r) => r.seconds)));
    rows.push(sweep.row);
    notes.push(sweep.note);
  }
  progress(`${w.id}: the stage (--emit)`);
  const stage = await benchStage(w, runs, row);
  progress(`${w.id}: Parquet`);
  const parquet = await benchParquet(w, runs, row, median(timed.get('cli2')!.map((r) => r.seconds)));
  return { rows: [...rows, ...stage.rows, ...parquet.rows], notes: [...notes, ...stage.notes, ...parquet.notes] };
}

/** --stage-only: the stage's rows alone (W1, W3), against the pyarrow + numpy script. */
async function stageOnly(w: Workload, runs: number): Promise<WorkloadResult> {
  await warmPageCache(w.path);
  const row = rowMaker(w, NaN);
  const stage = await benchStage(w, runs, row);
  return { rows: stage.rows.map((r) => ({ ...r, ratio: null })), notes: stage.notes };
}

/** A compressed copy against the uncompressed file: same report, and its CLI time as a multiple of the uncompressed file's. */
function compressedNote(w: Workload, v: CompressedVariant, timed: Map<string, RunnerResult[]>): string {
  const cli2 = (key: string): number => median(timed.get(key)!.map((r) => r.seconds));
  const reference = timed.get('cli2')![0]!.report;
  const same = COMPRESSED_RUNNERS.every((r) => timed.get(`${v.codec}:${r.id}`)!.every((run) => identical(run.report, reference)));
  const mb = statSync(v.path).size / 1e6;
  return (
    `${w.id} as ${v.codec.toUpperCase()} Feather (${mb.toFixed(1)} MB, written by pyarrow): reports ${same ? 'bit-identical to' : 'DIFFER from'} the uncompressed file's; ` +
    `CLI --threads 2 ${(cli2(`${v.codec}:cli2`) / cli2('cli2')).toFixed(2)}x the uncompressed file's time.`
  );
}

/** The gamma sweep's cost: CLI --threads 2 with five gammas, against W1's plain CLI --threads 2. */
async function benchSweep(w: Workload, runs: number, row: RowMaker, plain: number) {
  const extra = ['--gamma', SWEEP_GAMMAS];
  progress(`${w.id}: --gamma ${SWEEP_GAMMAS}`);
  await runCli(w.path, 2, 'default', {}, extra);
  const timed = [];
  for (let r = 0; r < runs; r++) timed.push(await runCli(w.path, 2, 'default', {}, extra));
  const seconds = median(timed.map((r) => r.seconds));
  return {
    row: row(`CLI --threads 2, --gamma ${SWEEP_GAMMAS}`, timed),
    note: `${w.id} --gamma ${SWEEP_GAMMAS}: ${seconds.toFixed(3)} s, ${(seconds / plain).toFixed(2)}x W1's CLI --threads 2 (${plain.toFixed(3)} s).`,
  };
}

/** The sweep the bench times. */
const SWEEP_GAMMAS = '0,0.5,1,2,5';

/** The CLI's fixed cost: median seconds of `--threads 2` on a one-batch file, as a note. */
async function startupFloor(runs: number): Promise<string> {
  const w = floorWorkload();
  await ensureInputs([w]);
  progress('start-up floor');
  await runCli(w.path, 2);
  const times = [];
  for (let r = 0; r < runs; r++) times.push((await runCli(w.path, 2)).seconds);
  // What `npx` adds to any command it runs (npm's own start-up), against Node's bare start.
  const npx = [];
  const bare = [];
  for (let r = 0; r < runs; r++) {
    const run = await runTimed('npx', ['--offline', '--', 'node', '-e', '0']).catch(() => null);
    npx.push(run?.status === 0 ? run.seconds : NaN);
    bare.push((await runTimed(process.execPath, ['-e', '0'])).seconds);
  }
  const floor =
    `Start-up floor: CLI --threads 2 on one ${w.spec.rows.toLocaleString('en-US')}-row batch of W1's rows: ` +
    `${median(times).toFixed(3)} s (Node's start, the pool's, loading, the input check, one batch, the report); ` +
    `\`node -e 0\` ${median(bare).toFixed(3)} s`;
  if (npx.some(Number.isNaN)) return `${floor}; \`npx --offline -- node -e 0\` did not run here.`;
  return (
    `${floor}; \`npx --offline -- node -e 0\` ${median(npx).toFixed(3)} s: ` +
    `\`npx focal-eval\` adds ${(median(npx) - median(bare)).toFixed(2)} s of npm's own start-up to every CLI figure above.`
  );
}

/**
 * Every runner once untimed (warm-up), then `runs` rounds of every runner in turn; the
 * compressed copies' runners (keyed "codec:runner") take their turns in the same rounds.
 */
async function timeRounds(w: Workload, runs: number, variants: readonly CompressedVariant[]): Promise<Map<string, RunnerResult[]>> {
  const jobs = [
    ...RUNNERS.map((r) => ({ key: r.id as string, run: () => r.run(w.path) })),
    ...variants.flatMap((v) => COMPRESSED_RUNNERS.map((r) => ({ key: `${v.codec}:${r.id}`, run: () => r.run(v.path) }))),
  ];
  progress(`${w.id} (${w.title}): warm-up`);
  for (const job of jobs) await job.run();
  const timed = new Map<string, RunnerResult[]>(jobs.map((job) => [job.key, []]));
  for (let round = 0; round < runs; round++) {
    progress(`${w.id}: round ${round + 1}/${runs}`);
    for (const job of jobs) timed.get(job.key)!.push(await job.run());
  }
  return timed;
}

/** The numpy baseline's timed runs after one warm-up, or none when it is skipped. */
async function timeNumpy(w: Workload, runs: number, skip: string | null) {
  if (skip !== null) return [];
  progress(`${w.id}: numpy baseline`);
  await runNumpy(w.path);
  const timed = [];
  for (let r = 0; r < runs; r++) timed.push(await runNumpy(w.path));
  return timed;
}

/** Makes a workload's table rows: medians of the timed runs, ratio to the baseline's median seconds. */
function rowMaker(w: Workload, base: number): RowMaker {
  return (runner, timed, workload = `${w.id} ${w.title}`) => {
    const seconds = timed.length === 0 ? null : median(timed.map((r) => r.seconds));
    return {
      workload,
      runner,
      seconds,
      cpuSeconds: medianOrNull(timed.map((r) => r.cpuSeconds)),
      units: w.spec.rows * w.unitsPerRow,
      peakRssMb: maxOrNull(timed.map((r) => r.peakRssMb)),
      ratio: seconds === null ? null : seconds / base,
    };
  };
}

/** Whether the reports agree: across thread counts, in and out of the pool, and the workers' kernel vs the scalar one. */
function agreementNote(w: Workload, timed: Map<string, RunnerResult[]>): string {
  const reports = (id: Runner['id']): Report[] => timed.get(id)!.map((r) => r.report);
  const same = (ids: Runner['id'][]): string => {
    const all = ids.flatMap(reports);
    return all.every((r) => identical(r, all[0]!)) ? 'bit-identical' : 'DIFFER';
  };
  const diff = maxRelativeDifference(reports('inproc-worker')[0]!, reports('inproc-scalar')[0]!);
  return (
    `${w.id}: reports of CLI --threads 1, 2 and the workers' code in-process ${same(['cli1', 'cli2', 'inproc-worker'])}; ` +
    `CLI scalar and the baseline ${same(['cli1-scalar', 'inproc-scalar'])}; ` +
    `default vs scalar kernel sums: largest relative difference ${diff.toExponential(1)}.`
  );
}

/** How much of the baseline's wall time the scalar kernel takes (the rest: reading batches with apache-arrow, extracting columns, merging). */
function kernelShareNote(w: Workload, timed: Map<string, RunnerResult[]>): string {
  const runs = timed.get(BASELINE)!;
  const kernel = median(runs.map((r) => r.kernelSeconds ?? 0));
  const total = median(runs.map((r) => r.seconds));
  return `${w.id}: baseline time in the scalar kernel ${kernel.toFixed(3)} s of ${total.toFixed(3)} s (${((100 * kernel) / total).toFixed(0)}%).`;
}

/** How far numpy's float32 totals are from the evaluator's float64 report (compareNumpy's checks). */
function numpyAgreement(w: Workload, numpy: NumpyResult, report: Report): string {
  const checks = compareNumpy(numpy, report);
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  const worst = Math.max(...checks.filter((c) => /sum|mean/.test(c.name)).map((c) => c.relative));
  return (
    `${w.id}: numpy vs focal-eval: ${failed.length === 0 ? 'agree' : `DISAGREE on ${failed.join(', ')}`} ` +
    `(${checks.length} checks; largest relative difference of a sum or mean ${worst.toExponential(1)}).`
  );
}

/** The median of the measured values, or null when any run could not measure it. */
function medianOrNull(xs: readonly (number | null)[]): number | null {
  return xs.length === 0 || xs.some((x) => x === null) ? null : median(xs as number[]);
}

/** The largest of the measured values, or null when any run could not measure it. */
function maxOrNull(xs: readonly (number | null)[]): number | null {
  return xs.length === 0 || xs.some((x) => x === null) ? null : Math.max(...(xs as number[]));
}

function machineLine(runs: number, before: number[], after: number[]): string {
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  return (
    `focal-eval bench: median of ${runs} runs, warm page cache; ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ` +
    `node ${process.version}; peak RSS ${hasGnuTime() ? 'by /usr/bin/time -f %M' : 'by process.resourceUsage() probe'} ` +
    `(whole CLI process, worker threads included); load average before ${load(before)}, after ${load(after)} ` +
    `(other work on the machine slows every runner).`
  );
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

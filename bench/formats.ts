/**
 * The bench's other formats: each workload's rows as Parquet (bench/parquetInputs.ts), scored by
 * the CLI, and the same statistics computed by DuckDB in one SQL query over the same Parquet file
 * (bench/duckdbPeer.mjs, a process of its own on DuckDB's threads). The peer is skipped, with the
 * reason in the table, where @duckdb/node-api (a dev dependency with a prebuilt binary) did not
 * install. Its sums are checked against the CLI's report, so that both sides computed the same thing.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/index.ts';
import { runCli } from './cliRunner.ts';
import { median } from './median.ts';
import { ensureParquet, ROW_GROUP_ROWS } from './parquetInputs.ts';
import type { ResultRow } from './table.ts';
import { runTimed, type TimedRun } from './timedProcess.ts';
import type { Workload } from './workloads.ts';

const PEER = fileURLToPath(new URL('./duckdbPeer.mjs', import.meta.url));

/** DuckDB's sums for one group (a class; multilabel: class positives, then negatives). */
interface PeerGroup {
  grp: number;
  count: number;
  sumCE: number;
  sumFL: number;
  easyCount: number;
  easyCE: number;
  easyFL: number;
}

/** Why the DuckDB peer cannot run here, or null when it can. */
export function duckdbUnavailable(): string | null {
  try {
    createRequire(import.meta.url).resolve('@duckdb/node-api');
    return null;
  } catch {
    return '@duckdb/node-api is not installed';
  }
}

/** The rows and notes of a workload's Parquet runs (the CLI, and DuckDB where it runs). */
export async function benchParquet(
  w: Workload,
  runs: number,
  row: (runner: string, timed: readonly { seconds: number; cpuSeconds: number | null; peakRssMb: number | null }[]) => ResultRow,
  ipcSeconds: number,
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  const path = await ensureParquet(w);
  const mode = w.unitsPerRow > 1 ? 'multilabel-logits' : w.spec.mode;
  const skip = mode === 'multiclass-logits' ? 'the SQL peer covers probs and multilabel logits' : duckdbUnavailable();
  await runCli(path, 2); // warm-up (and the page cache)
  if (skip === null) await runPeer(path, mode);
  const cli: (TimedRun & { report: Report })[] = [];
  const wasm: (TimedRun & { report: Report })[] = [];
  const peer: (TimedRun & { groups: PeerGroup[] })[] = [];
  // Interleaved: the lean reader, DuckDB, and parquet-wasm's path (what Parquet took before the lean reader).
  for (let r = 0; r < runs; r++) {
    cli.push(await runCli(path, 2));
    if (skip === null) peer.push(await runPeer(path, mode));
    wasm.push(await runCli(path, 2, 'default', { FOCAL_EVAL_PARQUET_READER: 'parquet-wasm' }));
  }
  const groupRows = ROW_GROUP_ROWS[w.id]?.toLocaleString('en-US');
  const rows = [row(`CLI --threads 2, Parquet (Snappy, ${groupRows}-row groups)`, cli)];
  rows.push(row('CLI --threads 2, Parquet through parquet-wasm', wasm));
  rows.push(row(skip === null ? 'DuckDB SQL, same Parquet file (its threads)' : `DuckDB SQL (skipped: ${skip})`, peer));
  const cliSeconds = median(cli.map((r) => r.seconds));
  const wasmSeconds = median(wasm.map((r) => r.seconds));
  const same = JSON.stringify(cli[0]!.report) === JSON.stringify(wasm[0]!.report);
  const notes = [
    `${w.id}: Parquet / IPC time, CLI --threads 2: ${(cliSeconds / ipcSeconds).toFixed(2)}x; ` +
      `the lean reader / parquet-wasm's path: ${(cliSeconds / wasmSeconds).toFixed(2)}x, reports ${same ? 'bit-identical' : 'DIFFERENT'}.`,
  ];
  if (peer.length > 0) {
    const peerSeconds = median(peer.map((r) => r.seconds));
    notes.push(
      `${w.id}: Parquet, focal-eval / DuckDB time: ${(cliSeconds / peerSeconds).toFixed(2)}x; ` +
        `DuckDB's sums vs the report: largest relative difference ${peerDifference(peer[0]!.groups, cli[0]!.report).toExponential(1)}.`,
    );
  }
  return { rows, notes };
}

async function runPeer(path: string, mode: string): Promise<TimedRun & { groups: PeerGroup[] }> {
  const run = await runTimed(process.execPath, [PEER, path, mode]);
  if (run.status !== 0) throw new Error(`duckdbPeer exited with ${run.status}: ${run.stderr.trim()}`);
  return { ...run, groups: (JSON.parse(run.stdout) as { groups: PeerGroup[] }).groups };
}

/** The largest relative difference between DuckDB's group sums and the report's. */
function peerDifference(groups: readonly PeerGroup[], report: Report): number {
  const C = report.classes.length;
  let worst = 0;
  for (const g of groups) {
    const block = report.classes[g.grp % C]!;
    const stats = report.mode === 'multilabel' ? (g.grp < C ? block.positive! : block.negative!) : block;
    const pairs = [
      [g.count, stats.count],
      [g.sumCE, stats.sumCE],
      [g.sumFL, stats.sumFL],
      [g.easyCount, stats.easy.count],
      [g.easyCE, stats.easy.sumCE],
      [g.easyFL, stats.easy.sumFL],
    ] as const;
    for (const [a, b] of pairs) worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
  }
  return worst;
}

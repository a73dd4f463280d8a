/**
 * Manual check that the CLI's memory stays bounded on an input far larger than a batch: makes a
 * W1-shaped dump of at least 2 GB in bench/data/ (if missing and the disk has room) and reports
 * the whole CLI process's peak RSS on it at --threads 1 and 2. A worker reads one batch at a time
 * and at most 2 x threads batches are in flight, so peak RSS should stay near that of a small
 * file, not grow with the file. Not part of `npm run bench`: it needs minutes and ~2.2 GB of disk.
 *
 * Usage: npm run bench:memory -- [--rows N]   (default 50,000,000 rows = 2.2 GB)
 */
import { mkdir, statfs } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeDump, ensureDump, estimatedBytes, type DumpSpec } from '../examples/generate.ts';
import { assertCliBuilt, cliCommand, runCli } from './cliRunner.ts';
import { warmPageCache } from './pageCache.ts';
import { hasGnuTime } from './timedProcess.ts';
import { DATA_DIR } from './workloads.ts';

/** Free space to leave on the disk beyond the file itself. */
const DISK_MARGIN_BYTES = 2e9;

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { rows: { type: 'string', default: '50000000' } } });
  const spec: DumpSpec = { rows: Number(values.rows), classes: 10, mode: 'multiclass-probs', seed: 7, batchSize: 65_536 };
  const path = `${DATA_DIR}mem-multiclass-probs-10c-${spec.rows}r-s7.arrow`;
  await assertCliBuilt();
  await mkdir(DATA_DIR, { recursive: true });
  const size = estimatedBytes(spec);
  await assertDiskRoom(size);
  say(`input: ${relative(process.cwd(), path)} (~${(size / 1e9).toFixed(2)} GB, ${spec.rows.toLocaleString('en-US')} rows of W1's shape)`);
  const made = await ensureDump(path, spec);
  if (made) say(`generated ${describeDump({ ...made, path: relative(process.cwd(), made.path) })}`);
  await warmPageCache(path);
  for (const threads of [1, 2]) {
    const run = await runCli(path, threads);
    const rss = run.peakRssMb === null ? 'n/a (no /usr/bin/time)' : `${run.peakRssMb.toFixed(0)} MB`;
    const cpu = run.cpuSeconds === null ? '' : `, ${run.cpuSeconds.toFixed(1)} s CPU`;
    say(`${cliCommand(relative(process.cwd(), path), threads)}: ${run.seconds.toFixed(1)} s${cpu}, peak RSS ${rss}`);
  }
  say(`peak RSS measured ${hasGnuTime() ? 'by /usr/bin/time -f %M' : 'by a process.resourceUsage() probe'}, worker threads included.`);
}

/** Throws when the disk holding bench/data/ has less free space than the file plus a margin. */
async function assertDiskRoom(bytes: number): Promise<void> {
  const fs = await statfs(DATA_DIR);
  const free = fs.bavail * fs.bsize;
  if (free < bytes + DISK_MARGIN_BYTES) {
    throw new Error(`not enough disk: ${(free / 1e9).toFixed(1)} GB free, need ${((bytes + DISK_MARGIN_BYTES) / 1e9).toFixed(1)} GB`);
  }
}

function say(line: string): void {
  process.stdout.write(line + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`memory check: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

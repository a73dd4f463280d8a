/**
 * Runs one child process and measures it from outside: wall time from spawn to exit, and the peak
 * RSS and CPU time (user + system) of the whole process, its worker threads included. CPU time is
 * reported because the bench shares 2 cores with whatever else runs: wall time then measures the
 * machine's load as much as the program, CPU time much less. Both come from GNU time (`/usr/bin/time
 * -f "%M %U %S"`) when it is installed; otherwise, for a node child, from a preloaded probe reading
 * process.resourceUsage() at exit (bench/rssProbe.mjs); otherwise they are reported as unknown.
 * The bench depends on neither.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How a child's peak RSS is measured on this machine. */
export type RssMethod = 'gnu-time' | 'node-probe' | 'none';

/** The outcome of one timed run. */
export interface TimedRun {
  seconds: number;
  /** Peak resident set size in MB (10^6 bytes), or null when it could not be measured. */
  peakRssMb: number | null;
  /** User + system CPU seconds of the process (all its threads), or null when it could not be measured. */
  cpuSeconds: number | null;
  status: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const PROBE = fileURLToPath(new URL('./rssProbe.mjs', import.meta.url));
let cachedHasGnuTime: boolean | null = null;

/** Whether GNU time is installed and reports peak RSS. */
export function hasGnuTime(): boolean {
  cachedHasGnuTime ??= spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  return cachedHasGnuTime;
}

/** The method used for a child started with `command`. */
export function rssMethodFor(command: string): RssMethod {
  if (hasGnuTime()) return 'gnu-time';
  return command === process.execPath ? 'node-probe' : 'none';
}

/** Runs `command args` (with `extraEnv` added), waiting for it to exit; never rejects on a non-zero exit status. */
export async function runTimed(command: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<TimedRun> {
  const method = rssMethodFor(command);
  const rssFile = join(tmpdir(), `focal-bench-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const baseEnv = { ...process.env, ...extraEnv };
  const [cmd, argv, env] =
    method === 'gnu-time'
      ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], baseEnv]
      : method === 'node-probe'
        ? [command, ['--import', PROBE, ...args], { ...baseEnv, FOCAL_BENCH_RSS_FILE: rssFile }]
        : [command, [...args], baseEnv];
  const started = performance.now();
  const { status, stdout, stderr } = await spawnCollect(cmd, argv, env);
  const seconds = (performance.now() - started) / 1000;
  const usage = method === 'none' ? null : await readUsage(rssFile);
  const peakRssMb = usage === null ? null : (usage.peakKb * 1024) / 1e6;
  return { seconds, peakRssMb, cpuSeconds: usage?.cpuSeconds ?? null, status, stdout, stderr };
}

function spawnCollect(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** "peakKb user sys" from the file's last line (GNU time may write a "Command exited" line before it). */
async function readUsage(path: string): Promise<{ peakKb: number; cpuSeconds: number } | null> {
  try {
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    const [peakKb, user, sys] = lines[lines.length - 1]!.trim().split(/\s+/).map(Number);
    if (![peakKb, user, sys].every((x) => x !== undefined && Number.isFinite(x))) return null;
    return { peakKb: peakKb!, cpuSeconds: user! + sys! };
  } catch {
    return null;
  } finally {
    await rm(path, { force: true });
  }
}

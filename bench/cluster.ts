/**
 * The cluster against one machine's `score`: the same file scored by one CLI process with two
 * threads, and as a cluster run of 2 worker processes (one thread each, on this machine's 2 cores)
 * with shards of 1 and of 8 batches. Times are wall clock, median of RUNS, from the submit to the
 * report printed (worker start-up included: the workers are started after the submit, with
 * --exit-when-idle). Overhead per shard is the slope between the two shard sizes: what one more
 * shard costs, the fixed start-up left out. Every cluster report is checked byte for byte against
 * score's.
 *   node --import tsx bench/cluster.ts FILE [--redis URL] [--runs N]
 * Needs a Redis with noeviction (README, Cluster); FILE defaults to the bench's W1.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { median } from './median.ts';

const BIN = fileURLToPath(new URL('../bin/focal-eval.js', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? fileURLToPath(new URL('data/w1-multiclass-probs-10c-5000000r-s7.arrow', import.meta.url));
const redis = flag('redis', process.env.FOCAL_EVAL_REDIS ?? 'redis://127.0.0.1:6390');
const runs = Number(flag('runs', '3'));
const SCORE = ['--alpha', 'auto', '--gamma', '2', '--format', 'json'];

function run(argv: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await f();
  return [(performance.now() - t0) / 1000, value];
}

const single: number[] = [];
let expected: Buffer | null = null;
for (let i = 0; i < runs; i++) {
  const [s, r] = await timed(() => run(['score', file, '--threads', '2', ...SCORE]));
  if (r.code !== 0) throw new Error(r.stderr);
  expected ??= r.stdout;
  single.push(s);
}

const rows: { split: number; shards: number; seconds: number }[] = [];
for (const split of [1, 8]) {
  const times: number[] = [];
  let shards = 0;
  for (let i = 0; i < runs; i++) {
    const queue = `focal-eval-bench-${process.pid}-${split}-${i}`;
    const common = ['--redis', redis, '--queue', queue];
    const [s, report] = await timed(async () => {
      const submit = await run(['cluster', 'submit', file, '--split', String(split), '--detach', ...common, ...SCORE]);
      if (submit.code !== 0) throw new Error(submit.stderr);
      shards = Number(/(\d+) shards submitted/.exec(submit.stderr)![1]);
      const workers = [0, 1].map(() => run(['cluster', 'worker', '--threads', '1', '--exit-when-idle', ...common]));
      const report = await run(['cluster', 'report', submit.stdout.toString().trim(), ...common, '--format', 'json']);
      void Promise.all(workers);
      return report;
    });
    if (!report.stdout.equals(expected!)) throw new Error(`split ${split}: the cluster report differs from score's\n${report.stderr}`);
    times.push(s);
    const q = new Queue(queue, { connection: { url: redis } });
    await q.obliterate({ force: true });
    await q.close();
  }
  rows.push({ split, shards, seconds: median(times) });
}

const base = median(single);
console.log(`focal-eval cluster bench: ${file}, median of ${runs}, Redis ${redis}`);
console.log(`score --threads 2 (one process)                      ${base.toFixed(3)} s`);
for (const r of rows) {
  console.log(`cluster, 2 workers x 1 thread, ${String(r.shards).padStart(3)} shards of ${r.split} batches  ${r.seconds.toFixed(3)} s  ${(r.seconds / base).toFixed(2)}x score; reports byte-identical`);
}
const [a, b] = rows;
console.log(`overhead per shard (slope between the two): ${(((a!.seconds - b!.seconds) / (a!.shards - b!.shards)) * 1000).toFixed(1)} ms`);

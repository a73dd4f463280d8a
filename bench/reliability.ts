/**
 * Two figures of the Reliability section: how fast the CLI exits after SIGTERM (mid-scoring with
 * --out, and while --emit writes), and what the per-task watchdog costs (evaluate with
 * taskTimeout 120 against 0, alternating, in one process). Run: `node --import tsx
 * bench/reliability.ts FILE` (W1: bench/data/w1-multiclass-probs-10c-5000000r-s7.arrow) after
 * `npm run build` (the signal runs spawn bin/focal-eval.js).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../src/evaluate.ts';
import { median } from './median.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node --import tsx bench/reliability.ts FILE');
const BIN = new URL('../bin/focal-eval.js', import.meta.url).pathname;
const RUNS = 7;

const fmt = (xs: number[]): string => `median ${median(xs).toFixed(0)} ms (${[...xs].sort((a, b) => a - b).map((x) => x.toFixed(0)).join(' ')})`;

/** SIGTERM `delay` ms after the start; the time from the signal to the exit, checking status 143 and an empty output folder. */
async function signalExit(args: string[], delay: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'focal-eval-sig-'));
  try {
    const child = spawn(process.execPath, [BIN, 'score', file!, '--threads', '2', ...args.map((a) => a.replace('DIR', dir))], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, delay));
    const sent = performance.now();
    child.kill('SIGTERM');
    const status = await new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal!)));
    const ms = performance.now() - sent;
    if (status !== 143 || readdirSync(dir).length !== 0) console.log(`  (a run ended ${status}, leaving ${readdirSync(dir).join(', ') || 'nothing'})`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [label, args, delay] of [
  ['SIGTERM to exit, --out, mid-scoring', ['--out', 'DIR/r.json'], 300],
  ['SIGTERM to exit, --emit FILE, mid-writing', ['--emit', 'DIR/e.arrows', '--format', 'json'], 450],
] as const) {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) ms.push(await signalExit([...args], delay));
  console.log(`${label}: ${fmt(ms)}`);
}

const times: Record<'none' | 'watchdog', number[]> = { none: [], watchdog: [] };
let first: string | null = null;
for (let i = 0; i < 2 * RUNS + 1; i++) {
  for (const [key, taskTimeout] of [
    ['none', 0],
    ['watchdog', 120],
  ] as const) {
    const started = performance.now();
    const report = JSON.stringify(await evaluate(file, { threads: 2, alpha: 'auto', taskTimeout }));
    times[key].push(performance.now() - started);
    first ??= report;
    if (report !== first) throw new Error('the reports differ');
  }
}
console.log(`evaluate, --threads 2, no watchdog: ${fmt(times.none)}`);
console.log(`evaluate, --threads 2, watchdog 120 s: ${fmt(times.watchdog)}`);

/**
 * A seeded mutation fuzzer over valid inputs: Arrow IPC files and streams, compressed IPC (LZ4,
 * ZSTD) and Parquet (every codec and page kind). Each input is a valid file mutated one way —
 * cut short, a few bytes flipped, a 32-bit word set to a length that lies (0, -1, 2^31 - 1, the
 * file's size + 1, ...), a 64-bit word set to a huge size, or a range of bytes repeated — then
 * scored, and what happened is sorted into:
 *
 *   error E_*    a FocalEvalError with a stable code (E_INTERNAL counts as a crash: our bug)
 *   same         a report equal to the unmutated file's (the mutation hit bytes nothing reads)
 *   different    a report that differs from the unmutated file's, without an error: a mutated
 *                value (a float's bytes) is data like any other, and only a checksum could tell
 *                (Parquet page CRCs are checked where the writer wrote them; Arrow IPC has none)
 *   crash        anything else thrown, or E_INTERNAL
 *   hang         no answer within the per-input bound
 *
 *   node --import tsx scripts/fuzz.ts [--count 10000] [--seed 1] [--timeout-ms 10000] [--pool]
 *
 * Each input is scored by evaluate()'s pipeline with the workers' own score() on this thread (a
 * pool per input would spend ~150 ms starting); --pool scores through evaluate() and its pool.
 * prints a summary (outcomes, time per input, peak RSS) and exits 1 on a crash or a hang.
 * test/fuzz.test.ts runs a few hundred inputs of it in `npm test`.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { evaluate, runPipeline } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import { parseOptions } from '../src/options.ts';
import score from '../workers/score.ts';
import { rng } from '../test/support/rng.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/', import.meta.url));

/** The valid inputs mutated, by kind. */
export const FUZZ_INPUTS = [
  'mc_probs_f32.arrow',
  'ml_logits.arrow',
  'bin_probs.arrow',
  'mc_dict_labels.arrow',
  'compressed/mc.arrows',
  'compressed/mc.lz4.feather',
  'compressed/mc.zstd.feather',
  'compressed/mc_dict.lz4.feather',
  'compressed/mc.lz4.arrows',
  'parquet/mc.snappy.parquet',
  'parquet/mc.zstd.v2.parquet',
  'parquet/ml.gzip.v2.parquet',
  'parquet/fsl.snappy.parquet',
  'parquet/bin.none.v2.parquet',
  'parquet/mc.lz4raw.parquet',
  'parquet/mc.bss.parquet',
  'parquet/mc.crc.parquet',
].map((name) => join(FIXTURES, name));

export type Outcome = `error ${string}` | 'same' | 'different' | 'crash' | 'hang';

export interface FuzzCase {
  /** The case's number in its seed's sequence. */
  index: number;
  input: string;
  mutation: string;
  outcome: Outcome;
  ms: number;
  detail?: string;
}

/** The ways an input is mutated, each from the seeded source. */
const MUTATIONS: Record<string, (data: Uint8Array, random: () => number) => Uint8Array> = {
  truncate: (data, random) => data.slice(0, Math.floor(random() * data.length)),
  flip: (data, random) => {
    const out = data.slice();
    const n = 1 + Math.floor(random() * 8);
    for (let k = 0; k < n; k++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
    return out;
  },
  length: (data, random) => {
    const out = data.slice();
    const lies = [0, -1, 1, 0x7fffffff, -0x80000000, data.length + 1, data.length * 16, 8];
    const at = 4 * Math.floor((random() * (out.length - 4)) / 4);
    new DataView(out.buffer).setInt32(at, lies[Math.floor(random() * lies.length)]!, true);
    return out;
  },
  huge: (data, random) => {
    const out = data.slice();
    const at = 8 * Math.floor((random() * (out.length - 8)) / 8);
    new DataView(out.buffer).setBigInt64(at, [2n ** 40n, 2n ** 62n, 2n ** 53n + 1n][Math.floor(random() * 3)]!, true);
    return out;
  },
  repeat: (data, random) => {
    const from = Math.floor(random() * data.length);
    const length = Math.min(1 + Math.floor(random() * 4096), data.length - from);
    const at = Math.floor(random() * data.length);
    return new Uint8Array([...data.subarray(0, at), ...data.subarray(from, from + length), ...data.subarray(at)]);
  },
};

/** Scores `count` mutated inputs from `seed` (or of them only the cases numbered in `only`); calls `each` with every case scored. */
export async function fuzz(
  {
    count,
    seed,
    timeoutMs,
    pool = false,
    inputs = FUZZ_INPUTS,
    only,
  }: { count: number; seed: number; timeoutMs: number; pool?: boolean; inputs?: readonly string[]; only?: ReadonlySet<number> },
  each: (c: FuzzCase) => void,
): Promise<void> {
  const random = rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'focal-eval-fuzz-'));
  const truths = new Map<string, string>();
  const options = { threads: 1, onInvalid: 'skip' } as const;
  const scoreFile = (path: string): Promise<unknown> =>
    pool ? evaluate(path, options) : runPipeline(path, parseOptions(options), { run: ({ task }) => score(task), inFlight: 1 });
  try {
    for (const input of inputs) truths.set(input, JSON.stringify(await scoreFile(input)));
    const names = Object.keys(MUTATIONS);
    for (let i = 0; i < count; i++) {
      const input = inputs[Math.floor(random() * inputs.length)]!;
      const mutation = names[Math.floor(random() * names.length)]!;
      const bytes = MUTATIONS[mutation]!(new Uint8Array(readFileSync(input)), random);
      if (only && !only.has(i)) continue;
      // The mutated copy keeps its extension: the reader is chosen from the bytes, not the name.
      const path = join(dir, `case-${i}${input.slice(input.lastIndexOf('.'))}`);
      writeFileSync(path, bytes);
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), timeoutMs)));
      const run = scoreFile(path).then(
        (report): 'same' | 'different' => (JSON.stringify(report) === truths.get(input) ? 'same' : 'different'),
        (error: unknown) => ({ error }),
      );
      const result = await Promise.race([run, bound]);
      clearTimeout(timer);
      const ms = performance.now() - started;
      let outcome: Outcome;
      let detail: string | undefined;
      if (typeof result === 'string') {
        outcome = result;
      } else if (result.error instanceof FocalEvalError && result.error.code !== 'E_INTERNAL' && result.error.message.includes(path) && !result.error.message.includes('\n    at ')) {
        outcome = `error ${result.error.code}`;
      } else {
        outcome = 'crash';
        detail = result.error instanceof Error ? (result.error.stack ?? result.error.message) : String(result.error);
      }
      each({ index: i, input, mutation, outcome, ms, ...(detail === undefined ? {} : { detail }) });
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      'timeout-ms': { type: 'string', default: '10000' },
      pool: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.count);
  const outcomes = new Map<string, number>();
  const byMutation = new Map<string, Map<string, number>>();
  const times: number[] = [];
  let peakRss = 0;
  const bad: FuzzCase[] = [];
  const started = performance.now();
  await fuzz({ count, seed: Number(values.seed), timeoutMs: Number(values['timeout-ms']), pool: values.pool }, (c) => {
    outcomes.set(c.outcome, (outcomes.get(c.outcome) ?? 0) + 1);
    const m = byMutation.get(c.mutation) ?? new Map<string, number>();
    m.set(c.outcome, (m.get(c.outcome) ?? 0) + 1);
    byMutation.set(c.mutation, m);
    times.push(c.ms);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (c.outcome === 'crash' || c.outcome === 'hang') bad.push(c);
    if (times.length % 1000 === 0) process.stderr.write(`${times.length} inputs\n`);
  });
  times.sort((a, b) => a - b);
  const at = (q: number): string => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`fuzz: ${count} inputs, seed ${values.seed}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`outcomes: ${[...outcomes].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const [mutation, m] of [...byMutation].sort()) console.log(`  ${mutation}: ${[...m].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`ms per input: median ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`);
  for (const c of bad.slice(0, 10)) console.log(`${c.outcome}: case ${c.index}, ${c.mutation} of ${c.input}: ${c.detail ?? ''}`);
  return bad.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main();

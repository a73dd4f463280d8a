/**
 * `focal-eval cluster submit | worker | report`: the command line of src/cluster/. submit
 * enqueues a run and (unless --detach) waits and prints its report as `score` would; worker scores
 * jobs until SIGINT / SIGTERM (or, with --exit-when-idle, until the queue is empty); report prints
 * a submitted run's report, waiting for it.
 */
import { UsageError } from '../errors.ts';
import { DEFAULT_REDIS, type ClusterTarget } from '../cluster/jobs.ts';
import { shardsOf } from '../cluster/shards.ts';
import { runReport, submitRun } from '../cluster/submit.ts';
import { startWorker } from '../cluster/worker.ts';
import type { Command } from './args.ts';
import { printWarnings, reportText, writeOut } from './write.ts';

/** Runs a cluster command; resolves to the exit status (errors reject, for cli.ts to print). */
export async function runCluster(cmd: Command, format: 'table' | 'json'): Promise<number> {
  const flags = cmd.cluster;
  const allowed: Record<NonNullable<Command['sub']>, string[]> = {
    submit: ['redis', 'queue', 'prefix', 'run', 'split', 'attempts', 'detach'],
    worker: ['redis', 'queue', 'prefix', 'concurrency', 'lock-duration', 'stalled-interval', 'exit-when-idle'],
    report: ['redis', 'queue', 'prefix'],
  };
  const sub = cmd.sub!;
  const stray = Object.keys(flags).find((name) => !allowed[sub].includes(name));
  if (stray !== undefined) throw new UsageError(`--${stray} does not go with cluster ${sub}`);
  if (cmd.partial !== undefined || cmd.batches !== undefined || cmd.emit !== undefined) {
    throw new UsageError(`--${cmd.partial !== undefined ? 'partial' : cmd.batches !== undefined ? 'batches' : 'emit'} does not go with cluster`);
  }
  if (sub !== 'submit' && cmd.alphaFile !== undefined) throw new UsageError(`--alpha-file goes with cluster submit`);
  const target: ClusterTarget = {
    redis: text(flags.redis) ?? process.env.FOCAL_EVAL_REDIS ?? DEFAULT_REDIS,
    queue: text(flags.queue),
    prefix: text(flags.prefix),
  };
  if (sub === 'worker') return worker(cmd, target);
  let run: string;
  if (sub === 'submit') {
    let options = cmd.options;
    if (cmd.alphaFile !== undefined) {
      const { readSavedAlphas } = await import('../alpha/saved.ts');
      options = { ...options, alpha: 'auto', alphaEstimates: await readSavedAlphas(cmd.alphaFile) };
    }
    const shards = await shardsOf(cmd.files, options, count(flags, 'split'));
    run = await submitRun(target, shards, options, { run: text(flags.run), attempts: count(flags, 'attempts') });
    process.stderr.write(`focal-eval: cluster run ${run}: ${shards.length} shards submitted to ${target.redis}\n`);
    if (flags.detach === true) {
      process.stdout.write(`${run}\n`);
      return 0;
    }
  } else run = cmd.files[0]!;
  const progress = process.stderr.isTTY ? (done: number, all: number) => process.stderr.write(`\r${run}: ${done}/${all} shards`) : undefined;
  const report = await runReport(target, run, progress);
  if (progress !== undefined) process.stderr.write('\n');
  await writeOut(reportText(report, format), cmd.out);
  printWarnings(report);
  return 0;
}

async function worker(cmd: Command, target: ClusterTarget): Promise<number> {
  const flags = cmd.cluster;
  const log = (line: string) => process.stderr.write(`focal-eval worker ${process.pid}: ${line}\n`);
  const w = await startWorker(target, {
    concurrency: count(flags, 'concurrency'),
    threads: cmd.options.threads,
    lockDuration: count(flags, 'lock-duration'),
    stalledInterval: count(flags, 'stalled-interval'),
    log,
  });
  log(`waiting for jobs on ${target.redis}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (flags['exit-when-idle'] === true) void untilIdle(w.worker).then(stop);
  });
  log('stopping');
  await w.close();
  return 0;
}

/** Resolves once the worker's queue has had nothing waiting, running or delayed for two looks in a row. */
async function untilIdle(worker: import('bullmq').Worker): Promise<void> {
  const { Queue } = await import('bullmq');
  const queue = new Queue(worker.name, { connection: worker.opts.connection, prefix: worker.opts.prefix });
  try {
    let idle = 0;
    while (idle < 2) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      idle = Object.values(counts).every((n) => n === 0) ? idle + 1 : 0;
    }
  } finally {
    await queue.close();
  }
}

function text(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function count(flags: Command['cluster'], name: string): number | undefined {
  const raw = text(flags[name]);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number >= 1, not "${raw}"`, name);
  return n;
}

/**
 * Submitting a run and waiting for its report. The run is one BullMQ flow: a parent merge job
 * over one score job per shard. Every child has failParentOnFailure, so a shard that fails for
 * good (a data error at once; a worker's failure after its attempts) fails the run, and the
 * waiting side names that shard and its error instead of waiting forever.
 */
import type { Job, Queue } from 'bullmq';
import { FocalEvalError, type ErrorCode } from '../errors.ts';
import type { OptionsInput } from '../options.ts';
import { ReportSchema, type Report } from '../report/schema.ts';
import {
  connect,
  DEFAULT_QUEUE,
  MERGE_JOB,
  runId,
  SCORE_JOB,
  shardJobId,
  shardName,
  type ClusterTarget,
  type MergeJobData,
  type ScoreJobData,
  type Shard,
} from './jobs.ts';

/** How a run is submitted. */
export interface SubmitOptions {
  /** The run's id; by default a hash of the shards and options (runId). */
  run?: string;
  /** Tries per shard when a worker fails (a data error is never retried). Default 3. */
  attempts?: number;
}

/** Enqueues a run (a no-op when a run with its id is already there); resolves to its id. */
export async function submitRun(target: ClusterTarget, shards: readonly Shard[], options: OptionsInput, how: SubmitOptions = {}): Promise<string> {
  const { FlowProducer } = await import('bullmq');
  // Each worker picks its own thread count; the rest of the options are the run's.
  const runOptions: OptionsInput = { ...options };
  delete runOptions.threads;
  const run = how.run ?? runId(shards, runOptions);
  const queueName = target.queue ?? DEFAULT_QUEUE;
  const redis = await connect(target.redis, false);
  const flow = new FlowProducer({ connection: redis, ...(target.prefix === undefined ? {} : { prefix: target.prefix }) });
  try {
    const children = shards.map((shard, index) => ({
      name: SCORE_JOB,
      queueName,
      data: { run, index, shard, options: runOptions } satisfies ScoreJobData,
      opts: {
        jobId: shardJobId(run, index),
        attempts: how.attempts ?? 3,
        backoff: { type: 'fixed', delay: 1000 },
        failParentOnFailure: true,
      },
    }));
    const data: MergeJobData = { run, shards: shards.length };
    await flow.add({ name: MERGE_JOB, queueName, data, opts: { jobId: run }, children });
    return run;
  } finally {
    await flow.close();
    redis.disconnect();
  }
}

/** Progress of a run: shards done of all, for a caller that shows it. */
export type RunProgress = (done: number, shards: number) => void;

/**
 * Waits for a run and resolves to its report; a failed run rejects with its failed shard's
 * error (its code, and a message naming the run, the shard and the located error).
 */
export async function runReport(target: ClusterTarget, run: string, progress?: RunProgress): Promise<Report> {
  const { Queue } = await import('bullmq');
  const redis = await connect(target.redis, false);
  const queue = new Queue(target.queue ?? DEFAULT_QUEUE, { connection: redis, ...(target.prefix === undefined ? {} : { prefix: target.prefix }) });
  try {
    let last = -1;
    for (;;) {
      const job = (await queue.getJob(run)) as Job<MergeJobData, string> | undefined;
      if (job === undefined) throw new FocalEvalError('E_USAGE', `cluster run ${run}: no such run in queue ${queue.name} at ${target.redis}`);
      const state = await job.getState();
      if (state === 'completed') return ReportSchema.parse(JSON.parse(job.returnvalue));
      if (state === 'failed') throw await runFailure(queue, job);
      if (progress !== undefined) {
        const done = await doneShards(queue, run, job.data.shards);
        if (done !== last) progress((last = done), job.data.shards);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

async function doneShards(queue: Queue, run: string, shards: number): Promise<number> {
  let done = 0;
  for (let i = 0; i < shards; i++) if ((await queue.getJob(shardJobId(run, i)))?.finishedOn !== undefined) done++;
  return done;
}

/** The error of a failed run: its first failed shard's, by shard order, or the merge's own. */
async function runFailure(queue: Queue, parent: Job<MergeJobData>): Promise<FocalEvalError> {
  const { run, shards } = parent.data;
  for (let i = 0; i < shards; i++) {
    const child = (await queue.getJob(shardJobId(run, i))) as Job<ScoreJobData> | undefined;
    if (child !== undefined && (await child.getState()) === 'failed') {
      const { code, message } = splitReason(child.failedReason);
      return new FocalEvalError(code, `cluster run ${run}: shard ${i} (${shardName(child.data.shard)}) failed: ${message}`);
    }
  }
  const { code, message } = splitReason(parent.failedReason);
  return new FocalEvalError(code, `cluster run ${run} failed: ${message}`);
}

const CODES: readonly ErrorCode[] = ['E_USAGE', 'E_SCHEMA', 'E_DATA', 'E_INPUT', 'E_WORKER', 'E_ABORTED', 'E_INTERNAL'];

/** A job's failedReason as the worker wrote it (`E_DATA: message`), else a worker's failure (E_INPUT: the input could not be scored). */
function splitReason(reason: string | undefined): { code: ErrorCode; message: string } {
  const text = reason ?? 'no reason given';
  const code = CODES.find((c) => text.startsWith(`${c}: `));
  return code === undefined ? { code: 'E_INPUT', message: text } : { code, message: text.slice(code.length + 2) };
}

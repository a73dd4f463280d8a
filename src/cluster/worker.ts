/**
 * A cluster worker: takes score jobs from the queue and scores each shard on this machine's
 * piscina pool, so that BullMQ's event loop stays free to renew the job's lock (a processor that
 * computes on the event loop loses its lock and its job is taken for stalled); returns the
 * shard's partial file as the job's value, and reports progress per batch. Takes the merge job
 * too: the children's partials, by shard index, merged into the report.
 *
 * A data or schema error in a shard is the same on any machine: the job fails at once, not
 * retried (UnrecoverableError), and fails the run. A worker that dies mid-shard loses its lock;
 * after lockDuration another worker's stalled-job check puts the shard back and it is scored again
 * from the start: at least once, harmless, since a shard's value lives under its own job id.
 */
import type { Job, Worker } from 'bullmq';
import { FocalEvalError } from '../errors.ts';
import { decodePartial, encodePartial } from '../partial/file.ts';
import { mergePartials, partialReport } from '../partial/merge.ts';
import { scorePartial } from '../partial/score.ts';
import { connect, DEFAULT_QUEUE, MERGE_JOB, shardIndexOf, shardName, type ClusterTarget, type MergeJobData, type ScoreJobData } from './jobs.ts';

/** How a worker runs. */
export interface WorkerOptions {
  /** Shards scored at a time (default 1: one shard uses every thread of the pool). */
  concurrency?: number;
  /** Pool threads per shard (default one per core). */
  threads?: number;
  /** A job's lock, in ms (BullMQ's default 30 s): a dead worker's shard is taken back after it. */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs, in ms (BullMQ's default 30 s). */
  stalledInterval?: number;
  /** A line for people about each job (stderr, on the CLI). */
  log?: (line: string) => void;
}

/** A running worker; `close` waits for the jobs in hand, then disconnects. */
export interface ClusterWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Starts a worker on the queue; it runs until closed. */
export async function startWorker(target: ClusterTarget, how: WorkerOptions = {}): Promise<ClusterWorker> {
  const { Worker, UnrecoverableError } = await import('bullmq');
  const redis = await connect(target.redis, true);
  const log = how.log ?? (() => {});
  const hold = faultHold();
  const processor = async (job: Job): Promise<string> => {
    if (job.name === MERGE_JOB) return merge(job as Job<MergeJobData>);
    const { run, index, shard, options } = job.data as ScoreJobData;
    const started = Date.now();
    log(`${run}: shard ${index} (${shardName(shard)}): scoring (attempt ${job.attemptsStarted})`);
    let firstBatch: () => void = () => {};
    const scoredOne = new Promise<void>((resolve) => (firstBatch = resolve));
    const scoring = scorePartial(shard.file, { ...options, threads: how.threads }, {
      batches: shard.batches,
      onBatch: (merged) => {
        firstBatch();
        job.updateProgress({ batches: merged }).catch(() => {});
      },
    });
    if (hold === index) {
      await scoredOne;
      log(`${run}: shard ${index}: holding after its first batch (FOCAL_EVAL_CLUSTER_HOLD_SHARD)`);
      scoring.catch(() => {});
      await new Promise(() => {});
    }
    try {
      const text = encodePartial(await scoring);
      log(`${run}: shard ${index}: done in ${((Date.now() - started) / 1000).toFixed(2)} s`);
      return text;
    } catch (error) {
      const code = error instanceof FocalEvalError ? error.code : 'E_INTERNAL';
      const message = `${code}: ${(error as Error).message}`;
      log(`${run}: shard ${index}: failed: ${message}`);
      // The same bytes fail the same way on every machine: no retry. Internal errors and dead workers may be the machine's.
      throw code === 'E_INTERNAL' || code === 'E_WORKER' ? new Error(message) : new UnrecoverableError(message);
    }
  };
  // Only what is set: BullMQ takes an undefined setting for a value, not for its default.
  const worker = new Worker(target.queue ?? DEFAULT_QUEUE, processor, {
    connection: redis,
    concurrency: how.concurrency ?? 1,
    ...(target.prefix === undefined ? {} : { prefix: target.prefix }),
    ...(how.lockDuration === undefined ? {} : { lockDuration: how.lockDuration }),
    ...(how.stalledInterval === undefined ? {} : { stalledInterval: how.stalledInterval }),
  });
  worker.on('error', (error) => log(`worker error: ${error.message}`));
  return {
    worker,
    close: async () => {
      await worker.close();
      redis.disconnect();
    },
  };

  async function merge(job: Job<MergeJobData>): Promise<string> {
    const values = await job.getChildrenValues<string>();
    const byIndex = new Map(Object.entries(values).map(([key, text]) => [shardIndexOf(key), { key, text }]));
    const parts = [];
    for (let i = 0; i < job.data.shards; i++) {
      const value = byIndex.get(i);
      if (value === undefined) throw new UnrecoverableError(`E_INTERNAL: internal error: run ${job.data.run}: shard ${i} has no value`);
      parts.push(decodePartial(value.text, value.key));
    }
    try {
      const report = partialReport(mergePartials(parts, parts.map((p, i) => `shard ${i} (${p.inputs.join(' + ')})`)));
      log(`${job.data.run}: merged ${parts.length} shards`);
      return JSON.stringify(report);
    } catch (error) {
      const code = error instanceof FocalEvalError ? error.code : 'E_INTERNAL';
      log(`${job.data.run}: merge failed: ${(error as Error).message}`);
      throw new UnrecoverableError(`${code}: ${(error as Error).message}`);
    }
  }
}

/**
 * Fault injection for the tests (test/cluster.test.ts): with FOCAL_EVAL_CLUSTER_HOLD_SHARD=i,
 * this worker never finishes shard i once its first batch is scored, so that a test can kill
 * it mid-shard at a known point instead of after a guessed delay.
 */
function faultHold(): number | null {
  const raw = process.env.FOCAL_EVAL_CLUSTER_HOLD_SHARD;
  return raw === undefined || raw === '' ? null : Number(raw);
}

/**
 * The cluster's jobs and their names in Redis, shared by submit and worker. A run is a BullMQ
 * flow: one parent job, id = the run's id, whose children are the shards, id `<run>.<index>`.
 * Ids are deterministic, so a submit repeated, and a shard retried, land on the same keys: BullMQ
 * ignores a job added again under an id it has, and a retried child's value overwrites its own.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FocalEvalError } from '../errors.ts';
import type { BatchRange } from '../evaluate.ts';
import type { OptionsInput } from '../options.ts';

/** The queue both kinds of job go to, by default. */
export const DEFAULT_QUEUE = 'focal-eval';
/** Where Redis is, by default. */
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/** The parent job's name: merges the children's partials in shard order. */
export const MERGE_JOB = 'merge';
/** A child job's name: scores one shard into its partial. */
export const SCORE_JOB = 'score';

/** One shard: a file, or a batch range of it (Parquet: row groups). */
export interface Shard {
  file: string;
  batches?: BatchRange;
}

/** A score job's data. */
export interface ScoreJobData {
  run: string;
  index: number;
  shard: Shard;
  /** The options of the run, the same for every shard (threads left to each worker). */
  options: OptionsInput;
}

/** The merge job's data. */
export interface MergeJobData {
  run: string;
  shards: number;
}

/** Where the cluster is: the Redis URL, the queue, BullMQ's key prefix. */
export interface ClusterTarget {
  redis: string;
  queue?: string;
  /** BullMQ's key prefix, `bull` by default; on Redis Cluster a `{hash-tag}`, so that a flow's keys share a slot. */
  prefix?: string;
}

/** A run's id from what it scores: the same shards and options give the same id. */
export function runId(shards: readonly Shard[], options: OptionsInput): string {
  const hash = createHash('sha256').update(JSON.stringify({ shards, options })).digest('hex');
  return `fe-${hash.slice(0, 16)}`;
}

/** A shard's job id (BullMQ ids may not contain ':'). */
export function shardJobId(run: string, index: number): string {
  return `${run}.${index}`;
}

/** A shard's index from its job id or key (`bull:queue:<run>.<index>`). */
export function shardIndexOf(key: string): number {
  return Number(key.slice(key.lastIndexOf('.') + 1));
}

/** A shard as messages name it. */
export function shardName(shard: Shard): string {
  return shard.batches === undefined ? shard.file : `${shard.file} (batches ${shard.batches.start}..${shard.batches.end - 1})`;
}

/**
 * A connection to Redis, checked with a PING: an unreachable server is an E_INPUT error naming
 * it, not a hang. `persistent` connections (a worker's) then reconnect forever, as BullMQ wants.
 */
export async function connect(url: string, persistent: boolean): Promise<Redis> {
  const { Redis } = await import('ioredis');
  let attempts = 0;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    retryStrategy: () => (persistent || ++attempts < 3 ? 500 : null),
  });
  let lastError: Error | null = null;
  redis.on('error', (error: Error) => (lastError = error)); // reported by the PING below, or retried
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    // The socket's own error (ECONNREFUSED...) says more than ioredis's "Connection is closed".
    const reason = (lastError ?? (error as Error)).message;
    throw new FocalEvalError('E_INPUT', `${url}: cannot reach Redis: ${reason}`, { cause: error });
  }
  return redis;
}

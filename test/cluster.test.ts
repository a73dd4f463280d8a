/**
 * The cluster against a real redis-server (test/support/redis.ts says which; `.ci/run` starts
 * one): worker processes as users start them, a run submitted, a worker SIGKILLed mid-shard and
 * its shard scored again by another, the report byte for byte the one of `score` over the file;
 * a shard with an invalid row failing the run at once with the located error; a repeated submit
 * landing on the same run. Without a reachable server the suite skips, saying so.
 */
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, requireBuild, startCli } from './support/cli.ts';
import { fixture } from './support/fixtures.ts';
import { REDIS_REQUIRED, REDIS_URL, redisReachable } from './support/redis.ts';

const reachable = await redisReachable();
if (!reachable && !REDIS_REQUIRED) {
  console.warn(`test/cluster.test.ts: skipped: no Redis at ${REDIS_URL} (start one: redis-server --port 6390 --save '' --appendonly no --maxmemory-policy noeviction --daemonize yes, or set FOCAL_EVAL_TEST_REDIS)`);
}

/** A queue of its own for each test, so that runs never meet. */
let queues = 0;
const queueName = () => `focal-eval-test-${process.pid}-${++queues}`;
const used: string[] = [];
const workers: ChildProcess[] = [];

/** Starts `focal-eval cluster worker` on the queue; resolves `seen(text)` once its stderr shows text. */
function worker(queue: string, env: NodeJS.ProcessEnv = {}) {
  const { child, done } = startCli(
    ['cluster', 'worker', '--redis', REDIS_URL, '--queue', queue, '--threads', '1', '--lock-duration', '2000', '--stalled-interval', '500'],
    undefined,
    [],
    env,
  );
  workers.push(child);
  let log = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stderr!.on('data', (s: string) => {
    log += s;
    for (const w of waiting.filter((w) => log.includes(w.text))) w.resolve();
  });
  const seen = (text: string) => new Promise<void>((resolve) => (log.includes(text) ? resolve() : waiting.push({ text, resolve })));
  return { child, done, seen, log: () => log };
}

describe.skipIf(!reachable && !REDIS_REQUIRED)('focal-eval cluster on Redis', () => {
  beforeAll(requireBuild);
  afterAll(async () => {
    for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    for (const name of used) {
      const queue = new Queue(name, { connection: { url: REDIS_URL } });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('has a server to talk to', () => {
    expect(reachable, `no Redis at ${REDIS_URL}, and FOCAL_EVAL_TEST_REDIS asks for one`).toBe(true);
  });

  it('a worker SIGKILLed mid-shard: the shard is scored again by another worker, the report is the single run`s, byte for byte', async () => {
    const queue = queueName();
    used.push(queue);
    const file = fixture('mc_logits_f32.arrow');
    const flags = ['--alpha', 'auto', '--histogram-bins', '13'];
    const a = worker(queue, { FOCAL_EVAL_CLUSTER_HOLD_SHARD: '2' });
    const submit = await cli(['cluster', 'submit', file, '--split', '1', '--redis', REDIS_URL, '--queue', queue, '--detach', ...flags]);
    expect(submit.code, submit.stderr).toBe(0);
    const run = submit.stdout.toString().trim();
    expect(run).toMatch(/^fe-[0-9a-f]{16}$/);
    await a.seen(`${run}: shard 2: holding after its first batch`);
    a.child.kill('SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');
    const b = worker(queue);
    const report = await cli(['cluster', 'report', run, '--redis', REDIS_URL, '--queue', queue, '--format', 'json']);
    const single = await cli(['score', file, '--format', 'json', '--threads', '1', ...flags]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout.equals(single.stdout)).toBe(true);
    // Shard 2 was started twice: by the worker killed, then, taken back as stalled, by the other.
    expect(b.log()).toContain(`${run}: shard 2 (${file} (batches 2..2)): scoring (attempt 2)`);
    const q = new Queue(queue, { connection: { url: REDIS_URL } });
    const job = await q.getJob(`${run}.2`);
    await q.close();
    expect([job?.attemptsStarted, job?.stalledCounter]).toEqual([2, 1]);
    // The same submit again is the same run: no new jobs, the report at once.
    const again = await cli(['cluster', 'submit', file, '--split', '1', '--redis', REDIS_URL, '--queue', queue, '--format', 'json', ...flags]);
    expect(again.stderr).toContain(`cluster run ${run}: 5 shards submitted`);
    expect(again.stdout.equals(single.stdout)).toBe(true);
  }, 60_000);

  it('a shard with an invalid row fails its job at once and the run with the located error (exit 1)', async () => {
    const queue = queueName();
    used.push(queue);
    const file = fixture('inv_nan_pred.arrow');
    const w = worker(queue);
    const run = await cli(['cluster', 'submit', file, '--split', '2', '--redis', REDIS_URL, '--queue', queue]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `focal-eval: cluster run fe-[0-9a-f]{16}: shard 0 \\(${file} \\(batches 0\\.\\.1\\)\\) failed: ${file} \\(batches 0\\.\\.1\\): ` +
          `invalid row 1005 \\(batch 1, row 5\\), column "logits": non-finite prediction or probability outside \\[0, 1\\] \\(value: NaN\\)\\n$`,
      ),
    );
    expect(w.log()).toContain('shard 0: failed: E_DATA:');
    expect(w.log()).not.toContain('(attempt 2)');
  }, 60_000);
});

describe('focal-eval cluster without Redis', () => {
  it('says the server cannot be reached, on one line, exit 1', async () => {
    const run = await cli(['cluster', 'submit', fixture('bin_probs.arrow'), '--redis', 'redis://127.0.0.1:1', '--detach']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^focal-eval: redis:\/\/127\.0\.0\.1:1: cannot reach Redis: [^\n]*ECONNREFUSED[^\n]*\n$/);
  });
});

/**
 * Workers that fail outside their own error handling, with the faults injected by
 * workers/testFault.ts (FOCAL_EVAL_TEST_FAULT=KIND:BATCH): a task that throws, a worker that
 * exits, one that runs out of heap (FOCAL_EVAL_WORKER_HEAP_MB), one stuck in a busy loop (the
 * watchdog, --task-timeout). Each fails the CLI run with one line naming the batch, exit status 3,
 * nothing on stdout (no report, whole or partial), and ends well within its bound (no hang).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { cli, requireBuild } from './support/cli.ts';
import { fixture } from './support/fixtures.ts';

beforeAll(requireBuild);

const FILE = fixture('mc_dict_labels.arrow'); // 4 small batches, read lean: one task (a run of batches, batchRuns.ts)
const where = `focal-eval: ${FILE}: batches 0-3`;

async function faulty(fault: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const run = await cli(['score', FILE, '--format', 'json', '--threads', '2', ...extra], undefined, [], { FOCAL_EVAL_TEST_FAULT: fault, ...env });
  return { ...run, seconds: (Date.now() - started) / 1000 };
}

describe('a worker that fails', () => {
  it('the control: with the fault on a batch the input does not have, the run is whole', async () => {
    const run = await faulty('throw:99');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toEqual(await evaluate(FILE, { threads: 1 }));
  });

  it('throws past its error handling: one line naming the batches of the task, exit 3, no report', async () => {
    const run = await faulty('throw:1');
    expect([run.code, run.stdout.length]).toEqual([3, 0]);
    expect(run.stderr).toBe(`${where}: the worker failed: injected fault (FOCAL_EVAL_TEST_FAULT=throw:1)\n`);
  });

  it('exits (process.exit in the worker): one line naming the batch, exit 3', async () => {
    const run = await faulty('exit:1');
    expect([run.code, run.stdout.length]).toEqual([3, 0]);
    expect(run.stderr).toBe(`${where}: the worker failed: worker exited with code: 3\n`);
  });

  it('runs out of its heap (resourceLimits): one line naming the batch, exit 3', async () => {
    const run = await faulty('oom:1', [], { FOCAL_EVAL_WORKER_HEAP_MB: '32' });
    expect([run.code, run.stdout.length]).toEqual([3, 0]);
    expect(run.stderr).toMatch(new RegExp(`^${escape(where)}: the worker failed: .*out of memory.*\\(ERR_WORKER_OUT_OF_MEMORY\\)\\n$`));
  });

  it('hangs in a busy loop: the watchdog stops it after --task-timeout, one line, exit 3', async () => {
    const run = await faulty('hang:1', ['--task-timeout', '1']);
    expect([run.code, run.stdout.length]).toEqual([3, 0]);
    expect(run.stderr).toBe(`${where} did not finish within 1 s (--task-timeout): a stuck worker, or a batch too big for the time allowed\n`);
    expect(run.seconds).toBeLessThan(30);
  });

  it('in a Parquet file: the line names the row group', async () => {
    const parquet = fixture('parquet/bin.snappy.parquet');
    // (--on-invalid skip: row group 0 holds an invalid row, which, first in input order, would be the error.)
    const run = await cli(['score', parquet, '--threads', '2', '--on-invalid', 'skip'], undefined, [], { FOCAL_EVAL_TEST_FAULT: 'exit:1' });
    expect([run.code, run.stdout.length]).toEqual([3, 0]);
    expect(run.stderr).toBe(`focal-eval: ${parquet}: row group 1: the worker failed: worker exited with code: 3\n`);
  });

  it('the library rejects with E_WORKER naming the batch, and the process is not taken down', async () => {
    // The workers inherit the environment when they start: set it for this pool only.
    process.env.FOCAL_EVAL_TEST_FAULT = 'exit:2';
    try {
      await expect(evaluate(FILE, { threads: 2 })).rejects.toMatchObject({
        code: 'E_WORKER',
        message: `${FILE}: batches 0-3: the worker failed: worker exited with code: 3`,
      });
    } finally {
      delete process.env.FOCAL_EVAL_TEST_FAULT;
    }
    expect((await evaluate(FILE, { threads: 2 })).rows).toBe(10_000);
  });
});

describe('--task-timeout', () => {
  it('is checked as an option: a negative value is a usage error naming the flag', async () => {
    const run = await cli(['score', FILE, '--task-timeout', '-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^focal-eval: --task-timeout: /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

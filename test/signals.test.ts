/**
 * SIGINT and SIGTERM mid-run on the CLI, caught with a worker paused by the test-only fault hook
 * (FOCAL_EVAL_TEST_FAULT=pause:N: the worker says so on stderr and waits forever): the CLI stops,
 * exits 130 / 143 with one line on stderr (no stack), leaves nothing under the temporary names,
 * and leaves each output as it was (an old --out keeps its old content); --emit - ends without
 * the stream's end-of-stream marker. Reading stdin that sends nothing stops too.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, startCli, type CliRun } from './support/cli.ts';
import { fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const FILE = fixture('mc_dict_labels.arrow'); // 4 batches

/** Starts the CLI with batch `pause` held, waits until the worker says it is there (or `ready` holds), then sends `signal`. */
async function interrupted(args: string[], signal: NodeJS.Signals, pause: number | null, ready?: (stdoutBytes: number) => boolean) {
  const env = pause === null ? {} : { FOCAL_EVAL_TEST_FAULT: `pause:${pause}` };
  const { child, done } = startCli(args, undefined, [], env);
  let stderr = '';
  let stdoutBytes = 0;
  child.stderr!.on('data', (s: string) => (stderr += s));
  child.stdout!.on('data', (b: Buffer | string) => (stdoutBytes += b.length));
  const deadline = Date.now() + 30_000;
  while (!(pause === null ? ready!(stdoutBytes) : stderr.includes(`batch ${pause} paused`) && (ready?.(stdoutBytes) ?? true))) {
    if (Date.now() > deadline) throw new Error(`the run never reached its pause: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const sent = Date.now();
  child.kill(signal);
  const run: CliRun = await done;
  return { ...run, seconds: (Date.now() - sent) / 1000 };
}

const SIGNAL_LINE = /^focal-eval test: batch \d+ paused\nfocal-eval: stopped by SIG(TERM|INT)\n$/;

describe('a signal mid-run', () => {
  it('SIGTERM with --out: exit 143, the old --out keeps its content, no temporary file is left', async () => {
    const dir = tmp.path('out');
    mkdirSync(dir);
    const out = `${dir}/report.json`;
    writeFileSync(out, 'old\n');
    const run = await interrupted(['score', FILE, '--out', out, '--threads', '2'], 'SIGTERM', 1);
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(SIGNAL_LINE);
    expect(run.stderr).toContain('stopped by SIGTERM');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(run.seconds).toBeLessThan(10);
  });

  it('SIGINT with --emit FILE: exit 130, the half-written temporary file is removed, the final name never appears', async () => {
    const dir = tmp.path('emit');
    mkdirSync(dir);
    const out = `${dir}/scored.arrows`;
    // Batches 0 and 1 are written before batch 2 holds the rest: the temporary file is there and not empty.
    const hasTemp = (): boolean => readdirSync(dir).some((f) => f.endsWith('.tmp'));
    const run = await interrupted(['score', FILE, '--emit', out, '--threads', '2', '--format', 'json'], 'SIGINT', 2, hasTemp);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(SIGNAL_LINE);
    expect(run.stderr).toContain('stopped by SIGINT');
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('SIGTERM with --emit - (the stage path: an IPC stream in): exit 143, and the stream has no end-of-stream marker', async () => {
    const stream = fixture('compressed/mc.arrows');
    // Batch 0 may still be on the other worker when batch 1 pauses: wait until it is out.
    const run = await interrupted(['score', stream, '--emit', '-', '--threads', '2'], 'SIGTERM', 1, (bytes) => bytes > 8);
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(SIGNAL_LINE);
    expect(run.stdout.length).toBeGreaterThan(8); // the schema and batch 0 went out
    const tail = run.stdout.subarray(run.stdout.length - 8);
    expect(tail.equals(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]))).toBe(false);
  });

  it('SIGTERM while stdin sends nothing: the wait for input stops, exit 143', async () => {
    const { child, done } = startCli(['score', '-', '--threads', '1'], 'held');
    await new Promise((r) => setTimeout(r, 1_000)); // the CLI is up and waiting on stdin
    child.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(143);
    expect(run.stderr).toBe('focal-eval: stopped by SIGTERM\n');
  });
});


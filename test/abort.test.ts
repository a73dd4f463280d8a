/**
 * The library's AbortSignal (evaluate, focalStage): an abort rejects with an AbortError (code
 * E_ABORTED, the signal's reason as its cause), stops a read that is waiting for its source,
 * cancels the tasks on the pool and releases it; two evaluations at once are independent; and a
 * script that calls evaluate exits by itself when the work is done (no pool left behind).
 */
import { execFile } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { AbortError } from '../src/errors.ts';
import { focalStage } from '../src/stage/stage.ts';
import { requireBuild } from './support/cli.ts';
import { makeBatches, sizes } from './support/dumps.ts';
import { fixture, ROOT } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';

const run = promisify(execFile);
const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const spec = { mode: 'multiclass', input: 'logits', classes: 10, seed: 7 } as const;
const batches = makeBatches(spec, sizes(8, 2_000));

/** The batches, then a wait that never ends (a source stuck in the middle), with a hook once `abortAfter` went out. */
async function* stuckAfter(items: readonly RecordBatch[], abortAfter: number, onReached: () => void): AsyncGenerator<RecordBatch> {
  for (let i = 0; i < items.length; i++) {
    if (i === abortAfter) {
      onReached();
      await new Promise(() => {});
    }
    yield items[i]!;
  }
}

describe('evaluate with a signal', () => {
  it('an abort while the source is stuck rejects with an AbortError whose cause is the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    const error = await evaluate(stuckAfter(batches, 3, () => setTimeout(() => controller.abort(reason), 50)), {
      threads: 2,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'E_ABORTED', message: 'the run was aborted: enough', cause: reason });
  });

  it('a signal aborted before the call rejects at once, without reading the input', async () => {
    let read = false;
    const source = (async function* () {
      read = true;
      yield* batches;
    })();
    await expect(evaluate(source, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError', code: 'E_ABORTED' });
    expect(read).toBe(false);
  });

  it('a signal that never aborts changes nothing', async () => {
    const alone = await evaluate(fixture('mc_dict_labels.arrow'), { threads: 2 });
    expect(await evaluate(fixture('mc_dict_labels.arrow'), { threads: 2, signal: new AbortController().signal })).toEqual(alone);
  });

  it('two evaluations at once give the reports each gives alone', async () => {
    const a = fixture('mc_dict_labels.arrow');
    const b = fixture('ml_logits.arrow');
    const [aloneA, aloneB] = [await evaluate(a, { threads: 2 }), await evaluate(b, { threads: 2, alpha: 0.25 })];
    const [both1, both2] = await Promise.all([evaluate(a, { threads: 2 }), evaluate(b, { threads: 2, alpha: 0.25 })]);
    expect(JSON.stringify(both1)).toBe(JSON.stringify(aloneA));
    expect(JSON.stringify(both2)).toBe(JSON.stringify(aloneB));
  });

  it('aborting one of two evaluations at once leaves the other whole', async () => {
    const controller = new AbortController();
    const alone = await evaluate(fixture('mc_dict_labels.arrow'), { threads: 2 });
    const [aborted, whole] = await Promise.allSettled([
      evaluate(stuckAfter(batches, 2, () => setTimeout(() => controller.abort(), 20)), { threads: 2, signal: controller.signal }),
      evaluate(fixture('mc_dict_labels.arrow'), { threads: 2 }),
    ]);
    expect(aborted.status === 'rejected' && (aborted.reason as Error).name).toBe('AbortError');
    expect(whole.status === 'fulfilled' && JSON.stringify(whole.value)).toBe(JSON.stringify(alone));
  });
});

describe('focalStage with a signal', () => {
  it('an abort mid-stream fails the pipeline downstream with the AbortError, and rejects stage.report', async () => {
    const controller = new AbortController();
    const stage = focalStage({ threads: 2, signal: controller.signal });
    let received = 0;
    const sink = new Writable({
      objectMode: true,
      write(_batch, _encoding, callback) {
        if (++received === 2) controller.abort();
        callback();
      },
    });
    const error = await pipeline(Readable.from(stuckAfter(batches, 6, () => {})), stage, sink).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError', code: 'E_ABORTED' });
    await expect(stage.report).rejects.toMatchObject({ name: 'AbortError' });
    expect(received).toBeGreaterThanOrEqual(2);
    expect(received).toBeLessThan(batches.length);
  });
});

/** Runs a script with node against the build; resolves to its stdout, rejects if it fails or outlives `seconds`. */
async function script(name: string, text: string, env: NodeJS.ProcessEnv = {}, seconds = 30): Promise<string> {
  const path = tmp.path(name);
  await import('node:fs/promises').then((fs) => fs.writeFile(path, text));
  const { stdout } = await run(process.execPath, [path], { cwd: ROOT, timeout: seconds * 1000, env: { ...process.env, ...env } });
  return stdout;
}

describe('the process', () => {
  const INDEX = JSON.stringify(join(ROOT, 'dist', 'src', 'index.js'));

  it('exits by itself once evaluate resolves: no pool is left running', async () => {
    const out = await script(
      'done.mjs',
      `import { evaluate } from ${INDEX};\nconst r = await evaluate(${JSON.stringify(fixture('mc_dict_labels.arrow'))}, { threads: 2 });\nconsole.log(r.rows);\n`,
    );
    expect(out).toBe('10000\n');
  });

  it('exits by itself after an abort with a worker stuck in a task: the task is cancelled and the pool released', async () => {
    // Batch 1's worker waits forever (test-only hook): without the abort, evaluate would never settle.
    const out = await script(
      'aborted.mjs',
      `import { evaluate } from ${INDEX};\n` +
        `const c = new AbortController();\nsetTimeout(() => c.abort(), 1000);\n` +
        `await evaluate(${JSON.stringify(fixture('mc_dict_labels.arrow'))}, { threads: 2, signal: c.signal }).catch((e) => console.log(e.name, e.code));\n`,
      { FOCAL_EVAL_TEST_FAULT: 'pause:1' },
    );
    expect(out).toBe('AbortError E_ABORTED\n');
  });
});

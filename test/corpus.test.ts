/**
 * Inputs that have broken Arrow readers before (Apache Arrow's fuzz corpus): every one must end
 * in a clear FocalEvalError naming the file, never a report, never a hang.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';

const root = new URL('./fixtures/corpus/', import.meta.url).pathname;
const casesIn = (dir: string): string[] =>
  readdirSync(join(root, dir))
    .filter((f) => !f.endsWith('.md'))
    .map((f) => join(root, dir, f));

describe.each(['arrow-ipc-file', 'arrow-ipc-stream', 'parquet/fuzzing'])('evaluate on the %s corpus', (dir) => {
  it('rejects every input with an error that names the file', async () => {
    const outcomes: string[] = [];
    for (const path of casesIn(dir)) {
      const outcome = await evaluate(path, { threads: 1 }).then(
        () => 'report',
        (error: unknown) =>
          error instanceof FocalEvalError && ['E_INPUT', 'E_SCHEMA'].includes(error.code) && error.message.includes(path)
            ? 'clear error'
            : `unclear: ${String(error)}`,
      );
      if (outcome !== 'clear error') outcomes.push(`${path}: ${outcome}`);
    }
    expect(outcomes).toEqual([]);
  });
});
